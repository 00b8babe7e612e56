from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ... import errors
from ...client import AuthenticatedClient, Client
from ...models.problem import Problem
from ...models.provider_notification_response_provider_notification_v1_providers_provider_notifications_post import (
    ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost,
)
from ...types import UNSET, Response, Unset


def _get_kwargs(
    provider: str,
    *,
    idempotency_key: str | Unset = UNSET,
) -> dict[str, Any]:
    headers: dict[str, Any] = {}
    if not isinstance(idempotency_key, Unset):
        headers["Idempotency-Key"] = idempotency_key

    _kwargs: dict[str, Any] = {
        "method": "post",
        "url": "/v1/providers/{provider}/notifications".format(
            provider=quote(str(provider), safe=""),
        ),
    }

    _kwargs["headers"] = headers
    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost | None:
    if response.status_code == 200:
        response_200 = ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost.from_dict(
            response.json()
        )

        return response_200

    if response.status_code == 400:
        response_400 = Problem.from_dict(response.json())

        return response_400

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
) -> Response[Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost]:
    """Provider Notification

     Where the configured provider tells us a payment changed. Verified, stored,
    acknowledged in the provider's own format, and processed once per provider
    event id; the payment's status is confirmed with the provider before any money
    moves. Only the configured provider has this route (any other name is 404).

    Args:
        provider (str):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost]
    """

    kwargs = _get_kwargs(
        provider=provider,
        idempotency_key=idempotency_key,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    idempotency_key: str | Unset = UNSET,
) -> Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost | None:
    """Provider Notification

     Where the configured provider tells us a payment changed. Verified, stored,
    acknowledged in the provider's own format, and processed once per provider
    event id; the payment's status is confirmed with the provider before any money
    moves. Only the configured provider has this route (any other name is 404).

    Args:
        provider (str):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost
    """

    return sync_detailed(
        provider=provider,
        client=client,
        idempotency_key=idempotency_key,
    ).parsed


async def asyncio_detailed(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    idempotency_key: str | Unset = UNSET,
) -> Response[Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost]:
    """Provider Notification

     Where the configured provider tells us a payment changed. Verified, stored,
    acknowledged in the provider's own format, and processed once per provider
    event id; the payment's status is confirmed with the provider before any money
    moves. Only the configured provider has this route (any other name is 404).

    Args:
        provider (str):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost]
    """

    kwargs = _get_kwargs(
        provider=provider,
        idempotency_key=idempotency_key,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    provider: str,
    *,
    client: AuthenticatedClient | Client,
    idempotency_key: str | Unset = UNSET,
) -> Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost | None:
    """Provider Notification

     Where the configured provider tells us a payment changed. Verified, stored,
    acknowledged in the provider's own format, and processed once per provider
    event id; the payment's status is confirmed with the provider before any money
    moves. Only the configured provider has this route (any other name is 404).

    Args:
        provider (str):
        idempotency_key (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Problem | ProviderNotificationResponseProviderNotificationV1ProvidersProviderNotificationsPost
    """

    return (
        await asyncio_detailed(
            provider=provider,
            client=client,
            idempotency_key=idempotency_key,
        )
    ).parsed
