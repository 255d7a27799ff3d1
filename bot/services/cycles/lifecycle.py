"""Opening, closing and listing cycles (guide 三.3 "iterate"), each one transaction.

Cycles overlap as teams need: opening the next cycle leaves the current one open until its end
and review, and offers each owner of its unfinished Objectives to carry them forward as drafts
(`carry:{next cycle}:{person}`), so the next cycle is planned while this one runs. A cycle
closes when an admin closes it, or by itself `cycle_review_days` after its end (the planner
calls `close_overdue`). Closing makes it read-only (bot.services.cycles.guard) and queues one
review summary per team for its channel (`review_summary:{team}:{cycle}`); it happens once,
however many processes try. Only admins (from the database) or the command line may open or
close a cycle; a refusal is audited as "refused".
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session, col, update

from bot.clock import Clock
from bot.domain.cycle_rules import review_window_over
from bot.services.review.report import team_objectives
from bot.services.schedules.calendars import enqueue_for
from storage.db import Database
from storage.models import Cycle
from storage.queries import cycles as cycle_queries
from storage.queries import reviews as review_queries
from storage.queries import teams as team_queries
from storage.queries.audit import add_audit
from storage.queries.outbox import enqueue, enqueue_thread
from storage.queries.people import person_by_slack_id

CLI_ACTOR = "cli"
SCHEDULER_ACTOR = "scheduler"  # the planner closing a cycle whose review window is over
MAX_NAME = 64


class CycleError(Exception):
    """A cycle change that cannot be made; `code` names the message, `params` fill it."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class CycleRow:
    name: str
    start: date
    end: date
    state: str


@dataclass(frozen=True)
class Opened:
    cycle: CycleRow
    offered: tuple[str, ...]  # cycles whose owners were offered to carry Objectives into it


def new_cycle(db: Database, clock: Clock, *, actor: str, name: str, start: date,
              end: date) -> Opened:
    """Open cycle `name`; raises CycleError ("refused", "exists", "dates", "name")."""
    now = clock.now()
    name = name.strip()
    _require_admin(db, actor, now, "cycle.new", name)
    with db.write() as session:
        if not name or len(name) > MAX_NAME:
            raise CycleError("name", name=name[:MAX_NAME])
        if end <= start:
            raise CycleError("dates", start=start.isoformat(), end=end.isoformat())
        if cycle_queries.cycle_named(name, session=session) is not None:
            raise CycleError("exists", name=name)
        cycle = Cycle(name=name, start_date=start, end_date=end, state="active")
        session.add(cycle)
        session.flush()
        add_audit(session=session, at=now, actor=actor, action="cycle.new", entity="cycle",
                  entity_id=str(cycle.id), after=json.dumps(
                      {"name": name, "start": start.isoformat(), "end": end.isoformat()}))
        earlier = [old for old in cycle_queries.active_cycles(session=session)
                   if old.id != cycle.id and old.start_date < start]
        offered = [old for old in earlier if _offer_carry(session, old, cycle, now)]
        return Opened(_row(cycle), tuple(c.name for c in offered))


def close_cycle(db: Database, clock: Clock, *, actor: str, name: str) -> CycleRow:
    """Close cycle `name`; raises CycleError ("refused", "unknown", "closed")."""
    now = clock.now()
    _require_admin(db, actor, now, "cycle.close", name)
    with db.write() as session:
        cycle = cycle_queries.cycle_named(name, session=session)
        if cycle is None:
            raise CycleError("unknown", name=name)
        if cycle.state == "closed":
            raise CycleError("closed", name=name)
        if not _close(session, cycle, now, actor):
            raise CycleError("closed", name=name)
        return _row(cycle)


def close_overdue(session: Session, now: datetime, *, review_days: int) -> int:
    """Close every active cycle whose review window is over (the planner, each tick); how many
    this call closed."""
    return sum(
        _close(session, cycle, now, SCHEDULER_ACTOR)
        for cycle in cycle_queries.active_cycles(session=session)
        if review_window_over(now.date(), cycle.end_date, review_days)
    )


def list_cycles(db: Database) -> list[CycleRow]:
    """Every cycle, newest first."""
    with db.read() as session:
        return [_row(c) for c in reversed(cycle_queries.all_cycles(session=session))]


def _require_admin(db: Database, actor: str, now: datetime, attempt: str, name: str) -> None:
    """The command line and admins may change cycles; anyone else's attempt is audited (in
    its own transaction, so the record stays) and raises CycleError("refused")."""
    if actor == CLI_ACTOR:
        return
    with db.write() as session:
        person = person_by_slack_id(actor, session=session)
        if person is not None and person.is_admin:
            return
        add_audit(session=session, at=now, actor=actor, action="refused", entity="cycle",
                  entity_id=name[:MAX_NAME], after=json.dumps({"attempt": attempt}))
    raise CycleError("refused")


def _close(session: Session, cycle: Cycle, now: datetime, actor: str) -> bool:
    """Make `cycle` read-only and queue its teams' review summaries, unless another process
    closed it first (a conditional update decides); whether this call closed it. A later open
    cycle's carry offers go out too, if opening it had not sent them."""
    closed = session.execute(
        update(Cycle).where(col(Cycle.id) == cycle.id, col(Cycle.state) == "active")
        .values(state="closed"))
    if getattr(closed, "rowcount", 0) != 1:
        return False
    session.refresh(cycle)
    add_audit(session=session, at=now, actor=actor, action="cycle.close", entity="cycle",
              entity_id=str(cycle.id), before=json.dumps({"state": "active"}),
              after=json.dumps({"state": "closed"}))
    cycle_id = cycle.id or 0
    for team in team_queries.all_teams(session=session):
        if team_objectives(session, cycle_id, team.id or 0):
            key = f"review_summary:{team.id}:{cycle_id}"
            if enqueue(session, kind="review_summary", dedupe_key=key, due_at=now,
                       team_id=team.id, payload={"cycle_id": cycle_id}):
                enqueue_thread(session, parent_key=key, kind="review_summary_reply",
                               sections=("details",), created_at=now)
    later = [c for c in cycle_queries.active_cycles(session=session)
             if c.start_date > cycle.start_date]
    if later:
        _offer_carry(session, cycle, later[0], now)
    return True


def _offer_carry(session: Session, cycle: Cycle, next_cycle: Cycle, now: datetime) -> bool:
    """One DM per owner of `cycle`'s Objectives offering to carry the unfinished ones into
    `next_cycle` (once per person and next cycle); whether there was anyone to offer it to."""
    owners = {o.owner_person_id for o in review_queries.objectives_to_review(cycle.id or 0,
                                                                             session=session)
              if o.owner_person_id is not None}
    for person_id in sorted(owners):
        enqueue_for(session, kind="carry", dedupe_key=f"carry:{next_cycle.id}:{person_id}",
                    due_at=now, person_id=person_id, payload={"cycle_id": next_cycle.id},
                    created_at=now)
    return bool(owners)


def _row(cycle: Cycle) -> CycleRow:
    return CycleRow(cycle.name, cycle.start_date, cycle.end_date, cycle.state)
