"""Engines and transactions for SQLite and PostgreSQL.

SQLite runs in WAL mode with foreign keys on and a busy timeout; every write transaction
starts with `BEGIN IMMEDIATE`, because a read-then-write transaction under WAL otherwise fails
at once with "database is locked" whatever the timeout (RELIABILITY.md §17). SQLite has one
writer: a process's writers to a file queue for it on a lock first, in order, because SQLite's
own busy wait sleeps up to 100 ms between tries and lets a waiter lose to newcomers until its
timeout (1 check-in in 30 refused at 10 concurrent clients, bench/latency.py).

Errors keep people's words out of the logs: engines hide SQL parameters, and a driver message's
lines after the first (PostgreSQL's "DETAIL: Failing row contains (…)") are dropped. A SQLite
file is created readable by its owner only; its WAL and shared-memory files take its mode.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import os
import sqlite3
import stat
import threading
import weakref
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Insert,
    Table,
    Text,
    Update,
    bindparam,
    cast,
    column,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Engine, Result, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql.expression import Executable
from sqlmodel import Session, create_engine

SQLITE_BUSY_TIMEOUT_MS = 5000
PRIVATE_MODE = 0o600
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class _WriterQueue:
    """The lock a process's writers to one SQLite file take in turn, and how long one waits."""

    lock: threading.RLock
    timeout_s: float


_FILE_LOCKS: dict[str, threading.RLock] = {}
_FILE_LOCKS_GUARD = threading.Lock()
_WRITER_QUEUES: weakref.WeakKeyDictionary[Engine, _WriterQueue] = weakref.WeakKeyDictionary()
# A PostgreSQL engine's twin for `Database.read()`: the same settings, in autocommit.
_READERS: weakref.WeakKeyDictionary[Engine, Engine] = weakref.WeakKeyDictionary()


def _writer_queue(path: str, timeout_ms: int) -> _WriterQueue:
    with _FILE_LOCKS_GUARD:
        lock = _FILE_LOCKS.setdefault(path, threading.RLock())
    return _WriterQueue(lock, timeout_ms / 1000)


def _forget_locks() -> None:
    """In a forked child: a lock some parent thread held would stay held forever. The child
    builds engines of its own (they don't cross forks); the parent's fall back to SQLite's wait."""
    global _FILE_LOCKS_GUARD
    _FILE_LOCKS_GUARD = threading.Lock()
    _FILE_LOCKS.clear()
    _WRITER_QUEUES.clear()


os.register_at_fork(after_in_child=_forget_locks)


def normalise_url(url: str) -> str:
    """Use psycopg2 for a bare `postgresql://` URL. psycopg 3 lets go of the interpreter around
    each of its calls into libpq (seven or more a statement), psycopg2 once a statement, around
    its exchange with the server: among a server's threads each letting go is a handoff of the
    GIL (bench/README.md, thirteenth run)."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    return parsed.render_as_string(hide_password=False)


def keep_words_out_of_errors(engine: Engine) -> Engine:
    """Cut a driver error's message to its first line (the cause, without the failing row).

    With `hide_parameters=True` on the engine, no logged error then holds what people wrote.
    """

    @event.listens_for(engine, "handle_error")
    def _first_line_only(context: Any) -> None:
        original = context.original_exception
        text_lines = str(original).split("\n", 1)
        if len(text_lines) == 1:
            return
        original.args = (text_lines[0],)
        wrapped = context.sqlalchemy_exception
        if wrapped is not None:
            kind = type(original)
            wrapped.args = (f"({kind.__module__}.{kind.__name__}) {text_lines[0]}",)

    return engine


_SQLITE_UNAVAILABLE = ("database is locked", "database table is locked",
                       "database or disk is full", "disk I/O error",
                       "unable to open database file", "attempt to write a readonly database")


def conflict_insert(session: Session, table: Any) -> Any:
    """An INSERT into `table` that can say ON CONFLICT (`on_conflict_do_nothing`), in the dialect
    of `session`'s database: PostgreSQL's or SQLite's. Only the dialect in use is imported (a
    process never loads the other's module)."""
    dialect = session.get_bind().dialect.name
    return importlib.import_module(f"sqlalchemy.dialects.{dialect}").insert(table)


def run_core(session: Session, statement: Executable,
             params: dict[str, Any] | list[dict[str, Any]] | None = None
             ) -> Result[*tuple[Any, ...]]:
    """Run a Core statement — a select of columns, an insert or update of plain values (a list
    of `params` runs it once per row) — on `session`'s connection, in its transaction. The
    ORM's handling of a statement costs about 45 µs and does nothing for plain rows
    (bench/README.md, tenth run). Pending changes of `session` are flushed first, as its
    autoflush would. Take a select's rows with `.all()`: one fetch, not one per row."""
    session.flush()
    return session.connection().execute(statement, params)


