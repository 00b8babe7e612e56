"""French is complete: every message a page, a script or a problem shows has its
French, with the same placeholders; money and dates are written the French way."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from axokey import i18n
from axokey.i18n.messages import PO_PATH, source_messages

PACKAGE = Path(i18n.__file__).parent.parent
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def _catalog():  # type: ignore[no-untyped-def]
    with PO_PATH.open("rb") as source:
        return read_po(source, locale="fr", domain="axokey")


def test_every_message_shown_has_its_french() -> None:
    catalog = _catalog()
    wanted = source_messages(PACKAGE)
    assert len(wanted) > 200  # the extraction found the pages, scripts and problems
    missing = [
        (context, message)
        for context, message in sorted(wanted, key=lambda item: (item[0] or "", item[1]))
        if not (entry := catalog.get(message, context=context)) or not entry.string
    ]
    assert missing == [], "run scripts/update-translations and write their French"


def test_french_keeps_every_placeholder_and_is_not_the_english() -> None:
    for entry in _catalog():
        if not entry.id or entry.context == i18n.PROBLEM_CONTEXT:
            continue
        assert sorted(PLACEHOLDER.findall(entry.string)) == sorted(PLACEHOLDER.findall(entry.id)), (
            entry.id
        )
    same_in_both = {"Commission", "Total", "Scanner", "Pages", "Action", "Date", "active"}
    same = [
        entry.id
        for entry in _catalog()
        if entry.id and entry.string == entry.id and entry.id not in same_in_both
    ]
    assert same == []


def test_the_catalog_ships_with_the_package() -> None:
    text = (PACKAGE.parent.parent / "pyproject.toml").read_text()
    assert "i18n/locales/*/LC_MESSAGES/*.po" in text


@pytest.mark.parametrize(
    ("amount", "currency", "language", "written"),
    [
        (5000, "EUR", "fr", "50,00 €"),
        (123456789, "EUR", "fr", "1 234 567,89 €"),
        (-2999, "EUR", "fr", "-29,99 €"),
        (500, "JPY", "fr", "500 JPY"),
        (13589, "EUR", "en", "135.89 EUR"),
        (5, "BHD", "en", "0.005 BHD"),
    ],
)
def test_money_as_each_language_writes_it(
    amount: int, currency: str, language: str, written: str
) -> None:
    text = i18n.format_money(amount, currency, language)
    assert text.replace("\u00a0", " ").replace("\u202f", " ") == written


def test_times_in_each_language() -> None:
    moment = datetime(2026, 12, 3, 9, 5, tzinfo=UTC)
    assert i18n.format_datetime(moment, "fr") == "3 déc. 2026, 09:05 UTC"
    assert i18n.format_datetime(moment, "en") == "3 Dec 2026, 09:05 UTC"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-US,en;q=0.9,fr;q=0.95", "en"),
        ("de-DE, fr;q=0.5", "fr"),
        ("de-DE", None),
        ("", None),
        ("fr;q=0, en", "en"),
        ("fr;q=banana", None),
    ],
)
def test_accept_language(header: str, language: str | None) -> None:
    assert i18n.from_accept_language(header) == language


def test_an_explicit_choice_wins_over_the_header() -> None:
    assert i18n.choose_language("en", None, "fr", accept_language="fr") == "en"
    assert i18n.choose_language(None, "xx", accept_language="fr-CA") == "fr"
    assert i18n.choose_language(accept_language=None) == "en"


def test_a_problem_in_french_keeps_its_code_words() -> None:
    title, detail = i18n.translate_problem(
        "already_redeemed", "State conflict", "every line of this order was already redeemed", "fr"
    )
    assert title == "Action impossible dans cet état"
    assert detail.startswith("Ces articles ont déjà été remis")
    # English is left as it is; an unknown code keeps its English detail.
    assert i18n.translate_problem("x", "Not found", "no such thing", "en") == (
        "Not found",
        "no such thing",
    )
    assert i18n.translate_problem("not_a_code", "Not found", "no such thing", "fr") == (
        "Introuvable",
        "no such thing",
    )
