"""`okr-bot status`: the outbox at a glance: whether Slack is reachable, rows by kind and state,
rows waiting to retry with their last error and age, what is next, what failed."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

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
    lines = [_slack_line(reach), "", "Outbox", _table(counts), "", "Waiting to retry"]
    lines += [f"  {r.dedupe_key} ({r.status}) due {_age(now - r.due_at)} ago, "
              f"{r.attempts} attempt(s), next try {_when(r.next_attempt_at)}: {r.last_error}"
              for r in waiting] or ["  none"]
    lines += ["", "Next in the outbox"]
    lines += [f"  {_when(r.next_attempt_at)}  {r.dedupe_key} ({r.status}, attempts {r.attempts})"
              for r in upcoming] or ["  nothing waiting"]
    lines += ["", "Next scheduled slots"]
    for team, schedule in teams:
        lines.append(f"  {team.name}: {_next_slots(schedule, now)}")
    if not teams:
        lines.append("  no team has a schedule")
    if unscheduled:
        lines += ["", f"On no schedule ({len(unscheduled)}: they own a Key Result but nobody "
                      "asks them to check in; give their team or a parent team a schedule)",
                  "  " + ", ".join(unscheduled)]
    lines += ["", "Failed (not retried)"]
    lines += [f"  {_when(r.next_attempt_at)}  {r.dedupe_key} after {r.attempts} "
              f"attempt(s): {r.last_error or '?'}" for r in failures] or ["  none"]
    return "\n".join(lines)


def _slack_line(reach: SlackReach) -> str:
    last = (f"last post accepted {_age(reach.now - reach.last_success)} ago"
            if reach.last_success else "no post accepted yet")
    down = reach.unreachable_for
    if down is not None:
        return (f"Slack: NOT REACHABLE for {_age(down)} ({last}); {reach.failing_rows} "
                f"message(s) waiting, last error: {reach.last_error}. Check the network, a "
                "proxy (HTTPS_PROXY) or SLACK_API_URL; the outbox retries by itself.")
    if reach.failing_rows:
        return (f"Slack: {reach.failing_rows} message(s) failed to reach it lately and will be "
                f"retried ({last}; last error: {reach.last_error})")
    return f"Slack: reachable ({last})"


def _age(span: timedelta) -> str:
    minutes = max(int(span.total_seconds() // 60), 0)
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days} d {hours} h"
    return f"{hours} h {minutes} min" if hours else f"{minutes} min"


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
