"""Limits that depend on each other are checked when the settings load, and the
ledger's own limit is a typed error that ``python -O`` keeps."""

from __future__ import annotations

import subprocess
import sys

import pytest
from pydantic import ValidationError
from typer.testing import CliRunner

from axokey.config import Settings
from axokey.domain.ledger import MAX_TRANSFERS_PER_BATCH
from axokey.domain.orders import order_batch_transfers_max


def refused(message: str, **settings: object) -> None:
    with pytest.raises(ValidationError) as raised:
        Settings(**settings)  # type: ignore[arg-type]
    assert message in str(raised.value)


def test_an_order_that_capture_could_not_post_is_refused_at_start_up() -> None:
    lines_max = (MAX_TRANSFERS_PER_BATCH - 2) // 3
    assert order_batch_transfers_max(lines_max) <= MAX_TRANSFERS_PER_BATCH
    assert order_batch_transfers_max(lines_max + 1) > MAX_TRANSFERS_PER_BATCH
    assert Settings(order_lines_max=lines_max).order_lines_max == lines_max
    refused(
        f"capturing such an order posts {order_batch_transfers_max(200)} ledger transfers "
        f"in one batch, and the ledger takes at most {MAX_TRANSFERS_PER_BATCH}; "
        f"set it to {lines_max} or less",
        order_lines_max=200,
    )
    refused("AXOKEY_ORDER_LINES_MAX=171", order_lines_max=lines_max + 1)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            {"idempotency_key_ttl_seconds": 60, "idempotency_lease_seconds": 120},
            "must be shorter than AXOKEY_IDEMPOTENCY_KEY_TTL_SECONDS=60",
        ),
        (
            {"idempotency_wait_seconds": 30, "idempotency_lease_seconds": 10},
            "must be shorter than AXOKEY_IDEMPOTENCY_LEASE_SECONDS=10",
        ),
        ({"idempotency_key_max_length": 256}, "less than or equal to 255"),
        ({"order_lines_max": 0}, "greater than or equal to 1"),
        ({"line_quantity_max": 0}, "greater than or equal to 1"),
        ({"rate_limit_requests_per_second": 0}, "greater than 0"),
        ({"sweep_batch_size": 0}, "greater than or equal to 1"),
    ],
)
def test_limits_out_of_bounds_or_contradicting_each_other_are_refused(
    settings: dict[str, object], message: str
) -> None:
    refused(message, **settings)


def test_the_service_does_not_start_with_such_settings() -> None:
    from axokey.cli import app

    result = CliRunner().invoke(app, ["serve"], env={"AXOKEY_ORDER_LINES_MAX": "500"})
    assert result.exit_code == 2
    assert "AXOKEY_ORDER_LINES_MAX=500 is too large" in " ".join(result.output.split())


def test_the_batch_limit_holds_under_python_dash_o() -> None:
    """Not an ``assert``: ``python -O`` (which removes asserts) still refuses."""
    program = (
        "from datetime import UTC, datetime\n"
        "from axokey.domain.ledger import BatchTooLarge, TransferKind, TransferRequest, "
        "MAX_TRANSFERS_PER_BATCH, apply_transfers\n"
        "requests = [TransferRequest(id=f't{i}', kind=TransferKind.SINGLE, amount=1, "
        "debit_account_id='a', credit_account_id='b', code='x') "
        "for i in range(MAX_TRANSFERS_PER_BATCH + 1)]\n"
        "try:\n"
        "    apply_transfers(None, requests, now=datetime.now(UTC))\n"
        "except BatchTooLarge as error:\n"
        "    print('refused', error.code)\n"
    )
    result = subprocess.run(
        [sys.executable, "-O", "-c", program], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "refused ledger_batch_too_large"
