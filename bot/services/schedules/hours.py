"""A person's working hours (`/okr hours`): their own, or their team's read in their zone. Every
direct message waits for them (bot/services/schedules/calendars.py, bot/domain/calendar.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import time

from sqlmodel import Session

from bot.clock import Clock
from bot.domain.calendar import Calendar
from bot.services.schedules.calendars import calendar_of
from storage.db import Database
from storage.models import Person
from storage.queries.audit import add_audit


@dataclass(frozen=True)
class HoursView:
    start: time
    end: time
    own: bool  # set with `/okr hours`; False: the team's hours (or 09:00-18:00)
    zone: str  # the person's zone, in which the hours are read


def hours_of(db: Database, clock: Clock, person_id: int) -> HoursView:
    """The hours in which messages may reach the person, and whose they are."""
    with db.read() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return _view(session, person, clock)


def set_hours(
    db: Database, clock: Clock, person_id: int, hours: tuple[time, time] | None
) -> HoursView:
    """Set the person's own hours (`None`: back to the team's); audited."""
    now = clock.now()
    with db.write() as session:
        person = session.get(Person, person_id)
        assert person is not None
        before = _text(person.work_start, person.work_end)
        person.work_start, person.work_end = hours or (None, None)
        person.updated_at = now
        session.add(person)
        add_audit(session=session, at=now, actor=person.slack_user_id, action="person.hours",
                  entity="person", entity_id=str(person.id), before=json.dumps({"hours": before}),
                  after=json.dumps({"hours": _text(person.work_start, person.work_end)}))
        session.flush()
        return _view(session, person, clock)


def _view(session: Session, person: Person, clock: Clock) -> HoursView:
    return hours_in(calendar_of(session, person, around=clock.now(), with_holidays=False),
                    person)


def hours_in(calendar: Calendar, person: Person) -> HoursView:
    """The hours of `person`'s calendar, and whose they are."""
    return HoursView(calendar.work_start, calendar.work_end,
                     own=person.work_start is not None, zone=calendar.zone)


def _text(start: time | None, end: time | None) -> str | None:
    return f"{start:%H:%M}-{end:%H:%M}" if start and end else None
