"""Carrying unfinished Objectives into the next cycle as drafts (guide 三.3 "iterate").

A draft copies the Objective (type, description, owner) and its unfinished KRs, each starting
from its last value; the review's lessons are shown beside it. `carried_objective` holds one
row per (source, cycle), so carrying twice creates one draft.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.clock import Clock
from bot.domain.cycle_rules import carry_window_open
from bot.services.okr_edit.lessons import SimilarKR, reviewed_before, similar_reviewed
from bot.services.people import PersonView
from bot.services.review.report import objective_reports
from storage.db import Database
from storage.models import CarriedObjective, Cycle, KeyResult, Objective
from storage.queries import cycles as cycle_queries
from storage.queries import okrs as okr_queries
from storage.queries import reviews as review_queries
from storage.queries import teams as team_queries
from storage.queries.audit import add_audit


@dataclass(frozen=True)
class CarryItem:
    objective_id: int
    title: str
    score_text: str
    verdict: str
    keep: str
    avoid: str
    learned: str
    carried: bool
    similar: tuple[SimilarKR, ...] = ()  # reviewed KRs of other Objectives like this one's


@dataclass(frozen=True)
class CarryList:
    from_cycle: str
    to_cycle: str
    items: tuple[CarryItem, ...]


@dataclass(frozen=True)
class NoCarry:
    """Nothing to carry: `reason` is "no_next_cycle" (none is being planned: `cycle` is the
    current one), "carry_nothing" (all of `cycle` is done) or "refused"."""

    reason: str
    cycle: str = ""


@dataclass(frozen=True)
class Carried:
    title: str
    to_cycle: str
    draft_id: int
    created: bool  # False when it had been carried before


def carry_list(db: Database, person: PersonView, *, today: date,
               review_days: int) -> CarryList | NoCarry:
    """The person's unfinished Objectives of the cycle before the newest one, while that newest
    cycle is planned or has just begun (`carry_window_open`)."""
    with db.read() as session:
        target = _newest(session)
        if target is None:
            return NoCarry("no_next_cycle")
        if not carry_window_open(today, target.start_date, review_days):
            return NoCarry("no_next_cycle", target.name)
        return carry_list_in(session, person, to_cycle_id=target.id)


def carry_list_in(session: Session, person: PersonView, *,
                  to_cycle_id: int | None) -> CarryList | NoCarry:
    """The person's unfinished Objectives of the cycle before `to_cycle_id`, inside the
    caller's session (the outbox renders the carry offer in one)."""
    target = session.get(Cycle, to_cycle_id) if to_cycle_id else None
    if target is None:
        return NoCarry("no_next_cycle")
    source = next((c for c in reversed(cycle_queries.all_cycles(session=session))
                   if c.start_date < target.start_date), None)
    if source is None:
        return NoCarry("no_next_cycle", target.name)
    leads = team_queries.lead_team_ids(person.id, session=session)
    objectives = review_queries.reviewable_objectives(source.id or 0, person.id, leads,
                                                      session=session)
    reports = [r for r in objective_reports(session, objectives)
               if r.score is None or r.score < 1]
    if not reports:
        return NoCarry("carry_nothing", source.name)
    done = review_queries.carried_drafts([r.id for r in reports], target.id or 0, session=session)
    reviewed = reviewed_before(session, target.start_date)
    items = tuple(CarryItem(r.id, r.title, r.score_text, r.verdict, r.keep, r.avoid,
                            r.learned, r.id in done,
                            similar_reviewed(reviewed, [r.title, *(k.title for k in r.krs)],
                                             skip_objective=r.id))
                  for r in reports)
    return CarryList(source.name, target.name, items)


def carry(db: Database, clock: Clock, person: PersonView, objective_id: int) -> Carried | NoCarry:
    """Copy the Objective into the newest later cycle as a draft, once."""
    now = clock.now()
    try:
        with db.write() as session:
            return _carry(session, now, person, objective_id)
    except IntegrityError:  # a concurrent click carried it first
        with db.write() as session:
            return _carry(session, now, person, objective_id)


def _newest(session: Session) -> Cycle | None:
    return next(iter(reversed(cycle_queries.active_cycles(session=session))), None)


def _carry(session: Session, now: datetime, person: PersonView,
           objective_id: int) -> Carried | NoCarry:
    source = session.get(Objective, objective_id)
    leads = team_queries.lead_team_ids(person.id, session=session)
    if source is None or not (source.owner_person_id == person.id
                              or source.owner_team_id in leads):
        add_audit(session=session, at=now, actor=person.slack_user_id, action="refused",
                  entity="objective", entity_id=str(objective_id),
                  after=json.dumps({"attempt": "carry"}))
        return NoCarry("refused")
    old = session.get(Cycle, source.cycle_id)
    target = _newest(session)
    if old is None or target is None or target.start_date <= old.start_date:
        return NoCarry("no_next_cycle")
    existing = review_queries.carried_drafts([objective_id], target.id or 0, session=session)
    if objective_id in existing:
        return Carried(source.title, target.name, existing[objective_id], created=False)
    draft = Objective(cycle_id=target.id or 0, title=source.title,
                      description=source.description, type=source.type, state="draft",
                      owner_person_id=source.owner_person_id,
                      owner_team_id=source.owner_team_id, position=source.position,
                      created_at=now, updated_at=now)
    session.add(draft)
    session.flush()
    for kr in okr_queries.live_key_results([objective_id], session=session):
        copy = _unfinished_copy(kr, draft.id or 0, now)
        if copy is not None:
            session.add(copy)
    session.add(CarriedObjective(source_objective_id=objective_id, cycle_id=target.id or 0,
                                 draft_objective_id=draft.id or 0, created_at=now))
    add_audit(session=session, at=now, actor=person.slack_user_id, action="carry",
              entity="objective", entity_id=str(draft.id),
              after=json.dumps({"from": objective_id, "cycle": target.name}))
    session.flush()
    return Carried(source.title, target.name, draft.id or 0, created=True)


def _unfinished_copy(kr: KeyResult, objective_id: int, now: datetime) -> KeyResult | None:
    """The KR for the next cycle, starting from its last value; None once it is done."""
    if kr.kind == "milestone":
        if kr.current_value >= 1:
            return None
        start, current = 0.0, 0.0
    else:
        reached = (kr.current_value >= kr.target_value if kr.direction == "increase"
                   else kr.current_value <= kr.target_value)
        if reached:
            return None
        start = current = kr.current_value
    return KeyResult(objective_id=objective_id, title=kr.title,
                     owner_person_id=kr.owner_person_id, kind=kr.kind, start_value=start,
                     target_value=kr.target_value, current_value=current, unit=kr.unit,
                     direction=kr.direction, state="active", position=kr.position,
                     created_at=now, updated_at=now)
