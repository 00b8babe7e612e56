"""The OpenAPI document as the repository keeps it (``openapi.json``), built from the
app without a database: ``scripts/generate-clients`` writes it, and
``tests/contract/test_openapi_document.py`` compares it with what the app serves."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any


def served_document() -> dict[str, Any]:
    """What ``GET /openapi.json`` answers with the default settings."""
    from axokey.api.app import create_app
    from axokey.config import Settings

    with tempfile.TemporaryDirectory() as directory:
        values: dict[str, Any] = {
            "database_url": f"sqlite:///{Path(directory) / 'document.db'}",
            "admin_key": "axk_admin_document_" + "d" * 40,
            "signing_keys": "k1:" + "s" * 43,
        }
        settings = Settings(**values)
        document: dict[str, Any] = create_app(settings).openapi()
        return document


def render(document: dict[str, Any]) -> str:
    """The committed form: two-space indents, keys in the document's order, a final
    newline (so that a diff shows what changed)."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
