"""make_engine's SQLite connections carry the settings RELIABILITY.md §17 asks for, and a
process's writers to one file take turns."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy.exc import OperationalError

from storage.db import SQLITE_BUSY_TIMEOUT_MS, Database, make_engine


def test_sqlite_connection_has_wal_foreign_keys_busy_timeout_and_full_sync(
    tmp_path: Path,
) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as conn:
            pragmas = {
                name: conn.exec_driver_sql(f"PRAGMA {name}").scalar_one()
                for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous")
            }
    finally:
        engine.dispose()

    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "busy_timeout": SQLITE_BUSY_TIMEOUT_MS,
        "synchronous": 2,  # FULL
    }


def test_statement_timeout_sets_the_sqlite_busy_timeout(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'timeout.db'}", statement_timeout_ms=750)
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one() == 750
    finally:
        engine.dispose()


def _counter_db(path: Path, timeout_ms: int) -> Database:
    db = Database(make_engine(f"sqlite:///{path}", statement_timeout_ms=timeout_ms))
    with db.write() as session:
        session.connection().exec_driver_sql("CREATE TABLE IF NOT EXISTS counter (n INTEGER)")
    return db


def test_writers_of_one_process_take_turns_and_none_is_refused(tmp_path: Path) -> None:
    """Two Database objects on one file (the app and the sender, say) share the queue: 16
    writers, each holding the lock 30 ms, all get in within a 1 s timeout."""
    first, second = (_counter_db(tmp_path / "queue.db", 1000) for _ in range(2))

    def write(db: Database) -> None:
        with db.write() as session:
            session.connection().exec_driver_sql("INSERT INTO counter VALUES (1)")
            time.sleep(0.03)

    try:
        with ThreadPoolExecutor(16) as pool:
            done = list(pool.map(write, [first, second] * 8))
        with first.read() as session:
            rows = session.connection().exec_driver_sql("SELECT count(*) FROM counter").one()
    finally:
        first.dispose()
        second.dispose()
    assert (len(done), rows[0]) == (16, 16)


def test_a_writer_queued_past_its_timeout_is_told_the_database_is_locked(tmp_path: Path) -> None:
    db = _counter_db(tmp_path / "locked.db", 200)
    holding, release = threading.Event(), threading.Event()

    def hold() -> None:
        with db.write() as session:
            session.connection().exec_driver_sql("INSERT INTO counter VALUES (1)")
            holding.set()
            release.wait(5)

    holder = threading.Thread(target=hold)
    holder.start()
    try:
        assert holding.wait(5)
        with pytest.raises(OperationalError, match="database is locked"), db.write() as session:
            session.connection().exec_driver_sql("INSERT INTO counter VALUES (2)")
        release.set()
        holder.join()
        with db.write() as session:
            session.connection().exec_driver_sql("INSERT INTO counter VALUES (3)")
        with db.read() as session:
            values = [r[0] for r in session.connection().exec_driver_sql(
                "SELECT n FROM counter ORDER BY n")]
    finally:
        release.set()
        db.dispose()
    assert values == [1, 3]
