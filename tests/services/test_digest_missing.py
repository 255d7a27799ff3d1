"""The digest blames nobody who was not asked: "not checked in" = asked in the period and
answered none (made or edited in it); away and paused people on a neutral line of their own."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlmodel import select

from bot.clock import FakeClock
from bot.services.digest.builder import build_digest
from storage.db import Database
from storage.models import CheckIn
from tests.services.digest_seed import NOW, Seeder, at, period


def test_only_people_asked_and_silent_are_missing(db: Database, clock: FakeClock) -> None:
    with db.write() as session:
        s = Seeder(session)
        team = s.team("Remote")
        cycle = s.cycle()
        people = {name: s.person(f"U{name.upper()}", name)
                  for name in ("Silent", "Answered", "Edited", "Away", "Paused", "Holiday",
                               "Unasked", "Late")}
        for person in people.values():
            s.member(team, person)
            objective = s.objective(cycle, f"Objective of {person.name}", person=person)
            kr = s.kr(objective, f"KR of {person.name}", owner=person)
            if person.name == "Answered":
                s.checkin(kr, person, at(23, hour=11))
            if person.name == "Edited":
                # made before the period, edited inside it: it answers this period's prompt
                made = s.checkin(kr, person, at(9))
                made.updated_at = at(26)
                session.add(made)
            if person.name == "Late":
                s.checkin(kr, person, NOW_PLUS_DAY)  # answered after the digest's end
        for name in ("Silent", "Answered", "Edited", "Late"):
            s.prompt(people[name], at(23))
        # the planner skipped these prompts: away, paused, a holiday on the person's own date
        for name in ("Away", "Paused", "Holiday"):
            s.prompt(people[name], at(23), status="skipped")
        s.absence(people["Away"], date(2026, 11, 23), date(2026, 11, 24))
        s.absence(people["Paused"], date(2026, 11, 10), date(2026, 12, 20))
        # "Unasked" has no prompt at all (e.g. their schedule starts next week)
    digest = build_digest(db, clock, team.id or 0, **period())
    assert sorted(p.name for p in digest.not_checked_in) == ["Late", "Silent"]
    assert [p.name for p in digest.away] == ["Away", "Paused"]
    assert digest.checkins == 2  # Answered's, and Edited's (edited in the period)
    with db.read() as session:
        assert len(session.exec(select(CheckIn)).all()) == 3


def test_someone_asked_then_away_is_on_the_away_line_only(db: Database,
                                                          clock: FakeClock) -> None:
    with db.write() as session:
        s = Seeder(session)
        team = s.team("Remote")
        person = s.person("UASKED", "Asked then away")
        s.member(team, person)
        s.kr(s.objective(s.cycle(), "Ship", person=person), "Ship it", owner=person)
        s.prompt(person, at(16))
        s.absence(person, date(2026, 11, 17), date(2026, 11, 30))
    digest = build_digest(db, clock, team.id or 0, **period())
    assert digest.not_checked_in == ()
    assert [p.name for p in digest.away] == ["Asked then away"]


NOW_PLUS_DAY: datetime = NOW + timedelta(days=1)