def insert_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Insert `rows` (the same columns in each; nothing when empty) into `table` in one
    statement and one round trip. On PostgreSQL the rows go as one JSON parameter, `INSERT …
    SELECT FROM json_to_recordset(…)`: one statement text whatever the number of rows, so
    SQLAlchemy compiles it once, and `json` encodes it in C (an executemany was a round trip or
    more per row, each a handoff of the interpreter between request threads; a VALUES list, a
    new text per call; bench/README.md, thirteenth run). On SQLite an executemany stays in
    process."""
    if not rows:
        return
    if _on_postgres(session):
        run_core(session, _insert_given(table, tuple(rows[0])), _given_rows(rows))
    else:
        run_core(session, insert(table), list(map(dict, rows)))


def update_rows(session: Session, table: Table, rows: Sequence[Mapping[str, Any]], *,
                key: str = "id") -> None:
    """Give the row of `table` whose `key` column is `row[key]` the other values of each of
    `rows` (the same columns in each; nothing when empty), in one statement: on PostgreSQL
    `UPDATE … FROM json_to_recordset(…)`, on SQLite an executemany (`insert_rows` says why)."""
    if not rows:
        return
    names = tuple(name for name in rows[0] if name != key)
    if _on_postgres(session):
        run_core(session, _update_given(table, key, names), _given_rows(rows))
    else:
        run_core(session, _update_by_key(table, key),
                 [{name: row[name] for name in names} | {"row_key": row[key]} for row in rows])


def _on_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def _given_rows(rows: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    return {"given_rows": json.dumps(rows, default=_json_value, ensure_ascii=False)}


def _json_value(value: Any) -> str:
    """A date or time as ISO text; a datetime in UTC, refused when naive, as every datetime
    column's `UTCDateTime` refuses it on the other paths."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not written as JSON")


def _given(table: Table, names: Sequence[str]) -> Any:
    """The JSON parameter `given_rows` read as a table of `names`, typed as `table`'s columns."""
    return (func.json_to_recordset(cast(bindparam("given_rows", type_=Text), JSON))
            .table_valued(*(column(name, table.c[name].type) for name in names))
            .render_derived(name="given", with_types=True))


@functools.cache
def _insert_given(table: Table, names: tuple[str, ...]) -> Insert:
    given = _given(table, names)
    return insert(table).from_select(names, select(*(given.c[name] for name in names)))


@functools.cache
def _update_given(table: Table, key: str, names: tuple[str, ...]) -> Update:
    given = _given(table, (key, *names))
    return (update(table).where(table.c[key] == given.c[key])
            .values({name: given.c[name] for name in names}))


@functools.cache
def _update_by_key(table: Table, key: str) -> Update:
    return update(table).where(table.c[key] == bindparam("row_key"))


def is_unavailable(error: BaseException) -> bool:
    """Whether `error` says the database cannot serve right now (locked, full, unreachable,
    too slow) rather than that the request or the schema is wrong: worth a retry later."""
    if isinstance(error, PoolTimeoutError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.orig
    if isinstance(cause, sqlite3.OperationalError):
        return str(cause).startswith(_SQLITE_UNAVAILABLE)
    # The PostgreSQL driver's OperationalError: connection (08), resources such as a full disk (53),
    # operator intervention and statement timeouts (57), lock not available (55P03)
    return True


def private_sqlite_file(url: str) -> None:
    """Create the SQLite file of `url` with mode 0600 (SQLite gives its WAL and shared-memory
    files the database's mode), or take group and others' access away from an existing one."""
    database = make_url(url).database
    if make_url(url).get_backend_name() != "sqlite" or database in (None, "", ":memory:"):
        return
    path = Path(database)
    try:
        os.close(os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_MODE))
        for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
            if each.exists() and stat.S_IMODE(each.stat().st_mode) & 0o077:
                each.chmod(stat.S_IMODE(each.stat().st_mode) & 0o700)
    except FileNotFoundError:  # its directory does not exist: SQLite says so, in one line
        return
    except OSError as error:  # e.g. another user's file
        logger.warning("could not make the SQLite file private: %s", error.strerror)


