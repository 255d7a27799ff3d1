"""The planner tick: due slots from the tables into the outbox, once, within the grace window."""

from __future__ import annotations

import json
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import col, update

from bot.clock import FakeClock
from bot.services.schedules.planner import plan, plan_now
from storage.db import Database
from storage.models import (
    Absence,
    Delivery,
    Holiday,
    KeyResult,
    Person,
    PersonHoliday,
    RegionHoliday,
)
from tests.delivery.conftest import GRACE
from tests.delivery.world import make_world, row, rows
from tests.scenarios.seed import Seed


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def statuses(db: Database, kind: str | None = None) -> dict[str, tuple[str, str | None]]:
    return {r.dedupe_key: (r.status, r.last_error) for r in rows(db, kind)}


def mark_sent(db: Database, dedupe_key: str, when: datetime) -> None:
    with db.write() as session:
        session.exec(update(Delivery).where(col(Delivery.dedupe_key) == dedupe_key)
                     .values(status="sent", sent_at=when, channel_id="DX", ts="1.1"))


def test_a_prompt_is_planned_at_ten_in_each_persons_own_zone(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "Asia/Shanghai"), ("UBEN", "America/New_York")])
    ana, ben = world.people
    clock.set(at(2026, 11, 30, 1, 59))  # 09:59 in Shanghai
    assert plan(db, clock, grace=GRACE).checkins == 0
    clock.set(at(2026, 11, 30, 2, 0))
    report = plan(db, clock, grace=GRACE)
    assert report.checkins == 1
    prompt = row(db, f"checkin:{ana.id}:2026-11-30")
    assert (prompt.status, prompt.due_at, prompt.team_id) == ("pending", clock.now(), world.team.id)
    clock.set(at(2026, 11, 30, 15, 0))  # 10:00 in New York
    assert plan(db, clock, grace=GRACE).checkins == 1
    assert row(db, f"checkin:{ben.id}:2026-11-30").due_at == at(2026, 11, 30, 15)


def test_ticking_twice_plans_each_slot_once(db: Database, clock: FakeClock, seed: Seed) -> None:
    make_world(seed, [("UANA", "UTC"), ("UBEN", "UTC")])
    clock.set(at(2026, 11, 30, 10, 5))
    assert plan(db, clock, grace=GRACE).checkins == 2
    assert plan(db, clock, grace=GRACE).checkins == 0
    assert len(rows(db, "checkin")) == 2


@pytest.mark.parametrize("use_lock", [True, False], ids=["advisory-lock", "constraint-only"])
def test_two_planners_ticking_the_same_window_plan_one_row_each(
    db: Database, clock: FakeClock, seed: Seed, use_lock: bool
) -> None:
    people = [(f"U{n:04d}", "Europe/Berlin") for n in range(20)]
    make_world(seed, people)
    clock.set(at(2026, 11, 30, 9, 30))  # 10:30 in Berlin
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def tick() -> None:
        try:
            barrier.wait()
            plan(db, clock, grace=GRACE, use_lock=use_lock)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=tick) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    keys = [r.dedupe_key for r in rows(db, "checkin")]
    assert len(keys) == 20 == len(set(keys))


def test_a_slot_missed_beyond_the_grace_window_is_skipped_not_sent_late(
    db: Database, clock: FakeClock, seed: Seed, caplog: pytest.LogCaptureFixture
) -> None:
    world = make_world(seed, [("UANA", "UTC")])
    ana = world.people[0]
    clock.set(at(2026, 11, 30, 16, 1))  # 6 h 1 min after Monday 10:00
    with caplog.at_level("INFO", logger="bot.services.schedules.planner"):
        report = plan(db, clock, grace=GRACE)
    assert (report.checkins, report.skipped) == (0, 1)
    assert statuses(db) == {f"checkin:{ana.id}:2026-11-30": ("skipped", "late")}
    assert f"skipped checkin:{ana.id}:2026-11-30" in caplog.text


def test_a_slot_missed_within_the_grace_window_is_still_sent(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "UTC")])
    clock.set(at(2026, 11, 30, 15, 59))
    assert plan(db, clock, grace=GRACE).checkins == 1
    assert row(db, f"checkin:{world.people[0].id}:2026-11-30").status == "pending"


