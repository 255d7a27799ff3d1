"""Queries of the team digest: one statement each, whatever the team's size (no N+1).

The digest's scope is the active Objectives of cycles overlapping the period that the team
owns or that its members own personally, and their active KRs; `_objective_ids` and
`_kr_ids` are subqueries, so every function below is one SQL statement.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import CompoundSelect, Integer, Select, and_, func, literal, or_, union
from sqlalchemy import select as sa_select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Absence,
    CheckIn,
    Cycle,
    Delivery,
    KeyResult,
    KRValueHistory,
    Objective,
    Person,
    Schedule,
    Team,
    TeamMember,
)
from storage.queries.checkins import CHECKED_AT


def _member_ids(team_id: int) -> Select[Any]:
    return select(col(TeamMember.person_id)).where(col(TeamMember.team_id) == team_id)


def _objective_ids(team_id: int, first: date, last: date) -> CompoundSelect[Any]:
    """The team's own Objectives and its members' personal ones, as a UNION of two index
    searches: one statement ORing both owners scans every Objective of the cycle (~40 ms per
    query at 10,000 people on SQLite, five queries per digest; bench/digest_cost.py)."""
    cycles = select(col(Cycle.id)).where(
        col(Cycle.state) != "planning", col(Cycle.start_date) <= last, col(Cycle.end_date) >= first
    )
    live = (col(Objective.cycle_id).in_(cycles), col(Objective.state) == "active")
    return union(
        select(col(Objective.id)).where(*live, col(Objective.owner_team_id) == team_id),
        select(col(Objective.id)).where(
            *live, col(Objective.owner_person_id).in_(_member_ids(team_id))
        ),
    )


def _kr_ids(team_id: int, first: date, last: date, end: datetime) -> Select[Any]:
    return select(col(KeyResult.id)).where(
        col(KeyResult.objective_id).in_(_objective_ids(team_id, first, last)),
        col(KeyResult.state) == "active",
        col(KeyResult.created_at) < end,
    )


def team_and_schedule(team_id: int, *, session: Session) -> tuple[Team, Schedule | None] | None:
    """The team with its schedule (None when there is no such team)."""
    query = (
        select(Team, Schedule)
        .outerjoin(Schedule, col(Schedule.team_id) == col(Team.id))
        .where(col(Team.id) == team_id)
    )
    row = session.exec(query).first()
    return (row[0], row[1]) if row else None


def team_roster(team_id: int, *, session: Session) -> list[tuple[TeamMember, Person]]:
    """The team's members with their people, by name."""
    query = (
        select(TeamMember, Person)
        .join(Person, col(Person.id) == col(TeamMember.person_id))
        .where(col(TeamMember.team_id) == team_id)
        .order_by(col(Person.name), col(Person.id))
    )
    return [(member, person) for member, person in session.exec(query)]


def digest_objectives(
    team_id: int, first: date, last: date, *, session: Session
) -> list[tuple[Objective, Person | None]]:
    """The Objectives in the digest's scope with their owning person (None for the team's)."""
    query = (
        select(Objective, Person)
        .outerjoin(Person, col(Person.id) == col(Objective.owner_person_id))
        .where(col(Objective.id).in_(_objective_ids(team_id, first, last)))
        .order_by(col(Objective.owner_person_id).is_not(None), col(Objective.position),
                  col(Objective.id))
    )
    return [(objective, person) for objective, person in session.exec(query)]


def digest_key_results(
    team_id: int, first: date, last: date, end: datetime, *, session: Session
) -> list[tuple[KeyResult, Person | None]]:
    """The KRs in scope (created before `end`) with their owners, by position."""
    query = (
        select(KeyResult, Person)
        .outerjoin(Person, col(Person.id) == col(KeyResult.owner_person_id))
        .where(col(KeyResult.id).in_(_kr_ids(team_id, first, last, end)))
        .order_by(col(KeyResult.objective_id), col(KeyResult.position), col(KeyResult.id))
    )
    return [(kr, person) for kr, person in session.exec(query)]


class HistoryPoint(NamedTuple):
    """One value-history row as the digest reads it (plain columns: a big team has tens of
    thousands, and ORM objects cost ~6× more to load; bench/digest_cost.py)."""

    key_result_id: int
    at: datetime
    value: float | None
    target_value: float | None
    changed_by_id: int | None
    previous_value: float | None  # of the check-in behind the change, if any
    changer_name: str | None


def digest_history(
    team_id: int, first: date, last: date, end: datetime, *, session: Session
) -> list[HistoryPoint]:
    """Every value-history row of the KRs in scope, oldest first per KR, with the linked
    check-in's previous value and who made the change."""
    query = (
        sa_select(col(KRValueHistory.key_result_id), col(KRValueHistory.at),
                  col(KRValueHistory.value), col(KRValueHistory.target_value),
                  col(KRValueHistory.changed_by_id), col(CheckIn.previous_value),
                  col(Person.name))
        .outerjoin(CheckIn, col(CheckIn.id) == col(KRValueHistory.checkin_id))
        .outerjoin(Person, col(Person.id) == col(KRValueHistory.changed_by_id))
        .where(col(KRValueHistory.key_result_id).in_(_kr_ids(team_id, first, last, end)))
        .order_by(col(KRValueHistory.key_result_id), col(KRValueHistory.at),
                  col(KRValueHistory.id))
    )
    return [HistoryPoint(*row) for row in session.connection().execute(query)]


