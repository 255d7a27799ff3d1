"""`okr-bot send-checkins [--team NAME]`: prompt every member now, through the outbox.

The prompts are planned for each person's current local date, so a second run the same day,
or the scheduled prompt of that day, sends nothing more.
"""

from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func
from sqlmodel import col, select

from bot.delivery.sender import SendReport
from bot.services.schedules.planner import plan_now
from bot.settings import load_settings
from bot.wiring import PendingMigrationsError, build_deps, prepare_database
from storage.db import Database
from storage.models import Delivery, Team

SETTLE_WINDOW = timedelta(seconds=60)  # rows due again within this are waited for


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "send-checkins", help="send check-in prompts now (all scheduled teams, or --team NAME)"
    )
    parser.add_argument("--team", action="append", metavar="NAME",
                        help="only this team (repeat for more)")
    parser.add_argument("--wait", type=int, default=300, metavar="SECONDS",
                        help="give up sending after this long; the worker goes on (default 300)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    settings.require("slack_bot_token")
    try:
        prepare_database(settings.database_url)
    except PendingMigrationsError as exc:
        print(f"okr-bot: {exc}")
        return 2
    from bot.scheduler import SENDER_INTERVAL, make_sender

    deps = build_deps(settings)
    try:
        team_ids = _team_ids(deps.db, args.team) if args.team else None
    except LookupError as exc:
        print(f"okr-bot: {exc}")
        return 2
    planned = plan_now(deps.db, deps.clock, team_ids=team_ids)
    print(f"planned {planned.checkins} prompts ({planned.skipped} skipped: holiday, away or "
          "no key results)")
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
    print(f"sent {total.sent}, failed {total.failed}, skipped {total.skipped}, "
          f"waiting to retry {_outstanding(deps.db, None)}")
    deps.db.dispose()
    return 1 if total.failed else 0


def _team_ids(db: Database, names: list[str]) -> list[int]:
    with db.read() as session:
        teams = {t.name: t.id for t in session.exec(select(Team).where(col(Team.name).in_(names)))}
    unknown = [name for name in names if name not in teams]
    if unknown:
        raise LookupError(f"no team named {', '.join(unknown)}")
    return [team_id for team_id in teams.values() if team_id is not None]


def _outstanding(db: Database, before: datetime | None) -> int:
    """Rows still to send (due before `before`, or at any time when None)."""
    with db.read() as session:
        query = select(func.count()).select_from(Delivery).where(
            col(Delivery.status).in_(("pending", "sending", "ambiguous")))
        if before is not None:
            query = query.where(col(Delivery.next_attempt_at) <= before)
        return int(session.exec(query).one())
