"""Seed rows straight into the database for tests: sensible defaults, times from the clock.

    seed = Seed(db, clock)
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    growth = seed.make_team("Growth", channel_id="CGROWTH", members=[ana], leads=[ana])
    q4 = seed.make_cycle()                      # the quarter around the clock's date, active
    o = seed.make_objective("Win the market", owner=ana, cycle=q4)
    kr = seed.make_kr(o, "Leads", target=600, unit="leads")
    seed.make_checkin(kr, author=ana, value=120, confidence="on_track")

Every call is its own committed transaction and returns the row (readable after commit).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from bot.clock import Clock
from storage import models
from storage.db import Database


@dataclass
class Seed:
    db: Database
    clock: Clock
    _serial: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _now(self) -> datetime:
        return self.clock.now()

    def _add(self, row: Any) -> Any:
        with self.db.write() as session:
            session.add(row)
            session.flush()
            session.refresh(row)
        return row

    def make_person(self, slack_user_id: str | None = None, *, name: str | None = None,
                    tz: str = "UTC", locale: str = "en", is_admin: bool = False,
                    email: str | None = None) -> models.Person:
        n = next(self._serial)
        slack_user_id = slack_user_id or f"UP{n:06d}"
        now = self._now()
        return self._add(models.Person(slack_user_id=slack_user_id, name=name or f"Person {n}",
                                tz=tz, locale=locale, is_admin=is_admin, email=email,
                                created_at=now, updated_at=now))

    def make_team(self, name: str | None = None, *, channel_id: str | None = None,
                  parent: models.Team | None = None, members: Sequence[models.Person] = (),
                  leads: Sequence[models.Person] = ()) -> models.Team:
        """A team; `leads` are members too."""
        team = self._add(models.Team(name=name or f"Team {next(self._serial)}",
                              slack_channel_id=channel_id,
                              parent_id=parent.id if parent else None, created_at=self._now()))
        lead_ids = {p.id for p in leads}
        with self.db.write() as session:
            for person in [*leads, *[m for m in members if m.id not in lead_ids]]:
                session.add(models.TeamMember(team_id=team.id, person_id=person.id,
                                       is_lead=person.id in lead_ids))
        return team

    def add_member(
        self, team: models.Team, person: models.Person, *, is_lead: bool = False
    ) -> None:
        with self.db.write() as session:
            session.add(models.TeamMember(team_id=team.id, person_id=person.id, is_lead=is_lead))

    def make_cycle(self, name: str | None = None, *, start: date | None = None,
                   end: date | None = None, state: str = "active") -> models.Cycle:
        """By default the calendar quarter around the clock's date, named like `2026-Q4`."""
        today = self._now().date()
        quarter = (today.month - 1) // 3
        first = start or date(today.year, 3 * quarter + 1, 1)
        if end is None:
            next_first = (date(first.year + 1, 1, 1) if quarter == 3
                          else date(first.year, 3 * quarter + 4, 1))
            end = next_first - timedelta(days=1)
        return self._add(models.Cycle(name=name or f"{first.year}-Q{quarter + 1}", start_date=first,
                               end_date=end, state=state))

    def make_objective(self, title: str = "An Objective", *, owner: models.Person | models.Team,
                       cycle: models.Cycle, type: str = "committed",
                       parent: models.Objective | None = None,
                       state: str = "active", position: int | None = None,
                       key: str | None = None, description: str = "") -> models.Objective:
        now = self._now()
        is_person = isinstance(owner, models.Person)
        return self._add(models.Objective(
            cycle_id=cycle.id, title=title, type=type, state=state, key=key,
            description=description,
            owner_person_id=owner.id if is_person else None,
            owner_team_id=None if is_person else owner.id,
            parent_id=parent.id if parent else None,
            position=next(self._serial) if position is None else position,
            created_at=now, updated_at=now,
        ))

    def make_kr(self, objective: models.Objective, title: str = "A Key Result", *,
                kind: str = "metric", start: float = 0.0, target: float = 100.0,
                current: float | None = None, unit: str = "", direction: str | None = None,
                confidence: str | None = None, owner: models.Person | None = None,
                state: str = "active", position: int | None = None,
                key: str | None = None) -> models.KeyResult:
        """A metric KR from `start` to `target` (current = start unless given), or a
        milestone (`kind="milestone"`, current 0 or 1)."""
        now = self._now()
        if kind == "milestone":
            start, target = 0.0, 1.0
        direction = direction or ("decrease" if target < start else "increase")
        return self._add(models.KeyResult(
            objective_id=objective.id, title=title, kind=kind, start_value=start,
            target_value=target, current_value=start if current is None else current,
            unit=unit, direction=direction, confidence=confidence,
            owner_person_id=owner.id if owner else None, state=state, key=key,
            position=next(self._serial) if position is None else position,
            created_at=now, updated_at=now,
        ))

    def make_checkin(self, kr: models.KeyResult, *, author: models.Person | None = None,
                     value: float | None = None, confidence: str | None = "on_track",
                     at: datetime | None = None, progress: str = "", blockers: str = "",
                     help_needed: str = "", source: str = "slack",
                     period_key: str | None = None) -> models.CheckIn:
        """A check-in at `at` (default: now) that also moves the KR: value, confidence,
        last check-in time, value history — as recording one does."""
        at = at or self._now()
        n = next(self._serial)
        with self.db.write() as session:
            stored = session.get(models.KeyResult, kr.id)
            assert stored is not None
            checkin = models.CheckIn(
                key_result_id=kr.id, author_id=author.id if author else None,
                period_key=period_key or at.date().isoformat(), value=value,
                previous_value=stored.current_value, confidence=confidence,
                progress=progress, blockers=blockers, help_needed=help_needed, source=source,
                idempotency_key=f"seed:{kr.id}:{n}", created_at=at, updated_at=at,
            )
            session.add(checkin)
            session.flush()
            if value is not None:
                stored.current_value = value
                session.add(models.KRValueHistory(key_result_id=kr.id, at=at, value=value,
                                           source=source, checkin_id=checkin.id,
                                           changed_by_id=author.id if author else None))
            if confidence is not None:
                stored.confidence = confidence
            stored.last_checkin_at = at
            stored.updated_at = at
            session.add(stored)
            session.flush()
            session.refresh(checkin)
        return checkin

    def make_schedule(self, team: models.Team, *, timezone: str = "UTC",
                      checkin_cadence: str = "weekly", checkin_weekdays: str = "mon",
                      checkin_time: time = time(10, 0), **extra: Any) -> models.Schedule:
        return self._add(models.Schedule(team_id=team.id, timezone=timezone,
                                  checkin_cadence=checkin_cadence,
                                  checkin_weekdays=checkin_weekdays, checkin_time=checkin_time,
                                  **extra))