def test_holidays_absences_and_people_without_krs_get_no_prompt(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "UTC"), ("UBEN", "UTC"), ("UCAI", "UTC")],
                       schedule={"checkin_cadence": "weekdays", "checkin_weekdays": "mon,tue"})
    ana, ben, cai = world.people
    with db.write() as session:
        session.add(Holiday(team_id=world.team.id, day=date(2026, 12, 1), name="Founders"))
        session.add(Absence(person_id=ben.id, start_date=date(2026, 11, 30),
                            end_date=date(2026, 11, 30)))
        session.exec(update(KeyResult).where(col(KeyResult.owner_person_id) == cai.id)
                     .values(state="archived"))
    clock.set(at(2026, 11, 30, 10))
    plan(db, clock, grace=GRACE)
    clock.set(at(2026, 12, 1, 10))
    plan(db, clock, grace=GRACE)
    assert statuses(db) == {
        f"checkin:{ana.id}:2026-11-30": ("pending", None),
        f"checkin:{ben.id}:2026-11-30": ("skipped", "away"),
        f"checkin:{cai.id}:2026-11-30": ("skipped", "no key results"),
        f"checkin:{ana.id}:2026-12-01": ("skipped", "holiday"),
        f"checkin:{ben.id}:2026-12-01": ("skipped", "holiday"),
        f"checkin:{cai.id}:2026-12-01": ("skipped", "holiday"),
    }


def test_someone_in_two_teams_gets_one_prompt_per_local_date(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "UTC")])
    other = seed.make_team("Ops", channel_id="COPS", members=world.people)
    seed.make_schedule(other, checkin_time=time(11, 0))
    clock.set(at(2026, 11, 30, 11, 30))
    assert plan(db, clock, grace=GRACE).checkins == 1
    prompt = rows(db, "checkin")
    assert [(p.team_id, p.due_at) for p in prompt] == [(world.team.id, at(2026, 11, 30, 10))]


def test_a_zone_change_recomputes_only_future_unsent_slots(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "Asia/Shanghai")])
    ana = world.people[0]
    clock.set(at(2026, 11, 30, 2, 0))
    plan(db, clock, grace=GRACE)
    mark_sent(db, f"checkin:{ana.id}:2026-11-30", clock.now())
    with db.write() as session:
        session.exec(update(Person).where(col(Person.id) == ana.id)
                     .values(tz="America/New_York"))
    clock.set(at(2026, 11, 30, 15, 0))  # Monday 10:00 in New York: the same local date
    assert plan(db, clock, grace=GRACE).checkins == 0
    clock.set(at(2026, 12, 7, 2, 0))  # Monday 10:00 in Shanghai: not her zone any more
    assert plan(db, clock, grace=GRACE).checkins == 0
    clock.set(at(2026, 12, 7, 15, 0))
    assert plan(db, clock, grace=GRACE).checkins == 1
    assert [(r.slot_key, r.due_at) for r in rows(db, "checkin")] == [
        ("2026-11-30", at(2026, 11, 30, 2)), ("2026-12-07", at(2026, 12, 7, 15))]


def test_a_reminder_follows_an_unanswered_prompt_in_working_hours(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "UTC")],
                       schedule={"timezone": "Europe/Berlin", "reminder_after_hours": 24})
    ana = world.people[0]
    clock.set(at(2026, 11, 30, 10))
    plan(db, clock, grace=GRACE)
    mark_sent(db, f"checkin:{ana.id}:2026-11-30", at(2026, 11, 30, 10))
    clock.set(at(2026, 12, 1, 9, 59))
    assert plan(db, clock, grace=GRACE).reminders == 0
    clock.set(at(2026, 12, 1, 10, 0))
    assert plan(db, clock, grace=GRACE).reminders == 1
    reminder = row(db, f"reminder:{ana.id}:2026-11-30")
    assert (reminder.status, reminder.due_at) == ("pending", at(2026, 12, 1, 10))
    clock.advance(timedelta(hours=30))
    assert plan(db, clock, grace=GRACE).reminders == 0  # at most one per check-in


