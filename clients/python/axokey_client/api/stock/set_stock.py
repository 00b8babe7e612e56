from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.stock_level_out import StockLevelOut
from ...models.stock_set_in import StockSetIn
from ...types import Response


def _get_kwargs(
    store_id: str,
    product_id: str,
    *,
    body: StockSetIn,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}

    _kwargs: dict[str, Any] = {
        "method": "put",
        "url": "/v1/stock/{store_id}/{product_id}".format(
            store_id=quote(str(store_id), safe=""),
            product_id=quote(str(product_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | StockLevelOut | None:
    if response.status_code == 200:
        response_200 = StockLevelOut.from_dict(response.json())

        return response_200

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[Problem | StockLevelOut]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    store_id: str,
    product_id: str,
    *,
    client: AuthenticatedClient,
    body: StockSetIn,
) -> Response[Problem | StockLevelOut]:
    """Set Stock

     Count the shelf: ``on_hand`` becomes this (409 ``stock_below_reserved`` when
    fewer than the units reserved by orders). Writes a ``stock.changed`` event.

    Scope: `stock:write`.

    Args:
        store_id (str):
        product_id (str):
        body (StockSetIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StockLevelOut]
    """

    kwargs = _get_kwargs(
        store_id=store_id,
        product_id=product_id,
        body=body,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    store_id: str,
    product_id: str,
    *,
    client: AuthenticatedClient,
    body: StockSetIn,
) -> Problem | StockLevelOut | None:
    """Set Stock

     Count the shelf: ``on_hand`` becomes this (409 ``stock_below_reserved`` when
    fewer than the units reserved by orders). Writes a ``stock.changed`` event.

    Scope: `stock:write`.

    Args:
        store_id (str):
        product_id (str):
        body (StockSetIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StockLevelOut
    """

    return sync_detailed(
        store_id=store_id,
        product_id=product_id,
        client=client,
        body=body,
    ).parsed


async def asyncio_detailed(
    store_id: str,
    product_id: str,
    *,
    client: AuthenticatedClient,
    body: StockSetIn,
) -> Response[Problem | StockLevelOut]:
    """Set Stock

     Count the shelf: ``on_hand`` becomes this (409 ``stock_below_reserved`` when
    fewer than the units reserved by orders). Writes a ``stock.changed`` event.

    Scope: `stock:write`.

    Args:
        store_id (str):
        product_id (str):
        body (StockSetIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | StockLevelOut]
    """

    kwargs = _get_kwargs(
        store_id=store_id,
        product_id=product_id,
        body=body,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    store_id: str,
    product_id: str,
    *,
    client: AuthenticatedClient,
    body: StockSetIn,
) -> Problem | StockLevelOut | None:
    """Set Stock

     Count the shelf: ``on_hand`` becomes this (409 ``stock_below_reserved`` when
    fewer than the units reserved by orders). Writes a ``stock.changed`` event.

    Scope: `stock:write`.

    Args:
        store_id (str):
        product_id (str):
        body (StockSetIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | StockLevelOut
    """

    return (
        await asyncio_detailed(
            store_id=store_id,
            product_id=product_id,
            client=client,
            body=body,
        )
    ).parsed
