"""The command's help reads as plain options: no ``<str>``/``<bool>`` type tags."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from axokey.cli import app


@pytest.mark.parametrize("command", [[], ["serve"], ["sweep"], ["ledger", "check"], ["migrate"]])
def test_help_has_no_type_tags(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "120"})
    assert result.exit_code == 0, result.output
    for tag in ("<str>", "<bool>", "<int>", "TEXT", "INTEGER", "BOOLEAN"):
        assert tag not in result.output, (command, tag)
    if command == ["serve"]:
        assert "--port PORT" in result.output and "--demo / --no-demo" in result.output
