"""The layers' import rules (docs/architecture.md), as import-linter contracts in
pyproject.toml: this test fails when a module crosses a layer the wrong way."""

from __future__ import annotations

from pathlib import Path

from importlinter.cli import EXIT_STATUS_SUCCESS, lint_imports

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_every_import_contract_is_kept() -> None:
    status = lint_imports(config_filename=str(PYPROJECT), no_cache=True, no_logo=True)
    assert status == EXIT_STATUS_SUCCESS, "an import rule is broken: the report above says which"
