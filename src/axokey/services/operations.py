"""Operations: is the process up, is the instance ready, what the metrics read."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from axokey.adapters import metrics
from axokey.adapters.db import operations_repository
from axokey.adapters.db.migrations import head_revision
from axokey.domain.access import Scope, grants
from axokey.domain.errors import AxokeyError, Forbidden
from axokey.domain.parties import Principal
from axokey.services.context import ServiceContext

logger = logging.getLogger("axokey.operations")


@dataclass(frozen=True)
class Readiness:
    ready: bool
    database: str  # "reachable" | "unreachable"
    schema: str  # "current" | "behind" | "unknown"
    revision: str | None
    expected_revision: str | None


def readiness(context: ServiceContext) -> Readiness:
    """Ready when the database answers and its schema is at this code's head
    migration (a new release's instances are not sent traffic before ``migrate``)."""
    expected = head_revision()
    try:
        with context.database.read() as connection:
            revision = operations_repository.schema_revision(connection)
    except Exception:  # any failure to reach the database means "not ready"
        logger.warning("readiness: the database cannot be reached", exc_info=True)
        return Readiness(False, "unreachable", "unknown", None, expected)
    current = revision is not None and revision == expected
    return Readiness(current, "reachable", "current" if current else "behind", revision, expected)


def _scrape_reading(context: ServiceContext) -> metrics.ScrapeReading:
    with context.database.read() as connection:
        return metrics.ScrapeReading(
            held_minor_by_currency=operations_repository.held_in_escrow(connection),
            webhook_deliveries_owed=operations_repository.webhook_deliveries_owed(connection),
        )


def metrics_text(context: ServiceContext, principal: Principal) -> tuple[bytes, str]:
    """The Prometheus exposition and its content type: for the operator's keys
    holding ``metrics:read`` (or ``*``); a party's key never, whatever its scopes."""
    if not principal.is_admin or not grants(principal.scopes, Scope.METRICS_READ):
        raise Forbidden("this action is for: admin", code="role_not_allowed")
    return metrics.render(lambda: _scrape_reading(context)), metrics.CONTENT_TYPE


class NotReady(AxokeyError):
    """The instance cannot serve yet: the database is unreachable or its schema is
    not at this code's migration (run ``axokey migrate``)."""

    status = 503
    code = "not_ready"
    title = "Not ready"


def require_ready(context: ServiceContext) -> Readiness:
    state = readiness(context)
    if state.database != "reachable":
        raise NotReady("the database cannot be reached")
    if not state.ready:
        raise NotReady(
            f"the database schema is at {state.revision or 'no migration'}, this code "
            f"needs {state.expected_revision}: run `axokey migrate`"
        )
    return state
