"""The customer's emails: which language, what they say (French first, English)."""

from __future__ import annotations

from dataclasses import dataclass

LOCALES = ("fr", "en")
DEFAULT_LOCALE = "fr"


def locale_of(accept_language: str | None) -> str:
    """The customer's language from an ``Accept-Language`` header: the first of
    ``fr``/``en`` by preference (q-values honoured), French otherwise."""
    if not accept_language:
        return DEFAULT_LOCALE
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")[:20]):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = tag.split("-", 1)[0]
        if language in LOCALES and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else DEFAULT_LOCALE


def format_amount(amount_minor: int, currency: str, locale: str) -> str:
    """``12 345,67 EUR`` in French, ``12,345.67 EUR`` in English (two decimals)."""
    sign = "-" if amount_minor < 0 else ""
    units, cents = divmod(abs(amount_minor), 100)
    if locale == "fr":
        grouped = f"{units:,}".replace(",", "\u202f")
        return f"{sign}{grouped},{cents:02d} {currency}"
    return f"{sign}{units:,}.{cents:02d} {currency}"


@dataclass(frozen=True)
class Wording:
    paid_subject: str
    paid_intro: str
    paid_show: str
    short_code: str
    items: str
    total: str
    link: str
    refund_subject: str
    refund_intro: str
    refund_amount: str
    goodbye: str


WORDING = {
    "fr": Wording(
        paid_subject="Votre commande {order} est payée : votre code de retrait",
        paid_intro="Bonjour{name}, votre paiement à {merchant} est confirmé.",
        paid_show=(
            "Présentez ce QR code (ou le code court) au livreur ou au magasin à la remise "
            "de vos articles : c'est lui qui libère le paiement. Ne le communiquez à personne "
            "d'autre."
        ),
        short_code="Code court",
        items="Vos articles",
        total="Total payé",
        link="Votre commande en ligne",
        refund_subject="Remboursement de {amount} pour votre commande {order}",
        refund_intro="Bonjour{name}, {merchant} vous rembourse {amount}.",
        refund_amount="Montant remboursé",
        goodbye="À bientôt,\nAXOKEY",
    ),
    "en": Wording(
        paid_subject="Your order {order} is paid: your collection code",
        paid_intro="Hello{name}, your payment to {merchant} is confirmed.",
        paid_show=(
            "Show this QR code (or the short code) to the courier or the store when your "
            "items are handed over: it releases your payment. Do not share it with anyone "
            "else."
        ),
        short_code="Short code",
        items="Your items",
        total="Total paid",
        link="Your order online",
        refund_subject="Refund of {amount} for your order {order}",
        refund_intro="Hello{name}, {merchant} refunds you {amount}.",
        refund_amount="Amount refunded",
        goodbye="See you soon,\nAXOKEY",
    ),
}


def wording(locale: str) -> Wording:
    return WORDING.get(locale, WORDING[DEFAULT_LOCALE])
