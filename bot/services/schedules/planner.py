"""The planner tick: due check-in prompts, reminders and digests, from the tables into the outbox.

Any number of processes may tick at once: every row is insert-if-absent on its dedupe key
(`checkin:{person}:{slot}`, `reminder:{person}:{slot}`, `digest:{team}:{period}`), so a doubled
tick adds nothing and a missed one is caught up by the next. A slot found more than `grace`
after it was due is recorded as `skipped` and never sent late (RELIABILITY.md §1–4). It never
calls Slack.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import func
from sqlmodel import Session, select

from bot.clock import Clock
from bot.domain import slots
from bot.domain.calendar import Calendar, deliver_at, for_team, local_day, next_working_day
from bot.domain.slots import Rhythm
from bot.services.cycles.lifecycle import close_overdue
from bot.services.digest.view import DIGEST_THREAD
from bot.services.schedules.calendars import calendars_from, calendars_of, rhythm_of
from bot.services.schedules.review_planner import plan_close
from storage.db import Database
from storage.models import Delivery, Person, Schedule, Team
from storage.queries import checkins as checkin_queries
from storage.queries import cycles as cycle_queries
from storage.queries import okrs as okr_queries
from storage.queries import outbox as outbox_queries
from storage.queries import people as people_queries
from storage.queries import schedules as schedule_queries
from storage.queries import teams as team_queries
from storage.queries.outbox import enqueue, enqueue_thread, record_skipped

logger = logging.getLogger(__name__)

# How far back a tick looks for slots: due within `grace` → sent; older → recorded as skipped
# (unless they fell before the person or team was created).
LOOKBACK = timedelta(days=7)
MAX_REMINDER_DELAY = timedelta(hours=168)
PG_PLANNER_LOCK = 4_242_002
REVIEW_DAYS_BEFORE_END = 7  # the default of settings.review_days_before_end
CYCLE_REVIEW_DAYS = 14  # the default of settings.cycle_review_days


@dataclass(frozen=True)
class PlanReport:
    """What one tick added to the outbox (rows that already existed are not counted)."""

    checkins: int = 0
    reminders: int = 0
    digests: int = 0
    skipped: int = 0
    locked_out: bool = False  # another process held the PostgreSQL planner lock
    reviews: int = 0  # review prompts (bot.services.schedules.review_planner)
    alignments: int = 0  # monthly alignment checks
    closed_cycles: int = 0  # cycles whose review window ended (bot.services.cycles.lifecycle)


@dataclass(frozen=True)
class _Team:
    """A team as the planner needs it."""

    id: int
    created_at: datetime
    rhythm: Rhythm
    digest_channel: str | None


@dataclass
class _Row:
    kind: str
    key: str
    due_at: datetime
    slot_key: str
    person_id: int | None = None
    team_id: int | None = None
    skip: str | None = None
    payload: dict[str, Any] = field(default_factory=dict)
    channel_id: str | None = None


def plan(
    db: Database,
    clock: Clock,
    *,
    grace: timedelta,
    team_ids: Collection[int] | None = None,
    use_lock: bool = True,
    review_days_before_end: int = REVIEW_DAYS_BEFORE_END,
    cycle_review_days: int = CYCLE_REVIEW_DAYS,
) -> PlanReport:
    """Insert every prompt, reminder and digest due now (within `grace`) that is not planned yet.

    On PostgreSQL a tick that finds another tick holding the advisory lock returns at once
    (`locked_out`); that is an optimisation only, the UNIQUE dedupe key is what makes it safe.
    """
    now = clock.now()
    with db.write() as session:
        if use_lock and db.is_postgres and not _try_lock(session):
            return PlanReport(locked_out=True)
        teams = _teams(session, team_ids)
        rows = [
            *_checkins(session, teams, now, grace),
            *_digests(session, teams, now, grace),
            *_reminders(session, teams, now, grace),
        ]
        report = _insert(session, rows, now)
        closing = plan_close(session, now, grace=grace, team_ids=team_ids,
                             days_before_end=review_days_before_end)
        closed = close_overdue(session, now, review_days=cycle_review_days)
        return replace(report, reviews=closing.reviews, alignments=closing.alignments,
                       closed_cycles=closed)


def plan_now(db: Database, clock: Clock, *, team_ids: Collection[int] | None = None) -> PlanReport:
    """Plan a check-in prompt due now for every member of the teams (`okr-bot send-checkins`).

    The slot is each person's current local date, so a second call the same day, or the
    scheduled slot of that day, adds nothing.
    """
    now = clock.now()
    with db.write() as session:
        teams = _teams(session, team_ids, unscheduled=team_ids is not None)
        return _insert(session, list(_checkins(session, teams, now, None)), now)


@dataclass(frozen=True)
class CheckinOutlook:
    """A person's calendar (with holidays) and when they will next be asked to check in (UTC;
    None when not within the look-ahead)."""

    calendar: Calendar
    next_due: datetime | None
    teams: tuple[Team, ...]  # theirs, those they lead first, then by name (teams_of_person)


def checkin_outlook(
    session: Session, person: Person, now: datetime, *, within: timedelta
) -> CheckinOutlook:
    """`person`'s calendar around `now`, and when they will next be asked to check in (within
    `within` of `now`) by the planner's own rule, so that the App Home never says otherwise:
    the slots of each of their teams' schedules (own or inherited) in their zone, none on their
    holidays, weekend or absences, each delivered within their working hours. Holding no KR is
    not asked here: the Home says when the rhythm comes. Their teams and the schedules those
    follow are read once for both, and the teams returned with them."""
    assert person.id is not None
    theirs = team_queries.teams_and_leads_of(person.id, session=session)
    memberships = [team_queries.Membership(team.id or 0, person.id, leads)
                   for team, leads in theirs]
    effective = schedule_queries.effective_schedules(
        session=session, team_ids=[m.team_id for m in memberships])
    calendar = calendars_from(session, [person], memberships, effective, around=now)[person.id]
    teams = _teams_following(effective, {team.id or 0: team for team, _leads in theirs})
    own_teams = tuple(team for team, _leads in theirs)
    if not teams:
        return CheckinOutlook(calendar, None, own_teams)
    first, last = now.date() - timedelta(days=1), (now + within).date() + timedelta(days=1)
    away = schedule_queries.absences_by_person(
        session=session, person_ids=[person.id], first=first, last=last).get(person.id, [])
    due = [deliver_at(calendar, "checkin", slot.due_at)
           for team in teams
           for slot in slots.checkin_slots(team.rhythm, calendar.zone, now, now + within)
           if _checkin_skip(slot, calendar, away, has_krs=True) is None]
    return CheckinOutlook(calendar, min(due, default=None), own_teams)


def _try_lock(session: Session) -> bool:
    return bool(session.exec(select(func.pg_try_advisory_xact_lock(PG_PLANNER_LOCK))).one())


def _teams(
    session: Session, team_ids: Collection[int] | None, *, unscheduled: bool = False
) -> list[_Team]:
    """Teams on a schedule — their own or inherited from a parent team — (all, or among
    `team_ids`); a schedule that cannot be read is logged and left out. `unscheduled` adds the
    named teams that have no schedule anywhere above them, with the defaults. An inherited
    schedule's digest goes to the team's own channel, not the parent's digest channel."""
    effective = schedule_queries.effective_schedules(session=session, team_ids=team_ids)
    rows = team_queries.teams_by_ids(session=session, ids=list(effective)) if effective else {}
    found = _teams_following(effective, rows)
    if unscheduled and team_ids is not None:
        for team_id in sorted(set(team_ids) - set(effective)):
            extra = session.get(Team, team_id)
            if extra is not None:
                found.append(_Team(team_id, extra.created_at, Rhythm(), extra.slack_channel_id))
    return found


