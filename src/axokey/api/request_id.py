"""A request id on every request: the client's ``X-Request-Id`` when it is a sane
token, else a new one; echoed in the response's ``X-Request-Id`` and kept in
``request.state.request_id`` (the audit trail records it)."""

from __future__ import annotations

import re
import secrets
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

REQUEST_ID_HEADER = b"x-request-id"
_ACCEPTED = re.compile(r"[A-Za-z0-9._:\-]{1,128}")


def new_request_id() -> str:
    return "req_" + secrets.token_hex(12)


def accepted_request_id(value: str | None) -> str:
    """The client's id when it is 1 to 128 safe characters; else a new one."""
    if value is not None and _ACCEPTED.fullmatch(value):
        return value
    return new_request_id()


class RequestIdMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        presented = None
        for name, value in scope.get("headers", []):
            if name == REQUEST_ID_HEADER:
                presented = value.decode("latin-1")
                break
        request_id = accepted_request_id(presented)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (name, value)
                    for name, value in message.get("headers", [])
                    if name.lower() != REQUEST_ID_HEADER
                ]
                headers.append((REQUEST_ID_HEADER, request_id.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_id)
