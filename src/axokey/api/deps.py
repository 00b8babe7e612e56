"""FastAPI dependencies: the service context, the caller, pagination."""

from __future__ import annotations

from typing import Annotated, Generic, TypeVar

from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel

from axokey.domain.pagination import PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX
from axokey.domain.parties import Principal
from axokey.services.context import ServiceContext
from axokey.services.parties import authenticate

T = TypeVar("T")


def get_context(request: Request) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


ContextDep = Annotated[ServiceContext, Depends(get_context)]

_bearer = HTTPBearer(
    auto_error=False, description="A party's API key, or the operator's admin key."
)


def get_principal(
    context: ContextDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    return authenticate(context, credentials.credentials if credentials else None)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


class PageParams(BaseModel):
    limit: int
    starting_after: str | None


def get_page_params(
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
