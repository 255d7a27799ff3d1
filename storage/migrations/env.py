"""Alembic environment. The URL comes from the Config that `storage.migrate` builds.

Autogenerate compares types too, renders batch operations on SQLite (which cannot ALTER
most things) and writes our TypeDecorators as plain SQLAlchemy types, so revisions import
neither sqlmodel nor okr-bot code.
"""

from __future__ import annotations

from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.types import TypeDecorator

from storage.migrate import URL_ATTRIBUTE, migration_engine
from storage.models import metadata

# Any constant will do: it only has to be the same for every okr-bot process.
PG_MIGRATION_LOCK = 4_242_001


def render_item(type_: str, obj: Any, _autogen: AutogenContext) -> str | Literal[False]:
    """Write UTCDateTime, sqlmodel's AutoString and the like as the type they store."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl_instance!r}"
    return False


def check_foreign_keys(connection: Connection) -> None:
    """Refuse to commit a SQLite migration that left rows pointing at nothing."""
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(f"migration broke foreign keys: {broken[:5]}")


def run_migrations(url: str) -> None:
    engine = migration_engine(url)
    try:
        with engine.connect() as connection:
            dialect = connection.dialect.name
            context.configure(
                connection=connection,
                target_metadata=metadata,
                compare_type=True,
                render_as_batch=dialect == "sqlite",
                transactional_ddl=True,
                render_item=render_item,
            )
            with context.begin_transaction():
                if dialect == "postgresql":
                    # Replicas starting together migrate one after the other.
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_MIGRATION_LOCK}
                    )
                context.run_migrations()
                if dialect == "sqlite":
                    check_foreign_keys(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("okr-bot migrations need a database connection; --sql is not supported")
database_url = context.config.attributes.get(URL_ATTRIBUTE)
if not database_url:
    raise RuntimeError("no database URL: migrate with storage.migrate (okr-bot db upgrade)")
run_migrations(database_url)
