"""The end-of-cycle review (guide 三.3): one modal page per Objective, each KR's final score
(pre-filled from its values), the cause of a shortfall, and the Objective's lessons.

A page is saved in ONE transaction with its inbox row (`view:{id}:{hash}`), so a retried submit
stores once; submitting the page again later updates the stored review. Any field error returns
before anything is written. Who may review comes from the database: the Objective's owner, or a
lead of the team that owns it. A closed cycle is read-only (bot.services.cycles.guard): its
review neither opens nor saves.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlmodel import Session

from bot.clock import Clock
from bot.domain.review_rules import (
    KRReviewAnswer,
    KRReviewInput,
    ReviewError,
    read_kr_review,
    text_problem,
)
from bot.domain.vocabulary import ObjectiveType
from bot.services.cycles import guard as cycle_guard
from bot.services.people import PersonView
from bot.services.review.report import ObjectiveReport, objective_reports
from storage.db import Database
from storage.models import Cycle, KRReview, Objective, ObjectiveReview
from storage.queries import cycles as cycle_queries
from storage.queries import okrs as okr_queries
from storage.queries import reviews as review_queries
from storage.queries import teams as team_queries
from storage.queries.audit import add_audit, claim_inbox

FieldRef = tuple[str, int]  # ("score", kr id), ("cause", kr id), ("keep", objective id)
NOTE_FIELDS = ("what_worked", "keep", "avoid", "learned")


@dataclass(frozen=True)
class ReviewForm:
    """One page of the review modal: one Objective of the cycle."""

    cycle_id: int
    cycle_name: str
    page: int
    pages: int
    objective: ObjectiveReport

    @property
    def is_learning(self) -> bool:
        return self.objective.type == ObjectiveType.LEARNING

    @property
    def last(self) -> bool:
        return self.page + 1 >= self.pages


@dataclass(frozen=True)
class NoReview:
    """Nothing to review: `reason` is "nothing", "unknown_cycle", "refused" or
    "cycle_closed"."""

    reason: str
    cycle: str = ""


@dataclass(frozen=True)
class ReviewSubmission:
    view_key: str  # "view:{view.id}:{view.hash}"
    cycle_id: int
    page: int
    objective_id: int
    krs: Mapping[int, KRReviewInput]
    notes: Mapping[str, str] = field(default_factory=dict)  # NOTE_FIELDS → text


@dataclass(frozen=True)
class Rejected:
    errors: Mapping[FieldRef, ReviewError]


@dataclass(frozen=True)
class Duplicate:
    next_form: ReviewForm | None


@dataclass(frozen=True)
class Saved:
    cycle: str
    objective: ObjectiveReport  # as stored
    next_form: ReviewForm | None  # the next Objective's page; None after the last


def load_form(
    db: Database, person: PersonView, *, today: date, cycle_id: int | None = None,
    cycle_name: str = "", page: int = 0,
) -> ReviewForm | NoReview:
    """The review page `page` of the cycle (by id, by name, or the person's latest cycle that
    has started)."""
    with db.read() as session:
        leads = team_queries.lead_team_ids(person.id, session=session)
        cycle = _cycle(session, person, leads, today, cycle_id, cycle_name)
        if cycle is None:
            return NoReview("unknown_cycle" if cycle_name else "nothing", cycle_name)
        if cycle_guard.is_read_only(cycle):
            return NoReview("cycle_closed", cycle.name)
        return _form(session, person, leads, cycle, page) or NoReview("nothing", cycle.name)


def _cycle(session: Session, person: PersonView, leads: list[int], today: date,
           cycle_id: int | None, cycle_name: str) -> Cycle | None:
    if cycle_id is not None:
        return session.get(Cycle, cycle_id)
    if cycle_name:
        return cycle_queries.cycle_named(cycle_name, session=session)
    started = [c for c in cycle_queries.cycles_with_objectives_of(person.id, leads, session=session)
               if c.start_date <= today]
    open_ones = [c for c in started if not cycle_guard.is_read_only(c)]
    chosen = open_ones or started
    return chosen[0] if chosen else None


def _form(session: Session, person: PersonView, leads: list[int], cycle: Cycle,
          page: int) -> ReviewForm | None:
    objectives = review_queries.reviewable_objectives(cycle.id or 0, person.id, leads,
                                                      session=session)
    if not objectives:
        return None
    page = min(max(page, 0), len(objectives) - 1)
    report = objective_reports(session, [objectives[page]])[0]
    return ReviewForm(cycle.id or 0, cycle.name, page, len(objectives), report)


def submit(
    db: Database, clock: Clock, person: PersonView, submission: ReviewSubmission
) -> Rejected | Duplicate | Saved | NoReview:
    """Validate and store one page of the review."""
    now = clock.now()
    with db.write() as session:
        leads = team_queries.lead_team_ids(person.id, session=session)
        cycle = session.get(Cycle, submission.cycle_id)
        objectives = (review_queries.reviewable_objectives(submission.cycle_id, person.id, leads,
                                              session=session) if cycle else [])
        objective = next((o for o in objectives if o.id == submission.objective_id), None)
        closed = cycle is not None and cycle_guard.is_read_only(cycle)
        if cycle is None or objective is None or closed:
            add_audit(session=session, at=now, actor=person.slack_user_id, action="refused",
                      entity="objective", entity_id=str(submission.objective_id),
                      after=json.dumps({"attempt": "review"}))
            return NoReview("cycle_closed", cycle.name) if closed and cycle else \
                NoReview("refused")
        read = _read(session, objective, submission)
        if isinstance(read, Rejected):
            return read
        next_page = submission.page + 1
        if not claim_inbox(submission.view_key, now, session=session):
            return Duplicate(_form(session, person, leads, cycle, next_page)
                             if next_page < len(objectives) else None)
        for kr_id, answer in read.items():
            _store_kr(session, kr_id, answer, person, now)
        _store_notes(session, objective, submission.notes, person, now)
        add_audit(session=session, at=now, actor=person.slack_user_id, action="review.save",
                  entity="objective", entity_id=str(objective.id),
                  after=json.dumps({kr_id: a.score for kr_id, a in read.items()}))
        session.flush()
        stored = objective_reports(session, [objective])[0]
        following = (_form(session, person, leads, cycle, next_page)
                     if next_page < len(objectives) else None)
        return Saved(cycle.name, stored, following)


def _read(session: Session, objective: Objective,
          submission: ReviewSubmission) -> dict[int, KRReviewAnswer] | Rejected:
    errors: dict[FieldRef, ReviewError] = {}
    answers: dict[int, KRReviewAnswer] = {}
    kind = ObjectiveType(objective.type)
    own = {kr.id for kr in okr_queries.live_key_results([objective.id or 0], session=session)}
    for kr_id, typed in submission.krs.items():
        if kr_id not in own:
            continue
        reading = read_kr_review(kind, typed)
        if isinstance(reading, dict):
            errors.update({(name, kr_id): e for name, e in reading.items()})
        else:
            answers[kr_id] = reading
    for name in NOTE_FIELDS:
        problem = text_problem(submission.notes.get(name, ""))
        if problem is not None:
            errors[(name, objective.id or 0)] = problem
    return Rejected(errors) if errors else answers


def _store_kr(session: Session, kr_id: int, answer: KRReviewAnswer, person: PersonView,
              now: datetime) -> None:
    row = review_queries.kr_reviews([kr_id], session=session).get(kr_id)
    if row is None:
        row = KRReview(key_result_id=kr_id, final_score=answer.score)
    row.final_score = answer.score
    row.cause_kind = answer.cause_kind.value if answer.cause_kind else None
    row.cause_note = answer.cause_note
    row.reviewer_id = person.id
    row.updated_at = now
    session.add(row)


def _store_notes(session: Session, objective: Objective, notes: Mapping[str, str],
                 person: PersonView, now: datetime) -> None:
    oid = objective.id or 0
    row = (review_queries.objective_reviews([oid], session=session).get(oid)
           or ObjectiveReview(objective_id=oid))
    row.what_worked = notes.get("what_worked", "").strip()
    row.keep = notes.get("keep", "").strip()
    row.avoid = notes.get("avoid", "").strip()
    row.learned = notes.get("learned", "").strip()
    row.reviewer_id = person.id
    row.updated_at = now
    session.add(row)
