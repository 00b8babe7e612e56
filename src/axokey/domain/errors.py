"""Typed, expected operating errors.

Each error carries a stable machine-readable ``code`` (used verbatim in the API's
problem responses) and the HTTP status that the API layer translates it to. The
domain knows the status only as a number: it is part of the public contract of
each error, not an HTTP dependency.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class AxokeyError(Exception):
    """Base of every expected error. Subclasses set ``status`` and a default code."""

    status: int = 400
    code: str = "bad_request"
    title: str = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        code: str | None = None,
        errors: list[FieldError] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.errors: list[FieldError] = errors or []


class ValidationFailed(AxokeyError):
    status = 422
    code = "validation_error"
    title = "Validation failed"


class Unauthenticated(AxokeyError):
    status = 401
    code = "unauthenticated"
    title = "Missing or invalid API key"


class Forbidden(AxokeyError):
    status = 403
    code = "forbidden"
    title = "Not allowed"


class NotFound(AxokeyError):
    status = 404
    code = "not_found"
    title = "Not found"


class Conflict(AxokeyError):
    status = 409
    code = "conflict"
    title = "State conflict"


class TooLarge(AxokeyError):
    status = 413
    code = "request_too_large"
    title = "Request body too large"


class UnsupportedMedia(AxokeyError):
    status = 415
    code = "unsupported_media_type"
    title = "Unsupported media type"


class RateLimited(AxokeyError):
    status = 429
    code = "rate_limited"
    title = "Too many requests"


@dataclass
class ProblemDetail:
    """What the API renders as ``application/problem+json``."""

    status: int
    code: str
    title: str
    detail: str
    errors: list[FieldError] = field(default_factory=list)


def problem_of(error: AxokeyError) -> ProblemDetail:
    return ProblemDetail(
        status=error.status,
        code=error.code,
        title=error.title,
        detail=error.detail,
        errors=list(error.errors),
    )


class ProviderUnavailable(AxokeyError):
    status = 503
    code = "provider_unavailable"
    title = "Payment provider unavailable"


class InvariantBroken(AxokeyError):
    """A rule that the code upholds everywhere was found broken (a bug, not bad
    input): the use case stops and rolls back. Raised instead of ``assert``, which
    ``python -O`` removes, wherever money or stored data depend on the rule."""

    status = 500
    code = "invariant_broken"
    title = "Internal error"
