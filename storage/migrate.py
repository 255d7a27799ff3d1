"""Apply Alembic migrations programmatically (used by `db upgrade`, `serve` and tests).

The Alembic configuration is built here, in code, with `script_location` inside the installed
package, so migrations run the same from a checkout and from a wheel; there is no alembic.ini.

Alembic is imported only to migrate (`upgrade`, `alembic_config`): it adds
about 11 MiB to a process, and a server starting on a database already at `HEAD` reads the
revision with one SELECT instead (`current_revision`), so it never loads it.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import column, create_engine, event, inspect, select, table
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.pool import NullPool
from sqlalchemy.sql.expression import ColumnClause

from storage.db import keep_words_out_of_errors, make_engine, normalise_url, private_sqlite_file

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The newest revision in MIGRATIONS_DIR (tests/storage/test_migrations.py pins it to Alembic's
# own head, so a new revision that forgets it fails there).
HEAD = "0009"
VERSION_TABLE = "alembic_version"
# Key of `Config.attributes` holding the URL; an attribute, not an ini option, so that a `%`
# in a password needs no escaping.
URL_ATTRIBUTE = "database_url"


def alembic_config(database_url: str) -> Config:
    """Alembic's configuration for migrating `database_url` with the packaged revisions."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes[URL_ATTRIBUTE] = database_url
    return config


def migration_engine(database_url: str) -> Engine:
    """The engine `env.py` migrates with.

    On SQLite the whole upgrade is one `BEGIN IMMEDIATE` transaction (so a failed revision leaves
    nothing half-done and two processes upgrading at once take turns) with foreign keys off,
    because batch migrations copy, drop and rename tables; `env.py` checks them before commit.
    """
    url = normalise_url(database_url)
    private_sqlite_file(url)
    engine = keep_words_out_of_errors(create_engine(url, poolclass=NullPool, hide_parameters=True))
    if make_url(url).get_backend_name() != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # pysqlite must not issue its own BEGIN
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def upgrade(database_url: str) -> None:
    """Bring the database at `database_url` to the latest schema (`alembic upgrade head`);
    SchemaAheadError when a newer okr-bot migrated it (nothing is changed)."""
    from alembic import command

    usable_schema_state(database_url)
    command.upgrade(alembic_config(database_url), "head")


def current_revision(database_url: str) -> str | None:
    """The revision the database is at, or None when it has never been migrated."""
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return None
            version: ColumnClause[str] = column("version_num")
            return conn.execute(select(version).select_from(table(VERSION_TABLE))).scalar()
    finally:
        engine.dispose()


class SchemaState(Enum):
    """Where a database's schema stands against this version of okr-bot."""

    CURRENT = "current"  # at HEAD
    BEHIND = "behind"  # never migrated, or at an older revision: `db upgrade` brings it to HEAD
    AHEAD = "ahead"  # at a revision this version does not ship: a newer okr-bot migrated it


def known_revisions() -> frozenset[str]:
    """The revisions this version ships, from the names of their files (`0003_reviews.py`:
    "0003"), so a server need not load Alembic to read them (tests/storage/test_migrations.py
    pins them to Alembic's own)."""
    return frozenset(path.name.split("_", 1)[0]
                     for path in (MIGRATIONS_DIR / "versions").glob("[0-9]*_*.py"))


def schema_state(revision: str | None) -> SchemaState:
    """The one answer to "may this version use a database at `revision` (None: never migrated)
    as it is?"."""
    if revision == HEAD:
        return SchemaState.CURRENT
    if revision is None or revision in known_revisions():
        return SchemaState.BEHIND
    return SchemaState.AHEAD


def usable_schema_state(database_url: str) -> SchemaState:
    """`schema_state` of the database at `database_url`: current or behind, or SchemaAheadError
    when a newer okr-bot migrated it (this version must not touch it)."""
    revision = current_revision(database_url)
    state = schema_state(revision)
    if state is SchemaState.AHEAD:
        raise SchemaAheadError(str(revision))
    return state


class PendingMigrationsError(RuntimeError):
    """PostgreSQL is behind the code's schema; an admin runs `okr-bot db upgrade` once."""


class SchemaAheadError(RuntimeError):
    """A newer okr-bot migrated the database to `revision`: this version must not use it (an
    admin runs the newer version, or restores the backup taken before its upgrade)."""

    def __init__(self, revision: str) -> None:
        super().__init__(f"the database is at revision {revision}, newer than this version's "
                         f"{HEAD}")
        self.revision = revision


def prepare_database(database_url: str) -> None:
    """Apply pending migrations on SQLite (one host); on PostgreSQL, refuse to start behind.
    Refuse on both a database a newer okr-bot migrated (SchemaAheadError).

    Replicas starting at once must not race schema changes on a shared server, so there the
    upgrade is an explicit step.
    """
    if usable_schema_state(database_url) is SchemaState.CURRENT:
        return
    if make_url(normalise_url(database_url)).get_backend_name() == "sqlite":
        upgrade(database_url)
    else:
        raise PendingMigrationsError(
            "the database schema is behind this version: run `okr-bot db upgrade` first"
        )
