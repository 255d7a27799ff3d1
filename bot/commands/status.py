"""`okr-bot status`: the outbox at a glance: whether Slack is reachable, rows by kind and state,
rows waiting to retry with their last error and age, what is next, what failed."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bot.catalogues import words
from bot.clock import Clock, SystemClock
from bot.commands.bootstrap import Context
from bot.delivery.reach import SlackReach, slack_reach
from bot.domain import slots
from bot.services.schedules.calendars import rhythm_of, unscheduled_owners
from storage.db import Database
from storage.models import DELIVERY_STATES
from storage.queries import outbox as outbox_queries
from storage.queries import schedules as schedule_queries

LOOKAHEAD = timedelta(days=15)


def run(args: argparse.Namespace, ctx: Context) -> int:
    print(report(ctx.db, SystemClock(), errors=args.errors))
    return 0


def report(db: Database, clock: Clock, *, errors: int = 10) -> str:
    """The status report as text."""
    now = clock.now()
    reach = slack_reach(db, now)
    with db.read() as session:
        counts = outbox_queries.counts_by_kind_and_status(session=session)
        waiting = outbox_queries.waiting_to_retry(session=session, limit=errors)
        upcoming = outbox_queries.next_pending(session=session, limit=10)
        failures = outbox_queries.last_errors(session=session, limit=errors)
        teams = schedule_queries.scheduled_teams(session=session)
        unscheduled = unscheduled_owners(session, now.date())
    lines = [_slack_line(reach), "", words("cli.status.outbox"), _table(counts), "",
             words("cli.status.waiting")]
    lines += [words("cli.status.waiting_row", key=r.dedupe_key, status=r.status,
                    age=_age(now - r.due_at), attempts=r.attempts,
                    next=_when(r.next_attempt_at), error=r.last_error)
              for r in waiting] or [words("cli.status.none")]
    lines += ["", words("cli.status.next")]
    lines += [words("cli.status.next_row", when=_when(r.next_attempt_at), key=r.dedupe_key,
                    status=r.status, attempts=r.attempts)
              for r in upcoming] or [words("cli.status.nothing_waiting")]
    lines += ["", words("cli.status.slots")]
    for team, schedule in teams:
        lines.append(f"  {team.name}: {_next_slots(schedule, now)}")
    if not teams:
        lines.append(words("cli.status.no_schedule"))
    if unscheduled:
        lines += ["", words("cli.status.unscheduled", count=len(unscheduled)),
                  "  " + ", ".join(unscheduled)]
    lines += ["", words("cli.status.failed")]
    lines += [words("cli.status.failed_row", when=_when(r.next_attempt_at), key=r.dedupe_key,
                    attempts=r.attempts, error=r.last_error or "?")
              for r in failures] or [words("cli.status.none")]
    return "\n".join(lines)


def _slack_line(reach: SlackReach) -> str:
    last = (words("cli.status.last_success", age=_age(reach.now - reach.last_success))
            if reach.last_success else words("cli.status.no_success"))
    down = reach.unreachable_for
    if down is not None:
        return words("cli.status.unreachable", age=_age(down), last=last,
                     rows=reach.failing_rows, error=reach.last_error)
    if reach.failing_rows:
        return words("cli.status.failing", rows=reach.failing_rows, last=last,
                     error=reach.last_error)
    return words("cli.status.reachable", last=last)


def _age(span: timedelta) -> str:
    minutes = max(int(span.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return words("cli.status.days", days=days, hours=hours)
    if hours:
        return words("cli.status.hours", hours=hours, minutes=minutes)
    return words("cli.status.minutes", minutes=minutes)


def _table(counts: dict[tuple[str, str], int]) -> str:
    kinds = sorted({kind for kind, _ in counts})
    width = max([len(k) for k in kinds] + [8])
    header = "  " + words("cli.status.kind").ljust(width) + "".join(
        s.rjust(11) for s in DELIVERY_STATES)
    rows = ["  " + kind.ljust(width) + "".join(str(counts.get((kind, s), 0)).rjust(11)
                                              for s in DELIVERY_STATES) for kind in kinds]
    return "\n".join([header, *rows]) if rows else words("cli.status.empty")


def _next_slots(schedule: Any, now: datetime) -> str:
    try:
        rhythm = rhythm_of(schedule)
    except ValueError as exc:
        return words("cli.status.unreadable", error=exc)
    checkins = slots.checkin_slots(rhythm, rhythm.timezone, now, now + LOOKAHEAD)
    digests = slots.digest_slots(rhythm, now, now + LOOKAHEAD)
    zone = ZoneInfo(rhythm.timezone)
    parts = [words("cli.status.checkin_at", when=_local(checkins[0].due_at, zone))
             if checkins else words("cli.status.no_checkin")]
    parts.append(words("cli.status.digest_at", when=_local(digests[0].due_at, zone))
                 if digests else words("cli.status.no_digest"))
    return ", ".join(parts) + words("cli.status.zone", zone=rhythm.timezone)


def _local(moment: datetime, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%a %Y-%m-%d %H:%M")


def _when(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")