def test_a_reminder_after_hours_waits_for_the_next_working_morning(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "UTC")],
                       schedule={"timezone": "Europe/Berlin", "checkin_weekdays": "fri",
                                 "checkin_time": time(17, 30), "reminder_after_hours": 2})
    ana = world.people[0]
    clock.set(at(2026, 12, 4, 17, 30))
    plan(db, clock, grace=GRACE)
    mark_sent(db, f"checkin:{ana.id}:2026-12-04", clock.now())
    clock.set(at(2026, 12, 5, 12))  # Saturday
    assert plan(db, clock, grace=GRACE).reminders == 0
    clock.set(at(2026, 12, 7, 8))  # Monday 09:00 in Berlin, the team's zone, but 08:00 for Ana
    assert plan(db, clock, grace=GRACE).reminders == 0
    clock.set(at(2026, 12, 7, 9))  # Monday 09:00 where Ana is (UTC)
    assert plan(db, clock, grace=GRACE).reminders == 1
    assert row(db, f"reminder:{ana.id}:2026-12-04").due_at == at(2026, 12, 7, 9)


def test_no_reminder_for_someone_who_checked_in_or_went_away(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "UTC"), ("UBEN", "UTC"), ("UCAI", "UTC")])
    ana, ben, cai = world.people
    clock.set(at(2026, 11, 30, 10))
    plan(db, clock, grace=GRACE)
    for person in world.people:
        mark_sent(db, f"checkin:{person.id}:2026-11-30", clock.now())
    with db.write() as session:  # Ana's KR got a value through the API after the prompt
        session.exec(update(KeyResult).where(col(KeyResult.owner_person_id) == ana.id)
                     .values(last_checkin_at=at(2026, 11, 30, 12)))
        session.add(Absence(person_id=ben.id, start_date=date(2026, 12, 1),
                            end_date=date(2026, 12, 4)))
    clock.set(at(2026, 12, 1, 10, 0))
    report = plan(db, clock, grace=GRACE)
    assert report.reminders == 1
    assert statuses(db, "reminder") == {
        f"reminder:{ana.id}:2026-11-30": ("skipped", "checked in"),
        f"reminder:{ben.id}:2026-11-30": ("skipped", "away"),
        f"reminder:{cai.id}:2026-11-30": ("pending", None),
    }


def test_the_digest_is_planned_per_period_in_the_teams_zone(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "UTC")], schedule={"timezone": "Europe/Berlin"})
    clock.set(at(2026, 12, 4, 14, 59))
    assert plan(db, clock, grace=GRACE).digests == 0
    clock.set(at(2026, 12, 4, 15, 0))  # Friday 16:00 Berlin, end of period 23
    assert plan(db, clock, grace=GRACE).digests == 1
    digest = row(db, f"digest:{world.team.id}:23")
    assert (digest.channel_id, digest.slot_key) == ("CGROWTH", "23")
    assert plan(db, clock, grace=GRACE).digests == 0


def test_a_digest_on_a_team_holiday_goes_out_on_the_next_working_day_for_the_same_period(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "UTC")], schedule={"timezone": "Europe/Berlin"})
    with db.write() as session:  # Friday 4 Dec is a holiday; Saturday and Sunday the weekend
        session.add(Holiday(team_id=world.team.id, day=date(2026, 12, 4), name="Barbara"))
    clock.set(at(2026, 12, 4, 15, 0))  # Friday 16:00 Berlin, when period 23 would end
    assert plan(db, clock, grace=GRACE).digests == 0
    clock.set(at(2026, 12, 6, 15, 0))  # Sunday
    assert plan(db, clock, grace=GRACE).digests == 0
    clock.set(at(2026, 12, 7, 15, 0))  # Monday 16:00 Berlin
    assert plan(db, clock, grace=GRACE).digests == 1
    digest = row(db, f"digest:{world.team.id}:23")
    assert (digest.status, digest.due_at) == ("pending", at(2026, 12, 7, 15, 0))
    assert json.loads(digest.payload)["period_end"] == at(2026, 12, 4, 15, 0).isoformat()


def test_a_digest_without_a_channel_is_skipped(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "UTC")], channel=None)
    clock.set(at(2026, 12, 4, 16, 0))
    plan(db, clock, grace=GRACE)
    assert statuses(db, "digest") == {f"digest:{world.team.id}:23": ("skipped", "no channel")}


