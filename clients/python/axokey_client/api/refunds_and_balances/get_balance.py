from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.balances_out import BalancesOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    party_id: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["party_id"] = party_id

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/balance",
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> BalancesOut | Problem | None:
    if response.status_code == 200:
        response_200 = BalancesOut.from_dict(response.json())

        return response_200

    if response.status_code == 401:
        response_401 = Problem.from_dict(response.json())

        return response_401

    if response.status_code == 403:
        response_403 = Problem.from_dict(response.json())

        return response_403

    if response.status_code == 404:
        response_404 = Problem.from_dict(response.json())

        return response_404

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
) -> Response[BalancesOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    party_id: str | Unset = UNSET,
) -> Response[BalancesOut | Problem]:
    """Get Balance

     Per currency: ``held`` (still in escrow for you), ``available`` (released,
    not yet paid out), ``paid_out``. The operator names the party.

    Scope: `payouts:read`.

    Args:
        party_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BalancesOut | Problem]
    """

    kwargs = _get_kwargs(
        party_id=party_id,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    party_id: str | Unset = UNSET,
) -> BalancesOut | Problem | None:
    """Get Balance

     Per currency: ``held`` (still in escrow for you), ``available`` (released,
    not yet paid out), ``paid_out``. The operator names the party.

    Scope: `payouts:read`.

    Args:
        party_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BalancesOut | Problem
    """

    return sync_detailed(
        client=client,
        party_id=party_id,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    party_id: str | Unset = UNSET,
) -> Response[BalancesOut | Problem]:
    """Get Balance

     Per currency: ``held`` (still in escrow for you), ``available`` (released,
    not yet paid out), ``paid_out``. The operator names the party.

    Scope: `payouts:read`.

    Args:
        party_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[BalancesOut | Problem]
    """

    kwargs = _get_kwargs(
        party_id=party_id,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    party_id: str | Unset = UNSET,
) -> BalancesOut | Problem | None:
    """Get Balance

     Per currency: ``held`` (still in escrow for you), ``available`` (released,
    not yet paid out), ``paid_out``. The operator names the party.

    Scope: `payouts:read`.

    Args:
        party_id (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        BalancesOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            party_id=party_id,
        )
    ).parsed
