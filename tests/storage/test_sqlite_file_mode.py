"""A SQLite database, its WAL and its shared-memory file are readable by their owner only."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import upgrade


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The usual 022: files would be created readable by every local user."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _modes(path: Path) -> dict[str, int]:
    return {p.name: stat.S_IMODE(p.stat().st_mode)
            for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()}


def test_a_new_database_and_its_wal_are_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "okr.db"
    engine = make_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x TEXT)"))
            conn.execute(text("INSERT INTO t VALUES ('a')"))
        modes = _modes(path)
    finally:
        engine.dispose()
    assert set(modes) == {"okr.db", "okr.db-wal", "okr.db-shm"}
    assert set(modes.values()) == {0o600}


def test_migrating_a_new_database_creates_it_private(tmp_path: Path, open_umask: None) -> None:
    path = tmp_path / "migrated.db"
    upgrade(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_database_readable_by_others_is_made_private(
    tmp_path: Path, open_umask: None
) -> None:
    path = tmp_path / "old.db"
    path.touch(mode=0o644)
    path.chmod(0o644)
    make_engine(f"sqlite:///{path}").dispose()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
