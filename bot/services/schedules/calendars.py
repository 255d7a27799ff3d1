"""Each person's calendar, read from storage for bot/domain/calendar.py to judge with: their
zone, their working hours (their own from `/okr hours`, else their team's read in their zone),
their team's weekend, and every holiday that applies to them — their teams', their own and their
region's — as dates of their own calendar.

The team whose hours apply is the one the message is about when given (a check-in prompt of
team X), else the first of the person's teams on a schedule (its own or a parent team's);
without one, 09:00-18:00.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from bot.domain import slots
from bot.domain.calendar import DEFAULT_WEEKEND, Calendar, deliver_at, for_person
from bot.domain.slots import Rhythm, parse_weekend
from storage.models import Person, Schedule
from storage.queries import cycles as cycle_queries
from storage.queries import okrs as okr_queries
from storage.queries import people as people_queries
from storage.queries import schedules as schedule_queries
from storage.queries import teams as team_queries
from storage.queries.outbox import enqueue
from storage.queries.schedules import DaysOff
from storage.queries.teams import Membership

DEFAULT_HOURS = (time(9, 0), time(18, 0))
# Holidays are read this far ahead: far enough for any wait a message can have.
HORIZON = timedelta(days=62)


def rhythm_of(schedule: Schedule) -> Rhythm:
    """A Schedule row as the pure Rhythm the slot functions take."""
    return Rhythm(
        timezone=schedule.timezone,
        checkin_cadence=schedule.checkin_cadence,
        checkin_weekdays=slots.parse_weekdays(schedule.checkin_weekdays),
        checkin_time=schedule.checkin_time,
        reminder_after_hours=schedule.reminder_after_hours,
        digest_cadence=schedule.digest_cadence,
        digest_weekday=slots.parse_weekday(schedule.digest_weekday),
        digest_time=schedule.digest_time,
        anchor_date=schedule.anchor_date,
        work_start=schedule.work_start,
        work_end=schedule.work_end,
        weekend=slots.parse_weekend(schedule.weekend),
    )


def calendars_of(
    session: Session, people: Collection[Person], *, around: datetime,
    team_of: Mapping[int, int | None] | None = None, with_holidays: bool = True,
) -> dict[int, Calendar]:
    """The calendar of each of `people` (by person id), with holidays from two days before
    `around` to HORIZON after it (none when not `with_holidays`: hours and zone only), in a
    fixed number of statements."""
    ids = [p.id for p in people if p.id is not None]
    memberships = team_queries.memberships_of(ids, session=session)
    wanted = {m.team_id for m in memberships} | {
        t for t in (team_of or {}).values() if t is not None}
    effective = schedule_queries.effective_schedules(session=session, team_ids=wanted)
    return calendars_from(session, people, memberships, effective, around=around,
                          team_of=team_of, with_holidays=with_holidays)


def calendars_from(
    session: Session, people: Collection[Person], memberships: Iterable[Membership],
    effective: Mapping[int, tuple[Schedule, bool]], *, around: datetime,
    team_of: Mapping[int, int | None] | None = None, with_holidays: bool = True,
) -> dict[int, Calendar]:
    """`calendars_of` from the people's memberships and the schedules their teams (and those of
    `team_of`) follow, already read (`effective_schedules`)."""
    ids = [p.id for p in people if p.id is not None]
    first, last = (around - timedelta(days=2)).date(), (around + HORIZON).date()
    teams: dict[int, list[int]] = {pid: [] for pid in ids}
    for member in sorted(memberships, key=lambda m: (not m.is_lead, m.team_id)):
        teams[member.person_id].append(member.team_id)
    wanted = {t for ts in teams.values() for t in ts} | {
        t for t in (team_of or {}).values() if t is not None}
    schedules = {team: schedule for team, (schedule, _) in effective.items()}
    off = DaysOff({}, {}, {})
    if with_holidays:
        off = schedule_queries.days_off(
            team_ids=wanted, person_ids=ids, regions={p.region for p in people if p.region},
            first=first, last=last, session=session)
    found = {}
    for person in people:
        if person.id is None:
            continue
        mine = teams[person.id]
        given = (team_of or {}).get(person.id)
        schedule = schedules.get(given) if given is not None else None
        schedule = schedule or next((schedules[t] for t in mine if t in schedules), None)
        holidays = set(off.of_person.get(person.id, set())) | off.of_region.get(
            person.region or "", set())
        for team_id in {*mine, *([given] if given is not None else [])}:
            holidays |= off.of_team.get(team_id, set())
        found[person.id] = for_person(
            zone_of(person, schedule.timezone if schedule else "UTC"), _hours(schedule),
            own_hours=(person.work_start, person.work_end)
            if person.work_start and person.work_end else None,
            holidays=holidays,
            weekend=parse_weekend(schedule.weekend) if schedule else DEFAULT_WEEKEND)
    return found


def calendar_of(session: Session, person: Person, *, around: datetime,
                team_id: int | None = None, with_holidays: bool = True) -> Calendar:
    """One person's calendar (see `calendars_of`)."""
    assert person.id is not None
    return calendars_of(session, [person], around=around, team_of={person.id: team_id},
                        with_holidays=with_holidays)[person.id]


def _hours(schedule: Schedule | None) -> tuple[time, time]:
    return (schedule.work_start, schedule.work_end) if schedule else DEFAULT_HOURS


def zone_of(person: Person, team_zone: str) -> str:
    """The person's zone; their team's when the stored name is not a zone (never guess UTC)."""
    try:
        ZoneInfo(person.tz)
    except (ZoneInfoNotFoundError, ValueError):
        return team_zone
    return person.tz


def enqueue_for(
    session: Session, *, kind: str, dedupe_key: str, due_at: datetime, person_id: int,
    payload: dict[str, Any], created_at: datetime, hours_of: int | None = None,
    slot_key: str = "",
) -> bool:
    """`storage.queries.outbox.enqueue` of a direct message to `person_id`, due at the person's
    next suitable moment from `due_at` (their calendar, with the hours of team `hours_of` when
    given; a help request's urgent window). True when this call added the row."""
    person = session.get(Person, person_id)
    if person is not None:
        calendar = calendar_of(session, person, around=due_at, team_id=hours_of)
        due_at = deliver_at(calendar, kind, due_at)
    return enqueue(session, kind=kind, dedupe_key=dedupe_key, due_at=due_at, person_id=person_id,
                   slot_key=slot_key, payload=payload, created_at=created_at)


def unscheduled_owners(session: Session, today: date) -> list[str]:
    """Names of the people asked about an active KR of the current cycle (its owner, else its
    Objective's owner, else the owning team's leads) who are on no schedule: none of their
    teams has one, nor any team above it. They get no check-in prompt; `okr-bot status` and
    `/okr schedule` name them."""
    cycle = cycle_queries.current_cycle(today, session=session)
    if cycle is None or cycle.id is None:
        return []
    everyone = people_queries.all_people(session=session)
    asked = okr_queries.people_with_key_results(
        session=session, cycle_id=cycle.id, person_ids=[p.id for p in everyone if p.id])
    scheduled = set(schedule_queries.effective_schedules(session=session))
    on_schedule = {m.person_id for m in team_queries.memberships_of(sorted(asked),
                                                                    session=session)
                   if m.team_id in scheduled}
    return sorted(p.name for p in everyone if p.id in asked and p.id not in on_schedule)
