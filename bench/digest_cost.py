"""What one team's digest costs as the team grows, and what every team's digest costs.

    .venv/bin/python bench/digest_cost.py [--database-url URL] [--sizes 5,50,500] [--limit N]

Part 1 builds a small company with one team of each size in `--sizes` (bench/company.py: every
member has ~3 Objectives of ~3 KRs and 12 weeks of check-ins) into a scratch SQLite file, or
into `--scratch-url` (a PostgreSQL database this benchmark may empty), and times
`build_digest` + `render_digest` for each team, counting SQL statements with a
`before_cursor_execute` listener: the count must not grow with the team. Part 2 builds and
renders the digest of every team of the data set at `--database-url` (the 10,000-person
company by default) and reports the total.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func
from sqlmodel import col, select

from bench import benchlib, make_dataset
from bench.company import Spec
from bot.clock import FakeClock
from bot.digest_render import render_digest
from bot.rendering import Renderer
from bot.services.digest.builder import build_digest
from storage.db import Database, make_engine
from storage.models import Team, TeamMember


@dataclass
class Cost:
    team: str
    members: int
    statements: int
    build_ms: float
    render_ms: float
    messages: int


class Counter:
    """SQL statements sent through an engine (every statement, BEGIN included)."""

    def __init__(self, db: Database) -> None:
        self.count = 0
        for engine in db.engines:
            event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, *_: Any) -> None:
        self.count += 1


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=benchlib.sqlite_url(benchlib.DEFAULT_SQLITE),
                        help="the company for part 2 (default: the SQLite 10k data set)")
    parser.add_argument("--scratch-url", default=None,
                        help="where part 1 builds its teams (default: a temporary SQLite file)")
    parser.add_argument("--sizes", default="5,50,500", help="team sizes of part 1")
    parser.add_argument("--repeat", type=int, default=3, help="best of N in part 1 (default 3)")
    parser.add_argument("--limit", type=int, default=None,
                        help="part 2: only the first N teams (default: all)")
    parser.add_argument("--skip-all", action="store_true", help="part 1 only")
    return parser.parse_args(argv)


def digest_cost(db: Database, counter: Counter, renderer: Renderer, team_id: int, name: str,
                members: int, end: datetime) -> Cost:
    clock = FakeClock(end)
    before = counter.count
    started = time.perf_counter()
    view = build_digest(db, clock, team_id, period_start=end - timedelta(days=14),
                        period_end=end)
    built = time.perf_counter()
    pages = render_digest(renderer, view, view.locale(renderer.default_locale))
    rendered = time.perf_counter()
    return Cost(name, members, counter.count - before, (built - started) * 1000,
                (rendered - built) * 1000, len(pages))


def teams_with_sizes(db: Database) -> list[tuple[int, str, int]]:
    with db.read() as session:
        rows = session.exec(
            select(Team.id, Team.name, func.count(col(TeamMember.person_id)))
            .outerjoin(TeamMember, col(TeamMember.team_id) == col(Team.id))
            .group_by(col(Team.id), col(Team.name)).order_by(col(Team.id)))
        return [(tid, name, n) for tid, name, n in rows if tid is not None]


def part_one(args: argparse.Namespace, end: datetime) -> list[Cost]:
    sizes = tuple(int(n) for n in args.sizes.split(","))
    scratch = None
    url = args.scratch_url
    if url is None:
        scratch = Path(tempfile.mkdtemp(prefix="okr-digest-"))
        url = benchlib.sqlite_url(scratch / "teams.db")
    make_dataset.reset(url)
    engine = make_engine(url)
    make_dataset.load(engine, Spec(people=sum(sizes), team_sizes=sizes, as_of=end.date()))
    db = Database(engine)
    counter, renderer = Counter(db), Renderer()
    costs = []
    try:
        for team_id, name, members in teams_with_sizes(db):
            if members not in sizes or "Acme" in name:
                continue
            runs = [digest_cost(db, counter, renderer, team_id, name, members, end)
                    for _ in range(args.repeat)]
            best = min(runs, key=lambda c: c.build_ms + c.render_ms)
            costs.append(best)
    finally:
        db.dispose()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return sorted(costs, key=lambda c: c.members)


def part_two(args: argparse.Namespace, end: datetime) -> tuple[list[Cost], float]:
    db = Database(make_engine(args.database_url))
    counter, renderer = Counter(db), Renderer()
    teams = teams_with_sizes(db)[: args.limit]
    started = time.perf_counter()
    try:
        costs = [digest_cost(db, counter, renderer, tid, name, n, end) for tid, name, n in teams]
    finally:
        db.dispose()
    return costs, time.perf_counter() - started


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    urls = [args.database_url] if not args.skip_all else []
    benchlib.print_header("digest_cost: one digest as the team grows; every team's digest",
                          urls + ([args.scratch_url] if args.scratch_url else []))
    end = datetime.now(UTC).replace(microsecond=0)
    print(f"period: the 14 days before {end.isoformat()}; load average "
          f"{Path('/proc/loadavg').read_text().split()[:3]}\n", flush=True)
    costs = part_one(args, end)
    print("Part 1: one team's digest (best of "
          f"{args.repeat}; scratch: {args.scratch_url or 'temporary SQLite file'})")
    print(benchlib.table(["team", "members", "SQL statements", "build ms", "render ms",
                          "messages"],
                         [(c.team, c.members, c.statements, c.build_ms, c.render_ms, c.messages)
                          for c in costs]))
    counts = {c.statements for c in costs}
    print(f"statements per digest: {sorted(counts)} → "
          f"{'constant' if len(counts) == 1 else 'GROWS with the team'}\n", flush=True)
    if args.skip_all:
        return 0 if len(counts) == 1 else 1
    every, seconds = part_two(args, end)
    builds = [c.build_ms for c in every]
    renders = [c.render_ms for c in every]
    statements = [c.statements for c in every]
    print(f"Part 2: every team's digest at {benchlib.describe_url(args.database_url)}")
    print(benchlib.table(
        ["teams", "total s", "mean build ms", "p95 build ms", "mean render ms", "max members",
         "statements per digest (min–max)", "messages (max)"],
        [(len(every), seconds, statistics.fmean(builds), benchlib.percentile(builds, 95),
          statistics.fmean(renders), max(c.members for c in every),
          f"{min(statements)}–{max(statements)}", max(c.messages for c in every))]))
    print(f"\nload average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    return 0 if len(counts) == 1 else 1


if __name__ == "__main__":
    sys.exit(main())