def test_send_now_plans_todays_slot_once_and_the_schedule_adds_nothing_that_day(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    world = make_world(seed, [("UANA", "Asia/Kolkata"), ("UBEN", "UTC")])
    ana, ben = world.people
    clock.set(at(2026, 11, 30, 8, 0))
    assert plan_now(db, clock, team_ids=[world.team.id or 0]).checkins == 2
    assert plan_now(db, clock, team_ids=[world.team.id or 0]).checkins == 0
    clock.set(at(2026, 11, 30, 10, 0))
    assert plan(db, clock, grace=GRACE).checkins == 0
    assert sorted(r.dedupe_key for r in rows(db)) == sorted(
        [f"checkin:{ana.id}:2026-11-30", f"checkin:{ben.id}:2026-11-30"])


def test_holidays_are_judged_on_each_persons_own_date_across_the_date_line(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    """One team, Auckland and New York: Tuesday 1 Dec is a public holiday in Ana's region and
    Ben's own day off. Each is asked on their own Tuesday morning, or not at all."""
    world = make_world(seed, [("UANA", "Pacific/Auckland"), ("UBEN", "America/New_York")],
                       schedule={"checkin_cadence": "weekdays", "checkin_weekdays": "tue"})
    ana, ben = world.people
    with db.write() as session:
        stored = session.get(Person, ana.id)
        assert stored is not None
        stored.region = "nz-auk"
        session.add(RegionHoliday(region="nz-auk", day=date(2026, 12, 1), name="Anniversary"))
        session.add(PersonHoliday(person_id=ben.id, day=date(2026, 12, 8), name="Move"))
    clock.set(at(2026, 11, 30, 21, 0))  # Tue 10:00 in Auckland, Mon 16:00 in New York
    plan(db, clock, grace=GRACE)
    clock.set(at(2026, 12, 1, 15, 0))  # Tue 10:00 in New York
    plan(db, clock, grace=GRACE)
    clock.set(at(2026, 12, 7, 21, 0))  # the next Tuesday in Auckland
    plan(db, clock, grace=GRACE)
    clock.set(at(2026, 12, 8, 15, 0))  # the next Tuesday in New York
    plan(db, clock, grace=GRACE)
    assert statuses(db, "checkin") == {
        f"checkin:{ana.id}:2026-12-01": ("skipped", "holiday"),  # her region's, on her date
        f"checkin:{ben.id}:2026-12-01": ("pending", None),
        f"checkin:{ana.id}:2026-12-08": ("pending", None),
        f"checkin:{ben.id}:2026-12-08": ("skipped", "holiday"),  # his own day off
    }
    assert row(db, f"checkin:{ana.id}:2026-12-08").due_at == at(2026, 12, 7, 21, 0)


def test_a_team_without_a_schedule_follows_its_nearest_ancestors(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    """Company → Sales (no schedule) → Field (no schedule): Field's people are asked on the
    company's days, and Field's digest goes to Field's own channel."""
    lia = seed.make_person("ULIA", tz="UTC")
    company = seed.make_team("Company", channel_id="CALL")
    sales = seed.make_team("Sales", parent=company)
    field = seed.make_team("Field", parent=sales, channel_id="CFIELD", members=[lia])
    seed.make_schedule(company, timezone="Europe/Berlin", digest_channel_id="CDIGESTS")
    cycle = seed.make_cycle()
    seed.make_kr(seed.make_objective("Goal", owner=lia, cycle=cycle), "Visits", owner=lia)
    clock.set(at(2026, 11, 30, 10, 0))  # Monday 10:00 for Lia
    assert plan(db, clock, grace=GRACE).checkins == 1
    assert row(db, f"checkin:{lia.id}:2026-11-30").status == "pending"
    clock.set(at(2026, 12, 4, 15, 0))  # Friday 16:00 in Berlin: the company's digest day
    plan(db, clock, grace=GRACE)
    assert row(db, f"digest:{field.id}:23").channel_id == "CFIELD"
    assert row(db, f"digest:{company.id}:23").channel_id == "CDIGESTS"
