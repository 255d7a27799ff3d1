"""Database.write(): one transaction that commits or leaves nothing, and on SQLite one that
concurrent read-then-write callers can all complete."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from bot.clock import FakeClock
from storage.db import Database
from storage.models import Person


class _Boom(Exception):
    pass


def test_write_rolls_back_everything_when_the_block_raises(db: Database, clock: FakeClock) -> None:
    now = clock.now()
    with pytest.raises(_Boom), db.write() as session:
        session.add(Person(slack_user_id="UANA", name="Ana", created_at=now, updated_at=now))
        session.flush()  # the row reached the database inside the transaction
        raise _Boom

    with db.read() as session:
        assert session.exec(select(Person)).all() == []


def test_write_commits_when_the_block_ends(db: Database, clock: FakeClock) -> None:
    now = clock.now()
    with db.write() as session:
        session.add(Person(slack_user_id="UANA", name="Ana", created_at=now, updated_at=now))

    with db.read() as session:
        assert session.exec(select(Person.slack_user_id)).all() == ["UANA"]


def test_concurrent_read_then_write_transactions_all_succeed_on_sqlite(
    sqlite_db: Database, clock: FakeClock
) -> None:
    """Each transaction reads the row count, then inserts person number `count`. With a deferred
    BEGIN two of them read together and one fails with "database is locked"; with BEGIN
    IMMEDIATE they queue, and none reads a stale count (which would break slack_user_id's
    UNIQUE)."""
    threads, rounds = 4, 25
    start = threading.Barrier(threads)
    now = clock.now()

    def work(_: int) -> None:
        start.wait()
        for _round in range(rounds):
            with sqlite_db.write() as session:
                count = session.exec(select(func.count()).select_from(Person)).one()
                session.add(
                    Person(slack_user_id=f"U{count}", name="x", created_at=now, updated_at=now)
                )

    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(work, range(threads)))

    with sqlite_db.read() as session:
        ids = set(session.exec(select(Person.slack_user_id)).all())
    assert ids == {f"U{n}" for n in range(threads * rounds)}


def test_postgresql_reads_run_each_statement_on_its_own_and_writes_in_one_transaction(
    db: Database,
) -> None:
    """At READ COMMITTED a statement reads its own snapshot inside a transaction too, so a
    PostgreSQL read runs in autocommit (no BEGIN and ROLLBACK round trips); a write stays one
    transaction. SQLite keeps its reads in one deferred transaction (one snapshot)."""
    if not db.is_postgres:
        with db.read() as session:
            session.exec(select(Person)).all()
            assert session.connection().connection.dbapi_connection.in_transaction
        return
    transaction = text("SELECT txid_current()")
    with db.read() as session:
        first, second = (session.execute(transaction).scalar() for _ in range(2))
    assert first != second
    with db.write() as session:
        first, second = (session.execute(transaction).scalar() for _ in range(2))
    assert first == second
