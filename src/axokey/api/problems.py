"""RFC 9457 problem responses for every error, with a stable ``code``.

``title`` and ``detail`` are for people: they come in the language the request's
``Accept-Language`` asks for (French or English; English without the header). The
``code`` and the ``type`` never change with the language.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from axokey import i18n
from axokey.domain.errors import AxokeyError, FieldError, problem_of

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://axokey.com/problems/"

logger = logging.getLogger("axokey.api")

_STATUS_CODES = {
    400: ("bad_request", "Bad request"),
    401: ("unauthenticated", "Missing or invalid API key"),
    403: ("forbidden", "Not allowed"),
    404: ("not_found", "Not found"),
    405: ("method_not_allowed", "Method not allowed"),
    409: ("conflict", "State conflict"),
    413: ("request_too_large", "Request body too large"),
    415: ("unsupported_media_type", "Unsupported media type"),
    422: ("validation_error", "Validation failed"),
    429: ("rate_limited", "Too many requests"),
    500: ("internal_error", "Internal error"),
}
# Each status's default code and title (the OpenAPI document lists the codes).
STATUS_CODES = _STATUS_CODES


def problem_body(
    status: int,
    code: str,
    title: str,
    detail: str,
    errors: list[FieldError] | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
    }
    if errors:
        body["errors"] = [{"field": error.field, "message": error.message} for error in errors]
    return body


def problem_response(
    status: int,
    code: str | None = None,
    detail: str = "",
    *,
    title: str | None = None,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    language: str = i18n.DEFAULT_LANGUAGE,
) -> JSONResponse:
    default_code, default_title = _STATUS_CODES.get(status, ("error", "Error"))
    code = code or default_code
    title, detail = i18n.translate_problem(code, title or default_title, detail, language)
    return JSONResponse(
        problem_body(status, code, title, detail, errors),
        status_code=status,
        media_type=PROBLEM_CONTENT_TYPE,
        headers={**(headers or {}), "Content-Language": language},
    )


def request_language(request: Request) -> str:
    """French or English, by the request's ``Accept-Language``; English without it."""
    accepted = i18n.from_accept_language(request.headers.get("accept-language"))
    return accepted or i18n.DEFAULT_LANGUAGE


def _field_name(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(part) for part in location if part not in ("body", "query", "path", "header")]
    return ".".join(parts) or "body"


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(AxokeyError)
    async def _expected(request: Request, error: AxokeyError) -> JSONResponse:
        problem = problem_of(error)
        headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None
        return problem_response(
            problem.status,
            problem.code,
            problem.detail,
            title=problem.title,
            errors=problem.errors,
            headers=headers,
            language=request_language(request),
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        errors = [
            FieldError(_field_name(item.get("loc", ())), str(item.get("msg", "invalid")))
            for item in error.errors()
        ]
        return problem_response(
            422,
            "validation_error",
            "the request does not match the schema",
            errors=errors,
            language=request_language(request),
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> JSONResponse:
        code, _title = _STATUS_CODES.get(error.status_code, ("error", "Error"))
        detail = error.detail if isinstance(error.detail, str) else code
        return problem_response(
            error.status_code,
            code,
            detail,
            headers=getattr(error, "headers", None),
            language=request_language(request),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, error: Exception) -> JSONResponse:
        # Log the trace for the operator; never send it to the client. This answer is
        # sent from outside the app's middleware: it sets the security headers itself.
        logger.exception("unexpected error on %s %s", request.method, request.url.path)
        return problem_response(
            500,
            "internal_error",
            "an unexpected error occurred",
            headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"},
            language=request_language(request),
        )
