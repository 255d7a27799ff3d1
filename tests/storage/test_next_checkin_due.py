"""When the Home says the next check-in is due (the planner's own answer, over the Home's
look-ahead): the person's zone, holidays, absences, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from bot.clock import FakeClock
from bot.services.home import LOOKAHEAD
from bot.services.schedules.planner import checkin_outlook
from storage.db import Database
from storage.models import Absence, Holiday, Person, PersonHoliday
from tests.scenarios.seed import Seed


def next_checkin_due(db: Database, clock: FakeClock, person_id: int) -> datetime | None:
    """What the Home (`home_of_slack_user`) asks the planner for `person_id`, or None for nobody."""
    with db.read() as session:
        person = session.get(Person, person_id)
        if person is None:
            return None
        return checkin_outlook(session, person, clock.now(), within=LOOKAHEAD).next_due


def _person_in_team(seed: Seed, tz: str, **schedule: object) -> int:
    person = seed.make_person(tz=tz)
    team = seed.make_team(members=[person])
    seed.make_schedule(team, **schedule)  # type: ignore[arg-type]
    assert person.id is not None
    return person.id


def test_due_later_today_on_the_persons_own_clock(db: Database, clock: FakeClock) -> None:
    person = _person_in_team(Seed(db, clock), "America/New_York")  # Mon 04:00 there
    assert next_checkin_due(db, clock, person) == datetime(2026, 11, 30, 15, 0, tzinfo=UTC)


def test_after_todays_slot_the_next_week_is_due(db: Database, clock: FakeClock) -> None:
    person = _person_in_team(Seed(db, clock), "Asia/Shanghai")  # Mon 17:00 there
    assert next_checkin_due(db, clock, person) == datetime(2026, 12, 7, 2, 0, tzinfo=UTC)


def test_the_slot_moves_with_daylight_saving(db: Database, clock: FakeClock) -> None:
    clock.set(datetime(2026, 3, 6, 12, 0, tzinfo=UTC))  # Friday; DST starts Sunday March 8
    person = _person_in_team(Seed(db, clock), "America/New_York")
    assert next_checkin_due(db, clock, person) == datetime(2026, 3, 9, 14, 0, tzinfo=UTC)


def test_holidays_and_absences_are_skipped(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    person = seed.make_person(tz="UTC")
    team = seed.make_team(members=[person])
    seed.make_schedule(team, checkin_weekdays="mon", checkin_time=time(10, 0))
    with db.write() as session:
        session.add(Holiday(team_id=team.id, day=date(2026, 11, 30), name="Founders' day"))
        session.add(Absence(person_id=person.id, start_date=date(2026, 12, 5),
                            end_date=date(2026, 12, 8)))
    assert person.id is not None
    assert next_checkin_due(db, clock, person.id) == datetime(2026, 12, 14, 10, 0, tzinfo=UTC)


def test_biweekly_counts_weeks_from_the_anchor(db: Database, clock: FakeClock) -> None:
    # 2026-11-30 is week 47 from the anchor Monday 2026-01-05: an off week.
    person = _person_in_team(Seed(db, clock), "UTC", checkin_cadence="biweekly")
    assert next_checkin_due(db, clock, person) == datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


def test_the_earliest_of_several_teams_wins(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    person = seed.make_person(tz="UTC")
    for day in ("fri", "wed"):
        seed.make_schedule(seed.make_team(members=[person]), checkin_weekdays=day)
    assert person.id is not None
    assert next_checkin_due(db, clock, person.id) == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def test_no_team_or_no_schedule_means_nothing_is_due(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    loner = seed.make_person()
    unscheduled = seed.make_person()
    seed.make_team(members=[unscheduled])
    assert loner.id is not None and unscheduled.id is not None
    assert next_checkin_due(db, clock, loner.id) is None
    assert next_checkin_due(db, clock, unscheduled.id) is None
    assert next_checkin_due(db, clock, 9999) is None


def test_a_schedule_inherited_from_a_parent_team_is_the_persons_too(
    db: Database, clock: FakeClock
) -> None:
    """The planner asks the members of a team that follows its department's schedule; the
    Home says so too (it used to read the team's own schedule only and said none)."""
    seed = Seed(db, clock)
    person = seed.make_person(tz="UTC")
    department = seed.make_team("Product")
    seed.make_schedule(department, checkin_weekdays="wed")
    seed.make_team("Growth", parent=department, members=[person])
    assert person.id is not None
    assert next_checkin_due(db, clock, person.id) == datetime(2026, 12, 2, 10, 0, tzinfo=UTC)


def test_the_persons_own_day_off_and_working_hours_are_theirs(
    db: Database, clock: FakeClock
) -> None:
    """As the planner sends it: not on the person's own holiday, and not before their own
    working hours start (the prompt waits for them)."""
    seed = Seed(db, clock)
    person = seed.make_person(tz="UTC")
    seed.make_schedule(seed.make_team(members=[person]), checkin_weekdays="mon,wed",
                       checkin_time=time(8, 0))
    with db.write() as session:
        session.add(PersonHoliday(person_id=person.id, day=date(2026, 12, 2)))
        row = session.get(Person, person.id)
        assert row is not None
        row.work_start, row.work_end = time(11, 30), time(19, 0)
    assert person.id is not None
    assert next_checkin_due(db, clock, person.id) == datetime(2026, 12, 7, 11, 30, tzinfo=UTC)
