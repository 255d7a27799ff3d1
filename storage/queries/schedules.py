"""Queries of the outbox planner, sender and status: keyword-only `session`, no commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.models import (
    Absence,
    Delivery,
    Holiday,
    KeyResult,
    Objective,
    Person,
    Schedule,
    Team,
    TeamMember,
)

_CHUNK = 500


def _chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def scheduled_teams(
    *, session: Session, team_ids: Collection[int] | None = None
) -> list[tuple[Team, Schedule]]:
    """Teams that have a schedule (all, or those among `team_ids`), by team id."""
    query = select(Team, Schedule).join(Schedule, col(Schedule.team_id) == col(Team.id))
    if team_ids is not None:
        query = query.where(col(Team.id).in_(list(team_ids)))
    return [(team, schedule) for team, schedule in session.exec(query.order_by(col(Team.id)))]


def members_by_team(*, session: Session, team_ids: Collection[int]) -> dict[int, list[Person]]:
    """The people of each team among `team_ids`, ordered by person id."""
    query = (
        select(TeamMember.team_id, Person)
        .join(Person, col(Person.id) == col(TeamMember.person_id))
        .where(col(TeamMember.team_id).in_(list(team_ids)))
        .order_by(col(TeamMember.team_id), col(Person.id))
    )
    members: dict[int, list[Person]] = defaultdict(list)
    for team_id, person in session.exec(query):
        members[team_id].append(person)
    return members


def holidays_by_team(
    *, session: Session, team_ids: Collection[int], first: date, last: date
) -> dict[int, set[date]]:
    """Holiday dates between `first` and `last` (inclusive) of each team."""
    query = select(col(Holiday.team_id), col(Holiday.day)).where(
        col(Holiday.team_id).in_(list(team_ids)), col(Holiday.day) >= first,
        col(Holiday.day) <= last,
    )
    days: dict[int, set[date]] = defaultdict(set)
    for team_id, day in session.exec(query):
        days[team_id].add(day)
    return days


def absences_by_person(
    *, session: Session, person_ids: Collection[int], first: date, last: date
) -> dict[int, list[tuple[date, date]]]:
    """Absences overlapping `first`..`last` of each person, as inclusive (start, end) dates."""
    found: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for chunk in _chunks(sorted(person_ids)):
        query = select(
            col(Absence.person_id), col(Absence.start_date), col(Absence.end_date)
        ).where(
            col(Absence.person_id).in_(list(chunk)), col(Absence.start_date) <= last,
            col(Absence.end_date) >= first,
        )
        for person_id, start, end in session.exec(query):
            found[person_id].append((start, end))
    return found


def existing_dedupe_keys(*, session: Session, keys: Collection[str]) -> set[str]:
    """Those of `keys` that already have an outbox row."""
    found: set[str] = set()
    for chunk in _chunks(sorted(keys)):
        query = select(Delivery.dedupe_key).where(col(Delivery.dedupe_key).in_(list(chunk)))
        found.update(session.exec(query))
    return found


def people_with_key_results(
    *, session: Session, cycle_id: int, person_ids: Collection[int]
) -> set[int]:
    """Those of `person_ids` asked about an active KR in `cycle_id` (bot.domain.asked.asked_of,
    the same rule as the check-in form): its owner, else its Objective's owner, else the
    leads of the team owning the Objective."""
    found: set[int] = set()
    owner = func.coalesce(col(KeyResult.owner_person_id), col(Objective.owner_person_id))
    live = (
        col(Objective.cycle_id) == cycle_id,
        col(Objective.state) == "active",
        col(KeyResult.state) == "active",
    )
    for chunk in _chunks(sorted(person_ids)):
        query = (
            select(owner)
            .select_from(KeyResult)
            .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
            .where(*live, owner.in_(list(chunk)))
            .distinct()
        )
        found.update(pid for pid in session.exec(query) if pid is not None)
        leads = (
            select(TeamMember.person_id)
            .select_from(KeyResult)
            .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
            .join(TeamMember, col(TeamMember.team_id) == col(Objective.owner_team_id))
            .where(*live, col(KeyResult.owner_person_id).is_(None), col(TeamMember.is_lead),
                   col(TeamMember.person_id).in_(list(chunk)))
            .distinct()
        )
        found.update(session.exec(leads))
    return found


def prompts_awaiting_reminder(*, session: Session, since: datetime) -> list[Delivery]:
    """Check-in prompts sent since `since` that have no reminder row yet."""
    reminder = aliased(Delivery)
    has_reminder = (
        select(reminder.id)
        .where(
            reminder.kind == "reminder",
            reminder.person_id == col(Delivery.person_id),
            reminder.slot_key == col(Delivery.slot_key),
        )
        .exists()
    )
    query = select(Delivery).where(
        col(Delivery.kind) == "checkin",
        col(Delivery.status) == "sent",
        col(Delivery.sent_at) >= since,
        ~has_reminder,
    )
    return list(session.exec(query.order_by(col(Delivery.id))))


def later_prompts(
    *, session: Session, person_ids: Collection[int], since: datetime
) -> dict[int, list[datetime]]:
    """Due times of every check-in prompt of each person due since `since` (not skipped)."""
    found: dict[int, list[datetime]] = defaultdict(list)
    for chunk in _chunks(sorted(person_ids)):
        query = select(Delivery.person_id, Delivery.due_at).where(
            col(Delivery.kind) == "checkin", col(Delivery.status) != "skipped",
            col(Delivery.person_id).in_(list(chunk)), col(Delivery.due_at) >= since,
        )
        for person_id, due_at in session.exec(query):
            if person_id is not None:
                found[person_id].append(due_at)
    return found


def prompt_of(*, session: Session, person_id: int, slot_key: str) -> Delivery | None:
    """The check-in prompt of a person's slot."""
    query = select(Delivery).where(
        col(Delivery.kind) == "checkin", col(Delivery.person_id) == person_id,
        col(Delivery.slot_key) == slot_key,
    )
    return session.exec(query).first()


