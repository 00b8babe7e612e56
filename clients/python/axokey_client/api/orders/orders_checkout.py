from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.checkout_in import CheckoutIn
from ...models.payment_out import PaymentOut
from ...models.problem import Problem
from ...types import UNSET, Response, Unset


def _get_kwargs(
    order_id: str,
    *,
    body: CheckoutIn | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/orders/{order_id}/checkout".format(
            order_id=quote(str(order_id), safe=""),
        ),
    }

    if isinstance(body, CheckoutIn):
        _kwargs["json"] = body.to_dict()
    else:
        _kwargs["json"] = body

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PaymentOut | Problem | None:
    if response.status_code == 201:
        response_201 = PaymentOut.from_dict(response.json())

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


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[PaymentOut | Problem]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    order_id: str,
    *,
    client: AuthenticatedClient,
    body: CheckoutIn | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[PaymentOut | Problem]:
    """Checkout

     A hosted payment page for the customer (with 3-D Secure when the card asks).

    ``return_url``: where the provider sends the customer's browser afterwards. With
    PayXpert that is a **form POST** (fields ``data``, the payment status encrypted
    with the payment's merchant token, and ``customer``), not a GET: the page there
    must accept POST. The customer's own page link (``customer_url``) handles both.

    Scope: `orders:write`.

    Args:
        order_id (str):
        idempotency_key (str | Unset):
        body (CheckoutIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentOut | Problem]
    """

    kwargs = _get_kwargs(
        order_id=order_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    order_id: str,
    *,
    client: AuthenticatedClient,
    body: CheckoutIn | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> PaymentOut | Problem | None:
    """Checkout

     A hosted payment page for the customer (with 3-D Secure when the card asks).

    ``return_url``: where the provider sends the customer's browser afterwards. With
    PayXpert that is a **form POST** (fields ``data``, the payment status encrypted
    with the payment's merchant token, and ``customer``), not a GET: the page there
    must accept POST. The customer's own page link (``customer_url``) handles both.

    Scope: `orders:write`.

    Args:
        order_id (str):
        idempotency_key (str | Unset):
        body (CheckoutIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentOut | Problem
    """

    return sync_detailed(
        order_id=order_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    order_id: str,
    *,
    client: AuthenticatedClient,
    body: CheckoutIn | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> Response[PaymentOut | Problem]:
    """Checkout

     A hosted payment page for the customer (with 3-D Secure when the card asks).

    ``return_url``: where the provider sends the customer's browser afterwards. With
    PayXpert that is a **form POST** (fields ``data``, the payment status encrypted
    with the payment's merchant token, and ``customer``), not a GET: the page there
    must accept POST. The customer's own page link (``customer_url``) handles both.

    Scope: `orders:write`.

    Args:
        order_id (str):
        idempotency_key (str | Unset):
        body (CheckoutIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentOut | Problem]
    """

    kwargs = _get_kwargs(
        order_id=order_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    order_id: str,
    *,
    client: AuthenticatedClient,
    body: CheckoutIn | None | Unset = UNSET,
    idempotency_key: str | Unset = UNSET,
) -> PaymentOut | Problem | None:
    """Checkout

     A hosted payment page for the customer (with 3-D Secure when the card asks).

    ``return_url``: where the provider sends the customer's browser afterwards. With
    PayXpert that is a **form POST** (fields ``data``, the payment status encrypted
    with the payment's merchant token, and ``customer``), not a GET: the page there
    must accept POST. The customer's own page link (``customer_url``) handles both.

    Scope: `orders:write`.

    Args:
        order_id (str):
        idempotency_key (str | Unset):
        body (CheckoutIn | None | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentOut | Problem
    """

    return (
        await asyncio_detailed(
            order_id=order_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
