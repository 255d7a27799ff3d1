"""`/okr schedule` over signed HTTP: admins see and set schedules; others are refused."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from sqlmodel import col, select

from bot.commands.status import report as status_report
from storage.models import AuditLog, Person, Schedule, Team
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed


@pytest.fixture
def growth(seed: Seed) -> Team:
    seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh", is_admin=True)
    seed.make_person("UBEN", name="Ben", tz="America/New_York", locale="en", is_admin=True)
    seed.make_person("UCAI", name="Cai", locale="en")
    team = seed.make_team("Growth", channel_id="CGROWTH")
    seed.make_team("Ops")
    return team


def body(reply: dict[str, Any]) -> str:
    return "\n".join(b["text"]["text"] for b in reply["blocks"])


def schedule_of(harness: Harness, team: Team) -> Schedule | None:
    with harness.deps.db.read() as session:
        return session.exec(select(Schedule).where(col(Schedule.team_id) == team.id)).first()


def test_an_admin_sets_a_schedule_in_one_line(harness: Harness, growth: Team) -> None:
    reply = harness.ask("schedule team growth checkin mon,thu 09:30 reminder 24 "
                         "digest biweekly fri 16:00 tz Europe/Berlin hours 08:30-17:30")
    saved = schedule_of(harness, growth)
    assert saved is not None
    assert (saved.checkin_cadence, saved.checkin_weekdays, saved.checkin_time) == (
        "weekdays", "mon,thu", time(9, 30))
    assert (saved.reminder_after_hours, saved.digest_cadence, saved.digest_weekday) == (
        24, "biweekly", "fri")
    assert (saved.timezone, saved.work_start, saved.work_end) == (
        "Europe/Berlin", time(8, 30), time(17, 30))
    text = body(reply)
    assert "Saved the schedule of *Growth*" in text
    assert "Check-in: Mon, Thu at 09:30" in text and "Digest: every two weeks, Fri at 16:00" in text
    assert "<#CGROWTH>" in text
    with harness.deps.db.read() as session:
        audit = session.exec(select(AuditLog).where(col(AuditLog.action) == "schedule.update"))
        assert [a.actor for a in audit] == ["UBEN"]


def test_a_second_change_keeps_what_it_does_not_mention(harness: Harness, growth: Team) -> None:
    harness.ask("schedule team Growth checkin mon 10:00 tz Asia/Shanghai")
    harness.ask("schedule team Growth reminder off digest off channel <#CALL|all-okrs>")
    saved = schedule_of(harness, growth)
    assert saved is not None
    assert (saved.checkin_weekdays, saved.timezone, saved.reminder_after_hours) == (
        "mon", "Asia/Shanghai", None)
    assert (saved.digest_cadence, saved.digest_channel_id) == ("off", "CALL")


def test_the_list_shows_every_scheduled_team_in_chinese(harness: Harness, growth: Team) -> None:
    harness.ask("schedule team Growth checkin biweekly mon 10:00")
    text = body(harness.ask("日程", user_id="UANA"))
    assert "*Growth*" in text and "周一 10:00（每两周）" in text
    assert "提醒：打卡邀请发出 24 小时后" in text


@pytest.mark.parametrize(("text", "user", "expected"), [
    ("schedule team Growth checkin mon 25:00", "UBEN", "“25:00” is not a time"),
    ("schedule team Growth checkin funday 10:00", "UBEN", "I don't know the day “funday”"),
    ("schedule team Growth checkin mon", "UBEN", "Give days and a time after `checkin`"),
    ("schedule team Growth reminder 500", "UBEN", "hours from 1 to 168"),
    ("schedule team Growth tz Mars/Olympus", "UBEN", "“Mars/Olympus” is not a time zone"),
    ("schedule team Growth hours 18:00-09:00", "UBEN", "must start before they end"),
    ("schedule team Growth digest monthly fri 16:00", "UBEN", "`digest biweekly fri 16:00`"),
    ("schedule team Growth reminder 2 reminder 3", "UBEN", "is given twice"),
    ("schedule Growth checkin mon 10:00", "UBEN", "Start with the team"),
    ("schedule team Growth channel general", "UBEN", "mention one channel"),
    ("schedule team Growth checkin 周一 9点", "UANA", "“9点”不是时间"),
])
def test_bad_input_gets_a_clear_message_and_changes_nothing(
    harness: Harness, growth: Team, text: str, user: str, expected: str
) -> None:
    reply = harness.ask(text, user_id=user)
    assert expected in body(reply)
    assert schedule_of(harness, growth) is None


def test_an_unknown_team_is_named_with_the_teams_there_are(
    harness: Harness, growth: Team
) -> None:
    text = body(harness.ask("schedule team Sales checkin mon 10:00"))
    assert "no team called “Sales”" in text and "Teams I know: Growth, Ops" in text


def test_someone_who_is_not_an_admin_is_refused_politely_and_it_is_recorded(
    harness: Harness, growth: Team, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="bot.services.schedules.admin"):
        reply = harness.ask("schedule team Growth checkin mon 10:00", user_id="UCAI")
        listing = harness.ask("schedule", user_id="UCAI")
    assert "only an okr-bot admin" in reply["text"] and "only an okr-bot admin" in listing["text"]
    assert schedule_of(harness, growth) is None
    assert "security" in caplog.text
    with harness.deps.db.read() as session:
        refusals = session.exec(select(AuditLog).where(
            col(AuditLog.action) == "schedule.refused"))
        assert [a.actor for a in refusals] == ["UCAI", "UCAI"]


def test_escaped_text_cannot_inject_a_mention(harness: Harness, growth: Team) -> None:
    text = body(harness.ask("schedule team <!channel> &amp; <@U123> checkin mon 10:00"))
    assert "<!channel>" not in text and "<@U123>" not in text
    assert "&lt;!channel&gt;" in text


@pytest.mark.parametrize(("user", "expected"), [
    ("UBEN", "⚠️ On no schedule (1): Cai. They own a Key Result, but neither their team nor a "
             "team above it has a schedule, so nobody asks them to check in."),
    ("UANA", "⚠️ 有 1 人负责关键成果，却不在任何打卡安排中（所在团队及其上级团队都没有安排），"
             "因此没人提醒他们打卡：Cai。"),
])
def test_the_list_names_who_owns_a_kr_but_is_on_no_schedule(
    harness: Harness, growth: Team, seed: Seed, user: str, expected: str
) -> None:
    """A team inherits its parent's schedule: Dee in Design under Growth is on one; Cai, in
    Ops which has none anywhere above it, is named."""
    cycle = seed.make_cycle()
    design = seed.make_team("Design", parent=growth)
    with harness.deps.db.read() as session:
        cai, = session.exec(select(Person).where(Person.slack_user_id == "UCAI")).all()
        ops = session.exec(select(Team).where(Team.name == "Ops")).one()
    dee = seed.make_person("UDEE", name="Dee")
    seed.add_member(design, dee)
    seed.add_member(ops, cai)
    for owner in (cai, dee):
        seed.make_kr(seed.make_objective("Goal", owner=owner, cycle=cycle), "KR", owner=owner)
    harness.ask("schedule team Growth checkin mon 10:00")
    text = body(harness.ask("schedule", user_id=user))
    assert expected in text
    assert "Dee" not in text.split("⚠️")[-1]
    assert "On no schedule (1: " in status_report(harness.deps.db, harness.deps.clock)
    assert "  Cai" in status_report(harness.deps.db, harness.deps.clock)
