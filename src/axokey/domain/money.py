"""Money: integer minor units, ISO 4217 currencies, basis points, allocation.

Amounts are ``int`` in the currency's minor unit (cents for EUR) everywhere; there
is no float on any money path. Currency codes and their minor-unit exponents come
from the maintained ``iso4217`` package, not from a table typed by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import iso4217

from axokey.domain.errors import FieldError, InvariantBroken, ValidationFailed

BASIS_POINTS_PER_UNIT = 10_000
# Upper bound of any single amount: far below 2**63 so that sums of many of them
# stay exact in a signed 64-bit database column.
MAX_AMOUNT_MINOR = 10**12


@lru_cache(maxsize=512)
def currency_exponent(code: str) -> int:
    """The minor-unit exponent of an ISO 4217 currency (EUR → 2, JPY → 0).

    >>> currency_exponent("EUR")
    2
    """
    if len(code) != 3 or not code.isascii() or not code.isalpha() or not code.isupper():
        raise ValidationFailed(
            f"currency {code!r} is not an upper-case ISO 4217 code", code="invalid_currency"
        )
    try:
        currency = iso4217.Currency(code)
    except ValueError:
        raise ValidationFailed(
            f"currency {code!r} is not an ISO 4217 code", code="invalid_currency"
        ) from None
    exponent = currency.exponent
    if exponent is None:
        # Funds and metals (XAU, XDR...) have no minor unit: no card takes them.
        raise ValidationFailed(
            f"currency {code!r} has no minor unit and cannot be used for payments",
            code="invalid_currency",
        )
    return int(exponent)


@lru_cache(maxsize=1)
def payable_currency_codes() -> tuple[str, ...]:
    """Every ISO 4217 code ``check_currency`` accepts (those with a minor unit)."""
    return tuple(sorted(c.code for c in iso4217.Currency if c.exponent is not None))


def check_currency(code: str, *, field: str = "currency") -> str:
    """Return ``code`` when it is an ISO 4217 currency that can be paid in; raise otherwise
    (naming ``field`` in the error)."""
    try:
        currency_exponent(code)
    except ValidationFailed as error:
        raise ValidationFailed(
            error.detail, code=error.code, errors=[FieldError(field, error.detail)]
        ) from None
    return code


def check_amount(amount: int, *, field: str, allow_zero: bool = True) -> int:
    """An amount in minor units: an ``int`` (not bool), ≥ 0 (or > 0), bounded."""
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise ValidationFailed(f"{field} must be an integer amount in minor units")
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationFailed(
            f"{field} must be {'≥' if allow_zero else '>'} 0", code="invalid_amount"
        )
    if amount > MAX_AMOUNT_MINOR:
        raise ValidationFailed(f"{field} must be ≤ {MAX_AMOUNT_MINOR}", code="amount_too_large")
    return amount


def check_basis_points(bps: int, *, field: str) -> int:
    if isinstance(bps, bool) or not isinstance(bps, int) or not 0 <= bps <= BASIS_POINTS_PER_UNIT:
        raise ValidationFailed(f"{field} must be an integer from 0 to 10000 basis points")
    return bps


def percentage_floor(amount: int, bps: int) -> int:
    """``floor(amount × bps / 10000)``: a share that rounds in the payer's favour.

    >>> percentage_floor(2999, 2000)
    599
    """
    if amount < 0 or not 0 <= bps <= BASIS_POINTS_PER_UNIT:
        raise InvariantBroken(f"a percentage of {amount} at {bps} bps")
    return amount * bps // BASIS_POINTS_PER_UNIT


def allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` into parts proportional to ``weights``, exactly.

    Largest-remainder method: each part first gets ``floor(total × w / Σw)``; the
    cents left over go one each to the parts with the largest fractional
    remainders. Tie-break: among equal remainders, the part that comes first in
    ``weights`` wins. Parts always sum to ``total``; a zero weight gets zero.

    >>> allocate(100, [1, 1, 1])
    [34, 33, 33]
    >>> allocate(5, [1, 2])
    [2, 3]
    """
    if total < 0 or not weights or any(w < 0 for w in weights):
        raise InvariantBroken("allocate splits a non-negative amount over non-negative weights")
    weight_sum = sum(weights)
    if weight_sum == 0:
        if total != 0:
            raise InvariantBroken("a positive total cannot be split over zero weights")
        return [0] * len(weights)
    parts = [total * w // weight_sum for w in weights]
    remainders = [total * w % weight_sum for w in weights]
    leftover = total - sum(parts)
    # Sort by remainder descending, then by position ascending (the tie-break).
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], i))
    for index in order[:leftover]:
        parts[index] += 1
    if sum(parts) != total:
        raise InvariantBroken(f"allocate lost money: {parts} do not sum to {total}")
    return parts
