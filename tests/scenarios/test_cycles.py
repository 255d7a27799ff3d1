"""Iterating: `/okr cycle …` for admins only, `okr-bot cycle`, carrying unfinished Objectives
forward once, and a closed cycle refusing check-ins, edits and API value updates."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.cli import main
from bot.clock import FakeClock
from bot.services.checkin.kr_value import KRRef, Refusal, ValueRefused, ValueUpdate, record_value
from bot.services.cycles.lifecycle import CLI_ACTOR, close_cycle
from bot.services.schedules.planner import plan
from bot.services.tokens import create_token
from storage.models import (
    AuditLog,
    CarriedObjective,
    CheckIn,
    Cycle,
    KeyResult,
    Objective,
)
from tests.scenarios.checkin_forms import answer_kr
from tests.scenarios.conftest import Harness
from tests.scenarios.okr_edit_support import edit_state, opened_view
from tests.scenarios.review_support import World, all_text, build_world, deliveries
from tests.scenarios.seed import Seed


@pytest.fixture
def world(harness: Harness) -> World:
    return build_world(Seed(harness.deps.db, harness.deps.clock))


def cycles(harness: Harness) -> dict[str, str]:
    with harness.deps.db.read() as session:
        return {c.name: c.state for c in session.exec(select(Cycle))}


def reply(harness: Harness, text: str, user: str) -> str:
    result = harness.sender.command(text, user_id=user)
    assert result.status == 200
    text: str = result.json()["blocks"][0]["text"]["text"]
    return text


def test_a_member_cannot_open_a_cycle_and_is_told_politely(
    harness: Harness, world: World
) -> None:
    text = reply(harness, "cycle new 2027-Q1 2027-01-01 2027-03-31", "UBEN")
    assert text == "Sorry, only an admin can open or close cycles."
    assert cycles(harness) == {"2026-Q4": "active"}
    with harness.deps.db.read() as session:
        audit = session.exec(select(AuditLog).where(AuditLog.action == "refused")).one()
    assert (audit.actor, audit.entity, json.loads(audit.after or "{}")) == (
        "UBEN", "cycle", {"attempt": "cycle.new"})


def test_an_admin_opens_the_next_cycle_and_the_current_one_runs_on(
    harness: Harness, world: World
) -> None:
    text = reply(harness, "周期 new 2027-Q1 2027-01-01 2027-03-31", "UANA")
    assert "周期 *2027-Q1* 已开启（2027-01-01 – 2027-03-31）" in text
    assert "*2026-Q4* 会一直开放到结束并完成复盘：结束 14 天后自动关闭" in text
    assert cycles(harness) == {"2026-Q4": "active", "2027-Q1": "active"}
    assert deliveries(harness.deps.db, "review_summary") == []  # no review before the end
    offers = deliveries(harness.deps.db, "carry")
    assert sorted(r.person_id or 0 for r in offers) == sorted([world.ana.id or 0,
                                                               world.ben.id or 0])
    assert reply(harness, "cycle list", "UANA").splitlines() == [
        "• *2027-Q1*：2027-01-01 – 2027-03-31 · 进行中",
        "• *2026-Q4*：2026-10-01 – 2026-12-31 · 进行中"]
    # Check-ins still ask about 2026-Q4 only; closing it is what queues its review summary.
    close_cycle(harness.deps.db, harness.deps.clock, actor=CLI_ACTOR, name="2026-Q4")
    assert [r.team_id for r in deliveries(harness.deps.db, "review_summary")] == [
        world.growth.id]
    assert len(deliveries(harness.deps.db, "carry")) == 2  # offered once per person


def test_a_cycle_closes_by_itself_once_its_review_window_is_over(
    harness: Harness, world: World, clock: FakeClock
) -> None:
    reply(harness, "cycle new 2027-Q1 2027-01-01 2027-03-31", "UANA")
    grace = timedelta(hours=6)
    clock.set(datetime(2027, 1, 14, 12, tzinfo=UTC))  # 14 days after the end: still open
    assert plan(harness.deps.db, clock, grace=grace).closed_cycles == 0
    assert cycles(harness) == {"2026-Q4": "active", "2027-Q1": "active"}
    clock.set(datetime(2027, 1, 15, 0, 30, tzinfo=UTC))
    reports = [plan(harness.deps.db, clock, grace=grace) for _ in range(2)]
    assert [r.closed_cycles for r in reports] == [1, 0]  # once, however often it runs
    assert cycles(harness) == {"2026-Q4": "closed", "2027-Q1": "active"}
    assert [r.team_id for r in deliveries(harness.deps.db, "review_summary")] == [
        world.growth.id]
    with harness.deps.db.read() as session:
        [audit] = session.exec(select(AuditLog).where(AuditLog.action == "cycle.close"))
    assert audit.actor == "scheduler"


def test_carry_before_the_next_cycle_is_open_says_what_to_do(
    harness: Harness, world: World
) -> None:
    text = reply(harness, "carry", "UANA")
    assert text.startswith("下一个周期还没有开启，2026-Q4 的目标暂时无处延续。")
    assert "/okr cycle new" in text
    text = reply(harness, "carry", "UBEN")
    assert text.startswith("The next cycle is not open yet, so there is nothing to carry "
                           "2026-Q4's Objectives into.")


def test_nothing_unfinished_to_carry_is_said_so(harness: Harness, world: World) -> None:
    reply(harness, "cycle new 2027-Q1 2027-01-01 2027-03-31", "UANA")
    with harness.deps.db.write() as session:
        response = session.get(KeyResult, world.response.id)
        assert response is not None
        response.current_value = 1  # Ben reached his target: 4 h → 1 h
        session.add(response)
    assert reply(harness, "carry", "UBEN") == (
        "Every Objective of yours in 2026-Q4 is finished (or carried already): nothing to "
        "carry forward.")


@pytest.mark.parametrize(("text", "answer"), [
    ("cycle new 2027-Q1 2027-13-01 2027-03-31", "2027-13-01 不是日期：请写成 YYYY-MM-DD。"),
    ("cycle new 2027-Q1 2027-03-31 2027-01-01",
     "结束日期（2027-01-01）必须晚于开始日期（2027-03-31）。"),
    ("cycle new 2026-Q4 2027-01-01 2027-03-31", "已经有名为 2026-Q4 的周期。"),
    ("cycle close 2025-Q1", "没有名为 2025-Q1 的周期。"),
    ("cycle open", "用法：`/okr cycle new 名称 YYYY-MM-DD YYYY-MM-DD`、"
                   "`/okr cycle close 名称` 或 `/okr cycle list`。"),
])
def test_bad_cycle_commands_get_a_clear_answer_and_change_nothing(
    harness: Harness, world: World, text: str, answer: str
) -> None:
    assert reply(harness, text, "UANA") == answer
    assert cycles(harness) == {"2026-Q4": "active"}


def carry_offer(harness: Harness) -> dict[str, Any]:
    result = harness.sender.command("carry", user_id="UANA")
    assert result.status == 200
    body: dict[str, Any] = result.json()
    return body


def test_unfinished_objectives_are_carried_forward_once(harness: Harness, world: World) -> None:
    reply(harness, "cycle new 2027-Q1 2027-01-01 2027-03-31", "UANA")
    offer = carry_offer(harness)
    buttons = {b["accessory"]["value"]: b["accessory"]["action_id"]
               for b in offer["blocks"] if "accessory" in b}
    assert buttons == {str(o.id): f"review.carry.{o.id}"
                       for o in (world.market, world.moonshot, world.explore)}
    for _ in range(2):
        result = harness.sender.block_action(f"review.carry.{world.market.id}",
                                             str(world.market.id), user_id="UANA")
        assert result.status == 200
    # the two answers go back through response_url from worker threads: in either order
    notes = sorted(all_text(n.args) for n in harness.slack.wait_for("response_url", 2))
    assert "之前已延续到 2027-Q1" in notes[0] and "已作为草稿加入 2027-Q1" in notes[1]
    with harness.deps.db.read() as session:
        carried = session.exec(select(CarriedObjective)).one()
        draft = session.get(Objective, carried.draft_objective_id)
        assert draft is not None
        krs = list(session.exec(select(KeyResult).where(KeyResult.objective_id == draft.id)))
        new_cycle = session.get(Cycle, draft.cycle_id)
    assert (draft.title, draft.state, draft.owner_person_id) == (
        "Win the market", "draft", world.ana.id)
    assert new_cycle is not None and new_cycle.name == "2027-Q1"
    # The done milestone stays behind; the metric starts from its last value.
    assert [(kr.title, kr.start_value, kr.current_value, kr.target_value) for kr in krs] == [
        ("Qualified leads", 540.0, 540.0, 600.0)]
    again = carry_offer(harness)
    assert "已作为草稿延续" in all_text(again)
    assert all(b.get("accessory", {}).get("value") != str(world.market.id)
               for b in again["blocks"])


def test_someone_else_cannot_carry_an_objective(harness: Harness, world: World) -> None:
    reply(harness, "cycle new 2027-Q1 2027-01-01 2027-03-31", "UANA")
    harness.sender.block_action(f"review.carry.{world.market.id}", str(world.market.id),
                                user_id="UBEN")
    note = harness.slack.wait_for("response_url")[0]
    assert "Only the owner" in all_text(note.args)
    with harness.deps.db.read() as session:
        assert list(session.exec(select(CarriedObjective))) == []


def test_a_closed_cycle_refuses_checkins(harness: Harness, world: World) -> None:
    harness.sender.command("checkin", user_id="UANA")
    view = opened_view(harness, "checkin.submit")
    close_cycle(harness.deps.db, harness.deps.clock, actor=CLI_ACTOR, name="2026-Q4")
    result = harness.sender.view_submission(view, answer_kr({}, world.leads.id, "580"),
                                            user_id="UANA")
    ack = result.json()
    assert ack["response_action"] == "errors"
    assert list(ack["errors"].values()) == ["周期 2026-Q4 已关闭，其打卡记录现为只读。"]
    with harness.deps.db.read() as session:
        assert list(session.exec(select(CheckIn))) == []
        kr = session.get(KeyResult, world.leads.id)
    assert kr is not None and kr.current_value == 540


def test_a_closed_cycle_refuses_edits(harness: Harness, world: World) -> None:
    harness.sender.block_action(f"okr.edit.{world.market.id}", str(world.market.id),
                                user_id="UANA", channel_id="C0GENERAL")
    view = opened_view(harness, "okr.edit.submit")
    close_cycle(harness.deps.db, harness.deps.clock, actor=CLI_ACTOR, name="2026-Q4")
    result = harness.sender.view_submission(view, edit_state(view, title="Own the market"),
                                            user_id="UANA")
    ack = result.json()
    assert ack["response_action"] == "update"
    assert "这个目标所在的周期已关闭，现为只读。" in all_text(ack["view"])
    with harness.deps.db.read() as session:
        objective = session.get(Objective, world.market.id)
    assert objective is not None and objective.title == "Win the market"


def test_a_closed_cycle_refuses_api_value_updates(harness: Harness, world: World) -> None:
    token = create_token(harness.deps.db, harness.deps.clock, name="crm").token
    close_cycle(harness.deps.db, harness.deps.clock, actor=CLI_ACTOR, name="2026-Q4")
    with pytest.raises(ValueRefused) as refused:
        record_value(harness.deps.db, harness.deps.clock, token=token,
                     ref=KRRef(id=world.leads.id), update=ValueUpdate(590, "sync"),
                     idempotency_key="k1")
    assert refused.value.refusal is Refusal.CYCLE_CLOSED
    assert refused.value.params["cycle"] == "2026-Q4"
    with harness.deps.db.read() as session:
        kr = session.get(KeyResult, world.leads.id)
    assert kr is not None and kr.current_value == 540


def test_the_cycle_command_line(
    harness: Harness, world: World, database_url: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["cycle", "new", "--name", "2027-Q1", "--start", "2027-01-01",
                 "--end", "2027-03-31"]) == 0
    assert "2026-Q4 stays open until its end and its review" in capsys.readouterr().out
    assert main(["cycle", "list"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2027-Q1\t2027-01-01\t2027-03-31\tactive", "2026-Q4\t2026-10-01\t2026-12-31\tactive"]
    assert main(["cycle", "close", "2026-Q4"]) == 0
    assert main(["cycle", "close", "2026-Q4"]) == 2
    assert "closed already" in capsys.readouterr().err
    assert main(["cycle", "close", "2027-Q1"]) == 0
    assert cycles(harness) == {"2026-Q4": "closed", "2027-Q1": "closed"}
    assert date(2027, 1, 1) > world.q4.end_date