def digest_checkins(
    team_id: int, first: date, last: date, start: datetime, end: datetime, *, session: Session
) -> list[tuple[CheckIn, Person | None, Person | None]]:
    """Check-ins made in [start, end) on KRs in scope or by team members, oldest first,
    with their author and the person asked for help."""
    # A UNION of two index searches (by KR, by author): ORing them in one WHERE made
    # PostgreSQL scan every check-in, ~160 ms per digest at 10,000 people (digest_cost.py).
    in_period = (col(CheckIn.created_at) >= start, col(CheckIn.created_at) < end)
    ids = union(
        select(col(CheckIn.id)).where(
            col(CheckIn.key_result_id).in_(_kr_ids(team_id, first, last, end)), *in_period),
        select(col(CheckIn.id)).where(
            col(CheckIn.author_id).in_(_member_ids(team_id)), *in_period),
    )
    helper = aliased(Person)
    query = (
        select(CheckIn, Person, helper)
        .outerjoin(Person, col(Person.id) == col(CheckIn.author_id))
        .outerjoin(helper, col(helper.id) == col(CheckIn.help_from_person_id))
        .where(col(CheckIn.id).in_(ids))
        .order_by(col(CheckIn.created_at), col(CheckIn.id))
    )
    return [(checkin, author, asked) for checkin, author, asked in session.exec(query)]


class Responses(NamedTuple):
    """Who was asked in a period, and what was answered."""

    asked: set[int]  # members sent a check-in prompt due in the period
    answered: list[tuple[int | None, int]]  # (author, KR) of check-ins made or edited in it


def responses(
    team_id: int, first: date, last: date, start: datetime, end: datetime, *, session: Session
) -> Responses:
    """One statement (a UNION) for both halves of "not checked in":

    - asked: members sent a check-in prompt due in [start, end) — a prompt skipped for a
      holiday, an absence or a pause was never sent, so its person was not asked;
    - answered: (author, KR) of every check-in *made or edited* in [start, end) by a member or
      on a KR in scope — an answer counts in the period it was last touched, so Monday's
      check-in edited on Thursday answers Thursday's prompt.
    """
    touched = or_(
        (col(CheckIn.created_at) >= start) & (col(CheckIn.created_at) < end),
        (col(CheckIn.updated_at) >= start) & (col(CheckIn.updated_at) < end),
    )
    answers = (col(CheckIn.author_id), col(CheckIn.key_result_id))
    query = union(
        sa_select(col(Delivery.person_id), literal(None, Integer)).where(
            col(Delivery.kind) == "checkin", col(Delivery.status) == "sent",
            col(Delivery.due_at) >= start, col(Delivery.due_at) < end,
            col(Delivery.person_id).in_(_member_ids(team_id))),
        sa_select(*answers).where(
            col(CheckIn.key_result_id).in_(_kr_ids(team_id, first, last, end)), touched),
        sa_select(*answers).where(col(CheckIn.author_id).in_(_member_ids(team_id)), touched),
    )
    found = Responses(set(), [])
    for person, kr in session.execute(query):
        if kr is None:
            found.asked.add(int(person))
        else:
            found.answered.append((person, int(kr)))
    return found


def member_absences(team_id: int, first: date, last: date, *, session: Session) -> list[Absence]:
    """Absences of the team's members overlapping the local dates `first`..`last`."""
    query = select(Absence).where(
        col(Absence.person_id).in_(_member_ids(team_id)),
        col(Absence.start_date) <= last,
        col(Absence.end_date) >= first,
    )
    return list(session.exec(query))


def confidences_before(
    team_id: int, first: date, last: date, start: datetime, end: datetime, *, session: Session
) -> dict[int, str]:
    """The confidence each KR in scope had at `start`: that of its latest check-in before it
    which gave one (KRs without one are absent)."""
    scope = _kr_ids(team_id, first, last, end)
    latest = (
        select(CheckIn.key_result_id, func.max(CheckIn.created_at).label("at"))
        .where(col(CheckIn.key_result_id).in_(scope), col(CheckIn.created_at) < start,
               col(CheckIn.confidence).is_not(None))
        .group_by(col(CheckIn.key_result_id))
        .subquery()
    )
    query = (
        select(CheckIn.key_result_id, CheckIn.confidence)
        .join(latest, and_(col(CheckIn.key_result_id) == latest.c.key_result_id,
                           col(CheckIn.created_at) == latest.c.at))
        .where(col(CheckIn.confidence).is_not(None))
        .order_by(col(CheckIn.id))
    )
    return {kr_id: str(confidence) for kr_id, confidence in session.exec(query)}

def last_checkin_times(
    team_id: int, first: date, last: date, end: datetime, *, session: Session
) -> dict[int, datetime]:
    """When each KR in scope was last checked in (`CHECKED_AT`) before `end`."""
    latest = func.max(CHECKED_AT).label("latest")
    query = (
        select(col(CheckIn.key_result_id), latest)
        .where(
            col(CheckIn.key_result_id).in_(_kr_ids(team_id, first, last, end)),
            end > CHECKED_AT,
        )
        .group_by(col(CheckIn.key_result_id))
    )
    return {int(kr_id): when for kr_id, when in session.exec(query).all()}
