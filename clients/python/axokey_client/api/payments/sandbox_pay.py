from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.payment_out import PaymentOut
from ...models.problem import Problem
from ...models.sandbox_pay_in import SandboxPayIn
from ...types import UNSET, Response, Unset


def _get_kwargs(
    payment_id: str,
    *,
    body: SandboxPayIn,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/sandbox/payments/{payment_id}/pay".format(
            payment_id=quote(str(payment_id), safe=""),
        ),
    }

    _kwargs["json"] = body.to_dict()

    headers["Content-Type"] = "application/json"

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(*, client: AuthenticatedClient | Client, response: httpx.Response) -> PaymentOut | Problem | None:
    if response.status_code == 200:
        response_200 = PaymentOut.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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
    payment_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SandboxPayIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[PaymentOut | Problem]:
    """Sandbox Pay

     Sandbox only: play the customer on the hosted page (test cards: docs/getting-started.md).

    Args:
        payment_id (str):
        idempotency_key (str | Unset):
        body (SandboxPayIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentOut | Problem]
    """

    kwargs = _get_kwargs(
        payment_id=payment_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    payment_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SandboxPayIn,
    idempotency_key: str | Unset = UNSET,
) -> PaymentOut | Problem | None:
    """Sandbox Pay

     Sandbox only: play the customer on the hosted page (test cards: docs/getting-started.md).

    Args:
        payment_id (str):
        idempotency_key (str | Unset):
        body (SandboxPayIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentOut | Problem
    """

    return sync_detailed(
        payment_id=payment_id,
        client=client,
        body=body,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    payment_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SandboxPayIn,
    idempotency_key: str | Unset = UNSET,
) -> Response[PaymentOut | Problem]:
    """Sandbox Pay

     Sandbox only: play the customer on the hosted page (test cards: docs/getting-started.md).

    Args:
        payment_id (str):
        idempotency_key (str | Unset):
        body (SandboxPayIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[PaymentOut | Problem]
    """

    kwargs = _get_kwargs(
        payment_id=payment_id,
        body=body,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    payment_id: str,
    *,
    client: AuthenticatedClient | Client,
    body: SandboxPayIn,
    idempotency_key: str | Unset = UNSET,
) -> PaymentOut | Problem | None:
    """Sandbox Pay

     Sandbox only: play the customer on the hosted page (test cards: docs/getting-started.md).

    Args:
        payment_id (str):
        idempotency_key (str | Unset):
        body (SandboxPayIn):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        PaymentOut | Problem
    """

    return (
        await asyncio_detailed(
            payment_id=payment_id,
            client=client,
            body=body,
            idempotency_key=idempotency_key,
        )
    ).parsed
