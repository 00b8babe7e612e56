from http import HTTPStatus
from typing import Any

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.currency import Currency
from ...models.held_history_format import HeldHistoryFormat
from ...models.held_history_out import HeldHistoryOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    *,
    currency: Currency | Unset = UNSET,
    days: int | Unset = 30,
    party_id: str | Unset = UNSET,
    format_: HeldHistoryFormat | Unset = HeldHistoryFormat.JSON,
    accept_language: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(accept_language, Unset):
        headers["accept-language"] = accept_language

    params: dict[str, Any] = {}

    json_currency: str | Unset = UNSET
    if not isinstance(currency, Unset):
        json_currency = currency.value

    params["currency"] = json_currency

    params["days"] = days

    params["party_id"] = party_id

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/balance/history",
        "params": params,
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> HeldHistoryOut | Problem | None:
    if response.status_code == 200:
        response_200 = HeldHistoryOut.from_dict(response.json())

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
) -> Response[HeldHistoryOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    *,
    client: AuthenticatedClient,
    currency: Currency | Unset = UNSET,
    days: int | Unset = 30,
    party_id: str | Unset = UNSET,
    format_: HeldHistoryFormat | Unset = HeldHistoryFormat.JSON,
    accept_language: str | Unset = UNSET,
) -> Response[HeldHistoryOut | Problem]:
    """Held History

     Money held in escrow at the end of each of the last ``days`` days (UTC): for
    a party, what is held for it (its balance's ``held``); for the operator, in every
    order's escrow, or for the party it names. ``format=svg``: the dashboard's chart,
    in the language of ``Accept-Language``.

    Scope: `payouts:read`.

    Args:
        currency (Currency | Unset): ISO 4217, upper case, with a minor unit (the currencies a
            payment can be made in).
        days (int | Unset):  Default: 30.
        party_id (str | Unset):
        format_ (HeldHistoryFormat | Unset):  Default: HeldHistoryFormat.JSON.
        accept_language (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HeldHistoryOut | Problem]
    """

    kwargs = _get_kwargs(
        currency=currency,
        days=days,
        party_id=party_id,
        format_=format_,
        accept_language=accept_language,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    *,
    client: AuthenticatedClient,
    currency: Currency | Unset = UNSET,
    days: int | Unset = 30,
    party_id: str | Unset = UNSET,
    format_: HeldHistoryFormat | Unset = HeldHistoryFormat.JSON,
    accept_language: str | Unset = UNSET,
) -> HeldHistoryOut | Problem | None:
    """Held History

     Money held in escrow at the end of each of the last ``days`` days (UTC): for
    a party, what is held for it (its balance's ``held``); for the operator, in every
    order's escrow, or for the party it names. ``format=svg``: the dashboard's chart,
    in the language of ``Accept-Language``.

    Scope: `payouts:read`.

    Args:
        currency (Currency | Unset): ISO 4217, upper case, with a minor unit (the currencies a
            payment can be made in).
        days (int | Unset):  Default: 30.
        party_id (str | Unset):
        format_ (HeldHistoryFormat | Unset):  Default: HeldHistoryFormat.JSON.
        accept_language (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HeldHistoryOut | Problem
    """

    return sync_detailed(
        client=client,
        currency=currency,
        days=days,
        party_id=party_id,
        format_=format_,
        accept_language=accept_language,
    ).parsed


async def asyncio_detailed(
    *,
    client: AuthenticatedClient,
    currency: Currency | Unset = UNSET,
    days: int | Unset = 30,
    party_id: str | Unset = UNSET,
    format_: HeldHistoryFormat | Unset = HeldHistoryFormat.JSON,
    accept_language: str | Unset = UNSET,
) -> Response[HeldHistoryOut | Problem]:
    """Held History

     Money held in escrow at the end of each of the last ``days`` days (UTC): for
    a party, what is held for it (its balance's ``held``); for the operator, in every
    order's escrow, or for the party it names. ``format=svg``: the dashboard's chart,
    in the language of ``Accept-Language``.

    Scope: `payouts:read`.

    Args:
        currency (Currency | Unset): ISO 4217, upper case, with a minor unit (the currencies a
            payment can be made in).
        days (int | Unset):  Default: 30.
        party_id (str | Unset):
        format_ (HeldHistoryFormat | Unset):  Default: HeldHistoryFormat.JSON.
        accept_language (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[HeldHistoryOut | Problem]
    """

    kwargs = _get_kwargs(
        currency=currency,
        days=days,
        party_id=party_id,
        format_=format_,
        accept_language=accept_language,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    *,
    client: AuthenticatedClient,
    currency: Currency | Unset = UNSET,
    days: int | Unset = 30,
    party_id: str | Unset = UNSET,
    format_: HeldHistoryFormat | Unset = HeldHistoryFormat.JSON,
    accept_language: str | Unset = UNSET,
) -> HeldHistoryOut | Problem | None:
    """Held History

     Money held in escrow at the end of each of the last ``days`` days (UTC): for
    a party, what is held for it (its balance's ``held``); for the operator, in every
    order's escrow, or for the party it names. ``format=svg``: the dashboard's chart,
    in the language of ``Accept-Language``.

    Scope: `payouts:read`.

    Args:
        currency (Currency | Unset): ISO 4217, upper case, with a minor unit (the currencies a
            payment can be made in).
        days (int | Unset):  Default: 30.
        party_id (str | Unset):
        format_ (HeldHistoryFormat | Unset):  Default: HeldHistoryFormat.JSON.
        accept_language (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        HeldHistoryOut | Problem
    """

    return (
        await asyncio_detailed(
            client=client,
            currency=currency,
            days=days,
            party_id=party_id,
            format_=format_,
            accept_language=accept_language,
        )
    ).parsed
