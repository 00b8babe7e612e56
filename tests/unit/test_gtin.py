"""GTIN validation and equivalence (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from axokey.domain.catalog import gtin_equivalents, normalise_gtin
from axokey.domain.errors import ValidationFailed


def check_digit(body: str) -> str:
    """GS1's mod-10 check digit, computed independently of python-stdnum."""
    total = sum(
        int(digit) * (3 if position % 2 == 0 else 1)
        for position, digit in enumerate(reversed(body))
    )
    return str((10 - total % 10) % 10)


@pytest.mark.parametrize(
    "gtin",
    [
        "96385074",  # GTIN-8
        "036000291452",  # GTIN-12 (UPC-A)
        "4006381333931",  # GTIN-13 (EAN-13)
        "10012345678902",  # GTIN-14
    ],
)
def test_valid_gtins_of_every_length_are_accepted_as_given(gtin: str) -> None:
    assert normalise_gtin(gtin) == gtin


def test_separators_are_removed() -> None:
    assert normalise_gtin(" 4006381-333931 ") == "4006381333931"
    assert normalise_gtin("4 006381 333931") == "4006381333931"


@pytest.mark.parametrize(
    ("gtin", "reason"),
    [
        ("4006381333932", "checksum"),  # wrong check digit
        ("96385075", "checksum"),
        ("400638133393", "checksum"),  # a 12-digit prefix of a valid EAN-13
        ("1234567", "length"),
        ("123456789012345", "length"),
        ("4006381333931x", "format"),
        ("", "format"),
        ("٤٠٠٦٣٨١٣٣٣٩٣١", "format"),  # Arabic-Indic digits are not GTIN digits
    ],
)
def test_invalid_gtins_are_refused_with_a_field_error(gtin: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as raised:
        normalise_gtin(gtin)
    error = raised.value
    assert error.code == "invalid_gtin"
    assert error.status == 422
    assert [field_error.field for field_error in error.errors] == ["gtin"]
    assert reason in error.detail.lower() or reason in error.errors[0].message.lower()


def test_the_field_name_is_reported() -> None:
    with pytest.raises(ValidationFailed) as raised:
        normalise_gtin("4006381333932", field="gtins.0")
    assert raised.value.errors[0].field == "gtins.0"


def test_equivalents_are_the_same_number_in_every_gs1_length() -> None:
    assert gtin_equivalents("4006381333931") == ["4006381333931", "04006381333931"]
    assert gtin_equivalents("036000291452") == [
        "036000291452",
        "0036000291452",
        "00036000291452",
    ]
    assert gtin_equivalents("00036000291452") == [
        "036000291452",
        "0036000291452",
        "00036000291452",
    ]
    assert gtin_equivalents("96385074") == [
        "96385074",
        "000096385074",
        "0000096385074",
        "00000096385074",
    ]
    assert gtin_equivalents("10012345678902") == ["10012345678902"]


@given(
    st.sampled_from([7, 11, 12, 13]).flatmap(
        lambda n: st.text("0123456789", min_size=n, max_size=n)
    )
)
def test_any_body_with_its_check_digit_is_valid_and_any_other_digit_is_not(body: str) -> None:
    correct = check_digit(body)
    gtin = body + correct
    assert normalise_gtin(gtin) == gtin
    for equivalent in gtin_equivalents(gtin):
        assert normalise_gtin(equivalent) == equivalent
        assert equivalent.lstrip("0") == gtin.lstrip("0")
    for wrong in "0123456789".replace(correct, ""):
        with pytest.raises(ValidationFailed):
            normalise_gtin(body + wrong)
