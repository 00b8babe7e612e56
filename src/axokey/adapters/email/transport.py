"""Where the customer's emails go: an SMTP server (STARTTLS or TLS), or, for a
demo without SMTP, ``.eml`` files in a folder."""

from __future__ import annotations

import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlsplit

from axokey.domain.webhooks import is_ip_literal

SMTP_TIMEOUT_SECONDS = 30.0


class EmailTransport(Protocol):
    def send(self, message: EmailMessage, *, name: str) -> None: ...


class SmtpTransport:
    """``smtp://user:password@host:587`` (STARTTLS, required), ``smtps://…:465``
    (TLS). ``?security=none`` sends in clear, to a loopback host only (tests,
    a local relay). ``?cafile=`` trusts a private CA."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise ValueError("AXOKEY_SMTP_URL must be smtp://host[:port] or smtps://host[:port]")
        options = parse_qs(parts.query)
        self.host = parts.hostname
        self.implicit_tls = parts.scheme == "smtps"
        self.port = parts.port or (465 if self.implicit_tls else 587)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.plain = options.get("security", [""])[0] == "none"
        loopback = self.host in ("localhost", "127.0.0.1", "::1") or (
            is_ip_literal(self.host) and self.host.startswith("127.")
        )
        if self.plain and (self.implicit_tls or not loopback):
            raise ValueError("security=none is allowed with smtp:// to a loopback host only")
        cafile = options.get("cafile", [None])[0]
        self.tls_context = ssl.create_default_context(cafile=cafile)

    def send(self, message: EmailMessage, *, name: str) -> None:
        if self.implicit_tls:
            client: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS, context=self.tls_context
            )
        else:
            client = smtplib.SMTP(self.host, self.port, timeout=SMTP_TIMEOUT_SECONDS)
        with client:
            client.ehlo()
            if not self.implicit_tls and not self.plain:
                client.starttls(context=self.tls_context)
                client.ehlo()
            if self.username:
                client.login(self.username, self.password or "")
            client.send_message(message)


class DirectoryTransport:
    """Writes each message as ``<name>.eml`` (a demo without SMTP)."""

    def __init__(self, directory: str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, message: EmailMessage, *, name: str) -> None:
        path = self.directory / f"{name}.eml"
        temporary = path.with_suffix(".tmp")
        temporary.write_bytes(message.as_bytes())
        temporary.replace(path)
