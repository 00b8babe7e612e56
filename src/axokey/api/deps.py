"""FastAPI dependencies: the service context, the caller and its scope, pagination.

Every authenticated route declares the one scope it needs, with the route::

    @router.get("/v1/orders")
    def list_orders(principal: Annotated[Principal, requires(Scope.ORDERS_READ)], ...)

``requires`` authenticates the key (401 when missing, unknown, revoked or expired)
and checks its scope (403 ``insufficient_scope`` naming the scope). See
``docs/api-keys.md``.
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool

from axokey.domain.access import Scope, grants
from axokey.domain.errors import Forbidden
from axokey.domain.pagination import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from axokey.domain.parties import Principal
from axokey.services.api_keys import authenticate, authenticate_without_waiting
from axokey.services.context import ServiceContext

T = TypeVar("T")


# Dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` one in its
# thread pool, a hand-over to a thread and back for each.
async def get_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


ContextDep = Annotated[ServiceContext, Depends(get_context)]

_bearer = HTTPBearer(auto_error=False, description="An API key: a party's, or an operator's.")


class RequireScope:
    """The dependency behind ``requires``: who is calling, with the scope needed.

    ``scope=None`` accepts any valid key (only for the caller's own identity,
    ``GET /v1/me``)."""

    def __init__(self, scope: Scope | None) -> None:
        self.scope = scope

    async def __call__(
        self,
        request: Request,
        context: ContextDep,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> Principal:
        key = credentials.credentials if credentials else None
        client_address = request.client.host if request.client else None
        request_id = getattr(request.state, "request_id", None)
        # A key authentication read a moment ago: decided here, on the event loop;
        # else in the thread pool, where waiting for the database blocks nothing.
        principal = authenticate_without_waiting(
            context, key, client_address=client_address, request_id=request_id
        )
        if principal is None:
            principal = await run_in_threadpool(
                partial(
                    authenticate,
                    context,
                    key,
                    client_address=client_address,
                    request_id=request_id,
                )
            )
        if self.scope is not None and not grants(principal.scopes, self.scope):
            raise Forbidden(
                f"this API key lacks the scope {self.scope.value!r} that this request needs",
                code="insufficient_scope",
            )
        return principal

    def __repr__(self) -> str:
        return f"requires({self.scope.value if self.scope else 'any key'})"


def requires(scope: Scope | None) -> Any:
    """``Annotated[Principal, requires(Scope.X)]``: the caller, holding scope X."""
    return Depends(RequireScope(scope))


# A route that declares nothing narrower: full-access keys only. Prefer ``requires``.
PrincipalDep = Annotated[Principal, requires(Scope.ALL)]


class PageParams(BaseModel):
    limit: int
    starting_after: str | None


async def get_page_params(
    limit: Annotated[
        int, Query(ge=1, le=PAGE_SIZE_MAX, description=f"Page size, 1 to {PAGE_SIZE_MAX}.")
    ] = PAGE_SIZE_DEFAULT,
    starting_after: Annotated[
        str | None,
        Query(max_length=64, description="The last id of the previous page."),
    ] = None,
) -> PageParams:
    return PageParams(limit=limit, starting_after=starting_after)


PageDep = Annotated[PageParams, Depends(get_page_params)]


class Page(BaseModel, Generic[T]):
    data: list[T]
    has_more: bool
