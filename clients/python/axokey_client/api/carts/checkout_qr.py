from http import HTTPStatus
from typing import Any, cast
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.checkout_qr_format import CheckoutQrFormat
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    cart_id: str,
    *,
    format_: CheckoutQrFormat | Unset = CheckoutQrFormat.SVG,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    json_format_: str | Unset = UNSET
    if not isinstance(format_, Unset):
        json_format_ = format_.value

    params["format"] = json_format_

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/carts/{cart_id}/checkout-qr".format(
            cart_id=quote(str(cart_id), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Any | Problem | None:
    if response.status_code == 200:
        response_200 = cast(Any, None)
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


def _build_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> Response[Any | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    cart_id: str,
    *,
    client: AuthenticatedClient,
    format_: CheckoutQrFormat | Unset = CheckoutQrFormat.SVG,
) -> Response[Any | Problem]:
    """Checkout Qr

     The checked-out cart's payment link as a QR code, for the customer to pay on
    their own phone (SVG, or ``?format=png``). 409 ``cart_not_checked_out`` before.

    Scope: `stock:read`.

    Args:
        cart_id (str):
        format_ (CheckoutQrFormat | Unset):  Default: CheckoutQrFormat.SVG.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        cart_id=cart_id,
        format_=format_,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    cart_id: str,
    *,
    client: AuthenticatedClient,
    format_: CheckoutQrFormat | Unset = CheckoutQrFormat.SVG,
) -> Any | Problem | None:
    """Checkout Qr

     The checked-out cart's payment link as a QR code, for the customer to pay on
    their own phone (SVG, or ``?format=png``). 409 ``cart_not_checked_out`` before.

    Scope: `stock:read`.

    Args:
        cart_id (str):
        format_ (CheckoutQrFormat | Unset):  Default: CheckoutQrFormat.SVG.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return sync_detailed(
        cart_id=cart_id,
        client=client,
        format_=format_,
    ).parsed


async def asyncio_detailed(
    cart_id: str,
    *,
    client: AuthenticatedClient,
    format_: CheckoutQrFormat | Unset = CheckoutQrFormat.SVG,
) -> Response[Any | Problem]:
    """Checkout Qr

     The checked-out cart's payment link as a QR code, for the customer to pay on
    their own phone (SVG, or ``?format=png``). 409 ``cart_not_checked_out`` before.

    Scope: `stock:read`.

    Args:
        cart_id (str):
        format_ (CheckoutQrFormat | Unset):  Default: CheckoutQrFormat.SVG.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Any | Problem]
    """

    kwargs = _get_kwargs(
        cart_id=cart_id,
        format_=format_,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    cart_id: str,
    *,
    client: AuthenticatedClient,
    format_: CheckoutQrFormat | Unset = CheckoutQrFormat.SVG,
) -> Any | Problem | None:
    """Checkout Qr

     The checked-out cart's payment link as a QR code, for the customer to pay on
    their own phone (SVG, or ``?format=png``). 409 ``cart_not_checked_out`` before.

    Scope: `stock:read`.

    Args:
        cart_id (str):
        format_ (CheckoutQrFormat | Unset):  Default: CheckoutQrFormat.SVG.

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Any | Problem
    """

    return (
        await asyncio_detailed(
            cart_id=cart_id,
            client=client,
            format_=format_,
        )
    ).parsed
