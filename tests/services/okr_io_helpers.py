"""Helpers for the OKR file import/export tests: the example file, row dumps, a second database."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import make_url, select, text

from storage import models
from storage.db import Database, make_engine
from storage.migrate import upgrade

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "okrs.yaml"


def table_counts(db: Database) -> dict[str, int]:
    """Rows per table."""
    with db.read() as session:
        return {
            t.name: len(session.execute(select(t)).all()) for t in models.metadata.sorted_tables
        }


def table_dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in primary-key order: equal dumps mean equal contents."""
    dump: dict[str, list[tuple[Any, ...]]] = {}
    with db.read() as session:
        for table in models.metadata.sorted_tables:
            query = select(table).order_by(*table.primary_key.columns)
            dump[table.name] = [tuple(row) for row in session.execute(query)]
    return dump


@contextmanager
def second_database(tmp_path: Path) -> Iterator[Database]:
    """Another empty, migrated database on the same backend as the `db` fixture."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        url = f"sqlite:///{tmp_path / 'second.db'}"
        upgrade(url)
        database = Database(make_engine(url))
        yield database
        database.dispose()
        return
    name = f"okr_io_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    upgrade(url)
    database = Database(make_engine(url))
    try:
        yield database
    finally:
        database.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.engine.dispose()
