// A small typed client over fetch. Every type comes from schema.d.ts, generated from
// the OpenAPI document by scripts/generate-clients (openapi-typescript): a path, a
// method, its parameters, its JSON body and its answers are checked by the compiler.
import type { components, paths } from "./schema";

export type { components, paths };
export type Schemas = components["schemas"];
export type Problem = Schemas["Problem"];

type Method = "get" | "post" | "put" | "patch" | "delete";
type Operation<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;

/** The operation's JSON body, or `never` when it takes none. */
export type RequestBody<O> = O extends { requestBody?: { content: { "application/json": infer B } } }
  ? B
  : never;

/** The JSON of its success (200, 201 or 202). */
export type Success<O> = O extends { responses: infer R }
  ? R extends { 200: { content: { "application/json": infer T } } }
    ? T
    : R extends { 201: { content: { "application/json": infer T } } }
      ? T
      : R extends { 202: { content: { "application/json": infer T } } }
        ? T
        : unknown
  : unknown;

type PathParams<O> = O extends { parameters: { path: infer P } } ? P : never;
type QueryParams<O> = O extends { parameters: { query?: infer Q } } ? Q : never;

export interface RequestOptions<O> {
  path?: PathParams<O>;
  query?: QueryParams<O>;
  body?: RequestBody<O>;
  /** Any unique string per distinct POST (a retry sends the same one). */
  idempotencyKey?: string;
  acceptLanguage?: "en" | "fr";
}

export type Answer<O> =
  | { ok: true; status: number; data: Success<O> }
  | { ok: false; status: number; problem: Problem };

export class AxokeyClient {
  constructor(
    private readonly baseUrl: string,
    private readonly apiKey?: string,
    private readonly fetcher: typeof fetch = fetch,
  ) {}

  async request<P extends keyof paths, M extends Method & keyof paths[P]>(
    method: M,
    path: P,
    options: RequestOptions<Operation<P, M>> = {},
  ): Promise<Answer<Operation<P, M>>> {
    let url = String(path);
    for (const [name, value] of Object.entries((options.path ?? {}) as Record<string, string>)) {
      url = url.replace(`{${name}}`, encodeURIComponent(value));
    }
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries((options.query ?? {}) as Record<string, unknown>)) {
      if (value !== undefined && value !== null) query.set(name, String(value));
    }
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.apiKey) headers.Authorization = `Bearer ${this.apiKey}`;
    if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
    if (options.acceptLanguage) headers["Accept-Language"] = options.acceptLanguage;
    let body: string | undefined;
    if (options.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(options.body);
    }
    const search = query.toString();
    const response = await this.fetcher(`${this.baseUrl}${url}${search ? `?${search}` : ""}`, {
      method: method.toUpperCase(),
      headers,
      body,
    });
    const json: unknown = await response.json();
    if (response.ok) {
      return { ok: true, status: response.status, data: json as Success<Operation<P, M>> };
    }
    return { ok: false, status: response.status, problem: json as Problem };
  }
}
