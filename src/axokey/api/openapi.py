"""The OpenAPI document, completed in one place so that it says what the server does.

FastAPI describes each route's success and its request schema. This module adds,
for every operation, without anything to repeat per route:

- **its problems**: every status it can answer besides its success, each
  ``application/problem+json`` with the shared ``Problem`` schema. A route's
  problems come from its shape (see ``declared_statuses``): any request may be
  refused 422 (a NUL character) or 429; an authenticated one 401 and 403; one with a
  path parameter 404; one with a body 413; a POST 400, 409 and 422 (its
  ``Idempotency-Key``); a POST, PUT, PATCH or DELETE 409 (state conflict). A
  route declares more with ``responses=problems(503)``;
- **what its strings accept**: every request string carries the pattern the server
  enforces (no NUL character: ``ApiGuardMiddleware`` refuses one anywhere), every
  id its prefix (``ord_`` and 26 Crockford base32 characters, ``ID_PREFIXES``);
- **its scope** (``x-required-scope`` and a line of its description);
- **its rules beyond the schema** (``x-rules-beyond-schema``, see ``beyond_schema``):
  the problems a request the schema accepts may still get, because the rule depends
  on stored objects, on an image's content or on two parameters together;
- the ``Idempotency-Key`` header of every POST;
- **shared enums**: a currency and a country are ``$ref`` to the ``Currency`` and
  ``Country`` components, not the same long list inline on each body (generated
  clients then have one type for each).

``complete_document`` is pure: it takes FastAPI's document and the app's routes.
``install_openapi`` makes the app serve the completed document at ``/openapi.json``;
``scripts/generate-clients`` writes it to ``openapi.json`` at the root of the
repository (the snapshot ``tests/contract/test_openapi_document.py`` compares).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi import routing as fastapi_routing
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from axokey import i18n
from axokey.api.deps import RequireScope
from axokey.api.problems import PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, STATUS_CODES
from axokey.api.schemas.base import COUNTRY_CODES, CURRENCY_CODES
from axokey.domain.identifiers import CROCKFORD_ALPHABET
from axokey.domain.orders import OrderStatus

PROBLEM_REF = "#/components/schemas/Problem"

# The request's strings: any character but NUL (refused by the middleware, on both
# databases alike; PostgreSQL cannot store one).
NO_NUL_PATTERN = "^[^\\x00]*$"

# Which id each name holds (a path parameter, a body field).
ID_PREFIXES: dict[str, str] = {
    "party_id": "pty",
    "merchant_id": "pty",
    "supplier_id": "pty",
    "courier_id": "pty",
    "store_id": "pty",
    "product_id": "prd",
    "agreement_id": "agr",
    "listing_id": "lst",
    "order_id": "ord",
    "line_id": "ln",
    "payment_id": "pay",
    "redemption_id": "rdm",
    "refund_id": "rfd",
    "batch_id": "pob",
    "item_id": "po",
    "cart_id": "crt",
    "cart_line_id": "cln",
    "endpoint_id": "whe",
    "event_id": "evt",
    "key_id": "key",
}


def _crockford_class() -> str:
    """``0-9A-HJKMNP-TV-Z``: the alphabet as a regular expression's class."""
    ranges: list[str] = []
    run: list[str] = []
    for character in CROCKFORD_ALPHABET:
        if run and ord(character) == ord(run[-1]) + 1:
            run.append(character)
            continue
        if run:
            ranges.append(run[0] + (f"-{run[-1]}" if len(run) > 2 else "".join(run[1:])))
        run = [character]
    ranges.append(run[0] + (f"-{run[-1]}" if len(run) > 2 else "".join(run[1:])))
    return "".join(ranges)


def id_pattern(prefix: str) -> str:
    """``^ord_[0-9A-HJKMNP-TV-Z]{26}$``: see ``axokey.domain.identifiers``."""
    return f"^{prefix}_[{_crockford_class()}]{{26}}$"


STATUS_DESCRIPTIONS: dict[int, str] = {
    400: "Bad request (e.g. an invalid `Idempotency-Key`).",
    401: "No API key, or an unknown, revoked or expired one.",
    403: "The key may not do this (`insufficient_scope`, or not this party's object).",
    404: "Unknown, or not the caller's to see (existence is never leaked).",
    409: "State conflict (e.g. `order_not_paid`; `idempotency_key_in_use` while the "
    "first request with this key runs).",
    413: "The body is larger than the configured limit.",
    415: "Unsupported media type.",
    422: "Validation failed: the body or a parameter does not match the schema or a "
    "rule (`errors` names the fields); NUL characters (`invalid_characters`); an "
    "`Idempotency-Key` reused with another body.",
    429: "Too many requests for this API key or address; see `Retry-After`.",
    500: "Internal error.",
    502: "The payment provider answered an error.",
    503: "The payment provider is unavailable; retry later.",
}

