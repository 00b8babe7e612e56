"""ASGI middleware: security headers, body-size limit, per-key rate limit,
Idempotency-Key replay.

Pure ASGI (not ``BaseHTTPMiddleware``) so that bodies are read once and
responses are captured without buffering anything but keyed POSTs.

Headers on every response: ``X-Content-Type-Options: nosniff``; on every JSON
response (``application/json``, ``application/problem+json``) ``Cache-Control:
no-store`` unless the route set its own: API answers are the caller's own, and
some carry secrets shown once (a new party's API key).

Idempotency keys: on an authenticated POST a key is scoped to the caller's API
key; on an unauthenticated POST (the customer's pages, the sandbox's payment
form) to the method, the path and the client's address, so that two clients
never share, nor learn, each other's responses. A request whose key another
request owns waits up to ``idempotency_wait_seconds`` for that request's
response, then gets 409 ``idempotency_key_in_use`` (with ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.concurrency import run_in_threadpool

from axokey import i18n
from axokey.api.problems import PROBLEM_CONTENT_TYPE, problem_body
from axokey.api.rate_limits import RateLimits, build_storage, window_item
from axokey.api.routers.redemptions import CODE_IMAGE_PATH
from axokey.domain.errors import AxokeyError
from axokey.services import idempotency
from axokey.services.context import ServiceContext

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodyTooLarge(Exception):
    pass


async def send_problem(
    send: Send,
    scope: Scope,
    status: int,
    *,
    code: str,
    title: str,
    detail: str,
    headers: list[tuple[bytes, bytes]] | None = None,
) -> None:
    """A problem answered before the app runs, in the request's language like the
    app's own (its ``code`` picks the catalog's sentence when ``detail`` has values)."""
    language = (
        i18n.from_accept_language(_header(scope, b"accept-language")) or i18n.DEFAULT_LANGUAGE
    )
    title, detail = i18n.translate_problem(code, title, detail, language)
    body = json.dumps(problem_body(status, code, title, detail)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", PROBLEM_CONTENT_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"content-language", language.encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def _read_body(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:  # ends with the last chunk, past ``limit`` bytes, or a disconnect
        message = await receive()
        if message["type"] == "http.disconnect":
            raise BodyTooLarge("client disconnected")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge(f"body larger than {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.Event().wait()  # like a client that stays connected
        return {"type": "http.disconnect"}

    return receive


ADDRESS_RATE_FACTOR = 4
# The scanner's photo of a QR code: the one body that is an image, with its own limit.
PHOTO_PATH = CODE_IMAGE_PATH


# A JSON ``\u0000`` escape: preceded by an even number of backslashes (each pair an
# escaped backslash), so that a literal ``\\u0000`` text is not mistaken for one.
_JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")


def _contains_nul(scope: Scope, body: bytes) -> bool:
    """Whether the path, the query or the body carries a NUL character (U+0000).

    No text field accepts one, and PostgreSQL cannot store or even compare one: it
    is refused here, the same way on both databases, before any service runs.
    """
    if "\x00" in scope.get("path", ""):
        return True
    if b"\x00" in urllib.parse.unquote_to_bytes(scope.get("query_string", b"")):
        return True
    if b"\x00" in body or _JSON_NUL_ESCAPE.search(body):
        return True
    content_type = (_header(scope, b"content-type") or "").lower()
    return content_type.startswith("application/x-www-form-urlencoded") and (
        b"\x00" in urllib.parse.unquote_to_bytes(body.replace(b"+", b" "))
    )


# As the OpenAPI document says (``api.openapi.IDEMPOTENCY_KEY_PATTERN``): printable
# ASCII, no space at either end.
_IDEMPOTENCY_KEY = re.compile(r"[!-~](?:[ -~]*[!-~])?")

# Headers a replay does not repeat: recomputed, or set again by ``with_security_headers``.
NOT_REPLAYED_HEADERS = frozenset(
    {b"content-length", b"date", b"server", b"set-cookie", b"x-content-type-options"}
)
JSON_CONTENT_TYPES = (b"application/json", PROBLEM_CONTENT_TYPE.encode())
IDEMPOTENCY_POLL_FIRST_SECONDS = 0.02
IDEMPOTENCY_POLL_MAX_SECONDS = 0.25


def with_security_headers(send: Send) -> Send:
    """``send``, adding ``nosniff`` to every response and ``no-store`` to JSON ones."""

    async def send_with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            names = {name.lower() for name, _ in headers}
            if b"x-content-type-options" not in names:
                headers.append((b"x-content-type-options", b"nosniff"))
            content_type = next(
                (value.lower() for name, value in headers if name.lower() == b"content-type"), b""
            )
            if b"cache-control" not in names and content_type.startswith(JSON_CONTENT_TYPES):
                headers.append((b"cache-control", b"no-store"))
            message = {**message, "headers": headers}
        await send(message)

    return send_with_headers


def idempotency_scope(scope: Scope, authorization: str) -> str:
    """Whose keys a key is among: the caller's API key's, or for an unauthenticated
    POST this route's for this client address's."""
    if authorization:
        return hashlib.sha256(authorization.encode()).hexdigest()
    client = scope.get("client") or ("", 0)
    anonymous = f"anonymous\0{client[0]}\0{scope['method']}\0{scope['path']}"
    return hashlib.sha256(anonymous.encode()).hexdigest()


class ApiGuardMiddleware:
    """Applies, in order: the body limit, the rate limit, idempotency keys."""

    def __init__(self, app: ASGIApp, context: ServiceContext) -> None:
        self.app = app
        self.context = context
        settings = context.settings
        self.body_limit = settings.request_body_max_bytes
        self.photo_limit = settings.code_image_max_bytes
        storage = build_storage(settings.rate_limit_storage_url, settings.rate_limit_key_prefix)
        self.buckets = RateLimits(
            storage,
            window_item(
                settings.rate_limit_requests_per_second,
                settings.rate_limit_burst_requests,
                "key",
            ),
        )
        # Per client address too, with more room (several parties may share one
        # address): made-up keys cannot each buy a fresh burst.
        self.address_buckets = RateLimits(
            storage,
            window_item(
                settings.rate_limit_requests_per_second * ADDRESS_RATE_FACTOR,
                settings.rate_limit_burst_requests * ADDRESS_RATE_FACTOR,
                "address",
            ),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        send = with_security_headers(send)
        photo = scope.get("path") == PHOTO_PATH
        limit = self.photo_limit if photo else self.body_limit
        length = _header(scope, b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await self._too_large(send, scope, photo=photo)
            return
        authorization = _header(scope, b"authorization") or ""
        client = scope.get("client") or ("", 0)
        caller = (
            hashlib.sha256(authorization.encode()).hexdigest()
            if authorization
            else f"ip:{client[0]}"
        )
        if self.buckets.shared:  # a network round trip: not on the event loop
            wait_seconds = await run_in_threadpool(self._limit, f"ip:{client[0]}", caller)
        else:
            wait_seconds = self._limit(f"ip:{client[0]}", caller)
        if wait_seconds > 0:
            await send_problem(
                send,
                scope,
                429,
                code="rate_limited",
                title="Too many requests",
                detail="slow down: the rate limit for this API key is exceeded",
                headers=[(b"retry-after", str(max(1, round(wait_seconds))).encode())],
            )
            return
        try:
            body = await _read_body(receive, limit)
        except BodyTooLarge:
            await self._too_large(send, scope, photo=photo)
            return
        # A photo's bytes are not text: NUL bytes are part of any image.
        if _contains_nul(scope, b"" if photo else body):
            await send_problem(
                send,
                scope,
                422,
                code="invalid_characters",
                title="Validation failed",
                detail="text must not contain the NUL character (U+0000)",
            )
            return
        key = _header(scope, b"idempotency-key")
        if scope["method"] != "POST" or key is None:
            await self.app(scope, _replay(body), send)
            return
        await self._keyed(scope, body, key, idempotency_scope(scope, authorization), send)

    async def _too_large(self, send: Send, scope: Scope, *, photo: bool) -> None:
        if photo:
            megabytes = self.photo_limit / (1024 * 1024)
            await send_problem(
                send,
                scope,
                413,
                code="image_too_large",
                title="Request body too large",
                detail=f"the photo must not exceed {megabytes:g} MB",
            )
            return
        await send_problem(
            send,
            scope,
            413,
            code="request_too_large",
            title="Request body too large",
            detail=f"the body must not exceed {self.body_limit} bytes",
        )

    def _limit(self, address: str, caller: str) -> float:
        return self.address_buckets.take(address) or self.buckets.take(caller)

    async def _begin(
        self, caller: str, key: str, fingerprint: str
    ) -> idempotency.Claim | idempotency.StoredResponse:
        """Claim the key, or the response to replay; while another request owns the
        key, wait for its response up to ``idempotency_wait_seconds``."""
        deadline = time.monotonic() + self.context.settings.idempotency_wait_seconds
        pause = IDEMPOTENCY_POLL_FIRST_SECONDS
        for _ in range(10_000):  # a cap; the deadline ends the wait long before
            try:
                return await run_in_threadpool(
                    idempotency.begin_request,
                    self.context,
                    scope=caller,
                    key=key,
                    fingerprint=fingerprint,
                )
            except AxokeyError as error:
                if error.code != "idempotency_key_in_use" or time.monotonic() >= deadline:
                    raise
            await asyncio.sleep(pause)
            pause = min(pause * 1.5, IDEMPOTENCY_POLL_MAX_SECONDS)
        raise idempotency.key_in_use()

    async def _keyed(self, scope: Scope, body: bytes, key: str, caller: str, send: Send) -> None:
        key_max = self.context.settings.idempotency_key_max_length
        if len(key) > key_max or not _IDEMPOTENCY_KEY.fullmatch(key):
            await send_problem(
                send,
                scope,
                400,
                code="invalid_idempotency_key",
                title="Bad request",
                detail=f"Idempotency-Key must be 1 to {key_max} printable ASCII characters",
            )
            return
        fingerprint = idempotency.request_fingerprint(
            scope["method"], scope["path"], scope.get("query_string", b"").decode("latin-1"), body
        )
        try:
            begun = await self._begin(caller, key, fingerprint)
        except AxokeyError as error:
            headers = [(b"retry-after", b"1")] if error.code == "idempotency_key_in_use" else None
            await send_problem(
                send,
                scope,
                error.status,
                code=error.code,
                title=error.title,
                detail=error.detail,
                headers=headers,
            )
            return
        if isinstance(begun, idempotency.StoredResponse):
            await send(
                {
                    "type": "http.response.start",
                    "status": begun.status,
                    "headers": [
                        (b"content-type", begun.content_type.encode()),
                        (b"content-length", str(len(begun.body)).encode()),
                        *((name.encode(), value.encode()) for name, value in begun.headers),
                        (b"idempotent-replayed", b"true"),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": begun.body})
            return
        claim = begun

        captured: dict[str, Any] = {"status": 500, "content_type": "", "body": [], "headers": []}

        async def capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured["status"] = message["status"]
                for name, value in message.get("headers", []):
                    lowered = name.lower()
                    if lowered == b"content-type":
                        captured["content_type"] = value.decode("latin-1")
                    elif lowered not in NOT_REPLAYED_HEADERS:
                        captured["headers"].append(
                            (lowered.decode("latin-1"), value.decode("latin-1"))
                        )
            elif message["type"] == "http.response.body":
                captured["body"].append(message.get("body", b""))
            await send(message)

        try:
            # Every commit of the use case marks the key used in its own transaction.
            with idempotency.use_cases_owned_by(self.context, claim):
                await self.app(scope, _replay(body), capture)
        except BaseException:
            await run_in_threadpool(
                idempotency.abandon_request, self.context, claim, declared=False
            )
            raise
        status = captured["status"]
        if status >= 500:
            # A 500 is unexpected; 502, 503, 504 are failures the use case declared.
            await run_in_threadpool(
                idempotency.abandon_request, self.context, claim, declared=status != 500
            )
            return
        response = idempotency.StoredResponse(
            status, captured["content_type"], b"".join(captured["body"]), tuple(captured["headers"])
        )
        await run_in_threadpool(idempotency.complete_request, self.context, claim, response)
