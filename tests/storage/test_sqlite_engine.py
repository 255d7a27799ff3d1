"""make_engine's SQLite connections carry the settings RELIABILITY.md §17 asks for."""

from __future__ import annotations

from pathlib import Path

from storage.db import SQLITE_BUSY_TIMEOUT_MS, make_engine


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