def team_channel(*, session: Session, team_id: int, digest: bool) -> str | None:
    """Where a team's posts go: for a digest its schedule's digest channel, else the team's."""
    found = session.exec(
        select(Team, Schedule)
        .outerjoin(Schedule, col(Schedule.team_id) == col(Team.id))
        .where(col(Team.id) == team_id)
    ).first()
    if found is None:
        return None
    team, schedule = found
    if digest and schedule is not None and schedule.digest_channel_id:
        return schedule.digest_channel_id
    return team.slack_channel_id


def counts_by_kind_and_status(*, session: Session) -> dict[tuple[str, str], int]:
    """How many outbox rows there are of each (kind, status)."""
    query = select(Delivery.kind, Delivery.status, func.count()).group_by(
        col(Delivery.kind), col(Delivery.status)
    )
    return {(kind, status): int(n) for kind, status, n in session.exec(query)}


def next_pending(*, session: Session, limit: int) -> list[Delivery]:
    """The pending rows that come next, soonest first."""
    query = (
        select(Delivery)
        .where(col(Delivery.status).in_(("pending", "ambiguous")))
        .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(limit)
    )
    return list(session.exec(query))


def last_errors(*, session: Session, limit: int) -> list[Delivery]:
    """The most recent rows that failed for good, newest first."""
    query = (
        select(Delivery)
        .where(col(Delivery.status) == "failed")
        .order_by(col(Delivery.next_attempt_at).desc(), col(Delivery.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def last_sent_at(*, session: Session, since: datetime | None = None) -> datetime | None:
    """When Slack last accepted an outbox post (claimed since `since`, when given: that bound
    lets the (status, next_attempt_at) index do the work, since a sent row's next_attempt_at
    is the time of its last claim)."""
    query = select(func.max(Delivery.sent_at)).where(col(Delivery.status) == "sent")
    if since is not None:
        query = query.where(col(Delivery.next_attempt_at) >= since)
    return session.exec(query).one()


def waiting_errors(*, session: Session) -> list[tuple[str, datetime, int]]:
    """Rows waiting to be sent again, by their last error: (error, earliest due time, rows)."""
    query = (
        select(Delivery.last_error, func.min(Delivery.due_at), func.count())
        .where(col(Delivery.status).in_(("pending", "ambiguous")),
               col(Delivery.last_error).is_not(None))
        .group_by(col(Delivery.last_error))
    )
    return [(str(error), due, int(n)) for error, due, n in session.exec(query)]


def waiting_to_retry(*, session: Session, limit: int) -> list[Delivery]:
    """Rows that failed at least once and wait to be sent again, longest waiting first."""
    query = (
        select(Delivery)
        .where(col(Delivery.status).in_(("pending", "ambiguous")),
               col(Delivery.last_error).is_not(None))
        .order_by(col(Delivery.due_at), col(Delivery.id))
        .limit(limit)
    )
    return list(session.exec(query))
