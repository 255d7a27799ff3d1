"""Lessons beside the new-Objective form, over HTTP: the team's past lessons when it opens,
reviewed Key Results like the title given to `/okr new`, like a title after Enter, and like the
typed titles when the coach sends the draft back."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from sqlmodel import select

from bot import ids
from storage.models import Cycle, KRReview, ObjectiveReview
from tests.scenarios.conftest import Harness
from tests.scenarios.okr_edit_support import World, build_world, new_state, opened_view
from tests.scenarios.seed import Seed
from tests.scenarios.test_okr_edit import NEW, TASK_KRS, open_new, submit


@pytest.fixture
def world(harness: Harness) -> World:
    built = build_world(harness)
    seed = Seed(harness.deps.db, harness.deps.clock)
    q3 = seed.make_cycle("2026-Q3", start=date(2026, 7, 1), end=date(2026, 9, 30),
                         state="closed")
    past = seed.make_objective("提升公众号影响力", owner=built.marketing, cycle=q3)
    reads = seed.make_kr(past, "公众号文章阅读量翻倍", target=100_000)
    other = seed.make_kr(past, "Launch the podcast", kind="milestone")
    now = harness.deps.clock.now()
    with harness.deps.db.write() as session:
        session.add(ObjectiveReview(objective_id=past.id, keep="与合作伙伴联合直播 <!channel>",
                                    avoid="不要在假期发布", updated_at=now))
        session.add(KRReview(key_result_id=reads.id, final_score=0.45, cause_kind="subjective",
                             cause_note="目标定得太高", updated_at=now))
        session.add(KRReview(key_result_id=other.id, final_score=1, updated_at=now))
    return built


def texts(view: dict[str, object]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_the_form_opens_with_the_teams_lessons(harness: Harness, world: World) -> None:
    body = texts(open_new(harness, "UANA"))
    assert "以往复盘的经验" in body
    assert "✅ 可复用：与合作伙伴联合直播 &lt;!channel&gt; —— _提升公众号影响力_，2026-Q3" in body
    assert "⚠️ 要规避：不要在假期发布" in body
    assert "*相似的已复盘关键成果*" not in body  # nothing typed yet
    assert "以往复盘的经验" not in texts(open_new(harness, "UBEN"))  # Engineering: none


def test_a_draft_sent_back_shows_reviewed_krs_like_it(harness: Harness, world: World) -> None:
    view = open_new(harness, "UANA")
    warned = submit(harness, view, new_state("提升品牌影响力", TASK_KRS), "UANA")["view"]
    body = texts(warned)
    assert "*相似的已复盘关键成果*" in body
    assert "• _公众号文章阅读量翻倍_（2026-Q3）：最终得分 0.45 —— 主观原因：目标定得太高" in body
    assert "Launch the podcast" not in body
    assert harness.slack.invalid == []


def test_the_carry_offer_shows_reviewed_krs_like_the_carried_ones(
    harness: Harness, world: World
) -> None:
    seed = Seed(harness.deps.db, harness.deps.clock)
    mine = seed.make_objective("让更多人读到公众号", owner=world.ana, cycle=world.cycle)
    seed.make_kr(mine, "公众号文章阅读量", target=50_000, current=20_000)
    seed.make_cycle("2027-Q1", start=date(2027, 1, 1), end=date(2027, 3, 31))  # being planned
    result = harness.sender.command("carry", user_id="UANA")
    assert result.status == 200
    body = json.dumps(result.json()["blocks"], ensure_ascii=False)
    assert "让更多人读到公众号" in body
    assert "*相似的已复盘关键成果*" in body
    assert "• _公众号文章阅读量翻倍_（2026-Q3）：最终得分 0.45 —— 主观原因：目标定得太高" in body


def _cycles(harness: Harness) -> list[Cycle]:
    with harness.deps.db.read() as session:
        return list(session.exec(select(Cycle)))


def test_okr_new_with_a_title_opens_the_form_with_reviewed_krs_like_it(
    harness: Harness, world: World
) -> None:
    result = harness.sender.command("new 公众号文章阅读量提升", user_id="UANA")
    assert result.status == 200 and result.body == ""
    view = opened_view(harness, NEW)
    assert _block(view, "title")["element"]["initial_value"] == "公众号文章阅读量提升"
    body = texts(view)
    assert "*相似的已复盘关键成果*" in body
    assert "• _公众号文章阅读量翻倍_（2026-Q3）：最终得分 0.45 —— 主观原因：目标定得太高" in body
    assert harness.slack.invalid == []


@pytest.mark.parametrize(("user", "hint"), [
    ("UANA", "在目标或关键成果标题中按回车"),
    ("UBEN", "Press Enter in a title to see reviewed Key Results like it."),
])
def test_enter_in_a_title_shows_reviewed_krs_like_it_and_keeps_what_was_typed(
    harness: Harness, world: World, user: str, hint: str
) -> None:
    view = open_new(harness, user)
    assert hint in texts(view)
    assert "Podcast" not in texts(view) and "podcast" not in texts(view)
    typed = {**view, "state": {"values": new_state(
        "Grow our audience", [("launch the new podcast", "", "", "")])}}
    result = harness.sender.block_action(f"{ids.OKR_NEW_SIMILAR}.1", user_id=user,
                                         container={"type": "view", "view_id": view["id"]},
                                         view=typed)
    assert result.status == 200
    harness.slack.wait_for("views.update")
    updated = opened_view(harness, NEW)
    assert _block(updated, "title")["element"]["initial_value"] == "Grow our audience"
    assert _block(updated, "kr1_title")["element"]["initial_value"] == "launch the new podcast"
    assert "Launch the podcast" in texts(updated)
    assert harness.slack.invalid == []


def _block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)
