import datetime
from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.order_status import OrderStatus
from ...models.page_order_out import PageOrderOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    status: OrderStatus | Unset = UNSET,
    created_from: datetime.date | Unset = UNSET,
    created_to: datetime.date | Unset = UNSET,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_status: str | Unset = UNSET
    if not isinstance(status, Unset):
        json_status = status.value

    params["status"] = json_status

    json_created_from: str | Unset = UNSET
    if not isinstance(created_from, Unset):
        json_created_from = created_from.isoformat()
    params["created_from"] = json_created_from

    json_created_to: str | Unset = UNSET
    if not isinstance(created_to, Unset):
        json_created_to = created_to.isoformat()
    params["created_to"] = json_created_to

    params["limit"] = limit

    params["starting_after"] = starting_after

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/orders",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PageOrderOut | Problem | None:
    if response.status_code == 200:
        response_200 = PageOrderOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 422:
        response_422 = Problem.from_dict(response.json())

        return response_422

    if response.status_code == 429:
        response_429 = Problem.from_dict(response.json())

        return response_429

    if client.raise_on_unexpected_status:
        raise errors.UnexpectedStatus(response.status_code, response.content)
    else:
        return None


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PageOrderOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    status: OrderStatus | Unset = UNSET,
    created_from: datetime.date | Unset = UNSET,
    created_to: datetime.date | Unset = UNSET,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
) -> Response[PageOrderOut | Problem]:
    """List Orders

     The orders the caller may see, newest first; by status, and created from
    ``created_from`` to ``created_to`` (days, UTC, both included).

    Scope: `orders:read`.

    Args:
        status (OrderStatus | Unset):
        created_from (datetime.date | Unset):
        created_to (datetime.date | Unset):
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        starting_after (str | Unset): The last id of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageOrderOut | Problem]
    """

    kwargs = _get_kwargs(
        status=status,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        starting_after=starting_after,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    status: OrderStatus | Unset = UNSET,
    created_from: datetime.date | Unset = UNSET,
    created_to: datetime.date | Unset = UNSET,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
) -> PageOrderOut | Problem | None:
    """List Orders

     The orders the caller may see, newest first; by status, and created from
    ``created_from`` to ``created_to`` (days, UTC, both included).

    Scope: `orders:read`.

    Args:
        status (OrderStatus | Unset):
        created_from (datetime.date | Unset):
        created_to (datetime.date | Unset):
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        starting_after (str | Unset): The last id of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageOrderOut | Problem
    """

    return sync_detailed(
        client=client,
        status=status,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        starting_after=starting_after,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    status: OrderStatus | Unset = UNSET,
    created_from: datetime.date | Unset = UNSET,
    created_to: datetime.date | Unset = UNSET,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
) -> Response[PageOrderOut | Problem]:
    """List Orders

     The orders the caller may see, newest first; by status, and created from
    ``created_from`` to ``created_to`` (days, UTC, both included).

    Scope: `orders:read`.

    Args:
        status (OrderStatus | Unset):
        created_from (datetime.date | Unset):
        created_to (datetime.date | Unset):
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        starting_after (str | Unset): The last id of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PageOrderOut | Problem]
    """

    kwargs = _get_kwargs(
        status=status,
        created_from=created_from,
        created_to=created_to,
        limit=limit,
        starting_after=starting_after,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    status: OrderStatus | Unset = UNSET,
    created_from: datetime.date | Unset = UNSET,
    created_to: datetime.date | Unset = UNSET,
    limit: int | Unset = 20,
    starting_after: str | Unset = UNSET,
) -> PageOrderOut | Problem | None:
    """List Orders

     The orders the caller may see, newest first; by status, and created from
    ``created_from`` to ``created_to`` (days, UTC, both included).

    Scope: `orders:read`.

    Args:
        status (OrderStatus | Unset):
        created_from (datetime.date | Unset):
        created_to (datetime.date | Unset):
        limit (int | Unset): Page size, 1 to 100. Default: 20.
        starting_after (str | Unset): The last id of the previous page.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PageOrderOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            status=status,
            created_from=created_from,
            created_to=created_to,
            limit=limit,
            starting_after=starting_after,
        )
    ).parsed