# Printable ASCII, no space at either end (HTTP would drop it): a UUID, a hash.
IDEMPOTENCY_KEY_PATTERN = "^[!-~](?:[ -~]*[!-~])?$"

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=problems(409, 503)``: problems a route answers beyond those its
    shape implies (``declared_statuses``). The content is filled in by
    ``complete_document``."""
    return {
        status: {"description": STATUS_DESCRIPTIONS.get(status, "Error.")} for status in statuses
    }


# The operation's rules that JSON Schema cannot state (another object's state, an
# image's content, a relation between two parameters): each one's status and stable
# code. A request the schema accepts is refused only by one of these; the fuzzer's
# positive-data check accepts exactly these (status, code) pairs and no other refusal.
RULES_EXTENSION = "x-rules-beyond-schema"


def beyond_schema(*rules: tuple[int, str, str]) -> dict[str, Any]:
    """``openapi_extra=beyond_schema((422, "currency_mismatch", "a product is priced
    in another currency"), ...)``: rules a schema-valid request may still break. Each
    is listed in the operation's ``x-rules-beyond-schema`` and in the description of
    its status's response (see ``complete_document``)."""
    return {
        RULES_EXTENSION: [
            {"status": status, "code": code, "rule": rule} for status, code, rule in rules
        ]
    }


def required_scope(route: Any) -> RequireScope | None:
    """The route's ``requires(...)`` dependency, if it authenticates."""

    def walk(dependant: Any) -> Iterator[Any]:
        for dependency in dependant.dependencies:
            yield dependency.call
            yield from walk(dependency)

    return next((call for call in walk(route.dependant) if isinstance(call, RequireScope)), None)


def declared_statuses(route: Any, method: str) -> set[int]:
    """The problems a route answers by its shape (see the module's docstring)."""
    statuses = {422, 429}
    scope = required_scope(route)
    if scope is not None:
        statuses.add(401)
        if scope.scope is not None:
            statuses.add(403)
    if route.dependant.path_params or any(
        param.name in ID_PREFIXES for param in route.dependant.query_params
    ):
        statuses.add(404)  # an unknown id, in the path or as a filter
    if route.body_field is not None or method in WRITE_METHODS:
        statuses.add(413)
    if route.body_field is not None:
        statuses.add(400)  # a body that is not JSON
    if method in WRITE_METHODS:
        statuses.add(409)
    if method == "POST":
        statuses.add(400)
    return statuses


def problem_schema() -> dict[str, Any]:
    """RFC 9457 problem details with AXOKEY's stable ``code`` and field ``errors``."""
    codes = sorted(
        set(i18n.problem_codes())
        | {code for code, _title in STATUS_CODES.values()}
        # ``order_<status>``: an order in a state that refuses the request
        # (services/ordering.py, domain/refunds.py).
        | {f"order_{status.value}" for status in OrderStatus}
    )
    return {
        "title": "Problem",
        "type": "object",
        "description": "An error (RFC 9457). `title` and `detail` are in the language "
        "`Accept-Language` asks for (English or French); `code` and `type` never change. "
        "Clients branch on `code`; a new code may be added in a compatible change "
        "(see docs/api-versioning.md): treat an unknown one by its `status`.",
        "required": ["type", "title", "status", "detail", "code"],
        "properties": {
            "type": {
                "type": "string",
                "format": "uri",
                "description": f"`{PROBLEM_TYPE_BASE}` followed by the code.",
                "examples": [f"{PROBLEM_TYPE_BASE}order_not_paid"],
            },
            "title": {"type": "string", "examples": ["State conflict"]},
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": {"type": "string"},
            "code": {
                "type": "string",
                "enum": codes,
                "description": "Stable and machine-readable.",
            },
            "errors": {
                "type": "array",
                "description": "The fields at fault (validation errors).",
                "items": {
                    "type": "object",
                    "required": ["field", "message"],
                    "properties": {
                        "field": {"type": "string", "examples": ["lines.0.quantity"]},
                        "message": {"type": "string"},
                    },
                },
            },
        },
    }


def _problem_response(status: int, description: str | None) -> dict[str, Any]:
    response: dict[str, Any] = {
        "description": description or STATUS_DESCRIPTIONS.get(status, "Error."),
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": PROBLEM_REF}}},
    }
    if status == 401:
        response["headers"] = {
            "WWW-Authenticate": {"required": True, "schema": {"type": "string", "const": "Bearer"}}
        }
    if status == 429:
        response["headers"] = {
            "Retry-After": {
                "required": True,
                "description": "Seconds to wait.",
                "schema": {"type": "integer", "minimum": 1},
            }
        }
    return response


def _strings(schema: Any, name: str | None = None) -> None:
    """Give every string in ``schema`` the pattern the server enforces."""
    if isinstance(schema, list):
        for item in schema:
            _strings(item)
        return
    if not isinstance(schema, dict):
        return
    if schema.get("type") == "string" and not {"enum", "const", "format", "pattern"} & set(schema):
        if name in ID_PREFIXES:
            schema["pattern"] = id_pattern(ID_PREFIXES[name])
        else:
            schema["pattern"] = NO_NUL_PATTERN
    for part, part_name in _parts(schema, name):
        _strings(part, part_name)


def _parts(schema: dict[str, Any], name: str | None) -> Iterator[tuple[Any, str | None]]:
    """The sub-schemas of ``schema``, each with the property name it describes."""
    for key in ("anyOf", "oneOf", "allOf", "prefixItems"):
        for item in schema.get(key, []):
            yield item, name
    if isinstance(schema.get("items"), dict):
        yield schema["items"], name
    for key in ("if", "then", "else", "not", "additionalProperties"):
        if isinstance(schema.get(key), dict):
            yield schema[key], None
    for property_name, item in (schema.get("properties") or {}).items():
        yield item, property_name


def _without_null(schema: dict[str, Any]) -> None:
    """A parameter is absent or a text: never JSON ``null`` (``str | None`` in Python)."""
    choices = schema.get("anyOf")
    if not choices:
        return
    kept = [choice for choice in choices if choice.get("type") != "null"]
    if len(kept) == 1:
        del schema["anyOf"]
        schema.update(kept[0])
    elif len(kept) != len(choices):
        schema["anyOf"] = kept


def _references(schema: Any) -> Iterator[str]:
    if isinstance(schema, dict):
        reference = schema.get("$ref")
        if isinstance(reference, str) and reference.startswith("#/components/schemas/"):
            yield reference.rsplit("/", 1)[1]
        for value in schema.values():
            yield from _references(value)
    elif isinstance(schema, list):
        for value in schema:
            yield from _references(value)


# The enums every body shares, by the component that holds them once.
SHARED_ENUMS: dict[str, tuple[list[str], str]] = {
    "Currency": (
        CURRENCY_CODES,
        "ISO 4217, upper case, with a minor unit (the currencies a payment can be made in).",
    ),
    "Country": (COUNTRY_CODES, "ISO 3166-1 alpha-2, upper case."),
}


def _shared_enums(value: Any, references: dict[tuple[str, ...], str]) -> Any:
    """``value`` with every string schema whose ``enum`` is a shared one replaced by a
    ``$ref`` to its component (its description kept)."""
    if isinstance(value, list):
        return [_shared_enums(item, references) for item in value]
    if not isinstance(value, dict):
        return value
    enum = value.get("enum")
    name = references.get(tuple(enum)) if isinstance(enum, list) else None
    if name is not None:
        shared = {"$ref": f"#/components/schemas/{name}"}
        if "description" in value:
            shared["description"] = value["description"]
        return shared
    return {key: _shared_enums(item, references) for key, item in value.items()}


def _request_components(document: dict[str, Any]) -> set[str]:
    """The components a request body or a parameter uses, transitively."""
    components = document.get("components", {}).get("schemas", {})
    pending: list[str] = []
    for operations in document["paths"].values():
        for operation in operations.values():
            pending.extend(_references(operation.get("requestBody", {})))
            pending.extend(_references(operation.get("parameters", [])))
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name in found or name not in components:
            continue
        found.add(name)
        pending.extend(_references(components[name]))
    return found


def _routes(routes: Iterable[Any]) -> dict[tuple[str, str], Any]:
    """Each operation's route, by (path, method): an ``APIRoute``, or since FastAPI
    0.16x the context of one within an included router (same attributes)."""
    iterate = getattr(fastapi_routing, "iter_route_contexts", None)
    candidates: Iterable[Any] = iterate(list(routes)) if iterate is not None else routes
    found: dict[tuple[str, str], Any] = {}
    for candidate in candidates:
        original = getattr(candidate, "original_route", candidate)
        if isinstance(original, APIRoute) and candidate.include_in_schema:
            for method in candidate.methods:
                found[(candidate.path_format, method.lower())] = candidate
    return found


def complete_document(
    document: dict[str, Any],
    routes: Iterable[Any],
    *,
    idempotency_key_max_length: int = 255,
    limits: dict[str, dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """FastAPI's ``document`` completed (see the module's docstring); a new dict.

    ``limits``: the bounds this instance is configured with, by ``Schema.property``
    (e.g. ``{"OrderCreate.lines": {"maxItems": 100}}``), checked by the services."""
    document = copy.deepcopy(document)
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, bounds in (limits or {}).items():
        schema_name, _, property_name = name.partition(".")
        target = schemas.get(schema_name, {}).get("properties", {}).get(property_name)
        if target is not None:
            target.update(bounds)
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    schemas["Problem"] = problem_schema()
    by_operation = _routes(routes)
    names = [route.name for route in by_operation.values()]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            route = by_operation.get((path, method))
            if route is None:
                continue
            # ``create_order``, not ``create_order_v1_orders_post``: the name generated
            # clients give the call; two routes of one name: ``carts_checkout``.
            operation["operationId"] = (
                route.name
                if names.count(route.name) == 1
                else f"{path.split('/')[2].replace('-', '_')}_{route.name}"
            )
            _complete_operation(
                operation, route, method.upper(), idempotency_key_max_length, schemas
            )
    for name in _request_components(document):
        _strings(schemas[name])
    references = {tuple(codes): name for name, (codes, _) in SHARED_ENUMS.items()}
    document["paths"] = _shared_enums(document["paths"], references)
    for name in list(schemas):
        schemas[name] = _shared_enums(schemas[name], references)
    for name, (codes, description) in SHARED_ENUMS.items():
        schemas[name] = {
            "title": name,
            "type": "string",
            "enum": list(codes),
            "description": description,
        }
    return document


def _names_an_id(schema: Any, components: dict[str, Any], seen: set[str]) -> bool:
    """Whether a request body has a field that names an object (``supplier_id``...)."""
    if isinstance(schema, list):
        return any(_names_an_id(item, components, seen) for item in schema)
    if not isinstance(schema, dict):
        return False
    reference = schema.get("$ref")
    if isinstance(reference, str):
        name = reference.rsplit("/", 1)[-1]
        if name in seen:
            return False
        seen.add(name)
        return _names_an_id(components.get(name, {}), components, seen)
    if ID_PREFIXES.keys() & set(schema.get("properties", {})):
        return True
    return any(_names_an_id(value, components, seen) for value in schema.values())


def _complete_operation(
    operation: dict[str, Any],
    route: Any,
    method: str,
    idempotency_key_max_length: int,
    components: dict[str, Any],
) -> None:
    responses = operation.setdefault("responses", {})
    statuses = declared_statuses(route, method) | {
        int(status) for status in responses if str(status).isdigit() and int(status) >= 400
    }
    if _names_an_id(operation.get("requestBody", {}), components, set()):
        statuses.add(404)  # the body names an object that does not exist
    rules = operation.get(RULES_EXTENSION, [])
    statuses |= {rule["status"] for rule in rules}
    for status in sorted(statuses):
        declared = responses.get(str(status), {})
        description = declared.get("description")
        if status == 422 or description == "Validation Error":
            description = None
        responses[str(status)] = _problem_response(status, description)
        beyond = [rule for rule in rules if rule["status"] == status]
        if beyond:
            responses[str(status)]["description"] += (
                " A request the schema accepts may still be refused by a rule the schema "
                "cannot state: "
                + "; ".join(f"`{rule['code']}` ({rule['rule']})" for rule in beyond)
                + "."
            )
    parameters = operation.setdefault("parameters", [])
    for parameter in parameters:
        schema = parameter.get("schema", {})
        _without_null(schema)
        # A filter (``?order_id=``) takes any text: an unknown id finds nothing or 404.
        _strings(schema, parameter["name"] if parameter["in"] == "path" else None)
        if parameter["in"] == "path" and parameter["name"] not in ID_PREFIXES:
            schema.setdefault("maxLength", 64)
    if method == "POST":
        parameters.append(
            {
                "name": "Idempotency-Key",
                "in": "header",
                "required": False,
                "description": "Any unique string per distinct request: the same key with "
                "the same body returns the first response again and does nothing twice; with "
                "another body it is refused (422).",
                "schema": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": idempotency_key_max_length,
                    "pattern": IDEMPOTENCY_KEY_PATTERN,
                },
            }
        )
    if not parameters:
        del operation["parameters"]
    scope = required_scope(route)
    if scope is not None:
        needed = scope.scope.value if scope.scope is not None else None
        operation["x-required-scope"] = needed
        line = f"Scope: `{needed}`." if needed else "Any valid API key."
        operation["description"] = (operation.get("description", "") + "\n\n" + line).strip()


def install_openapi(
    app: FastAPI,
    *,
    idempotency_key_max_length: int = 255,
    limits: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Serve the completed document (built once, on first request)."""
    built: dict[str, Any] = {}

    def openapi() -> dict[str, Any]:
        if not built:
            document = get_openapi(
                title=app.title,
                version=app.version,
                openapi_version=app.openapi_version,
                description=app.description,
                routes=app.routes,
                servers=app.servers,
            )
            built.update(
                complete_document(
                    document,
                    app.routes,
                    idempotency_key_max_length=idempotency_key_max_length,
                    limits=limits,
                )
            )
        return built

    app.openapi = openapi  # type: ignore[method-assign]
