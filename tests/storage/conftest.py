"""Storage fixtures: a never-migrated database, and a SQLite database whatever the backend."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

from storage.db import Database, make_engine


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """URL of a database with no tables: a new SQLite file, or a new PostgreSQL database on the
    TEST_DATABASE_URL server (dropped afterwards)."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        yield f"sqlite:///{tmp_path / 'empty.db'}"
        return
    name = f"okr_scratch_{uuid.uuid4().hex[:12]}"
    admin = make_engine(server).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.engine.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path, _sqlite_schema: Path) -> Iterator[Database]:
    """A migrated SQLite database, also when the suite runs on PostgreSQL."""
    path = tmp_path / "sqlite.db"
    shutil.copyfile(_sqlite_schema, path)
    database = Database(make_engine(f"sqlite:///{path}"))
    yield database
    database.dispose()
