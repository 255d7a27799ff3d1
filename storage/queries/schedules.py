"""Team schedules, holidays and absences: keyword-only `session`, no commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date

from sqlmodel import Session, col, select

from storage.models import (
    Absence,
    Holiday,
    Schedule,
    Team,
)
from storage.queries.batching import chunks


def schedule_of(team_id: int, *, session: Session) -> Schedule | None:
    return session.exec(select(Schedule).where(col(Schedule.team_id) == team_id)).first()


def schedules_of(team_ids: Collection[int], *, session: Session) -> dict[int, Schedule]:
    """The schedules of the teams `team_ids`, by team id."""
    rows = session.exec(select(Schedule).where(col(Schedule.team_id).in_(list(team_ids))))
    return {s.team_id: s for s in rows}


def holidays_of(team_ids: Collection[int], *, session: Session) -> list[Holiday]:
    """Holidays of the teams `team_ids`, by team then day."""
    query = (
        select(Holiday)
        .where(col(Holiday.team_id).in_(list(team_ids)))
        .order_by(col(Holiday.team_id), col(Holiday.day))
    )
    return list(session.exec(query))


def scheduled_teams(
    *, session: Session, team_ids: Collection[int] | None = None
) -> list[tuple[Team, Schedule]]:
    """Teams that have a schedule (all, or those among `team_ids`), by team id."""
    query = select(Team, Schedule).join(Schedule, col(Schedule.team_id) == col(Team.id))
    if team_ids is not None:
        query = query.where(col(Team.id).in_(list(team_ids)))
    return [(team, schedule) for team, schedule in session.exec(query.order_by(col(Team.id)))]


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
    for chunk in chunks(sorted(person_ids)):
        query = select(
            col(Absence.person_id), col(Absence.start_date), col(Absence.end_date)
        ).where(
            col(Absence.person_id).in_(list(chunk)), col(Absence.start_date) <= last,
            col(Absence.end_date) >= first,
        )
        for person_id, start, end in session.exec(query):
            found[person_id].append((start, end))
    return found
