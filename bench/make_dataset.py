"""Build the benchmark company into SQLite (default bench/results/okr-10k.db) or PostgreSQL.

    .venv/bin/python bench/make_dataset.py --people 10000 [--seed 1] [--database-url URL]

The database is emptied first (okr-bot's tables only), migrated with storage.migrate.upgrade,
then filled with bulk inserts (SQLAlchemy Core executemany, in chunks) in one transaction.
The same seed and --as-of date always give the same rows.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import Date, Table, Time, inspect, text
from sqlalchemy.engine import Connection, Engine

from bench import benchlib
from bench.company import Spec, generate
from storage import models
from storage.db import make_engine
from storage.migrate import upgrade
from storage.types import UTCDateTime


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--people", type=int, default=10_000, help="people (default 10000)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    parser.add_argument("--database-url", default=None,
                        help="SQLite or PostgreSQL URL (default sqlite:///bench/results/okr-10k.db)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=None,
                        help="the day the data leads up to (default: today, UTC)")
    parser.add_argument("--team-size", type=int, default=8, help="average team size (default 8)")
    parser.add_argument("--weeks", type=int, default=12, help="weeks of check-ins (default 12)")
    return parser.parse_args(argv)


def reset(url: str) -> None:
    """Drop okr-bot's tables (and Alembic's version row), then migrate to head."""
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            existing = set(inspect(conn).get_table_names())
            for table in reversed(models.metadata.sorted_tables):
                if table.name in existing:
                    table.drop(conn)
            if "alembic_version" in existing:
                conn.execute(text("DROP TABLE alembic_version"))
    finally:
        engine.dispose()
    upgrade(url)


def load(engine: Engine, spec: Spec) -> Counter[str]:
    """Insert the company in one transaction; returns the row count per table.

    Rows go in through the driver in chunks (SQL built from the Core table), with values
    converted once here rather than by SQLAlchemy's per-value bind processors: on SQLite an
    executemany, on PostgreSQL many rows a statement (psycopg2's executemany is a round trip
    a row).
    """
    counts: Counter[str] = Counter()
    tables = models.metadata.tables
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        for name, rows in generate(spec):
            table = tables[name]
            columns = list(rows[0])
            quoted = ", ".join(f'"{c}"' for c in columns)
            values = _tuples(table, columns, rows, sqlite)
            if sqlite:
                marks = ", ".join(["?"] * len(columns))
                conn.exec_driver_sql(f'INSERT INTO "{name}" ({quoted}) VALUES ({marks})', values)
            else:
                _insert_many_values(conn, f'INSERT INTO "{name}" ({quoted}) VALUES ', values)
            counts[name] += len(rows)
        if not sqlite:
            # Ids were given explicitly: move each sequence past them.
            for name in counts:
                if "id" in tables[name].c and tables[name].c.id.autoincrement:
                    conn.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT max(id) FROM \"{name}\"))"))
        if not sqlite:
            # What autovacuum would do soon after a bulk load; SQLite gets no statistics, as
            # okr-bot never runs ANALYZE there (its planner works from heuristics alone).
            conn.execute(text("ANALYZE"))
    return counts


def _insert_many_values(conn: Connection, insert: str, values: list[tuple[Any, ...]]) -> None:
    """`values` after `insert` ("INSERT INTO t (…) VALUES "), about 20,000 values a statement."""
    width = len(values[0])
    row = "(" + ", ".join(["%s"] * width) + ")"
    per = max(1, 20_000 // width)
    for start in range(0, len(values), per):
        part = values[start:start + per]
        conn.exec_driver_sql(insert + ", ".join([row] * len(part)),
                             tuple(value for each in part for value in each))


def _tuples(table: Table, columns: list[str], rows: list[dict[str, Any]],
            sqlite: bool) -> list[tuple[Any, ...]]:
    """`rows` as tuples in `columns` order, in the form SQLAlchemy's SQLite processors store
    (PostgreSQL's driver takes the Python values as they are)."""
    values = list(map(itemgetter(*columns), rows))
    convert = [(i, f) for i, c in enumerate(columns)
               if (f := _converter(table.c[c].type)) is not None] if sqlite else []
    if not convert:
        return values
    out = []
    for row in values:
        mutable = list(row)
        for i, f in convert:
            if mutable[i] is not None:
                mutable[i] = f(mutable[i])
        out.append(tuple(mutable))
    return out


def _utc_text(value: datetime) -> str:
    """An aware UTC datetime as SQLAlchemy stores it in SQLite (naive, microseconds)."""
    if value.utcoffset():
        value = value.astimezone(UTC)
    return value.isoformat(" ", "microseconds")[:26]


def _converter(column_type: Any) -> Callable[[Any], Any] | None:
    if isinstance(column_type, UTCDateTime):
        return _utc_text
    if isinstance(column_type, Time):
        return lambda v: v.isoformat("microseconds")
    if isinstance(column_type, Date):
        return lambda v: v.isoformat()
    return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url
    if url is None:
        benchlib.RESULTS.mkdir(parents=True, exist_ok=True)
        name = "okr-10k.db" if args.people == 10_000 else f"okr-{args.people}.db"
        path = benchlib.RESULTS / name
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        url = benchlib.sqlite_url(path)
    spec = Spec(people=args.people, seed=args.seed, team_size=args.team_size, weeks=args.weeks,
                as_of=args.as_of or datetime.now(UTC).date())
    started = time.perf_counter()
    reset(url)
    migrated = time.perf_counter()
    engine = make_engine(url)
    try:
        counts = load(engine, spec)
    finally:
        engine.dispose()
    done = time.perf_counter()
    benchlib.print_header("make_dataset: the benchmark company", [url])
    print(f"spec: {spec.people} people, seed {spec.seed}, as of {spec.as_of}, "
          f"teams of ~{spec.team_size}, {spec.weeks} weeks of check-ins\n")
    rows = [(name, counts[name]) for name in sorted(counts)]
    rows.append(("total", sum(counts.values())))
    print(benchlib.table(["table", "rows"], rows))
    print()
    print(benchlib.table(["step", "seconds"], [
        ("reset + migrate", migrated - started),
        ("generate + insert (+ ANALYZE on PostgreSQL)", done - migrated),
        ("total", done - started),
    ]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
