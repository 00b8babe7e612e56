"""The type of the open transaction a use case's work runs in (``Database.run``
hands it over): services name it from here, so they import no SQLAlchemy."""

from __future__ import annotations

from sqlalchemy import Connection

__all__ = ["Connection"]
