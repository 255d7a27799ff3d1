"""`/okr away`, `/okr pause DATE` (请假 / 暂停), `/okr resume`, and `/okr hours` (工作时间: a
person's own working hours, which prompts and reminders wait for) over signed HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import col, select

from bot.clock import FakeClock
from bot.services.schedules.planner import plan
from storage.db import Database
from storage.models import Absence, AuditLog, Delivery, Person
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed


@pytest.fixture
def people(seed: Seed) -> dict[str, Person]:
    """Ana (zh, Shanghai) and Ben (en, New York), Growth checks in Mondays and Thursdays."""
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    ben = seed.make_person("UBEN", name="Ben", tz="America/New_York", locale="en")
    growth = seed.make_team("Growth", channel_id="CGROWTH", members=[ben], leads=[ana])
    seed.make_schedule(growth, checkin_cadence="weekdays", checkin_weekdays="mon,thu")
    cycle = seed.make_cycle()
    for person in (ana, ben):
        objective = seed.make_objective("Goal", owner=person, cycle=cycle)
        seed.make_kr(objective, "Leads", owner=person)
    return {"ana": ana, "ben": ben}


def absences(db: Database, person: Person) -> list[tuple[date, date, str]]:
    with db.read() as session:
        rows = session.exec(select(Absence).where(col(Absence.person_id) == person.id)
                            .order_by(col(Absence.id)))
        return [(a.start_date, a.end_date, a.reason) for a in rows]


def test_away_skips_the_next_check_in_and_says_until_when(
    harness: Harness, people: dict[str, Person]
) -> None:
    # Monday 09:00 UTC is 04:00 in New York: Ben's Monday 10:00 check-in has not gone out yet.
    reply = harness.ask("away", "UBEN")
    assert absences(harness.deps.db, people["ben"]) == [
        (date(2026, 11, 30), date(2026, 11, 30), "away")]
    assert "until *Nov 30*" in reply["text"]
    again = harness.ask("away", "UBEN")
    assert "already away" in again["text"]
    assert len(absences(harness.deps.db, people["ben"])) == 1


def test_away_after_todays_prompt_went_out_covers_the_next_one_in_chinese(
    harness: Harness, people: dict[str, Person], clock: FakeClock
) -> None:
    # 17:00 in Shanghai: Ana's Monday prompt (10:00 local) was planned and sent.
    plan(harness.deps.db, clock, grace=timedelta(hours=8))
    with harness.deps.db.write() as session:
        for row in session.exec(select(Delivery)):
            row.status = "sent"
            session.add(row)
    reply = harness.ask("跳过", "UANA")
    assert absences(harness.deps.db, people["ana"]) == [
        (date(2026, 11, 30), date(2026, 12, 3), "away")]
    assert "12月3日" in reply["text"] and "打卡" in reply["text"]


def test_pause_until_a_date_writes_one_absence_and_the_planner_honours_it(
    harness: Harness, people: dict[str, Person], clock: FakeClock
) -> None:
    reply = harness.ask("pause 2026-12-10", "UBEN")
    assert "paused until *Dec 10*" in reply["text"]
    assert absences(harness.deps.db, people["ben"]) == [
        (date(2026, 11, 30), date(2026, 12, 10), "pause")]
    clock.set(clock.now().replace(hour=15))  # Monday 10:00 in New York
    plan(harness.deps.db, clock, grace=timedelta(hours=6))
    with harness.deps.db.read() as session:
        prompt = session.exec(select(Delivery).where(
            col(Delivery.person_id) == people["ben"].id)).one()
        assert (prompt.status, prompt.last_error) == ("skipped", "away")
        audit = session.exec(select(AuditLog).where(
            col(AuditLog.action) == "absence.create")).one()
        assert audit.actor == "UBEN"


@pytest.mark.parametrize(("text", "user", "expected"), [
    ("pause 2026-13-01", "UBEN", "can't read “2026-13-01” as a date"),
    ("pause next-week", "UBEN", "can't read “next-week” as a date"),
    ("pause 2026-11-01", "UBEN", "2026-11-01 is in the past"),
    ("pause 2028-01-01", "UBEN", "more than a year away"),
    ("pause", "UBEN", "Say until when"),
    ("请假 2026年13月1日", "UANA", "无法把“2026年13月1日”识别为日期"),
    ("暂停 2020-01-01", "UANA", "已经过去了"),
    ("请假", "UANA", "请写明到哪一天"),
])
def test_a_bad_date_gets_a_clear_message_in_the_persons_language_and_writes_nothing(
    harness: Harness, people: dict[str, Person], text: str, user: str, expected: str
) -> None:
    reply = harness.ask(text, user)
    assert expected in reply["text"]
    with harness.deps.db.read() as session:
        assert list(session.exec(select(Absence))) == []


def test_a_chinese_date_is_understood(harness: Harness, people: dict[str, Person]) -> None:
    reply = harness.ask("请假 2026年12月20日", "UANA")
    assert "12月20日" in reply["text"]
    assert absences(harness.deps.db, people["ana"]) == [
        (date(2026, 11, 30), date(2026, 12, 20), "pause")]


def test_resume_ends_an_absence_from_today(
    harness: Harness, people: dict[str, Person], clock: FakeClock
) -> None:
    harness.ask("pause 2026-12-10", "UBEN")
    clock.advance(timedelta(days=3))
    reply = harness.ask("resume", "UBEN")
    assert "Welcome back" in reply["text"]
    assert absences(harness.deps.db, people["ben"]) == [
        (date(2026, 11, 30), date(2026, 12, 2), "pause")]
    assert "not away" in harness.ask("resume", "UBEN")["text"]


# ---- /okr hours ------------------------------------------------------------------------------


def _person(harness: Harness, slack_id: str) -> Person:
    with harness.deps.db.read() as session:
        found = session.exec(select(Person).where(Person.slack_user_id == slack_id)).one()
    return found


def test_hours_are_shown_then_set_then_reset_in_english(
    harness: Harness, people: dict[str, Person]
) -> None:
    shown = harness.ask("hours", "UBEN")["text"]
    assert "*09:00–18:00* (America/New_York): your team's hours" in shown
    saved = harness.ask("hours 10:00-19:00", "UBEN")["text"]
    assert saved.startswith("Got it: from now on, messages from me reach you on working days "
                            "between *10:00–19:00* (America/New_York).")
    ben = _person(harness, "UBEN")
    assert (ben.work_start, ben.work_end) == (time(10, 0), time(19, 0))
    assert "the hours you set" in harness.ask("hours", "UBEN")["text"]
    assert harness.ask("hours reset", "UBEN")["text"].startswith(
        "Back to your team's hours: *09:00–18:00*")
    assert _person(harness, "UBEN").work_start is None
    with harness.deps.db.read() as session:
        audits = session.exec(select(AuditLog).where(AuditLog.action == "person.hours")).all()
    assert len(audits) == 2


@pytest.mark.parametrize(("typed", "expected"), [
    ("9点到6点", "无法把“9点到6点”识别为工作时间"),
    ("19:00-10:00", "“19:00-10:00”的结束时间早于开始时间"),
    ("25:00-26:00", "无法把“25:00-26:00”识别为工作时间"),
])
def test_bad_hours_get_a_clear_answer_in_chinese_and_change_nothing(
    harness: Harness, people: dict[str, Person], typed: str, expected: str
) -> None:
    answer = harness.ask(f"工作时间 {typed}", "UANA")["text"]
    assert answer.startswith(expected) and "未做任何更改" in answer
    assert _person(harness, "UANA").work_start is None


def test_chinese_hours_are_understood(harness: Harness, people: dict[str, Person]) -> None:
    answer = harness.ask("工作时间 10:30 到 19:30", "UANA")["text"]
    assert answer.startswith("好的：今后我的消息只在工作日的 *10:30–19:30*（Asia/Shanghai）之间")


def test_a_prompt_before_the_persons_own_start_waits_for_it(
    harness: Harness, people: dict[str, Person], clock: FakeClock
) -> None:
    harness.ask("hours 11:00-19:00", "UBEN")  # Growth prompts at 10:00 local
    ben = _person(harness, "UBEN")
    clock.set(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))  # Monday 10:00 in New York
    plan(harness.deps.db, clock, grace=timedelta(hours=6))
    with harness.deps.db.read() as session:
        prompts = session.exec(select(Delivery).where(Delivery.person_id == ben.id,
                                                      Delivery.kind == "checkin")).all()
    assert prompts == []  # 10:00 is before Ben's day starts
    clock.set(datetime(2026, 11, 30, 16, 0, tzinfo=UTC))  # 11:00 in New York
    plan(harness.deps.db, clock, grace=timedelta(hours=6))
    with harness.deps.db.read() as session:
        [prompt] = session.exec(select(Delivery).where(Delivery.person_id == ben.id,
                                                       Delivery.kind == "checkin")).all()
    assert prompt.due_at.replace(tzinfo=UTC) == datetime(2026, 11, 30, 16, 0, tzinfo=UTC)
