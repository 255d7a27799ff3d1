"""`okr-bot rehearse --from DATE --weeks N [--team NAME] [--answer-rate 0.7]`: what everyone
would receive, before a schedule is switched on.

The real planner and sender run against a scratch copy of the database (the OKR file of the
real one — people, teams, schedules, holidays, cycles, OKRs — imported into a temporary SQLite
file) with a clock moved forward every 15 minutes and the local stand-in for Slack (as the
shell has it); simulated people answer their prompts at the given rate through the real
check-in use case. It prints the timeline (UTC, the recipient's local time, kind, who, what
happened) and a summary: per person the prompts, reminders and other direct messages, any
message outside its recipient's working hours, weekend or holidays (expected: none), and the
digests per team. It never writes to the real database and never calls Slack.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from bot.catalogues import words
from bot.clock import FakeClock
from bot.commands.bootstrap import Context
from bot.delivery.pace import Pacing
from bot.delivery.sender import Sender
from bot.deps import make_web_client
from bot.domain.calendar import may_message, message_kind
from bot.domain.checkin_input import KRInput, PageNotesInput
from bot.rendering import Renderer
from bot.services.checkin.form import load_form
from bot.services.checkin.save import Submission, submit
from bot.services.okr_file.exporter import export_okr_yaml
from bot.services.okr_file.importer import import_okr_file
from bot.services.people import view_of
from bot.services.schedules.calendars import calendars_of
from bot.services.schedules.planner import plan
from bot.settings import load_settings
from bot.shell.slack_standin import SlackStandIn
from storage.db import Database, make_engine
from storage.migrate import upgrade
from storage.models import Delivery, Person, Team

TICK = timedelta(minutes=15)
GRACE = timedelta(hours=6)
SENT = "sent"  # an event's outcome (the JSONL keeps it as it is; the text words it)


@dataclass(frozen=True)
class Event:
    """One outbox row of the rehearsal, as the timeline prints it."""

    utc: str
    local: str
    kind: str
    to: str  # a person's name, or a team's for posts in a channel
    outcome: str  # "sent", or "skipped: <reason>"
    outside_calendar: bool


def run(args: argparse.Namespace, ctx: Context) -> int:
    start = datetime.combine(args.from_date, datetime.min.time(), tzinfo=UTC)
    with _scratch(ctx.db) as (db, workdir):
        team_ids = _team_ids(db, args.team)
        if args.team and not team_ids:
            print(words("cli.rehearse.unknown_team", name=args.team), file=sys.stderr)
            return 2
        events = _rehearse(db, workdir, start, args.weeks, team_ids, args.answer_rate, args.seed)
    _print(events, args.format, sys.stdout)
    return 0


@contextmanager
def _scratch(real: Database) -> Iterator[tuple[Database, Path]]:
    """A temporary SQLite database holding the real one's OKR file; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="okr-rehearse-") as folder:
        url = f"sqlite:///{Path(folder) / 'rehearsal.db'}"
        upgrade(url)
        copy = Database(make_engine(url))
        try:
            import_okr_file(copy, export_okr_yaml(real).encode("utf-8"), clock=FakeClock(
                datetime.now(UTC)))
            yield copy, Path(folder)
        finally:
            copy.dispose()


def _team_ids(db: Database, name: str | None) -> list[int] | None:
    if not name:
        return None
    with db.read() as session:
        return [t.id for t in session.exec(select(Team)) if t.id is not None and t.name == name]


def _rehearse(db: Database, workdir: Path, start: datetime, weeks: int,
              team_ids: list[int] | None, answer_rate: float, seed: int) -> list[Event]:
    clock = FakeClock(start)
    rng = random.Random(seed)  # noqa: S311 - a simulation, not security
    standin = SlackStandIn().start()
    try:
        settings = load_settings(slack_bot_token="xoxb-rehearsal",  # noqa: S106 - the stand-in's
                                 slack_api_url=standin.url, _env_file=None)
        sender = Sender(db, clock, make_web_client(settings, retries=False), Renderer(),
                        grace=GRACE, pacing=Pacing(per_minute=6000))
        answered: set[int] = set()
        while clock.now() < start + timedelta(weeks=weeks):
            plan(db, clock, grace=GRACE, team_ids=team_ids)
            sender.tick()
            _answer(db, clock, rng, answer_rate, answered)
            clock.advance(TICK)
    finally:
        standin.stop()
    return _events(db, start)