def _teams_following(
    effective: Mapping[int, tuple[Schedule, bool]], rows: Mapping[int, Team]
) -> list[_Team]:
    """The teams of `effective` (`effective_schedules`; their `rows` read) with the schedules
    they follow; a schedule that cannot be read is logged and left out."""
    found: list[_Team] = []
    for team_id, (schedule, own) in effective.items():
        team = rows[team_id]
        try:
            rhythm = rhythm_of(schedule)
        except (ValueError, ZoneInfoNotFoundError) as exc:
            logger.error("schedule of team %s cannot be read, not planned: %s", team.id, exc)
            continue
        channel = (schedule.digest_channel_id if own else None) or team.slack_channel_id
        found.append(_Team(team_id, team.created_at, rhythm, channel))
    return found


def _checkins(
    session: Session, teams: list[_Team], now: datetime, grace: timedelta | None
) -> Iterable[_Row]:
    """Check-in slots of every member; `grace=None` means one slot due now (send-checkins)."""
    team_ids = [team.id for team in teams]
    members = team_queries.members_by_team(session=session, team_ids=team_ids)
    everyone = {p.id or 0: p for people in members.values() for p in people}
    person_ids = set(everyone)
    first, last = (now - LOOKBACK).date() - timedelta(days=1), now.date() + timedelta(days=1)
    calendars = calendars_of(session, everyone.values(), around=now - LOOKBACK)
    away = schedule_queries.absences_by_person(session=session, person_ids=person_ids, first=first,
                                               last=last)
    cycle = cycle_queries.current_cycle(session=session, today=now.date())
    with_krs = (
        okr_queries.people_with_key_results(session=session, cycle_id=cycle.id,
                                            person_ids=person_ids)
        if cycle is not None and cycle.id is not None else set()
    )
    for team in teams:
        rhythm = team.rhythm
        for person in members.get(team.id, []):
            calendar = calendars[person.id or 0]
            tz = calendar.zone
            if grace is None:
                due = [slots.Slot(slots.current_checkin_key(tz, now), slots.local_date(now, tz),
                                  now)]
            else:
                due = slots.checkin_slots(rhythm, tz, now - LOOKBACK, now)
            for slot in due:
                reason = _checkin_skip(slot, calendar, away.get(person.id or 0, []),
                                       person.id in with_krs)
                if reason is None:  # inside their working hours: an early slot waits for them
                    slot = replace(slot, due_at=deliver_at(calendar, "checkin", slot.due_at))
                    if grace is not None and slot.due_at > now:
                        continue  # not yet: planned when it is due
                late = grace is not None and slot.due_at < now - grace
                if late and slot.due_at < person.created_at:
                    continue  # missed before the person was known: nothing to record
                if reason is None and late:
                    reason = "late"
                yield _Row("checkin", f"checkin:{person.id}:{slot.key}", slot.due_at, slot.key,
                           person_id=person.id, team_id=team.id, skip=reason)


