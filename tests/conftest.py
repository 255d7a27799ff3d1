"""Shared fixtures: a real database (SQLite file, or PostgreSQL when TEST_DATABASE_URL is set)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.clock import FakeClock
from storage import models
from storage.db import Database, make_engine
from storage.migrate import upgrade

PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture(scope="session")
def _pg_schema() -> Iterator[str | None]:
    """Migrate the PostgreSQL test database once per session (fresh schema)."""
    if not PG_URL:
        yield None
        return
    engine = make_engine(PG_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    upgrade(PG_URL)
    yield PG_URL


@pytest.fixture(scope="session")
def _sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per session; each test gets a copy (migrating costs ~90 ms)."""
    path = tmp_path_factory.mktemp("schema") / "okr.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture
def database_url(tmp_path: Path, _pg_schema: str | None, _sqlite_schema: Path) -> Iterator[str]:
    """URL of an empty, migrated database for one test."""
    if _pg_schema is None:
        path = tmp_path / "okr.db"
        shutil.copyfile(_sqlite_schema, path)
        yield f"sqlite:///{path}"
        return
    yield _pg_schema
    engine = make_engine(_pg_schema)
    # The model tables only: alembic_version keeps saying the schema is at head.
    tables = ", ".join(f'"{t.name}"' for t in models.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(make_engine(database_url))
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    """Monday 2026-11-30 09:00 UTC, moved only by the test."""
    return FakeClock(datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
