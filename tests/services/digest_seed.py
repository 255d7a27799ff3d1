"""Seed data for digest tests: a small builder over the tables, and two ready-made teams.

`seed_growth_team` is the hand-made team whose digest the tests check item by item;
`seed_team_of(n)` makes a team of n members that grows every list with n (for the
statement-count and splitting tests).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TypeVar

from sqlmodel import Session

from storage import models
from storage.db import Database

_Row = TypeVar(
    "_Row", models.Person, models.Team, models.Cycle, models.Objective, models.KeyResult,
    models.CheckIn,
)
NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the conftest clock
PERIOD_START = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
LONG_AGO = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)
INJECTION = "CRM export broken <!channel> & <@U123> <https://evil|click> &amp; \"q\" \\ 🚀"


def at(day: int, month: int = 11, hour: int = 10) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=UTC)


@dataclass
class Seeder:
    """Adds rows to one session; ids are available right after each call."""

    session: Session
    keys: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def _add(self, row: _Row) -> _Row:
        self.session.add(row)
        self.session.flush()
        return row

    def person(self, slack_id: str, name: str, *, locale: str = "en") -> models.Person:
        return self._add(models.Person(slack_user_id=slack_id, name=name, locale=locale,
                                created_at=LONG_AGO, updated_at=LONG_AGO))

    def team(self, name: str, *, channel: str | None = "CGROWTH", tz: str = "UTC") -> models.Team:
        team = self._add(models.Team(name=name, slack_channel_id=channel, created_at=LONG_AGO))
        self.session.add(models.Schedule(team_id=team.id, timezone=tz))
        return team

    def member(self, team: models.Team, person: models.Person, *, lead: bool = False) -> None:
        assert team.id is not None and person.id is not None
        self.session.add(models.TeamMember(team_id=team.id, person_id=person.id, is_lead=lead))

    def cycle(self, name: str = "2026-Q4") -> models.Cycle:
        return self._add(models.Cycle(name=name, start_date=date(2026, 10, 1),
                               end_date=date(2026, 12, 31)))

    def objective(self, cycle: models.Cycle, title: str, *, team: models.Team | None = None,
                  person: models.Person | None = None, state: str = "active") -> models.Objective:
        assert cycle.id is not None
        return self._add(models.Objective(
            cycle_id=cycle.id, title=title, owner_team_id=team.id if team else None,
            owner_person_id=person.id if person else None, state=state,
            created_at=LONG_AGO, updated_at=LONG_AGO))

    def kr(self, objective: models.Objective, title: str, *, owner: models.Person | None,
           start: float = 0,
           target: float = 10, current: float = 0, unit: str = "", kind: str = "metric",
           created: datetime = LONG_AGO, direction: str = "increase") -> models.KeyResult:
        assert objective.id is not None
        return self._add(models.KeyResult(
            objective_id=objective.id, title=title, owner_person_id=owner.id if owner else None,
            kind=kind, start_value=start, target_value=target, current_value=current,
            unit=unit, direction=direction, created_at=created, updated_at=created))

    def history(self, kr: models.KeyResult, when: datetime, *, value: float | None = None,
                target: float | None = None, by: models.Person | None = None,
                checkin: models.CheckIn | None = None) -> None:
        assert kr.id is not None
        self.session.add(models.KRValueHistory(
            key_result_id=kr.id, at=when, value=value, target_value=target, source="slack",
            checkin_id=checkin.id if checkin else None, changed_by_id=by.id if by else None))

    def checkin(self, kr: models.KeyResult, author: models.Person | None, when: datetime, *,
                value: float | None = None, previous: float | None = None, blockers: str = "",
                help_needed: str = "", help_from: models.Person | None = None,
                source: str = "slack", progress: str = "") -> models.CheckIn:
        assert kr.id is not None
        return self._add(models.CheckIn(
            key_result_id=kr.id, author_id=author.id if author else None,
            period_key=when.date().isoformat(), value=value, previous_value=previous,
            blockers=blockers, help_needed=help_needed, progress=progress,
            help_from_person_id=help_from.id if help_from else None, source=source,
            idempotency_key=f"seed:{kr.id}:{next(self.keys)}", created_at=when, updated_at=when))

    def move(self, kr: models.KeyResult, author: models.Person, when: datetime, value: float,
             **notes: str | models.Person | None) -> models.CheckIn:
        """A check-in that changes the value, with its history row (as check-ins write it)."""
        previous = kr.current_value
        row = self.checkin(kr, author, when, value=value, previous=previous, **notes)  # type: ignore[arg-type]
        self.history(kr, when, value=value, by=author, checkin=row)
        kr.current_value = value
        kr.last_checkin_at = when
        self.session.add(kr)
        return row

    def absence(self, person: models.Person, first: date, last: date) -> None:
        assert person.id is not None
        self.session.add(models.Absence(person_id=person.id, start_date=first, end_date=last))

    def prompt(self, person: models.Person, when: datetime, *, status: str = "sent") -> None:
        """A check-in prompt due at `when` (sent: the person was asked; skipped: not)."""
        assert person.id is not None
        self.session.add(models.Delivery(
            kind="checkin", dedupe_key=f"checkin:{person.id}:{when.date().isoformat()}",
            person_id=person.id, slot_key=when.date().isoformat(), due_at=when, status=status,
            next_attempt_at=when, created_at=when, sent_at=when if status == "sent" else None))

    def holiday(self, team: models.Team, day: date) -> None:
        assert team.id is not None
        self.session.add(models.Holiday(team_id=team.id, day=day, name="holiday"))


@dataclass(frozen=True)
class Growth:
    """Ids of the hand-made team."""

    team_id: int
    kr: dict[str, int]
    objective: dict[str, int]
    person: dict[str, int]


def seed_growth_team(db: Database) -> Growth:
    """The Growth team, with one KR for every case the digest tells apart.

    Period: 2026-11-16 00:00 → 2026-11-30 09:00 UTC.
    """
    with db.write() as session:
        s = Seeder(session)
        lin = s.person("ULIN", "Lin", locale="zh")
        ana, ben = s.person("UANA", "Ana"), s.person("UBEN", "Ben")
        cai, dee = s.person("UCAI", "Cai"), s.person("UDEE", "Dee")
        eve, fay = s.person("UEVE", "Eve"), s.person("UFAY", "Fay")
        team = s.team("Growth")
        for person in (ana, ben, cai, dee, eve, fay):
            s.member(team, person)
        s.member(team, lin, lead=True)
        cycle = s.cycle()
        leads = s.objective(cycle, "Double qualified leads", team=team)

        # moved, with an open blocker (an earlier one was superseded by the later check-in)
        monthly = s.kr(leads, "Leads per month", owner=ana, start=400, target=1000,
                       current=400, unit="leads")
        s.move(monthly, ana, at(1), 500)
        s.move(monthly, ana, at(18), 600, blockers="old blocker")
        s.move(monthly, ana, at(23), 700, blockers=INJECTION)
        # turned red (0.5 → 0.1), with a help request to the lead
        conversion = s.kr(leads, "Conversion rate", owner=ben, start=2, target=5, current=2,
                          unit="%")
        s.move(conversion, ben, at(10, 10), 3.5)
        s.move(conversion, ben, at(25), 2.3, help_needed="Need a design review\nof the funnel",
               help_from=lin)
        # milestone done
        referral = s.kr(leads, "Launch the referral program", owner=ana, kind="milestone",
                        start=0, target=1)
        s.move(referral, ana, at(22), 1)
        # target changed 5 → 8 (baseline row at creation, as okr_edit writes it); a blocker
        # raised and then closed by a later check-in
        partners = s.kr(leads, "Sign partners", owner=ben, start=0, target=5, current=0)
        s.history(partners, LONG_AGO, target=5)
        s.move(partners, ben, at(15, 10), 4)
        s.history(partners, at(24), value=4, target=8, by=lin)
        partners.target_value = 8
        session.add(partners)
        s.checkin(partners, ben, at(19), blockers="waiting on legal")
        s.checkin(partners, ben, at(26), value=4)
        # turned green (0.6 → 0.8)
        demos = s.kr(leads, "Demos booked", owner=ana, start=0, target=10)
        s.move(demos, ana, at(1), 6)
        s.move(demos, ana, at(26), 8, progress="Two demos booked from the webinar")
        # reached its target
        signups = s.kr(leads, "Trial sign-ups", owner=ana, start=0, target=100, unit="signups")
        s.move(signups, ana, at(1), 90)
        s.move(signups, ana, at(27), 100)

        # Dee: never checked in on a KR older than two weeks → stalled (no check-in), missing
        onboarding = s.objective(cycle, "Make onboarding effortless", person=dee)
        nps = s.kr(onboarding, "Onboarding NPS", owner=dee, start=20, target=50, current=20)
        # Cai: away the whole period → stalled (no check-in) but not missing
        support = s.objective(cycle, "Answer customers faster", person=cai)
        response = s.kr(support, "First response time", owner=cai, start=4, target=1,
                        unit="h", direction="decrease")
        s.move(response, cai, at(1), 2)
        s.absence(cai, date(2026, 11, 14), date(2026, 12, 1))
        # Fay: checks in, but the value has not changed for two weeks → stalled (no change)
        docs = s.objective(cycle, "Publish the API docs", person=fay)
        pages = s.kr(docs, "Pages published", owner=fay, start=0, target=40, current=0)
        s.move(pages, fay, at(2), 10)
        s.checkin(pages, fay, at(16), value=10, previous=10)
        # Gus: away most of the period and team holidays cover the rest → not missing
        gus = s.person("UGUS", "Gus")
        s.member(team, gus)
        hiring = s.objective(cycle, "Hire two engineers", person=gus)
        offers = s.kr(hiring, "Offers accepted", owner=gus, start=0, target=2)
        s.absence(gus, date(2026, 11, 16), date(2026, 11, 25))
        for day in (26, 27, 30):
            s.holiday(team, date(2026, 11, day))
        # asked on the Mondays of the period; the planner skipped Cai's and Gus's (away)
        for monday in (at(16), at(23)):
            for person in (ana, ben, dee, fay):
                s.prompt(person, monday)
            for person in (cai, gus):
                s.prompt(person, monday, status="skipped")
        # a draft Objective is not in the digest
        s.kr(s.objective(cycle, "Draft idea", team=team, state="draft"), "Nothing yet",
             owner=eve)

        # another team, whose blockers must not leak into Growth's digest
        other = s.team("Ops", channel="COPS")
        zed = s.person("UZED", "Zed")
        s.member(other, zed, lead=True)
        uptime = s.kr(s.objective(cycle, "Keep the lights on", team=other), "Uptime",
                      owner=zed, start=99, target=99.9, current=99.5, unit="%")
        s.checkin(uptime, zed, at(24), blockers="Ops-only blocker")
        session.flush()
        ids = Growth(
            team_id=_id(team.id),
            kr={name: _id(kr.id) for name, kr in {
                "monthly": monthly, "conversion": conversion, "referral": referral,
                "partners": partners, "demos": demos, "signups": signups, "nps": nps,
                "response": response, "pages": pages, "offers": offers}.items()},
            objective={"leads": _id(leads.id), "onboarding": _id(onboarding.id)},
            person={p.name: _id(p.id) for p in (lin, ana, ben, cai, dee, eve, fay, gus)},
        )
    return ids


def seed_team_of(db: Database, size: int, *, name: str = "Big", blocker: str = "") -> int:
    """A team of `size` members, each with a personal Objective of three KRs. Even-numbered
    people check in (a KR moved, one turned red, a blocker, a help request); odd-numbered
    ones do not (stalled KRs, not checked in); every fifth person is away."""
    with db.write() as session:
        s = Seeder(session)
        team = s.team(name, channel="C" + name.upper()[:10])
        cycle = s.cycle(f"{name}-Q4")
        lead = s.person(f"U{name.upper()[:6]}LEAD", f"{name} lead")
        s.member(team, lead, lead=True)
        for n in range(size):
            person = s.person(f"U{name.upper()[:6]}{n:05d}", f"Person {n:05d}")
            s.member(team, person)
            objective = s.objective(cycle, f"Objective of person {n}", person=person)
            moved = s.kr(objective, f"Moved KR {n}", owner=person, target=100)
            red = s.kr(objective, f"Red KR {n}", owner=person)
            s.kr(objective, f"Stalled KR {n}", owner=person, current=5)
            if n % 2 == 0:
                s.move(moved, person, at(1), 50)
                s.move(moved, person, at(23), 60, blockers=blocker or f"Blocker {n}",
                       help_needed=f"Help {n}", help_from=lead)
                s.move(red, person, at(2), 5)
                s.move(red, person, at(21), 1)
            if n % 5 == 0:
                s.absence(person, date(2026, 11, 1), date(2026, 12, 31))
            else:
                s.prompt(person, at(16))
        team_id = _id(team.id)
    return team_id


def _id(value: int | None) -> int:
    assert value is not None
    return value


def period() -> dict[str, datetime]:
    return {"period_start": PERIOD_START, "period_end": NOW}

