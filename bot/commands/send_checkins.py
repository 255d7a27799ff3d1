"""`okr-bot send-checkins [--team NAME]`: prompt every member now, through the outbox.

The prompts are planned for each person's current local date, so a second run the same day,
or the scheduled prompt of that day, sends nothing more. The exit status is 1 when a prompt
failed or still waits to be retried when `--wait` runs out (the worker goes on with it).
"""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import col, select

from bot.catalogues import words
from bot.commands.bootstrap import Context
from bot.delivery.reach import slack_reach
from bot.delivery.sender import SendReport
from bot.scheduler import SENDER_INTERVAL, make_sender
from bot.services.schedules.planner import plan_now
from storage.db import Database
from storage.models import Delivery, Team

SETTLE_WINDOW = timedelta(seconds=60)  # rows due again within this are waited for
EXIT_NOT_ALL_SENT = 1


def run(args: argparse.Namespace, ctx: Context) -> int:
    deps = ctx.deps
    try:
        team_ids = _team_ids(deps.db, args.team) if args.team else None
    except LookupError as exc:
        print(words("cli.checkins.unknown_team", names=exc), file=sys.stderr)
        return 2
    planned = plan_now(deps.db, deps.clock, team_ids=team_ids)
    print(words("cli.checkins.planned", planned=planned.checkins, skipped=planned.skipped))
    sender = make_sender(deps)
    total = SendReport()
    deadline = time.monotonic() + args.wait
    while True:
        report = sender.tick()
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        if not _outstanding(deps.db, deps.clock.now() + SETTLE_WINDOW) or (
            time.monotonic() > deadline
        ):
            break
        time.sleep(SENDER_INTERVAL.total_seconds())
    waiting = _outstanding(deps.db, None, due_by=deps.clock.now())
    print(words("cli.checkins.sent", sent=total.sent, failed=total.failed,
                skipped=total.skipped, waiting=waiting))
    if not (total.failed or waiting):
        return 0
    reach = slack_reach(deps.db, deps.clock.now())
    why = words("cli.checkins.last_error", error=reach.last_error) if reach.last_error else ""
    print(words("cli.checkins.not_all_sent", failed=total.failed, waiting=waiting, why=why),
          file=sys.stderr)
    return EXIT_NOT_ALL_SENT


def _team_ids(db: Database, names: list[str]) -> list[int]:
    with db.read() as session:
        teams = {t.name: t.id for t in session.exec(select(Team).where(col(Team.name).in_(names)))}
    unknown = [name for name in names if name not in teams]
    if unknown:
        raise LookupError(", ".join(unknown))
    return [team_id for team_id in teams.values() if team_id is not None]


def _outstanding(db: Database, before: datetime | None, *, due_by: datetime | None = None) -> int:
    """Rows still to send: to be tried before `before`, or due by `due_by` (when given)."""
    with db.read() as session:
        query = select(func.count()).select_from(Delivery).where(
            col(Delivery.status).in_(("pending", "sending", "ambiguous")))
        if before is not None:
            query = query.where(col(Delivery.next_attempt_at) <= before)
        if due_by is not None:
            query = query.where(col(Delivery.due_at) <= due_by)
        return int(session.exec(query).one())
