"""Apply Alembic migrations programmatically (used by `db upgrade`, `serve` and tests)."""

from __future__ import annotations

from storage import models
from storage.db import make_engine


def upgrade(database_url: str) -> None:
    """Bring the database at `database_url` to the latest schema.

    Placeholder until the Alembic environment lands: creates missing tables.
    """
    engine = make_engine(database_url)
    try:
        models.metadata.create_all(engine)
    finally:
        engine.dispose()
