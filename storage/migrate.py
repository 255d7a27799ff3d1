"""Apply Alembic migrations programmatically (used by `db upgrade`, `serve` and tests).

The Alembic configuration is built here, in code, with `script_location` inside the installed
package, so migrations run the same from a checkout and from a wheel; there is no alembic.ini.

Alembic is imported only to migrate (`upgrade`, `alembic_config`, `head_revision`): it adds
about 11 MiB to a process, and a server starting on a database already at `HEAD` reads the
revision with one SELECT instead (`current_revision`), so it never loads it.
"""

from __future__ import annotations

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
    """Bring the database at `database_url` to the latest schema (`alembic upgrade head`)."""
    from alembic import command

    command.upgrade(alembic_config(database_url), "head")


def head_revision() -> str | None:
    """The newest revision shipped with this version of okr-bot, as Alembic reads the scripts."""
    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


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


def pending(database_url: str) -> bool:
    """True when the database is not at the newest revision."""
    return current_revision(database_url) != HEAD


class PendingMigrationsError(RuntimeError):
    """PostgreSQL is behind the code's schema; an admin runs `okr-bot db upgrade` once."""


def prepare_database(database_url: str) -> None:
    """Apply pending migrations on SQLite (one host); on PostgreSQL, refuse to start behind.

    Replicas starting at once must not race schema changes on a shared server, so there the
    upgrade is an explicit step.
    """
    if not pending(database_url):
        return
    if make_url(normalise_url(database_url)).get_backend_name() == "sqlite":
        upgrade(database_url)
    else:
        raise PendingMigrationsError(
            "the database schema is behind this version: run `okr-bot db upgrade` first"
        )
