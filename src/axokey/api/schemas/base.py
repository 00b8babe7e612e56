"""What every request and response body shares: strict request bodies, ids,
amounts, timestamps and days within a safe range."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import pycountry
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
)

from axokey.domain.money import MAX_AMOUNT_MINOR, payable_currency_codes


class Strict(BaseModel):
    """A request body: unknown fields are refused (422), never ignored."""

    model_config = ConfigDict(extra="forbid")


Id = Annotated[str, StringConstraints(min_length=1, max_length=40)]

# A text the server strips (``strip_whitespace``): at least one character that is
# not white space as pydantic strips it (Unicode White_Space, Rust's ``trim``), no NUL.
NOT_BLANK = (
    "^[^\\x00]*"
    "[^\\x00\\t\\n\\x0b\\x0c\\r \\x85\\xa0"
    "\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000]"
    "[^\\x00]*$"
)

# ISO 3166-1 alpha-2; the service refuses an unassigned one (422 invalid_country).
COUNTRY_CODES = sorted(country.alpha_2 for country in pycountry.countries)
Country = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Z]{2}$"),
    Field(json_schema_extra={"enum": COUNTRY_CODES}),
]

# The currencies a payment can be made in: ISO 4217, upper case, with a minor unit.
# The service refuses another (422 invalid_currency); the document lists them (the
# shared ``Currency`` component, see ``axokey.api.openapi.SHARED_ENUMS``).
CURRENCY_CODES = list(payable_currency_codes())
Currency = Annotated[
    str,
    StringConstraints(max_length=8),
    Field(json_schema_extra={"enum": CURRENCY_CODES}),
]


def _integral(value: object) -> object:
    """``5000.0`` is the JSON integer 5000 (JSON Schema says so: the document's
    ``integer`` accepts it); ``5000.5``, ``"5000"`` and ``true`` stay refused."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


# Before a strict ``int``: amounts and quantities are JSON integers, never "500".
JsonInteger = BeforeValidator(_integral)

Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT_MINOR, strict=True), JsonInteger]

# Dates and times far from now would overflow the deadline arithmetic (a day or
# a grace period added or taken away): refuse them as bad input. The year as
# written (before any offset), so that the document's pattern says the same.
YEAR_MIN, YEAR_MAX = 2000, 8999
YEAR_PATTERN = "^(?:2[0-9]{3}|[3-8][0-9]{3})-"


def _utc_in_range(value: datetime) -> datetime:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(f"must be between the years {YEAR_MIN} and {YEAR_MAX}")
    value.astimezone(UTC)  # within 2000..8999 no offset overflows
    return value


def _date_in_range(value: date) -> date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(f"must be between the years {YEAR_MIN} and {YEAR_MAX}")
    return value


Timestamp = Annotated[
    AwareDatetime,
    AfterValidator(_utc_in_range),
    Field(json_schema_extra={"pattern": YEAR_PATTERN}),
]
Day = Annotated[
    date, AfterValidator(_date_in_range), Field(json_schema_extra={"pattern": YEAR_PATTERN})
]
