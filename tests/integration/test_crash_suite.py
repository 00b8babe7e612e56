"""The crash suite, short (benchmarks/crash_suite.py; its long runs are in the
note): the real ``axokey serve`` killed with SIGKILL twice under concurrent
lifecycles over HTTP, restarted, swept; nothing acknowledged is lost, the ledger
checks clean, and no payment the sandbox took is left outside an escrow."""

from __future__ import annotations

from benchmarks.crash_suite import run, summary

KILLS = 2
OPERATIONS = 30
WORKERS = 3


def test_killed_twice_under_load_nothing_is_lost(database_url: str) -> None:
    result = run(
        database_url,
        label="test",
        kills=KILLS,
        operations=OPERATIONS,
        workers=WORKERS,
        # A bound, not a speed check: ~20 s on an idle machine, minutes on a loaded one.
        max_seconds=300,
        seed=7,
        sweeps=2,
    )
    report = summary(result, 7)
    assert result.ok, report
    assert result.kills == KILLS and result.starts == KILLS + 2, report
    assert result.operations_acknowledged >= OPERATIONS, report
    assert result.provider_succeeded_payments > 0, report
    assert (result.charged_but_unescrowed, result.drift_cents) == (0, 0), report
    assert result.ledger_check_exit == 0, report
