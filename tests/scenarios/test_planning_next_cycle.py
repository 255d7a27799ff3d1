"""Planning the next cycle while the current one runs (issue 15, point 5), over HTTP: `/okr new`
offers the cycle being planned, its parents come from the chosen cycle, App Home shows the
next cycle's drafts apart, and check-ins keep to the current cycle."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from storage.models import Cycle, Objective
from tests.scenarios.conftest import Harness
from tests.scenarios.okr_edit_support import (
    NEW,
    World,
    build_world,
    new_state,
    objectives_titled,
    opened_view,
    save,
)
from tests.scenarios.seed import Seed

GOOD_KRS = [("公众号文章累计阅读量", "0", "50,000", "次"), ("客服平均响应时间", "4", "1", "小时")]
world = pytest.fixture(build_world, name="world")


@pytest.fixture
def next_cycle(harness: Harness, world: World) -> tuple[Cycle, Objective]:
    """2027-Q1, being planned, with the company's Objective for it."""
    seed = Seed(harness.deps.db, harness.deps.clock)
    q1 = seed.make_cycle("2027-Q1", start=date(2027, 1, 1), end=date(2027, 3, 31))
    goal = seed.make_objective("Double the readership", owner=world.company, cycle=q1)
    return q1, goal


def open_new(harness: Harness, user: str) -> dict[str, Any]:
    assert harness.sender.command("new", user_id=user).status == 200
    return opened_view(harness, NEW)


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def test_with_one_cycle_the_form_has_no_cycle_choice(harness: Harness, world: World) -> None:
    view = open_new(harness, "UANA")
    assert all(b.get("block_id") != "cycle" for b in view["blocks"])


def test_the_form_offers_the_cycle_being_planned_and_its_parents(
    harness: Harness, world: World, next_cycle: tuple[Cycle, Objective]
) -> None:
    q1, q1_goal = next_cycle
    view = open_new(harness, "UANA")
    picker = block(view, "cycle")
    assert picker["dispatch_action"] is True
    assert [o["text"]["text"] for o in picker["element"]["options"]] == ["2026-Q4", "2027-Q1"]
    assert picker["element"]["initial_option"]["value"] == str(world.cycle.id)
    parents = [o["value"] for o in block(view, "parent")["element"]["options"]]
    assert str(world.marketing_goal.id) in parents and str(q1_goal.id) not in parents
    # Picking 2027-Q1 refreshes the form with 2027-Q1's parents, keeping what was typed.
    state = new_state("让读者每周都回来", GOOD_KRS)
    state["cycle"] = {"okr.new.cycle": {"type": "static_select",
                                        "selected_option": {"value": str(q1.id)}}}
    harness.sender.block_action("okr.new.cycle", str(q1.id), user_id="UANA",
                                view={**view, "state": {"values": state}})
    [update] = harness.slack.wait_for("views.update")
    refreshed = update.args["view"]
    assert block(refreshed, "cycle")["element"]["initial_option"]["value"] == str(q1.id)
    assert [o["value"] for o in block(refreshed, "parent")["element"]["options"]] == [
        str(q1_goal.id)]
    assert block(refreshed, "title")["element"]["initial_value"] == "让读者每周都回来"
    assert harness.slack.invalid == []


def test_an_objective_saved_into_the_next_cycle_waits_there(
    harness: Harness, world: World, next_cycle: tuple[Cycle, Objective]
) -> None:
    q1, q1_goal = next_cycle
    view = open_new(harness, "UANA")
    state = new_state("让读者每周都回来", GOOD_KRS, parent=str(q1_goal.id))
    state["cycle"] = {"okr.new.cycle": {"type": "static_select",
                                        "selected_option": {"value": str(q1.id)}}}
    save(harness, view, state, "UANA")
    [saved] = objectives_titled(harness.deps.db, "让读者每周都回来")
    assert (saved.cycle_id, saved.parent_id) == (q1.id, q1_goal.id)
    # App Home: the current cycle's Objectives, then the next cycle's apart.
    harness.sender.event({"type": "app_home_opened", "user": "UANA", "tab": "home"})
    home = json.dumps(harness.slack.wait_for("views.publish")[-1].args["view"],
                      ensure_ascii=False)
    assert home.index("让更多读者读到我们的文章") < home.index("*下一个周期：2027-Q1*")
    assert home.index("*下一个周期：2027-Q1*") < home.index("让读者每周都回来")
    # Check-ins keep to the current cycle: the new Objective is not asked about yet.
    assert harness.sender.command("checkin", user_id="UANA").status == 200
    checkin = json.dumps(opened_view(harness, "checkin.submit"), ensure_ascii=False)
    assert "公众号文章累计阅读量" in checkin and "客服平均响应时间" not in checkin


def test_a_forged_cycle_is_refused_and_nothing_is_saved(
    harness: Harness, world: World, next_cycle: tuple[Cycle, Objective]
) -> None:
    seed = Seed(harness.deps.db, harness.deps.clock)
    old = seed.make_cycle("2026-Q3", start=date(2026, 7, 1), end=date(2026, 9, 30))
    view = open_new(harness, "UBEN")
    state = new_state("Ship faster", GOOD_KRS)
    state["cycle"] = {"okr.new.cycle": {"type": "static_select",
                                        "selected_option": {"value": str(old.id)}}}
    result = harness.sender.view_submission(view, state, user_id="UBEN")
    assert result.json() == {"response_action": "errors", "errors": {
        "cycle": "That cycle is no longer open for new Objectives: please pick another."}}
    assert objectives_titled(harness.deps.db, "Ship faster") == []
