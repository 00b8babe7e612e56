"""The TypeScript client (``clients/typescript``: types generated from openapi.json by
``scripts/generate-clients``, a small fetch wrapper, SPEC.md's example A as a shop
writes it) compiles with ``tsc --strict``; its ``@ts-expect-error`` lines prove the
types refuse a wrong body and an unknown path."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CLIENT = Path(__file__).resolve().parents[2] / "clients" / "typescript"


def compiler() -> str | None:
    local = CLIENT / "node_modules" / ".bin" / "tsc"
    return str(local) if local.exists() else shutil.which("tsc")


def test_the_typescript_client_compiles() -> None:
    tsc = compiler()
    if tsc is None or shutil.which("node") is None:
        pytest.skip(
            "TypeScript's compiler was not found (neither clients/typescript/node_modules "
            "nor tsc on PATH): run `npm ci` in clients/typescript, or `npm install -g "
            "typescript@5.9.3`, to check that the TypeScript client compiles"
        )
    result = subprocess.run(
        [tsc, "--noEmit", "-p", str(CLIENT)],
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_types_are_generated_from_the_committed_document() -> None:
    schema = (CLIENT / "src" / "schema.d.ts").read_text(encoding="utf-8")
    assert '"/v1/orders/{order_id}/checkout"' in schema
    assert "create_order: {" in schema
