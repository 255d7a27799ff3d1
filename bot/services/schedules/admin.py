"""Teams' schedules seen and set from Slack (`/okr schedule`), by admins only."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, time

from sqlmodel import Session

from bot.clock import Clock
from bot.domain.schedule_input import InputError, ScheduleChange
from bot.domain.slots import WEEKDAY_NAMES, format_weekdays, parse_weekdays
from bot.services.schedules.calendars import rhythm_of, unscheduled_owners
from bot.services.team_names import TeamNotFound, team_not_found
from storage.db import Database
from storage.models import AuditLog, Person, Schedule, Team
from storage.queries import schedules as schedule_queries
from storage.queries import teams as team_queries

logger = logging.getLogger(__name__)
MAX_LISTED = 20


@dataclass(frozen=True)
class ScheduleLine:
    """One team's schedule, ready to show."""

    team: str
    timezone: str
    checkin_cadence: str
    checkin_days: tuple[str, ...]  # "mon", "thu"
    checkin_time: str
    reminder_hours: int | None
    digest_cadence: str
    digest_day: str
    digest_time: str
    work_hours: str
    channel_id: str | None
    follow_along: bool = False


@dataclass(frozen=True)
class Refused:
    """The person may not see or change schedules."""


@dataclass(frozen=True)
class ScheduleList:
    lines: tuple[ScheduleLine, ...]  # teams with a schedule of their own
    unscheduled: tuple[str, ...]  # people asked about a KR who are on no schedule


def list_schedules(db: Database, clock: Clock, person_id: int) -> ScheduleList | Refused:
    """Every scheduled team's rhythm, and who owns a KR but is on no schedule (admins only)."""
    with db.write() as session:
        if not _is_admin(session, person_id, "schedule.list"):
            _refusal(session, person_id, clock.now())
            return Refused()
        lines = tuple(_line(team, schedule)
                      for team, schedule
                      in schedule_queries.scheduled_teams(session=session)[:MAX_LISTED])
        return ScheduleList(lines, tuple(unscheduled_owners(session, clock.now().date())))


def change_schedule(
    db: Database, clock: Clock, person_id: int, change: ScheduleChange
) -> ScheduleLine | Refused | TeamNotFound:
    """Apply `change` to the team's schedule (created with the defaults if it has none).

    InputError when the result would not be a valid schedule (nothing is written then)."""
    now = clock.now()
    with db.write() as session:
        if not _is_admin(session, person_id, "schedule.change"):
            _refusal(session, person_id, now)
            return Refused()
        team = team_queries.team_named(change.team, session=session)
        if team is None or team.id is None:
            return team_not_found(change.team, session=session)
        schedule = schedule_queries.schedule_of(team.id, session=session)
        before = _state(schedule) if schedule else None
        schedule = _apply(schedule or Schedule(team_id=team.id), change)
        try:
            rhythm_of(schedule)
        except ValueError as exc:
            raise InputError("invalid", reason=str(exc)) from None
        session.add(schedule)
        actor = session.get(Person, person_id)
        session.add(AuditLog(at=now, actor=actor.slack_user_id if actor else "?",
                             action="schedule.update", entity="schedule",
                             entity_id=str(team.id), before=before, after=_state(schedule)))
        session.flush()
        return _line(team, schedule)


def _is_admin(session: Session, person_id: int, action: str) -> bool:
    person = session.get(Person, person_id)
    if person is not None and person.is_admin:
        return True
    logger.warning("security: person %s refused %s (not an admin)", person_id, action)
    return False


def _refusal(session: Session, person_id: int, now: datetime) -> None:
    person = session.get(Person, person_id)
    session.add(AuditLog(at=now, actor=person.slack_user_id if person else "?",
                         action="schedule.refused", entity="schedule", entity_id=""))


def _apply(schedule: Schedule, change: ScheduleChange) -> Schedule:
    if change.checkin_cadence is not None:
        schedule.checkin_cadence = change.checkin_cadence
    if change.checkin_weekdays is not None:
        schedule.checkin_weekdays = format_weekdays(change.checkin_weekdays)
    if change.checkin_time is not None:
        schedule.checkin_time = change.checkin_time
    if change.reminder_set:
        schedule.reminder_after_hours = change.reminder_after_hours
    if change.digest_weekday is not None:
        schedule.digest_weekday = WEEKDAY_NAMES[change.digest_weekday]
        schedule.digest_time = change.digest_time or schedule.digest_time
        if change.digest_cadence is None and schedule.digest_cadence == "off":
            schedule.digest_cadence = "biweekly"
    if change.digest_cadence is not None:
        schedule.digest_cadence = change.digest_cadence
    if change.timezone is not None:
        schedule.timezone = change.timezone
    if change.work_start is not None and change.work_end is not None:
        schedule.work_start, schedule.work_end = change.work_start, change.work_end
    if change.digest_channel_id is not None:
        schedule.digest_channel_id = change.digest_channel_id
    if change.follow_along is not None:
        schedule.follow_along = change.follow_along
    return schedule


def _hhmm(value: time) -> str:
    return f"{value.hour:02d}:{value.minute:02d}"


def _line(team: Team, schedule: Schedule) -> ScheduleLine:
    try:
        days = tuple(WEEKDAY_NAMES[d] for d in parse_weekdays(schedule.checkin_weekdays))
    except ValueError:
        days = ()
    if schedule.checkin_cadence != "weekdays":
        days = days[:1]
    return ScheduleLine(
        team=team.name, timezone=schedule.timezone, checkin_cadence=schedule.checkin_cadence,
        checkin_days=days, checkin_time=_hhmm(schedule.checkin_time),
        reminder_hours=schedule.reminder_after_hours, digest_cadence=schedule.digest_cadence,
        digest_day=schedule.digest_weekday, digest_time=_hhmm(schedule.digest_time),
        work_hours=f"{_hhmm(schedule.work_start)}–{_hhmm(schedule.work_end)}",
        channel_id=schedule.digest_channel_id or team.slack_channel_id,
        follow_along=schedule.follow_along,
    )


def _state(schedule: Schedule) -> str:
    return json.dumps({k: str(v) for k, v in schedule.model_dump().items()}, sort_keys=True)

