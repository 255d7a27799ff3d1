"""Being away: skip the next check-in, pause check-ins until a date, or come back early.

An absence is a row of inclusive local dates of the person; on those dates they get no prompt
and no reminder and are not counted as missing (bot/services/schedules/planner.py, the digest).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session, col, delete, select

from bot.clock import Clock
from bot.domain import local_dates, slots
from bot.domain.schedule_input import check_pause_end
from bot.services.schedules.calendars import rhythm_of, zone_of
from storage.db import Database
from storage.models import Absence, AuditLog, Delivery, Person, TeamMember
from storage.queries import schedules as schedule_queries

LOOKAHEAD = timedelta(days=21)
DONE_STATES = ("sent", "failed", "skipped")


@dataclass(frozen=True)
class AwayView:
    """An absence as saved (or the one that already covered it)."""

    start: date
    end: date
    today: date
    already: bool


@dataclass(frozen=True)
class ResumeView:
    ended: int  # absences shortened or removed
    today: date


def skip_next(db: Database, clock: Clock, person_id: int) -> AwayView:
    """Away until the person's next check-in (inclusive), or to the end of this week when no
    schedule asks them for one."""
    now = clock.now()
    with db.write() as session:
        person = _person(session, person_id)
        today = local_dates.local(now, person.tz).date()
        upcoming = next_checkin_date(session, person, now)
        end = upcoming if upcoming is not None else today + timedelta(days=6 - today.weekday())
        return _save(session, person, now, today, max(end, today), "away")


def skip_week(db: Database, clock: Clock, person_id: int) -> AwayView:
    """Away from today to the end of this week (Sunday, the person's date): the prompt's
    reminder is not sent and the digest lists them as away, not missing."""
    now = clock.now()
    with db.write() as session:
        person = _person(session, person_id)
        today = local_dates.local(now, person.tz).date()
        return _save(session, person, now, today, today + timedelta(days=6 - today.weekday()),
                     "away")


def pause_until(db: Database, clock: Clock, person_id: int, until: date) -> AwayView:
    """Away from today to `until` (inclusive); InputError when `until` is past or too far."""
    now = clock.now()
    with db.write() as session:
        person = _person(session, person_id)
        today = local_dates.local(now, person.tz).date()
        check_pause_end(until, today)
        return _save(session, person, now, today, until, "pause")


def resume(db: Database, clock: Clock, person_id: int) -> ResumeView:
    """End the person's absences from today on: check-ins start again with the next slot."""
    now = clock.now()
    with db.write() as session:
        person = _person(session, person_id)
        today = local_dates.local(now, person.tz).date()
        current = list(session.exec(select(Absence).where(
            col(Absence.person_id) == person_id, col(Absence.end_date) >= today)))
        for absence in current:
            if absence.start_date >= today:
                session.exec(delete(Absence).where(col(Absence.id) == absence.id))
            else:
                absence.end_date = today - timedelta(days=1)
                session.add(absence)
        if current:
            _audit(session, person, now, "absence.end", "", {"ended": len(current)})
        return ResumeView(len(current), today)


def next_checkin_date(session: Session, person: Person, now: datetime) -> date | None:
    """The local date of the person's next check-in that has not gone out yet."""
    mine = session.exec(select(TeamMember.team_id).where(
        col(TeamMember.person_id) == person.id)).all()
    candidates: list[slots.Slot] = []
    for _, schedule in schedule_queries.scheduled_teams(session=session, team_ids=mine):
        try:
            rhythm = rhythm_of(schedule)
        except ValueError:
            continue
        tz = zone_of(person, rhythm.timezone)
        candidates += slots.checkin_slots(rhythm, tz, now - timedelta(days=1), now + LOOKAHEAD)
    done = _done_slots(session, person.id or 0, {s.key for s in candidates})
    upcoming = sorted(s.local_date for s in candidates if s.key not in done)
    return upcoming[0] if upcoming else None


def _done_slots(session: Session, person_id: int, keys: set[str]) -> set[str]:
    if not keys:
        return set()
    query = select(Delivery.slot_key).where(
        col(Delivery.kind) == "checkin", col(Delivery.person_id) == person_id,
        col(Delivery.slot_key).in_(sorted(keys)), col(Delivery.status).in_(DONE_STATES))
    return set(session.exec(query))


def _person(session: Session, person_id: int) -> Person:
    person = session.get(Person, person_id)
    if person is None:
        raise LookupError(f"no person {person_id}")
    return person


def _save(session: Session, person: Person, now: datetime, start: date, end: date,
          reason: str) -> AwayView:
    covering = session.exec(select(Absence).where(
        col(Absence.person_id) == person.id, col(Absence.start_date) <= start,
        col(Absence.end_date) >= end)).first()
    if covering is not None:
        return AwayView(covering.start_date, covering.end_date, start, already=True)
    absence = Absence(person_id=person.id or 0, start_date=start, end_date=end, reason=reason)
    session.add(absence)
    session.flush()
    _audit(session, person, now, "absence.create", str(absence.id),
           {"start": start.isoformat(), "end": end.isoformat(), "reason": reason})
    return AwayView(start, end, start, already=False)


def _audit(session: Session, person: Person, now: datetime, action: str, entity_id: str,
           after: dict[str, object]) -> None:
    session.add(AuditLog(at=now, actor=person.slack_user_id, action=action, entity="absence",
                         entity_id=entity_id, after=json.dumps(after)))
