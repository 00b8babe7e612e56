"""French and English for everything a person reads: the catalogs, the choice of
language, and money and dates written the way each language writes them.

The source strings are English (``msgid``); ``locales/fr/LC_MESSAGES/axokey.po`` holds
their French. The ``.po`` file ships in the package and is compiled in memory when
first used, so there is no build step to forget. ``babel`` formats money and dates:
``format_money(5000, "EUR", "fr")`` is ``50,00 €`` (with a no-break space).

The language of a page or a problem response comes, in order, from an explicit
choice (the page's ``?lang=`` switch, then its cookie), from the order's own locale
when the page is about an order, then from ``Accept-Language``. When none of these
names French or English: a page is French (our first readers are French), a problem
response English (the language of API clients that send no header).
"""

from __future__ import annotations

import gettext
from collections.abc import Iterable
from contextvars import ContextVar
from datetime import UTC, date, datetime
from decimal import Decimal
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date as babel_format_date
from babel.dates import format_time as babel_format_time
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from axokey.domain.money import currency_exponent

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "en"  # an API client's, when it asks for none of ours
PAGE_LANGUAGE = "fr"  # a person's, when nothing names one of ours
LANGUAGE_NAMES = {"fr": "Français", "en": "English"}
# The Babel locale that writes each language's money and dates.
_BABEL_LOCALES = {"fr": "fr_FR", "en": "en_GB"}
_ENGLISH_MONEY_PATTERN = "#,##0.00 ¤¤"
_CATALOG_DIRECTORY = Path(__file__).parent / "locales"
_DOMAIN = "axokey"

_current_language: ContextVar[str] = ContextVar("axokey_language", default=DEFAULT_LANGUAGE)


@lru_cache(maxsize=len(LANGUAGES))
def translations(language: str) -> gettext.NullTranslations:
    """The compiled catalog of ``language`` (English needs none: its ids are English)."""
    path = _CATALOG_DIRECTORY / language / "LC_MESSAGES" / f"{_DOMAIN}.po"
    if language not in LANGUAGES or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as source:
        catalog = read_po(source, locale=language, domain=_DOMAIN)
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def supported(language: str | None) -> str | None:
    """``language`` (``fr``, ``fr-FR``, ``EN``…) as one of ours, or None."""
    if not language:
        return None
    primary = language.strip().replace("_", "-").split("-")[0].lower()
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The best of our languages by an ``Accept-Language`` header (q-values honoured),
    or None when it names none of them."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")[:32]):
        pieces = part.strip().split(";")
        quality = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = supported(pieces[0])
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def choose_language(
    *candidates: str | None, accept_language: str | None = None, default: str = DEFAULT_LANGUAGE
) -> str:
    """The first supported of ``candidates``, else by ``Accept-Language``, else
    ``default`` (English unless told)."""
    for candidate in candidates:
        language = supported(candidate)
        if language:
            return language
    return from_accept_language(accept_language) or default


def set_language(language: str) -> None:
    """Make ``language`` the one ``_()`` translates into, for this request or task."""
    _current_language.set(supported(language) or DEFAULT_LANGUAGE)


def current_language() -> str:
    return _current_language.get()


def gettext_in(language: str, message: str) -> str:
    return translations(language).gettext(message)


def N_(message: str) -> str:
    """Mark ``message`` for the catalog; it is translated where it is shown."""
    return message


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    return translations(current_language()).ngettext(singular, plural, count)


def pgettext(context: str, message: str) -> str:
    return translations(current_language()).pgettext(context, message)


def has_translation(language: str, message: str, *, context: str | None = None) -> bool:
    """Whether the catalog of ``language`` translates ``message`` (English: always)."""
    if language == "en":
        return True
    catalog = translations(language)
    if context is None:
        return catalog.gettext(message) != message
    sentinel = "\x00untranslated"
    return catalog.pgettext(context, sentinel) != sentinel and (
        catalog.pgettext(context, message) != message
    )


PROBLEM_CONTEXT = "problem"


@lru_cache(maxsize=1)
def problem_codes() -> tuple[str, ...]:
    """Every stable problem ``code``: the catalog has each one (its French detail),
    as ``tests/unit/test_translations.py`` requires of every code in the sources."""
    path = _CATALOG_DIRECTORY / "fr" / "LC_MESSAGES" / f"{_DOMAIN}.po"
    with path.open("rb") as source:
        catalog = read_po(source, locale="fr", domain=_DOMAIN)
    return tuple(
        sorted(
            str(message.id)
            for message in catalog
            if message.context == PROBLEM_CONTEXT and isinstance(message.id, str)
        )
    )


def translate_problem(code: str, title: str, detail: str, language: str) -> tuple[str, str]:
    """A problem's ``title`` and ``detail`` in ``language`` (its ``code`` never changes).

    The title is one of a few fixed sentences. A detail is translated when the catalog
    has that very sentence; a detail built with values (``limit must be from 1 to
    100``) is replaced by the catalog's sentence for its ``code``; else it stays as
    it is, in English, rather than be guessed.
    """
    catalog = translations(language)
    translated_title = catalog.gettext(title) if title else title
    translated_detail = catalog.gettext(detail) if detail else detail
    if translated_detail == detail and language != "en":
        by_code = catalog.pgettext(PROBLEM_CONTEXT, code)
        if by_code != code:
            translated_detail = by_code
    return translated_title, translated_detail


def babel_locale(language: str | None = None) -> Locale:
    return Locale.parse(_BABEL_LOCALES[supported(language) or current_language()])


def format_money(amount_minor: int, currency: str, language: str | None = None) -> str:
    """An amount in minor units as the language writes it, exactly (no float).

    >>> format_money(10000, "EUR", "fr")
    '100,00\\xa0€'
    >>> format_money(1234589, "EUR", "en")
    '12,345.89 EUR'
    >>> format_money(500, "JPY", "en")
    '500 JPY'
    """
    exponent = currency_exponent(currency)
    value = Decimal(amount_minor).scaleb(-exponent)
    locale = babel_locale(language)
    # English writes the ISO code after the amount (``135.89 EUR``), unambiguous for
    # every currency; French as the French do (``135,89 €``).
    pattern = _ENGLISH_MONEY_PATTERN if locale.language == "en" else None
    return format_currency(value, currency, pattern, locale=locale, currency_digits=True)


def format_datetime(moment: datetime, language: str | None = None) -> str:
    """A time as the language writes it, in UTC (``3 déc. 2026, 09:05 UTC`` in French)."""
    locale = babel_locale(language)
    in_utc = moment.astimezone(UTC)
    day = babel_format_date(in_utc, "medium", locale=locale)
    return f"{day}, {babel_format_time(in_utc, 'HH:mm', tzinfo=UTC, locale=locale)} UTC"


def format_date(moment: date, language: str | None = None) -> str:
    return babel_format_date(moment, "long", locale=babel_locale(language))


def catalog_messages(language: str, messages: Iterable[str]) -> dict[str, str]:
    """``messages`` translated into ``language``, for the pages' scripts."""
    catalog = translations(language)
    return {message: catalog.gettext(message) for message in messages}