def _checkin_skip(
    slot: slots.Slot, calendar: Calendar, absences: Collection[tuple[date, date]], has_krs: bool,
) -> str | None:
    """Why a slot is not asked: the person's holiday or weekend on the slot's own date (their
    local date), an absence, or nothing to ask about."""
    if slot.local_date in calendar.holidays:
        return "holiday"
    if slot.local_date.weekday() in calendar.weekend:
        return "weekend"
    if slots.is_away(slot.local_date, absences):
        return "away"
    if not has_krs:
        return "no key results"
    return None


def _digests(
    session: Session, teams: list[_Team], now: datetime, grace: timedelta
) -> Iterable[_Row]:
    """Each team's digest slots; one falling on the team's holiday or weekend goes out at the
    same time on its next working day, covering the same period."""
    first, last = (now - LOOKBACK).date() - timedelta(days=1), now.date() + timedelta(days=31)
    days_off = schedule_queries.holidays_by_team(session=session, team_ids=[t.id for t in teams],
                                                 first=first, last=last)
    for team in teams:
        rhythm = team.rhythm
        if rhythm.digest_cadence == "off":
            continue
        period = slots.digest_period(rhythm)
        office = for_team(rhythm, days_off.get(team.id, set()))
        for slot in slots.digest_slots(rhythm, now - LOOKBACK, now):
            due = _on_a_working_day(office, slot, rhythm.digest_time)
            if due > now:
                continue  # moved past a holiday: planned on the day it goes out
            late = due < now - grace
            if late and due < team.created_at:
                continue
            reason = "late" if late else None
            if team.digest_channel is None:
                reason = "no channel"
            yield _Row(
                "digest", f"digest:{team.id}:{slot.key}", due, slot.key, team_id=team.id,
                skip=reason, channel_id=team.digest_channel,
                payload={"period": int(slot.key),  # the period it covers stays the same
                         "period_start": (slot.due_at - period).isoformat(),
                         "period_end": slot.due_at.isoformat()},
            )


def _on_a_working_day(office: Calendar, slot: slots.Slot, at: time) -> datetime:
    """The slot's due time, or the same wall time on the next working day of `office`."""
    day = next_working_day(office, slot.local_date)
    if day == slot.local_date:
        return slot.due_at
    return slots.local_to_utc(day, at, office.tz) or slot.due_at


def _reminders(
    session: Session, teams: list[_Team], now: datetime, grace: timedelta
) -> Iterable[_Row]:
    rhythms = {team.id: team.rhythm for team in teams
               if team.rhythm.reminder_after_hours is not None}
    since = now - LOOKBACK - MAX_REMINDER_DELAY
    prompts = [p for p in outbox_queries.prompts_awaiting_reminder(session=session, since=since)
               if p.team_id in rhythms and p.person_id is not None and p.sent_at is not None]
    if not prompts:
        return
    person_ids = {p.person_id or 0 for p in prompts}
    first, last = since.date(), now.date() + timedelta(days=1)
    people = people_queries.people_by_ids(person_ids, session=session)
    calendars = calendars_of(session, people.values(), around=since,
                             team_of={p.person_id or 0: p.team_id for p in prompts})
    away = schedule_queries.absences_by_person(session=session, person_ids=person_ids, first=first,
                                               last=last)
    later = outbox_queries.later_prompts(session=session, person_ids=person_ids, since=since)
    for prompt in prompts:
        assert prompt.sent_at is not None and prompt.person_id is not None
        calendar = calendars.get(prompt.person_id)
        hours = rhythms[prompt.team_id or 0].reminder_after_hours
        if calendar is None or hours is None:
            continue
        # After the wait, at the person's next working moment: never at night or on their
        # weekend or holiday; a reminder falling in the evening goes out the next morning.
        due = deliver_at(calendar, "reminder", prompt.sent_at + timedelta(hours=hours))
        if due > now:
            continue
        reason = _reminder_skip(session, prompt, calendar, due, now, grace,
                                away.get(prompt.person_id, []), later.get(prompt.person_id, []))
        yield _Row("reminder", f"reminder:{prompt.person_id}:{prompt.slot_key}", due,
                   prompt.slot_key, person_id=prompt.person_id, team_id=prompt.team_id,
                   skip=reason, payload={"prompt_id": prompt.id})


def _reminder_skip(
    session: Session, prompt: Delivery, calendar: Calendar, due: datetime, now: datetime,
    grace: timedelta,
    absences: Collection[tuple[date, date]], later: Collection[datetime],
) -> str | None:
    person = session.get(Person, prompt.person_id)
    if person is None:
        return "person gone"
    if slots.is_away(date.fromisoformat(prompt.slot_key), absences) or slots.is_away(
        local_day(calendar, due), absences
    ):
        return "away"
    if any(prompt.due_at < other <= due for other in later):
        return "superseded"
    if checked_in_since(session, person.id or 0, prompt, now):
        return "checked in"
    if due < now - grace:
        return "late"
    return None


def checked_in_since(session: Session, person_id: int, prompt: Delivery, now: datetime) -> bool:
    """Whether every KR the person checks in on was updated (check-in or API) after `prompt`."""
    sent = prompt.sent_at or prompt.due_at
    cycle = cycle_queries.current_cycle(session=session, today=now.date())
    if cycle is None or cycle.id is None:
        return True
    rows = checkin_queries.checkin_key_results(session=session, cycle_id=cycle.id,
                                               person_id=person_id)
    return all(kr.last_checkin_at is not None and kr.last_checkin_at >= sent for _, kr in rows)


def _insert(session: Session, rows: list[_Row], now: datetime) -> PlanReport:
    rows = _unique(rows)
    existing = outbox_queries.existing_dedupe_keys(session=session, keys=[r.key for r in rows])
    added = {"checkin": 0, "reminder": 0, "digest": 0}
    skipped = 0
    for row in rows:
        if row.key in existing:
            continue
        if row.skip is not None:
            if record_skipped(session, kind=row.kind, dedupe_key=row.key, due_at=row.due_at,
                              now=now, reason=row.skip, person_id=row.person_id,
                              team_id=row.team_id, slot_key=row.slot_key):
                skipped += 1
                logger.info("skipped %s (due %s): %s", row.key, row.due_at.isoformat(), row.skip)
            continue
        if enqueue(session, kind=row.kind, dedupe_key=row.key, due_at=row.due_at,
                   person_id=row.person_id, team_id=row.team_id, slot_key=row.slot_key,
                   payload=row.payload, channel_id=row.channel_id, created_at=now):
            added[row.kind] += 1
            if row.kind == "digest":
                enqueue_thread(session, parent_key=row.key, kind="digest_reply",
                               sections=DIGEST_THREAD, created_at=now)
    return PlanReport(added["checkin"], added["reminder"], added["digest"], skipped)


def _unique(rows: list[_Row]) -> list[_Row]:
    """One row per dedupe key: a person in two teams gets the first team's slot of a date."""
    seen: dict[str, _Row] = {}
    for row in sorted(rows, key=lambda r: (r.due_at, r.team_id or 0)):
        seen.setdefault(row.key, row)
    return list(seen.values())