def make_engine(
    url: str, *, statement_timeout_ms: int | None = None, pool_size: int = 5, echo: bool = False
) -> Engine:
    """Create an engine with the settings okr-bot relies on for `url`'s database."""
    url = normalise_url(url)
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        return _with_our_events(_sqlite_engine(url, statement_timeout_ms, pool_size, echo))
    engine = _with_our_events(_postgres_engine(url, statement_timeout_ms, pool_size, echo))
    _READERS[engine] = _with_our_events(_postgres_engine(
        url, statement_timeout_ms, pool_size, echo, isolation_level="AUTOCOMMIT"))
    return engine


def _with_our_events(engine: Engine) -> Engine:
    """`engine`, counting its connections per thread and keeping words out of its errors."""
    _count_connections(engine)
    return keep_words_out_of_errors(engine)


_threads_connections = threading.local()


def connections_held() -> int:
    """How many pooled connections this thread has checked out and not returned (bot/turns.py:
    a thread holding one must not wait for a thread that may be waiting for it)."""
    held: int = getattr(_threads_connections, "count", 0)
    return held


def _count_connections(engine: Engine) -> None:
    @event.listens_for(engine, "checkout")
    def _out(*_: Any) -> None:
        _threads_connections.count = connections_held() + 1

    @event.listens_for(engine, "checkin")
    def _in(*_: Any) -> None:  # a connection collected on another thread: never below 0
        _threads_connections.count = max(connections_held() - 1, 0)


def _postgres_engine(
    url: str, statement_timeout_ms: int | None, pool_size: int, echo: bool, **options: Any
) -> Engine:
    connect_args: dict[str, Any] = {}
    if statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={statement_timeout_ms}"
    return create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        pool_pre_ping=True,
        pool_size=pool_size,
        max_overflow=pool_size,
        connect_args=connect_args,
        **options,
    )


def _sqlite_engine(url: str, busy_timeout_ms: int | None, pool_size: int, echo: bool) -> Engine:
    in_memory = make_url(url).database in (None, "", ":memory:")
    timeout = busy_timeout_ms or SQLITE_BUSY_TIMEOUT_MS
    # A file database keeps its connections: opening one costs four PRAGMAs and closing it a
    # WAL check, about 1 ms per transaction (bench/latency.py). In memory, SQLAlchemy's default.
    pool: dict[str, Any] = {} if in_memory else {
        "poolclass": QueuePool, "pool_size": pool_size, "max_overflow": pool_size}
    private_sqlite_file(url)
    engine = create_engine(
        url,
        echo=echo,
        hide_parameters=True,
        # The driver's own busy wait (5 s by default) applies until the PRAGMA below: a locked
        # file would hold a request that long while connecting (test_database_outage.py).
        connect_args={"check_same_thread": False, "timeout": timeout / 1000},
        **pool,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (pysqlite's own is deferred).
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(timeout)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")

    if not in_memory:
        _WRITER_QUEUES[engine] = _writer_queue(os.path.realpath(str(make_url(url).database)),
                                               timeout)
    return engine


@dataclass(frozen=True)
class Database:
    """The session factory: `read()` for queries, `write()` for one committed transaction."""

    engine: Engine

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @property
    def engines(self) -> tuple[Engine, ...]:
        """Every engine its sessions run on: `engine`, and on PostgreSQL its reader."""
        reader = _READERS.get(self.engine)
        return (self.engine,) if reader is None else (self.engine, reader)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries. On PostgreSQL its statements run in autocommit: at READ
        COMMITTED each statement reads its own snapshot inside a transaction too, so BEGIN and
        ROLLBACK were two round trips that bought nothing (bench/README.md, fourteenth run)."""
        with Session(_READERS.get(self.engine, self.engine), expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One transaction that commits on success and rolls back on any exception."""
        queue = _WRITER_QUEUES.get(self.engine)
        if queue is None:
            with self._transaction() as session:
                yield session
            return
        if not queue.lock.acquire(timeout=queue.timeout_s):
            raise OperationalError("BEGIN IMMEDIATE", None,
                                   sqlite3.OperationalError("database is locked"))
        try:
            with self._transaction() as session:
                yield session
        finally:
            queue.lock.release()

    @contextmanager
    def _transaction(self) -> Iterator[Session]:
        bind = self.engine.execution_options(sqlite_begin="IMMEDIATE")
        with Session(bind, expire_on_commit=False) as session, session.begin():
            yield session

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:
            return False
        return True

    def writable(self) -> bool:
        """True when a write commits within the engine's timeouts: the schema's version row is
        rewritten as it is (a real write, changing nothing). A read-only server, a full disk or
        a writer holding the lock past the timeout make it False."""
        try:
            with self.write() as session:
                session.execute(text("UPDATE alembic_version SET version_num = version_num"))
        except Exception:
            return False
        return True

    def dispose(self) -> None:
        for engine in self.engines:
            engine.dispose()
