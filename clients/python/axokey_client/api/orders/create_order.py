from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.order_create import OrderCreate
from ...models.order_out import OrderOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    body: OrderCreate,
    accept_language: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(accept_language, Unset):
        headers["accept-language"] = accept_language

    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/orders",
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> OrderOut | Problem | None:
    if response.status_code == 201:
        response_201 = OrderOut.from_dict(response.json())

        return response_201

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

    if response.status_code == 409:
        response_409 = Problem.from_dict(response.json())

        return response_409

    if response.status_code == 413:
        response_413 = Problem.from_dict(response.json())

        return response_413

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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[OrderOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    accept_language: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[OrderOut | Problem]:
    """Create Order

     A merchant creates an order; amounts, commissions, deposits: docs/money-rules.md.

    Scope: `orders:write`.

    Args:
        accept_language (str | Unset):
        idempotency_key (str | Unset):
        body (OrderCreate): A delivery names its courier, a store order its store; only a delivery
            has a
            courier and a delivery fee, only a store order a store; an itinerary's lines each
            have a service date (422 otherwise).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OrderOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        accept_language=accept_language,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    accept_language: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> OrderOut | Problem | None:
    """Create Order

     A merchant creates an order; amounts, commissions, deposits: docs/money-rules.md.

    Scope: `orders:write`.

    Args:
        accept_language (str | Unset):
        idempotency_key (str | Unset):
        body (OrderCreate): A delivery names its courier, a store order its store; only a delivery
            has a
            courier and a delivery fee, only a store order a store; an itinerary's lines each
            have a service date (422 otherwise).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OrderOut | Problem
    """

    return sync_detailed(
        client=client,
        body=body,
        accept_language=accept_language,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    accept_language: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[OrderOut | Problem]:
    """Create Order

     A merchant creates an order; amounts, commissions, deposits: docs/money-rules.md.

    Scope: `orders:write`.

    Args:
        accept_language (str | Unset):
        idempotency_key (str | Unset):
        body (OrderCreate): A delivery names its courier, a store order its store; only a delivery
            has a
            courier and a delivery fee, only a store order a store; an itinerary's lines each
            have a service date (422 otherwise).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[OrderOut | Problem]
    """

    kwargs = _get_kwargs(
        body=body,
        accept_language=accept_language,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    body: OrderCreate,
    accept_language: str | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> OrderOut | Problem | None:
    """Create Order

     A merchant creates an order; amounts, commissions, deposits: docs/money-rules.md.

    Scope: `orders:write`.

    Args:
        accept_language (str | Unset):
        idempotency_key (str | Unset):
        body (OrderCreate): A delivery names its courier, a store order its store; only a delivery
            has a
            courier and a delivery fee, only a store order a store; an itinerary's lines each
            have a service date (422 otherwise).

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        OrderOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            body=body,
            accept_language=accept_language,
            idempotency_key=idempotency_key,
        )
    ).parsed
