"""The customer's emails as MIME messages: plain text and HTML, the QR code inline
(``cid:``), in the customer's language (French first)."""

from __future__ import annotations

import email.policy
import html
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from axokey.domain.customer_messages import format_amount, wording


@dataclass(frozen=True)
class Item:
    name: str
    quantity: int
    amount: int


@dataclass(frozen=True)
class PaidOrder:
    order_id: str
    merchant_name: str
    customer_name: str | None
    short_code: str
    qr_png: bytes
    items: list[Item]
    total: int
    currency: str
    link: str


@dataclass(frozen=True)
class Refund:
    order_id: str
    merchant_name: str
    customer_name: str | None
    amount: int
    currency: str
    item_name: str | None
    link: str


def _envelope(sender: str, to: str, subject: str, locale: str, now: datetime) -> EmailMessage:
    # Headers unfolded up to RFC 5322's 998 characters: Python folds a long subject
    # right after "Subject:", which some readers show with a leading space.
    message = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain="axokey")
    return message


def order_paid_message(
    paid: PaidOrder, *, sender: str, to: str, locale: str, now: datetime
) -> EmailMessage:
    words = wording(locale)
    name = f" {paid.customer_name}" if paid.customer_name else ""
    message = _envelope(sender, to, words.paid_subject.format(order=paid.order_id), locale, now)
    money = [(item, format_amount(item.amount, paid.currency, locale)) for item in paid.items]
    total = format_amount(paid.total, paid.currency, locale)
    text = "\n".join(
        [
            words.paid_intro.format(name=name, merchant=paid.merchant_name),
            "",
            words.paid_show,
            "",
            f"{words.short_code} : {paid.short_code}"
            if locale == "fr"
            else f"{words.short_code}: {paid.short_code}",
            "",
            words.items,
            *(f"- {item.quantity} × {item.name} : {amount}" for item, amount in money),
            f"{words.total} : {total}",
            "",
            f"{words.link} : {paid.link}",
            "",
            words.goodbye,
        ]
    )
    message.set_content(text)
    cid = make_msgid(domain="axokey")
    e = html.escape
    rows = "".join(
        f"<tr><td>{item.quantity} × {e(item.name)}</td><td>{e(amount)}</td></tr>"
        for item, amount in money
    )
    body = f"""<!doctype html>
<html lang="{locale}"><body>
<p>{e(words.paid_intro.format(name=name, merchant=paid.merchant_name))}</p>
<p>{e(words.paid_show)}</p>
<p><img src="cid:{cid[1:-1]}" alt="QR code" width="256" height="256"></p>
<p>{e(words.short_code)} : <strong>{e(paid.short_code)}</strong></p>
<h3>{e(words.items)}</h3>
<table>{rows}<tr><th>{e(words.total)}</th><th>{e(total)}</th></tr></table>
<p><a href="{e(paid.link)}">{e(words.link)}</a></p>
<p>{e(words.goodbye).replace(chr(10), "<br>")}</p>
</body></html>"""
    message.add_alternative(body, subtype="html")
    html_part = message.get_payload()[1]  # type: ignore[index]
    assert isinstance(html_part, EmailMessage)
    html_part.add_related(paid.qr_png, "image", "png", cid=cid, filename="qr-code.png")
    message["Content-Language"] = locale  # set last: building the parts moves Content-*
    return message


def refund_message(
    refund: Refund, *, sender: str, to: str, locale: str, now: datetime
) -> EmailMessage:
    words = wording(locale)
    name = f" {refund.customer_name}" if refund.customer_name else ""
    amount = format_amount(refund.amount, refund.currency, locale)
    message = _envelope(
        sender, to, words.refund_subject.format(amount=amount, order=refund.order_id), locale, now
    )
    lines = [
        words.refund_intro.format(name=name, merchant=refund.merchant_name, amount=amount),
        "",
        f"{words.refund_amount} : {amount}"
        + (f" ({refund.item_name})" if refund.item_name else ""),
        "",
        f"{words.link} : {refund.link}",
        "",
        words.goodbye,
    ]
    message.set_content("\n".join(lines))
    message["Content-Language"] = locale
    return message
