"""The OpenAPI document: valid, faithful in its shape, and equal to the committed
snapshot (``openapi.json``), so that no change to the contract slips in unnoticed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from openapi_spec_validator import validate

from axokey.api.document import render
from axokey.api.problems import PROBLEM_CONTENT_TYPE

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = ROOT / "openapi.json"


def served(client: Any) -> dict[str, Any]:
    response = client.get("/openapi.json")
    assert response.status_code == 200
    document: dict[str, Any] = response.json()
    return document


def operations(document: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    return [
        (f"{method.upper()} {path}", operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_the_document_is_valid_openapi(client: Any) -> None:
    document = served(client)
    validate(document)  # raises with the first fault
    assert document["openapi"].startswith("3.1")


def test_the_served_document_is_the_committed_snapshot(client: Any) -> None:
    committed = SNAPSHOT.read_text(encoding="utf-8") if SNAPSHOT.exists() else ""
    assert render(served(client)) == committed, (
        "The served OpenAPI document differs from the committed openapi.json: the API's "
        "contract changed. Run scripts/generate-clients (it rewrites openapi.json and the "
        "generated clients), review the diff against docs/api-versioning.md (a breaking "
        "change needs a new version), and commit it. Whoever merges routes from another "
        "branch regenerates it too."
    )


def test_every_error_is_a_problem_of_the_shared_schema(client: Any) -> None:
    document = served(client)
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}
    assert "validation_error" in problem["properties"]["code"]["enum"]
    assert "HTTPValidationError" not in document["components"]["schemas"]
    for label, operation in operations(document):
        errors = {status: r for status, r in operation["responses"].items() if status >= "400"}
        assert {"422", "429"} <= set(errors), label
        for status, response in errors.items():
            assert list(response["content"]) == [PROBLEM_CONTENT_TYPE], (label, status)
            schema = response["content"][PROBLEM_CONTENT_TYPE]["schema"]
            assert schema == {"$ref": "#/components/schemas/Problem"}, (label, status)
        if operation.get("security"):
            assert "401" in errors, label
        if "{" in label:
            assert "404" in errors, label
        if label.startswith("POST"):
            assert {"400", "409"} <= set(errors), label
            names = [parameter["name"] for parameter in operation.get("parameters", [])]
            assert "Idempotency-Key" in names, label


def _request_strings(schema: Any, where: str, found: list[str]) -> None:
    if isinstance(schema, dict):
        if schema.get("type") == "string":
            found.append(where)
            assert {"pattern", "enum", "const", "format"} & set(schema), where
        for key, value in schema.items():
            _request_strings(value, f"{where}.{key}", found)
    elif isinstance(schema, list):
        for index, value in enumerate(schema):
            _request_strings(value, f"{where}[{index}]", found)


def test_every_request_string_says_what_the_server_accepts(client: Any) -> None:
    """No NUL (the server refuses one anywhere), ids by their prefix."""
    document = served(client)
    components = document["components"]["schemas"]
    found: list[str] = []
    for label, operation in operations(document):
        for parameter in operation.get("parameters", []):
            _request_strings(parameter["schema"], f"{label} {parameter['name']}", found)
        body = operation.get("requestBody", {}).get("content", {}).get("application/json")
        if body:
            reference = body["schema"].get("$ref", "")
            name = reference.rsplit("/", 1)[-1]
            _request_strings(components.get(name, body["schema"]), f"{label} body", found)
    assert len(found) > 50
    order = components["OrderCreate"]["properties"]
    courier = next(item for item in order["courier_id"]["anyOf"] if item.get("type") == "string")
    assert courier["pattern"] == "^pty_[0-9A-HJKMNP-TV-Z]{26}$"
    path = next(
        p
        for p in document["paths"]["/v1/orders/{order_id}"]["get"]["parameters"]
        if p["name"] == "order_id"
    )
    assert path["schema"]["pattern"] == "^ord_[0-9A-HJKMNP-TV-Z]{26}$"


def test_the_snapshot_is_json_the_document_renders_to() -> None:
    committed = json.loads(SNAPSHOT.read_text(encoding="utf-8"))
    assert render(committed) == SNAPSHOT.read_text(encoding="utf-8")


def test_rules_beyond_the_schema_name_declared_statuses_and_known_codes(client: Any) -> None:
    """``x-rules-beyond-schema``: the refusals a schema-valid request may still get.
    Each names a status the operation declares (its description lists the rule) and
    a stable code of the ``Problem`` enum; none is a catch-all like
    ``validation_error``, which would let the fuzzer accept any refusal."""
    document = served(client)
    codes = set(document["components"]["schemas"]["Problem"]["properties"]["code"]["enum"])
    found = 0
    for label, operation in operations(document):
        for rule in operation.get("x-rules-beyond-schema", []):
            found += 1
            assert set(rule) == {"status", "code", "rule"}, label
            assert rule["code"] in codes, (label, rule)
            assert rule["code"] not in {"validation_error", "not_found", "conflict"}, label
            response = operation["responses"][str(rule["status"])]
            assert f"`{rule['code']}` ({rule['rule']})" in response["description"], label
    assert found >= 10
