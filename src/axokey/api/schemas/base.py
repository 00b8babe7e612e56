"""What every request and response body shares: strict request bodies, ids,
amounts, timestamps and days within a safe range."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
)

from axokey.domain.money import MAX_AMOUNT_MINOR


class Strict(BaseModel):
    """A request body: unknown fields are refused (422), never ignored."""

    model_config = ConfigDict(extra="forbid")


Id = Annotated[str, StringConstraints(min_length=1, max_length=40)]
# Strict: amounts and quantities are JSON integers, never "500" or 1.0.
Amount = Annotated[int, Field(ge=0, le=MAX_AMOUNT_MINOR, strict=True)]

# Dates and times far from now would overflow the deadline arithmetic (a day or
# a grace period added or taken away): refuse them as bad input.
YEAR_MIN, YEAR_MAX = 2000, 9000


def _utc_in_range(value: datetime) -> datetime:
    try:
        utc = value.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"must be between the years {YEAR_MIN} and {YEAR_MAX}") from None
    if not YEAR_MIN <= utc.year <= YEAR_MAX:
        raise ValueError(f"must be between the years {YEAR_MIN} and {YEAR_MAX}")
    return value


def _date_in_range(value: date) -> date:
    if not YEAR_MIN <= value.year <= YEAR_MAX:
        raise ValueError(f"must be between the years {YEAR_MIN} and {YEAR_MAX}")
    return value


Timestamp = Annotated[AwareDatetime, AfterValidator(_utc_in_range)]
Day = Annotated[date, AfterValidator(_date_in_range)]
