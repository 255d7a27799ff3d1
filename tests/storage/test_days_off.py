"""`days_off`: a team's holidays, a person's own days off and a region's public holidays, read
together and kept apart, within the dates asked, in one statement per batch of ids."""

from __future__ import annotations

from datetime import date

from bot.clock import FakeClock
from storage.db import Database
from storage.models import Holiday, PersonHoliday, RegionHoliday
from storage.queries.batching import BATCH
from storage.queries.schedules import days_off
from tests.scenarios.seed import Seed
from tests.statements import counting

FIRST, LAST = date(2026, 12, 1), date(2026, 12, 31)


def test_each_kind_of_day_off_goes_to_its_owner_within_the_dates(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    ana, bo = seed.make_person(name="Ana"), seed.make_person(name="Bo")
    growth = seed.make_team("Growth", members=[ana])
    assert ana.id is not None and bo.id is not None and growth.id is not None
    with db.write() as session:
        session.add(Holiday(team_id=growth.id, day=date(2026, 12, 24)))
        session.add(Holiday(team_id=growth.id, day=date(2027, 1, 1)))  # after LAST
        session.add(PersonHoliday(person_id=ana.id, day=date(2026, 12, 1)))  # FIRST counts
        session.add(PersonHoliday(person_id=bo.id, day=date(2026, 11, 30)))  # before FIRST
        session.add(RegionHoliday(region="nz-auk", day=date(2026, 12, 31)))  # LAST counts
        session.add(RegionHoliday(region="cn", day=date(2026, 12, 25)))  # not asked
    with db.read() as session, counting(db) as statements:
        found = days_off(team_ids=[growth.id], person_ids=[ana.id, bo.id], regions=["nz-auk"],
                         first=FIRST, last=LAST, session=session)
    assert found.of_team == {growth.id: {date(2026, 12, 24)}}
    assert found.of_person == {ana.id: {date(2026, 12, 1)}}
    assert found.of_region == {"nz-auk": {date(2026, 12, 31)}}
    assert len(statements) == 1


def test_long_id_lists_are_read_in_batches(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    ana = seed.make_person(name="Ana")
    assert ana.id is not None
    with db.write() as session:
        session.add(PersonHoliday(person_id=ana.id, day=date(2026, 12, 2)))
    strangers = range(ana.id + 1, ana.id + 1 + BATCH)  # ids nobody has
    with db.read() as session, counting(db) as statements:
        found = days_off(team_ids=[], person_ids=[*strangers, ana.id], regions=[],
                         first=FIRST, last=LAST, session=session)
    assert found.of_person == {ana.id: {date(2026, 12, 2)}}
    assert len(statements) == 2
