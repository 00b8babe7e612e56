"""Sending one webhook over HTTP, safely.

- The host is resolved here and every address checked (no SSRF): the request then
  goes to the checked address (the name is kept for ``Host`` and TLS), so a DNS
  answer that changes between check and connection cannot redirect it inside.
- Redirects are not followed (a 3xx is a failed attempt).
- At most ``timeout_seconds`` in all, however slowly the receiver answers, and at
  most ``RESPONSE_READ_MAX_BYTES`` of its answer are read.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from axokey.domain.errors import ValidationFailed
from axokey.domain.webhooks import (
    RESPONSE_EXCERPT_CHARACTERS,
    UrlPolicy,
    address_allowed,
    parse_url,
)

RESPONSE_READ_MAX_BYTES = 64 * 1024

Resolver = Callable[[str, int], list[str]]


def resolve(host: str, port: int) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6)."""
    infos = socket.getaddrinfo(host.strip("[]"), port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


class AddressRefused(Exception):
    """The URL resolves to an address that may not be called."""


def checked_addresses(url: str, policy: UrlPolicy, resolver: Resolver = resolve) -> list[str]:
    """The addresses of ``url`` if every one is allowed; raises ``AddressRefused``
    otherwise, or ``ValidationFailed`` for a malformed URL."""
    target = parse_url(url, policy)
    try:
        addresses = resolver(target.host, target.port)
    except (OSError, UnicodeError) as error:
        raise AddressRefused(f"the host does not resolve: {error}") from None
    if not addresses:
        raise AddressRefused("the host does not resolve")
    refused = [address for address in addresses if not address_allowed(address, policy)]
    if refused:
        raise AddressRefused(f"the host resolves to a refused address: {refused[0]}")
    return addresses


@dataclass(frozen=True)
class Outcome:
    succeeded: bool
    response_status: int | None
    error: str | None
    duration_ms: int
    response_excerpt: str | None


def send(
    url: str,
    *,
    headers: dict[str, str],
    body: bytes,
    policy: UrlPolicy,
    timeout_seconds: float,
    resolver: Resolver = resolve,
) -> Outcome:
    """POST ``body`` to ``url``; a 2xx within the time limit is a success."""
    started = time.monotonic()

    def outcome(
        succeeded: bool, status: int | None, error: str | None, excerpt: str | None = None
    ) -> Outcome:
        elapsed = int((time.monotonic() - started) * 1000)
        return Outcome(succeeded, status, error, elapsed, excerpt)

    try:
        target = parse_url(url, policy)
        address = checked_addresses(url, policy, resolver)[0]
    except ValidationFailed as error:
        return outcome(False, None, f"url_invalid: {error.detail}"[:200])
    except AddressRefused as error:
        return outcome(False, None, f"address_refused: {error}"[:200])
    host_in_url = f"[{address}]" if ":" in address else address
    request_url = f"{target.scheme}://{host_in_url}:{target.port}{target.path}"
    default_port = 443 if target.scheme == "https" else 80
    host_header = target.host if target.port == default_port else f"{target.host}:{target.port}"
    deadline = started + timeout_seconds
    try:
        with httpx.Client(
            timeout=httpx.Timeout(timeout_seconds), follow_redirects=False, trust_env=False
        ) as client:
            request = client.build_request(
                "POST",
                request_url,
                content=body,
                headers={**headers, "Host": host_header, "Content-Type": "application/json"},
                extensions={"sni_hostname": target.host},
            )
            response = client.send(request, stream=True)
            try:
                received = bytearray()
                for chunk in response.iter_raw():
                    received += chunk
                    if len(received) >= RESPONSE_READ_MAX_BYTES or time.monotonic() > deadline:
                        break
            finally:
                response.close()
    except httpx.TimeoutException:
        return outcome(False, None, "timeout")
    except httpx.HTTPError as error:
        return outcome(False, None, f"connection_failed: {type(error).__name__}: {error}"[:200])
    excerpt = received[: RESPONSE_EXCERPT_CHARACTERS * 4].decode("utf-8", "replace")
    excerpt = excerpt[:RESPONSE_EXCERPT_CHARACTERS]
    status = response.status_code
    if time.monotonic() > deadline:
        return outcome(False, status, "timeout", excerpt)
    if 200 <= status < 300:
        return outcome(True, status, None, excerpt)
    if 300 <= status < 400:
        return outcome(False, status, "redirect_not_followed", excerpt)
    return outcome(False, status, f"http_{status}", excerpt)
