"""`okr-bot status`: the outbox at a glance: rows by kind and state, what is next, last errors."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.clock import Clock, SystemClock
from bot.domain import slots
from bot.services.schedules.planner import rhythm_of
from bot.settings import load_settings
from storage.db import Database, make_engine
from storage.models import DELIVERY_STATES
from storage.queries import schedules as q

LOOKAHEAD = timedelta(days=15)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "status", help="show the outbox: messages by state, the next slots, the last errors"
    )
    parser.add_argument("--errors", type=int, default=10, metavar="N",
                        help="how many recent errors to show (default 10)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    db = Database(make_engine(settings.database_url))
    try:
        print(report(db, SystemClock(), errors=args.errors))
    finally:
        db.dispose()
    return 0


def report(db: Database, clock: Clock, *, errors: int = 10) -> str:
    """The status report as text."""
    now = clock.now()
    with db.read() as session:
        counts = q.counts_by_kind_and_status(session=session)
        upcoming = q.next_pending(session=session, limit=10)
        failures = q.last_errors(session=session, limit=errors)
        teams = q.scheduled_teams(session=session)
    lines = ["Outbox", _table(counts), "", "Next in the outbox"]
    lines += [f"  {_when(r.next_attempt_at)}  {r.dedupe_key} ({r.status}, attempts {r.attempts})"
              for r in upcoming] or ["  nothing waiting"]
    lines += ["", "Next scheduled slots"]
    for team, schedule in teams:
        lines.append(f"  {team.name}: {_next_slots(schedule, now)}")
    if not teams:
        lines.append("  no team has a schedule")
    lines += ["", "Last errors"]
    lines += [f"  {_when(r.next_attempt_at)}  {r.dedupe_key} {r.status} after {r.attempts} "
              f"attempt(s): {r.last_error or '?'}" for r in failures] or ["  none"]
    return "\n".join(lines)


def _table(counts: dict[tuple[str, str], int]) -> str:
    kinds = sorted({kind for kind, _ in counts})
    width = max([len(k) for k in kinds] + [8])
    header = "  " + "kind".ljust(width) + "".join(s.rjust(11) for s in DELIVERY_STATES)
    rows = ["  " + kind.ljust(width) + "".join(str(counts.get((kind, s), 0)).rjust(11)
                                              for s in DELIVERY_STATES) for kind in kinds]
    return "\n".join([header, *rows]) if rows else "  empty"


def _next_slots(schedule: Any, now: datetime) -> str:
    try:
        rhythm = rhythm_of(schedule)
    except ValueError as exc:
        return f"schedule cannot be read: {exc}"
    checkins = slots.checkin_slots(rhythm, rhythm.timezone, now, now + LOOKAHEAD)
    digests = slots.digest_slots(rhythm, now, now + LOOKAHEAD)
    zone = ZoneInfo(rhythm.timezone)
    parts = [f"check-in {_local(checkins[0].due_at, zone)}" if checkins else "no check-in"]
    parts.append(f"digest {_local(digests[0].due_at, zone)}" if digests else "no digest")
    return ", ".join(parts) + f" ({rhythm.timezone}; people get theirs in their own zone)"


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
