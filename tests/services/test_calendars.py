"""Every kind of direct message waits for its recipient's own calendar: one team, a member in
Auckland and one in New York (bot/services/schedules/calendars.enqueue_for)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.clock import FakeClock
from bot.services.schedules.calendars import calendar_of, enqueue_for
from storage.db import Database
from storage.models import Delivery, Holiday
from tests.scenarios.seed import Seed

MONDAY_9_UTC = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Mon 04:00 New York, Mon 22:00 Auckland
ROUTINE = ("checkin", "reminder", "alignment", "review", "carry")
URGENT = ("help", "help_ask", "help_answer")


@pytest.mark.parametrize("kind", ROUTINE + URGENT)
def test_each_kind_waits_for_each_recipients_morning(
    db: Database, clock: FakeClock, kind: str
) -> None:
    seed = Seed(db, clock)
    ana = seed.make_person("UANA", tz="Pacific/Auckland")
    ben = seed.make_person("UBEN", tz="America/New_York")
    seed.make_schedule(seed.make_team("Growth", members=[ana, ben]))  # 09:00-18:00
    with db.write() as session:
        for person in (ana, ben):
            assert person.id is not None
            enqueue_for(session, kind=kind, dedupe_key=f"{kind}:{person.id}",
                        due_at=MONDAY_9_UTC, person_id=person.id, payload={},
                        created_at=MONDAY_9_UTC)
    with db.read() as session:
        due = {d.person_id: d.due_at.replace(tzinfo=UTC) for d in session.exec(select(Delivery))}
    opens = 8 if kind in URGENT else 9  # a help request may come from 08:00
    # Auckland (UTC+13): Tuesday morning; New York (UTC-5): Monday morning.
    assert due[ana.id] == datetime(2026, 11, 30, opens + 11, 0, tzinfo=UTC)
    assert due[ben.id] == datetime(2026, 11, 30, opens + 5, 0, tzinfo=UTC)


def test_a_holiday_on_the_recipients_own_date_is_skipped_over(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    ana = seed.make_person("UANA", tz="Pacific/Auckland")
    team = seed.make_team("Growth", members=[ana])
    seed.make_schedule(team)
    with db.write() as session:  # Tuesday 1 Dec on Ana's calendar (still Monday in UTC)
        session.add(Holiday(team_id=team.id, day=date(2026, 12, 1), name="Day off"))
    with db.read() as session:
        calendar = calendar_of(session, ana, around=MONDAY_9_UTC)
    assert date(2026, 12, 1) in calendar.holidays
    with db.write() as session:
        assert ana.id is not None
        enqueue_for(session, kind="reminder", dedupe_key="r", due_at=MONDAY_9_UTC,
                    person_id=ana.id, payload={}, created_at=MONDAY_9_UTC)
        [row] = session.exec(select(Delivery)).all()
    assert row.due_at.replace(tzinfo=UTC) == datetime(2026, 12, 1, 20, 0, tzinfo=UTC)  # Wed 09:00