def _answer(db: Database, clock: FakeClock, rng: random.Random, rate: float,
            answered: set[int]) -> None:
    """Each prompt sent since the last tick is answered (no change on every KR) or not."""
    with db.read() as session:
        prompts = [d for d in session.exec(select(Delivery).where(Delivery.kind == "checkin"))
                   if d.status == "sent" and d.id not in answered]
        people = {p.id: p for p in session.exec(select(Person))}
    for prompt in prompts:
        answered.add(prompt.id or 0)
        person = people.get(prompt.person_id)
        if person is None or rng.random() >= rate:
            continue
        view = view_of(person)
        form = load_form(db, clock, view, delivery_id=prompt.id)
        krs = {kr.id: KRInput(no_change=True) for section in form.sections for kr in section.krs}
        if krs:
            submission = Submission(f"rehearsal:{prompt.id}", prompt.id, 0, krs, PageNotesInput())
            submit(db, clock, person.slack_user_id, submission, {})


def _events(db: Database, start: datetime) -> list[Event]:
    with db.read() as session:
        ordered = select(Delivery).order_by(col(Delivery.due_at), col(Delivery.id))
        rows = [d for d in session.exec(ordered) if d.status in ("sent", "skipped")
                and d.due_at.replace(tzinfo=UTC) >= start]  # not what was already late
        people = {p.id: p for p in session.exec(select(Person))}
        teams = {t.id: t.name for t in session.exec(select(Team))}
        calendars = calendars_of(session, list(people.values()), around=start)
    events = []
    for row in rows:
        at = (row.sent_at or row.due_at).replace(tzinfo=UTC)
        person = people.get(row.person_id) if row.person_id else None
        calendar = calendars.get(row.person_id or 0)
        kind = message_kind(row.kind)
        outside = (row.status == "sent" and calendar is not None and kind is not None
                   and not may_message(calendar, kind, at))
        local = (f"{at.astimezone(ZoneInfo(calendar.zone)):%a %Y-%m-%d %H:%M %Z}"
                 if calendar is not None and person is not None
                 else words("cli.rehearse.a_channel"))
        events.append(Event(
            utc=f"{at:%Y-%m-%d %H:%M}", local=local,
            kind=row.kind, to=person.name if person else teams.get(row.team_id or 0, "?"),
            outcome=SENT if row.status == "sent" else f"skipped: {row.last_error}",
            outside_calendar=outside))
    return events


def _print(events: list[Event], fmt: str, out: TextIO) -> None:
    write = out.write
    if fmt == "jsonl":
        for event in events:
            write(json.dumps(asdict(event), ensure_ascii=False) + "\n")
        write(json.dumps({"summary": asdict(_summary(events))}, ensure_ascii=False) + "\n")
        return
    write(words("cli.rehearse.timeline") + "\n")
    for e in events:
        flag = words("cli.rehearse.outside") if e.outside_calendar else ""
        outcome = (words("cli.rehearse.sent") if e.outcome == SENT
                   else words("cli.rehearse.skipped", reason=e.outcome.removeprefix("skipped: ")))
        write(f"  {e.utc} | {e.local} | {e.kind} | {e.to} | {outcome}{flag}\n")
    summary = _summary(events)
    write("\n" + words("cli.rehearse.per_person") + "\n")
    for name, counts in summary.people.items():
        write(words("cli.rehearse.person", name=name, prompts=counts["checkin"],
                    reminders=counts["reminder"], other=counts["other"]) + "\n")
    write("\n" + words("cli.rehearse.outside_total", count=summary.outside) + "\n")
    write("\n" + words("cli.rehearse.digests") + "\n")
    for team, count in summary.digests.items():
        write(f"  {team}: {count}\n")


@dataclass(frozen=True)
class Summary:
    people: dict[str, dict[str, int]]  # name → sent prompts, reminders and other DMs
    outside: int  # direct messages outside their recipient's calendar (expected: 0)
    digests: dict[str, int]  # team → digests sent


def _summary(events: list[Event]) -> Summary:
    people: dict[str, Counter[str]] = {}
    digests: Counter[str] = Counter()
    for e in events:
        if e.outcome != SENT:
            continue
        if e.kind == "digest":
            digests[e.to] += 1
        elif message_kind(e.kind) is not None:
            bucket = e.kind if e.kind in ("checkin", "reminder") else "other"
            people.setdefault(e.to, Counter())[bucket] += 1
    return Summary({name: {k: c[k] for k in ("checkin", "reminder", "other")}
                    for name, c in sorted(people.items())},
                   sum(e.outside_calendar for e in events), dict(sorted(digests.items())))
