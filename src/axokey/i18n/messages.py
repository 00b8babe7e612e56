"""Which messages the catalogs must translate: found in the sources, so that a
message added to a page or an error without its French is caught by a test
(``tests/unit/test_translations.py``) and listed by ``scripts/update-translations``."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir

from axokey.i18n import PROBLEM_CONTEXT

PO_PATH = Path(__file__).parent / "locales" / "fr" / "LC_MESSAGES" / "axokey.po"

_METHOD_MAP = [
    ("**/templates/**.html", "jinja2.ext:babel_extract"),
    ("**.py", "python"),
]
_KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2)}
# Problems: their titles are class attributes, their codes keyword arguments.
_TITLE = re.compile(r'^\s*title(?:: str)? = "([^"]+)"', re.MULTILINE)
_STATUS_TITLE = re.compile(r'^\s*\d{3}: \("(\w+)", "([^"]+)"\),', re.MULTILINE)
# ``code="x"``, ``operator_must_name_code="x"``, and a problem the middleware sends
# itself (``send_problem(send, 422, "invalid_characters", ...``).
_CODE = re.compile(
    r'\b(?:operator_must_name_|only_own_)?code="([a-z][a-z0-9_]+)"|send_problem\(\s*send,\s*\d{3},\s*"([a-z][a-z0-9_]+)"'
)
_CLASS_CODE = re.compile(r'^\s*code(?:: str)? = "([a-z][a-z0-9_]+)"', re.MULTILINE)
# Codes that name ledger operations in messages for the operator, not problems.
_NOT_PROBLEM_CODES = frozenset(
    {"hold", "release", "refund", "void", "capture", "expire", "refund_out"}
)


def source_messages(package: Path) -> set[tuple[str | None, str]]:
    """Every (context, message) the package shows to people."""
    found: set[tuple[str | None, str]] = set()
    for _filename, _line, message, _comments, context in extract_from_dir(
        str(package),
        method_map=_METHOD_MAP,
        keywords=_KEYWORDS,
        options_map={"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}},
    ):
        if isinstance(message, tuple):
            found.update((context, part) for part in message if part)
        elif message:
            found.add((context, message))
    for path in package.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        found.update((None, title) for title in _TITLE.findall(text))
        for code, title in _STATUS_TITLE.findall(text):
            found.add((None, title))
            found.add((PROBLEM_CONTEXT, code))
        codes = {code for pair in _CODE.findall(text) for code in pair if code}
        codes |= set(_CLASS_CODE.findall(text))
        found.update((PROBLEM_CONTEXT, code) for code in codes - _NOT_PROBLEM_CODES)
    return found
