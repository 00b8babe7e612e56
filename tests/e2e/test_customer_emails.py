"""The customer's emails, sent through a real SMTP server in this process and
parsed back: the QR code inline decodes to the order's code."""

from __future__ import annotations

import io
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

import pytest
import zxingcpp
from PIL import Image
from pydantic import SecretStr
from sqlalchemy import select

from axokey.adapters.db.tables import outbound_emails
from axokey.adapters.email.transport import DirectoryTransport, SmtpTransport
from axokey.services.customer_emails import send_until_idle, transport_of
from tests.scenario import World, ok, spec_world
from tests.smtp_server import free_port, smtp_server


def example_a(world: World, **customer: Any) -> Any:
    order = world.order(
        payment_mode="escrow",
        fulfilment="delivery",
        courier_id=world.parties["C"].id,
        delivery_fee=590,
        customer={"email": "camille@example.com", "name": "Camille", **customer},
        lines=[
            {"product_id": world.products["P1"], "quantity": 2},
            {"product_id": world.products["P2"], "quantity": 1},
        ],
    )
    world.pay(order["id"])
    return world.get_order(order["id"])


def html_and_image(message: Any) -> tuple[str, bytes, str]:
    html = message.get_body(preferencelist=("html",))
    images = [part for part in message.walk() if part.get_content_type() == "image/png"]
    assert len(images) == 1
    return html.get_content(), images[0].get_content(), images[0]["Content-ID"]


def decode_qr(png: bytes) -> str:
    barcodes = list(zxingcpp.read_barcodes(Image.open(io.BytesIO(png))))
    assert len(barcodes) == 1
    return str(barcodes[0].text)


@pytest.mark.parametrize("mode", ["starttls", "tls"])
def test_the_paid_email_carries_a_qr_code_that_decodes_to_the_order(
    client: Any, context: Any, tmp_path: Path, mode: str
) -> None:
    with smtp_server(tmp_path, mode=mode) as (mailbox, url):
        context.settings.smtp_url = SecretStr(url)
        world = spec_world(client)
        order = example_a(world, locale="en")
        report = send_until_idle(context, transport_of(context))
        assert report.sent == 1
        assert len(mailbox.messages) == 1
        message = mailbox.messages[0]
        assert mailbox.recipients[0] == ["camille@example.com"]
        assert message["Subject"] == f"Your order {order['id']} is paid: your collection code"
        assert message["Content-Language"] == "en"
        html, png, content_id = html_and_image(message)
        assert f'src="cid:{content_id.strip("<>")}"' in html
        assert decode_qr(png) == order["redemption"]["qr_payload"]
        text = message.get_body(preferencelist=("plain",)).get_content()
        assert order["redemption"]["short_code"] in text
        assert "2 × P1" in text and "1 × P2" in text
        assert "135.89 EUR" in text
        assert order["customer_url"] in text and order["customer_url"] in html
        # Sent once: another round sends nothing.
        assert send_until_idle(context, transport_of(context)).sent == 0
        assert len(mailbox.messages) == 1


def test_french_by_default_and_an_email_per_refund(
    client: Any, context: Any, tmp_path: Path
) -> None:
    with smtp_server(tmp_path) as (mailbox, url):
        context.settings.smtp_url = SecretStr(url)
        world = spec_world(client)
        order = example_a(world)
        assert order["customer"]["locale"] == "fr"
        line1, _line2 = order["lines"]
        world.redeem("C", world.code(order["id"]), lines=[{"line_id": line1["id"]}], complete=True)
        send_until_idle(context, transport_of(context))
        subjects = [message["Subject"] for message in mailbox.messages]
        assert subjects == [
            f"Votre commande {order['id']} est payée : votre code de retrait",
            f"Remboursement de 29,99 EUR pour votre commande {order['id']}",
        ]
        refund_text = mailbox.messages[1].get_body(preferencelist=("plain",)).get_content()
        assert "29,99 EUR" in refund_text and "P2" in refund_text
        # No QR code in a refund email.
        assert not [p for p in mailbox.messages[1].walk() if p.get_content_type() == "image/png"]


def test_the_locale_follows_accept_language_when_left_out(client: Any) -> None:
    world = spec_world(client)
    body = {
        "currency": "EUR",
        "payment_mode": "escrow",
        "fulfilment": "delivery",
        "courier_id": world.parties["C"].id,
        "customer": {"email": "c@example.com"},
        "lines": [{"product_id": world.products["P1"], "quantity": 1}],
    }
    headers = world.parties["M"].headers
    for accept, expected in [
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE,fr;q=0.5,en;q=0.4", "fr"),
        ("de-DE", "fr"),
        (None, "fr"),
    ]:
        extra = {"Accept-Language": accept} if accept else {}
        created = ok(client.post("/v1/orders", json=body, headers={**headers, **extra}), 201)
        assert created["customer"]["locale"] == expected, accept
    bad = client.post(
        "/v1/orders",
        json={**body, "customer": {"email": "c@example.com", "locale": "de"}},
        headers=headers,
    )
    assert bad.status_code == 422


def test_an_unreachable_server_is_retried_later(
    client: Any, context: Any, clock: Any, tmp_path: Path
) -> None:
    context.settings.email_retry_schedule_seconds = "60,600"
    port = free_port()
    world = spec_world(client)
    order = example_a(world)
    down = SmtpTransport(f"smtp://127.0.0.1:{port}?security=none")
    report = send_until_idle(context, down)
    assert (report.sent, report.retried) == (0, 1)
    with context.database.read() as connection:
        row = connection.execute(
            select(outbound_emails).where(outbound_emails.c.order_id == order["id"])
        ).one()
    assert (row.status, row.attempts) == ("pending", 1)
    assert row.last_error
    with smtp_server(tmp_path, mode="plain") as (mailbox, url):
        up = SmtpTransport(url)
        assert send_until_idle(context, up).sent == 0  # not yet due
        clock.advance(seconds=61)
        assert send_until_idle(context, up).sent == 1
        assert len(mailbox.messages) == 1


def test_without_smtp_the_demo_writes_eml_files(client: Any, context: Any, tmp_path: Path) -> None:
    context.settings.email_directory = str(tmp_path / "emails")
    transport = transport_of(context)
    assert isinstance(transport, DirectoryTransport)
    world = spec_world(client)
    order = example_a(world)
    assert send_until_idle(context, transport).sent == 1
    files = list((tmp_path / "emails").glob("*.eml"))
    assert len(files) == 1
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    _html, png, _cid = html_and_image(message)
    assert decode_qr(png) == order["redemption"]["qr_payload"]


def test_plain_smtp_is_refused_beyond_loopback() -> None:
    with pytest.raises(ValueError, match="loopback"):
        SmtpTransport("smtp://mail.example.com:25?security=none")
    with pytest.raises(ValueError, match="smtp"):
        SmtpTransport("http://mail.example.com")
