"""``axokey keys create-admin / list / revoke`` on the test database: a named operator
key that works over HTTP, is listed, is revoked (then 401), and leaves an audit trail
written by the command line."""

from __future__ import annotations

from typing import Any

from typer.testing import CliRunner

from axokey.cli import app as cli_app
from tests.conftest import ADMIN, bearer
from tests.scenario import ok


def cli_env(context: Any) -> dict[str, str]:
    settings = context.settings
    return {
        "AXOKEY_DATABASE_URL": settings.database_url,
        "AXOKEY_SIGNING_KEYS": settings.secret("signing_keys"),
        "COLUMNS": "250",
    }


class Ticks:
    """A monotonic clock for the server's key cache that the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_an_operator_creates_lists_and_revokes_a_named_key(client: Any, context: Any) -> None:
    ticks = Ticks()
    context.key_cache.clock = ticks
    runner = CliRunner()
    env = cli_env(context)
    created = runner.invoke(cli_app, ["keys", "create-admin", "--name", "Alice"], env=env)
    assert created.exit_code == 0, created.output
    secret = created.stdout.strip()
    assert secret.startswith("axk_admin_") and "\n" not in secret
    headers = bearer(secret)
    party = ok(
        client.post("/v1/parties", json={"role": "supplier", "name": "S"}, headers=headers), 201
    )
    [key] = ok(client.get("/v1/api-keys?operator=true", headers=ADMIN))["data"]
    assert key["name"] == "Alice" and key["scopes"] == ["*"] and key["party_id"] is None

    listed = runner.invoke(cli_app, ["keys", "list"], env=env)
    assert listed.exit_code == 0, listed.output
    header, *rows = [line.split("\t") for line in listed.stdout.splitlines()]
    assert header[:3] == ["id", "party", "name"] and header[-1] == "state"
    assert rows == [
        [key["id"], "operator", "Alice", key["prefix"], "*", rows[0][5], rows[0][6], "active"]
    ]  # the operator's keys only, by default
    everything = runner.invoke(cli_app, ["keys", "list", "--all"], env=env)
    assert party["id"] in {line.split("\t")[1] for line in everything.stdout.splitlines()}

    revoked = runner.invoke(cli_app, ["keys", "revoke", key["id"]], env=env)
    assert revoked.exit_code == 0, revoked.output
    # The command line is another process: the server, which read the key a moment
    # ago, refuses it once its cache has let it go (api_key_cache_seconds), not sooner.
    assert client.get("/v1/api-keys?operator=true", headers=headers).status_code == 200
    ticks.now += context.settings.api_key_cache_seconds
    assert client.get("/v1/me", headers=headers).status_code == 401
    again = runner.invoke(cli_app, ["keys", "revoke", key["id"]], env=env)
    assert again.exit_code == 1 and "already revoked" in again.output
    unknown = runner.invoke(cli_app, ["keys", "revoke", "key_nope"], env=env)
    assert unknown.exit_code == 2 and "not found" in unknown.output

    events = ok(client.get(f"/v1/audit-events?object_id={key['id']}", headers=ADMIN))["data"]
    assert [(e["action"], e["actor"]) for e in events] == [
        ("api_key.revoked", "command_line"),
        ("api_key.created", "command_line"),
    ]
    [made_party] = ok(client.get(f"/v1/audit-events?object_id={party['id']}", headers=ADMIN))[
        "data"
    ]
    assert made_party["key_id"] == key["id"]


def test_create_admin_refuses_an_unknown_scope_and_creates_nothing(
    client: Any, context: Any
) -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli_app, ["keys", "create-admin", "--name", "Bob", "--scope", "god"], env=cli_env(context)
    )
    assert result.exit_code == 2 and "unknown scope" in result.output
    assert ok(client.get("/v1/api-keys?operator=true", headers=ADMIN))["data"] == []
    narrow = runner.invoke(
        cli_app,
        ["keys", "create-admin", "--name", "Auditor", "--scope", "audit:read"],
        env=cli_env(context),
    )
    assert narrow.exit_code == 0, narrow.output
    headers = bearer(narrow.stdout.strip())
    assert client.get("/v1/audit-events", headers=headers).status_code == 200
    assert client.get("/v1/api-keys", headers=headers).status_code == 403


def test_serve_makes_a_bootstrap_key_only_while_no_operator_key_is_usable(
    client: Any, context: Any
) -> None:
    from axokey.cli import _operator_keys_exist

    settings = context.settings
    assert not _operator_keys_exist(settings)
    key = ok(client.post("/v1/api-keys", json={"name": "Alice"}, headers=ADMIN), 201)
    assert _operator_keys_exist(settings)
    ok(client.delete(f"/v1/api-keys/{key['id']}", headers=ADMIN))
    assert not _operator_keys_exist(settings)
