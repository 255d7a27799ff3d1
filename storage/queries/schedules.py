"""Team schedules, holidays and absences: keyword-only `session`, no commits."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from datetime import date
from itertools import zip_longest
from typing import Any, NamedTuple

from sqlalchemy import Integer, String, bindparam, cast, literal_column, null, or_, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.sql.expression import Executable
from sqlmodel import Session, col, select

from storage.db import run_core
from storage.models import (
    Absence,
    Holiday,
    PersonHoliday,
    RegionHoliday,
    Schedule,
    Team,
    TeamMember,
)
from storage.queries.batching import chunks
from storage.queries.teams import parents_up_from, team_parents


def schedule_of(team_id: int, *, session: Session) -> Schedule | None:
    return session.exec(select(Schedule).where(col(Schedule.team_id) == team_id)).first()


def following_teams(
    *, owner_teams: Collection[int], owner_people: Collection[int], session: Session
) -> dict[int, str]:
    """The teams whose own schedule follows along among `owner_teams` and the teams of
    `owner_people`, with the channel their rounds go to (the digest channel, else the team's);
    teams without a channel are left out. One statement: the SQL form of
    `bot.domain.visibility.word_teams` over those owners."""
    if not owner_teams and not owner_people:
        return {}
    rows = session.exec(_FOLLOWING_TEAMS, params={"teams": list(owner_teams),
                                                  "people": list(owner_people)})
    found = {s.team_id: s.digest_channel_id or t.slack_channel_id for s, t in rows}
    return {team_id: channel for team_id, channel in found.items() if channel}


_FOLLOWING_TEAMS = (
    select(Schedule, Team).join(Team, col(Team.id) == col(Schedule.team_id))
    .where(col(Schedule.follow_along),
           or_(col(Schedule.team_id).in_(bindparam("teams", expanding=True)),
               col(Schedule.team_id).in_(
                   select(TeamMember.team_id).where(
                       col(TeamMember.person_id).in_(bindparam("people", expanding=True)))))))


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
    for team_id, day in run_core(session, query).all():
        days[team_id].add(day)
    return days


def absences_by_person(
    *, session: Session, person_ids: Collection[int], first: date, last: date
) -> dict[int, list[tuple[date, date]]]:
    """Absences overlapping `first`..`last` of each person, as inclusive (start, end) dates."""
    found: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for chunk in chunks(sorted(person_ids)):
        rows = run_core(session, _ABSENCES,
                        {"person_ids": list(chunk), "first": first, "last": last}).all()
        for person_id, start, end in rows:
            found[person_id].append((start, end))
    return found


_ABSENCES = sa_select(col(Absence.person_id), col(Absence.start_date), col(Absence.end_date)
                      ).where(col(Absence.person_id).in_(bindparam("person_ids", expanding=True)),
                              col(Absence.start_date) <= bindparam("last"),
                              col(Absence.end_date) >= bindparam("first"))


class DaysOff(NamedTuple):
    """Holiday dates by team, by person (their own) and by region."""

    of_team: dict[int, set[date]]
    of_person: dict[int, set[date]]
    of_region: dict[str, set[date]]


def days_off(
    *, team_ids: Collection[int], person_ids: Collection[int], regions: Collection[str],
    first: date, last: date, session: Session,
) -> DaysOff:
    """The holidays between `first` and `last` (inclusive) of `team_ids`, the own days off of
    `person_ids` and the public holidays of `regions`: one statement for up to BATCH of each."""
    found = DaysOff(defaultdict(set), defaultdict(set), defaultdict(set))
    batches = zip_longest(chunks(sorted(team_ids)), chunks(sorted(person_ids)),
                          chunks(sorted(regions)), fillvalue=())
    for teams, people, names in batches:
        rows = run_core(session, _DAYS_OFF, {"teams": list(teams), "people": list(people),
                                             "regions": list(names), "first": first,
                                             "last": last}).all()
        for kind, owner_id, region, day in rows:
            if kind == _TEAM:
                found.of_team[owner_id].add(day)
            elif kind == _PERSON:
                found.of_person[owner_id].add(day)
            else:
                found.of_region[region].add(day)
    return found


_TEAM, _PERSON, _REGION = 0, 1, 2


def _days_of(kind: int, owner_id: Any, region: Any, day: Any, key: Any, keys: str) -> Any:
    """One part of `_DAYS_OFF`: (kind, owner id, region, day) where `key` is among `keys`."""
    return sa_select(literal_column(str(kind)), owner_id, region, day).where(
        key.in_(bindparam(keys, expanding=True)), day >= bindparam("first"),
        day <= bindparam("last"))


_NO_ID, _NO_REGION = cast(null(), Integer), cast(null(), String)
_TEAM_DAY = Holiday.__table__.c  # type: ignore[attr-defined]
_OWN_DAY = PersonHoliday.__table__.c  # type: ignore[attr-defined]
_PUBLIC_DAY = RegionHoliday.__table__.c  # type: ignore[attr-defined]
_DAYS_OFF: Executable = union_all(
    _days_of(_TEAM, _TEAM_DAY.team_id, _NO_REGION, _TEAM_DAY.day, _TEAM_DAY.team_id, "teams"),
    _days_of(_PERSON, _OWN_DAY.person_id, _NO_REGION, _OWN_DAY.day, _OWN_DAY.person_id,
             "people"),
    _days_of(_REGION, _NO_ID, _PUBLIC_DAY.region, _PUBLIC_DAY.day, _PUBLIC_DAY.region,
             "regions"),
)


def person_holiday_rows(person_ids: Collection[int], *, session: Session) -> list[PersonHoliday]:
    """The own days off of `person_ids`, by person then day."""
    if not person_ids:
        return []
    query = (select(PersonHoliday).where(col(PersonHoliday.person_id).in_(sorted(person_ids)))
             .order_by(col(PersonHoliday.person_id), col(PersonHoliday.day)))
    return list(session.exec(query))


def region_holiday_rows(
    regions: Collection[str] | None, *, session: Session
) -> list[RegionHoliday]:
    """The public holidays of `regions` (all when None), by region then day."""
    query = select(RegionHoliday).order_by(col(RegionHoliday.region), col(RegionHoliday.day))
    if regions is not None:
        query = query.where(col(RegionHoliday.region).in_(sorted(regions)))
    return list(session.exec(query))


def effective_schedules(
    *, session: Session, team_ids: Collection[int] | None = None
) -> dict[int, tuple[Schedule, bool]]:
    """The schedule each team (all, or `team_ids`) follows: its own, else its nearest ancestor's
    (company → department → team), with True when it is the team's own. A team with no
    schedule anywhere above it is absent. Two statements: the parents up the tree from the
    teams asked (every team's when all), then the schedules of those teams and their ancestors
    only (all 1,293 as ORM rows cost the App Home 30 ms at 10,000 people, and every team's
    parent 2 ms more; bench/latency.py)."""
    parents = (team_parents(session=session) if team_ids is None
               else parents_up_from(team_ids, session=session))
    wanted = sorted(parents if team_ids is None else team_ids)
    if team_ids is None:
        rows = session.exec(select(Schedule))
    else:
        chains = {t for team_id in wanted for t in _ancestry(team_id, parents)}
        rows = session.exec(_SCHEDULES_OF_TEAMS, params={"ids": sorted(chains)})
    own = {s.team_id: s for s in rows}
    found: dict[int, tuple[Schedule, bool]] = {}
    for team_id in wanted:
        nearest = next((t for t in _ancestry(team_id, parents) if t in own), None)
        if nearest is not None:
            found[team_id] = (own[nearest], nearest == team_id)
    return found


_SCHEDULES_OF_TEAMS = select(Schedule).where(
    col(Schedule.team_id).in_(bindparam("ids", expanding=True)))


def _ancestry(team_id: int, parents: Mapping[int, int | None]) -> list[int]:
    """`team_id` and its ancestors, nearest first (a cycle in the tree stops the walk)."""
    chain: list[int] = []
    current: int | None = team_id
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain
