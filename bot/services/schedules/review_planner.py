"""Planner steps for the close of a cycle: review prompts and the monthly alignment check.

Both insert-if-absent on their dedupe keys inside the planner's transaction, so a doubled tick
adds nothing:
- `review:{cycle}:{person}`: once the owner's local date is `days_before_end` days before the
  end of an active cycle, each owner of its live Objectives (and each lead of a team owning
  one) gets a DM opening the review;
- `alignment:{team}:{yyyy-mm}:{lead}`: on the first working day of each month (team-local, at
  the start of its working day) each lead of a scheduled team with red, stalled or less
  confident KRs gets a DM listing them; found later than `grace`, it is recorded as skipped.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session

from bot.domain import slots
from bot.domain.calendar import for_team, next_working_day
from bot.domain.cycle_rules import in_cycle, month_key, review_open
from bot.domain.local_dates import local
from bot.services.review.alignment import flagged_krs
from bot.services.schedules.calendars import enqueue_for, rhythm_of
from storage.queries import cycles as cycle_queries
from storage.queries import outbox as outbox_queries
from storage.queries import people as people_queries
from storage.queries import reviews as review_queries
from storage.queries import schedules as schedule_queries
from storage.queries import teams as team_queries
from storage.queries.outbox import record_skipped


@dataclass(frozen=True)
class CloseReport:
    reviews: int = 0
    alignments: int = 0


def plan_reviews(session: Session, now: datetime, *, days_before_end: int) -> int:
    """Queue the review prompt of every owner whose cycle is about to end; how many were new."""
    added = 0
    for cycle in cycle_queries.active_cycles(session=session):
        objectives = review_queries.objectives_to_review(cycle.id or 0, session=session)
        owners = {o.owner_person_id for o in objectives if o.owner_person_id is not None}
        team_owned = {o.owner_team_id for o in objectives if o.owner_team_id is not None}
        lead_ids = {m.person_id for m in team_queries.all_memberships(session=session)
                    if m.is_lead and m.team_id in team_owned}
        people = people_queries.people_by_ids(owners | lead_ids, session=session)
        for person_id, person in sorted(people.items()):
            if not review_open(local(now, person.tz).date(), cycle.end_date, days_before_end):
                continue
            if enqueue_for(session, kind="review", dedupe_key=f"review:{cycle.id}:{person_id}",
                           due_at=now, person_id=person_id, payload={"cycle_id": cycle.id},
                           created_at=now):
                added += 1
    return added


def plan_alignment(session: Session, now: datetime, *, grace: timedelta,
                   team_ids: Collection[int] | None = None) -> int:
    """Queue this month's alignment check of every scheduled team's leads; how many were new."""
    added = 0
    for team, schedule in schedule_queries.scheduled_teams(session=session, team_ids=team_ids):
        try:
            zone = ZoneInfo(schedule.timezone)
            office = for_team(rhythm_of(schedule))
        except (ZoneInfoNotFoundError, ValueError):
            continue
        today = now.astimezone(zone).date()
        holidays = schedule_queries.holidays_by_team(
            session=session, team_ids=[team.id or 0], first=today.replace(day=1),
            last=today.replace(day=1) + timedelta(days=14)).get(team.id or 0, set())
        day = next_working_day(replace(office, holidays=frozenset(holidays)),
                               today.replace(day=1))
        due = slots.local_to_utc(day, schedule.work_start, zone)
        if due is None or now < due or due < team.created_at:
            continue
        month = month_key(day)
        leads = sorted(m.person_id for m in team_queries.all_memberships(session=session)
                       if m.team_id == team.id and m.is_lead)
        keys = {lead: f"alignment:{team.id}:{month}:{lead}" for lead in leads}
        if keys and _all_planned(session, keys.values()):
            continue  # decided earlier this month: don't re-read the team's KRs every tick
        cycle = cycle_queries.current_cycle(session=session, today=today)
        if cycle is None or cycle.id is None or not in_cycle(today, cycle.start_date,
                                                             cycle.end_date):
            continue  # no cycle runs today: nothing to align (an ended one awaits its review)
        items = flagged_krs(session, team.id or 0, cycle.id, now)
        if not items:
            for lead, key in keys.items():
                record_skipped(session, kind="alignment", dedupe_key=key, due_at=due, now=now,
                               reason="nothing to adjust", person_id=lead, slot_key=month)
            continue
        payload = {"team": team.name, "cycle": cycle.name, "month": month,
                   "items": [item.as_payload() for item in items]}
        for lead, key in keys.items():
            if due < now - grace:
                record_skipped(session, kind="alignment", dedupe_key=key, due_at=due, now=now,
                               reason="late", person_id=lead, slot_key=month)
            elif enqueue_for(session, kind="alignment", dedupe_key=key, due_at=due,
                             person_id=lead, hours_of=team.id, slot_key=month, payload=payload,
                             created_at=now):
                added += 1
    return added


def _all_planned(session: Session, keys: Iterable[str]) -> bool:
    wanted = set(keys)
    return outbox_queries.existing_dedupe_keys(session=session, keys=wanted) == wanted


def plan_close(session: Session, now: datetime, *, grace: timedelta, days_before_end: int,
               team_ids: Collection[int] | None = None) -> CloseReport:
    """Both steps, as the planner tick runs them."""
    return CloseReport(plan_reviews(session, now, days_before_end=days_before_end),
                       plan_alignment(session, now, grace=grace, team_ids=team_ids))
