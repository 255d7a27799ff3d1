"""Finishing OKRs in Slack over HTTP (issue 15, point 4): a draft made active; Key Results
added, archived, reordered and given an owner from the edit modal, with the same
authorization, coach and audit as every other edit."""

from __future__ import annotations

import json
from typing import Any

import pytest

from storage.models import KeyResult, Objective
from tests.scenarios.conftest import Harness
from tests.scenarios.okr_edit_support import (
    EDIT,
    World,
    audit_rows,
    build_world,
    edit_state,
    krs_of,
    open_edit,
    save,
    submit,
)
from tests.scenarios.seed import Seed

world = pytest.fixture(build_world, name="world")


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


def has_block(view: dict[str, Any], block_id: str) -> bool:
    return any(b.get("block_id") == block_id for b in view["blocks"])


def stored(harness: Harness, model: type[Objective] | type[KeyResult], row_id: int) -> Any:
    with harness.deps.db.read() as session:
        return session.get(model, row_id)


def live_titles(harness: Harness, objective_id: int) -> list[str]:
    return [kr.title for kr in krs_of(harness.deps.db, objective_id) if kr.state != "archived"]


def test_a_carried_draft_is_made_active_from_the_edit_modal(
    harness: Harness, world: World
) -> None:
    seed = Seed(harness.deps.db, harness.deps.clock)
    draft = seed.make_objective("Readers come back every week", owner=world.ana,
                                cycle=world.cycle, state="draft")
    seed.make_kr(draft, "Weekly returning readers", start=100, target=400, owner=world.ana)
    seed.make_kr(draft, "Newsletter open rate", start=20, target=35, unit="%", owner=world.ana)
    view = open_edit(harness, "UANA", draft.id or 0)
    status = block(view, "state")["element"]
    assert [o["value"] for o in status["options"]] == ["draft", "active"]
    assert status["initial_option"]["value"] == "draft"
    assert "草稿" in status["options"][0]["text"]["text"]
    # Saved as a draft, it stays one.
    save(harness, view, edit_state(view), "UANA")
    assert stored(harness, Objective, draft.id or 0).state == "draft"
    view = open_edit(harness, "UANA", draft.id or 0)
    save(harness, view, edit_state(view, state="active"), "UANA")
    assert stored(harness, Objective, draft.id or 0).state == "active"
    [row] = audit_rows(harness.deps.db, "activate")
    assert (row.actor, row.entity, row.entity_id) == ("UANA", "objective", str(draft.id))
    assert (json.loads(row.before or "{}")["state"], json.loads(row.after or "{}")["state"]) == (
        "draft", "active")
    # An active Objective's form no longer offers the choice.
    assert not has_block(open_edit(harness, "UANA", draft.id or 0), "state")
    assert harness.slack.invalid == []


def test_a_draft_without_key_results_is_not_activated_and_the_form_says_why(
    harness: Harness, world: World
) -> None:
    seed = Seed(harness.deps.db, harness.deps.clock)
    harness.slack.workspace.add_user("UBEN", "Ben", locale="en-US")
    draft = seed.make_objective("Ship the mobile app", owner=world.ben, cycle=world.cycle,
                                state="draft")
    view = open_edit(harness, "UBEN", draft.id or 0)
    # Nothing carried forward: two slots to add Key Results, the minimum.
    assert has_block(view, "krnew1_title") and has_block(view, "krnew2_title")
    assert not has_block(view, "archive_krs")
    ack = submit(harness, view, edit_state(view, state="active"), "UBEN")
    assert ack["response_action"] == "errors"
    assert ack["errors"] == {
        "state": "An active Objective needs at least one Key Result: add one below."}
    assert stored(harness, Objective, draft.id or 0).state == "draft"
    # With two Key Results typed into the new slots, it is activated and they are saved.
    typed = {"krnew1_title": "App store rating reaches 4.5", "krnew1_start": "3.9",
             "krnew1_target": "4.5", "krnew2_title": "Weekly active users on mobile",
             "krnew2_start": "0", "krnew2_target": "5000", "krnew2_unit": "users"}
    save(harness, view, edit_state(view, state="active", **typed), "UBEN")
    assert stored(harness, Objective, draft.id or 0).state == "active"
    rating, users = krs_of(harness.deps.db, draft.id or 0)
    assert (rating.title, rating.start_value, rating.target_value, rating.current_value) == (
        "App store rating reaches 4.5", 3.9, 4.5, 3.9)
    assert (users.unit, users.owner_person_id, users.position > rating.position) == (
        "users", world.ben.id, True)


def test_a_key_result_is_added_archived_and_moved_in_one_save(
    harness: Harness, world: World
) -> None:
    goal = world.ana_goal.id or 0
    view = open_edit(harness, "UANA", goal)
    assert live_titles(harness, goal) == ["公众号文章累计阅读量", "新版网站上线"]
    archive = block(view, "archive_krs")["element"]
    assert [o["value"] for o in archive["options"]] == [str(world.reads.id),
                                                        str(world.launch.id)]
    assert archive["options"][0]["text"]["text"] == "1. 公众号文章累计阅读量"
    state = edit_state(view, **{
        f"krid{world.launch.id}_position": "1", f"krid{world.reads.id}_position": "2",
        "krnew1_title": "客服平均响应时间", "krnew1_start": "4", "krnew1_target": "1",
        "krnew1_unit": "小时"})
    save(harness, view, state, "UANA")
    assert live_titles(harness, goal) == [
        "新版网站上线", "公众号文章累计阅读量", "客服平均响应时间"]
    added = krs_of(harness.deps.db, goal)[-1]
    assert (added.direction, added.owner_person_id, added.state) == ("decrease", world.ana.id,
                                                                     "active")
    created = [r for r in audit_rows(harness.deps.db, "create") if r.entity == "key_result"]
    assert [r.entity_id for r in created] == [str(added.id)]
    moved = audit_rows(harness.deps.db, "update")
    assert {r.entity_id for r in moved} == {str(world.reads.id), str(world.launch.id)}
    # Archive the milestone: it leaves the Objective's live KRs, its row and history stay.
    view = open_edit(harness, "UANA", goal)
    save(harness, view, edit_state(view, archive_krs=str(world.launch.id)), "UANA")
    assert live_titles(harness, goal) == ["公众号文章累计阅读量", "客服平均响应时间"]
    assert stored(harness, KeyResult, world.launch.id or 0).state == "archived"
    [archived] = audit_rows(harness.deps.db, "archive")
    assert (archived.entity, archived.entity_id) == ("key_result", str(world.launch.id))


def test_archiving_every_key_result_is_refused_in_the_persons_language(
    harness: Harness, world: World
) -> None:
    goal = world.ana_goal.id or 0
    view = open_edit(harness, "UANA", goal)
    every = f"{world.reads.id},{world.launch.id}"
    ack = submit(harness, view, edit_state(view, archive_krs=every), "UANA")
    assert ack == {"response_action": "errors",
                   "errors": {"archive_krs": "请至少保留一个关键成果，或新增一个。"}}
    assert live_titles(harness, goal) == ["公众号文章累计阅读量", "新版网站上线"]
    assert audit_rows(harness.deps.db) == []


def test_a_key_results_owner_is_set_and_check_ins_say_who_is_asked(
    harness: Harness, world: World
) -> None:
    team_goal = world.marketing_goal.id or 0
    seed = Seed(harness.deps.db, harness.deps.clock)
    unowned = seed.make_kr(world.marketing_goal, "Newsletter subscribers", start=1000,
                           target=3000)
    other = seed.make_kr(world.marketing_goal, "Articles read to the end", start=20,
                         target=40, unit="%")
    view = open_edit(harness, "ULEE", team_goal)
    owner_block = f"krid{unowned.id}_owner"
    assert block(view, owner_block)["element"]["type"] == "users_select"
    assert "initial_user" not in block(view, owner_block)["element"]
    ack = save(harness, view, edit_state(view, **{owner_block: "UANA"}), "ULEE")
    assert stored(harness, KeyResult, unowned.id or 0).owner_person_id == world.ana.id
    assert stored(harness, KeyResult, other.id or 0).owner_person_id is None
    saved_text = json.dumps(ack["view"]["blocks"], ensure_ascii=False)
    assert "Ana" in saved_text and "Lee" in saved_text  # asked: Ana; the other: the lead
    [row] = [r for r in audit_rows(harness.deps.db, "update") if r.entity == "key_result"]
    assert json.loads(row.after or "{}")["owner_person_id"] == world.ana.id
    # The form shows the owner it has; clearing the picker clears the owner.
    view = open_edit(harness, "ULEE", team_goal)
    assert block(view, owner_block)["element"]["initial_user"] == "UANA"
    save(harness, view, edit_state(view, **{owner_block: ""}), "ULEE")
    assert stored(harness, KeyResult, unowned.id or 0).owner_person_id is None


def test_an_owner_okr_bot_has_not_met_is_looked_up_once_or_refused_politely(
    harness: Harness, world: World
) -> None:
    goal = world.ana_goal.id or 0
    owner_block = f"krid{world.reads.id}_owner"
    harness.slack.workspace.add_user("UZOE", "Zoe", locale="en-GB")
    view = open_edit(harness, "UANA", goal)
    save(harness, view, edit_state(view, **{owner_block: "UZOE"}), "UANA")
    zoe = stored(harness, KeyResult, world.reads.id or 0).owner_person_id
    assert zoe is not None and zoe != world.ana.id
    # Someone Slack does not know (or does not answer for): a clear error, nothing saved.
    view = open_edit(harness, "UANA", goal)
    ack = submit(harness, view, edit_state(view, **{owner_block: "UGHOST", "title": "Changed"}),
                 "UANA")
    assert ack["response_action"] == "errors"
    assert "还没有用过 okr-bot" in ack["errors"][owner_block]
    assert stored(harness, Objective, goal).title == world.ana_goal.title
    assert stored(harness, KeyResult, world.reads.id or 0).owner_person_id == zoe


def test_someone_who_may_not_edit_cannot_add_archive_or_activate(
    harness: Harness, world: World
) -> None:
    goal = world.ana_goal.id or 0
    forged = {"id": "VFORGED", "hash": "h1", "type": "modal", "callback_id": EDIT,
              "private_metadata": json.dumps({"c": "", "o": goal,
                                              "k": [world.reads.id, world.launch.id]})}
    state = {"title": {"title": {"type": "plain_text_input", "value": "Hacked"}},
             "archive_krs": {"archive_krs": {"type": "checkboxes",
                                             "selected_options": [{"value": str(world.reads.id)}]}},
             "krnew1_title": {"krnew1_title": {"type": "plain_text_input", "value": "Mine"}},
             "state": {"state": {"type": "radio_buttons", "selected_option": {"value": "active"}}}}
    ack = submit(harness, forged, state, "UBEN")
    assert "only the owner" in json.dumps(ack["view"])
    assert live_titles(harness, goal) == ["公众号文章累计阅读量", "新版网站上线"]
    assert [r.action for r in audit_rows(harness.deps.db)] == ["refused"]


def test_the_coach_reads_the_objective_as_it_will_be_saved(
    harness: Harness, world: World
) -> None:
    goal = world.ana_goal.id or 0
    view = open_edit(harness, "UANA", goal)
    state = edit_state(view, krnew1_title="写10篇公众号文章", krnew1_start="0",
                       krnew1_target="10", krnew1_unit="篇")
    ack = submit(harness, view, state, "UANA")
    assert ack["response_action"] == "update"
    warned = ack["view"]
    assert warned["callback_id"] == EDIT
    text = json.dumps(warned["blocks"], ensure_ascii=False)
    assert "关键成果 3" in text  # the added KR, numbered after the two it has
    assert block(warned, "krnew1_title")["element"]["initial_value"] == "写10篇公众号文章"
    assert len(live_titles(harness, goal)) == 2  # nothing saved before the confirmation
    save(harness, view, state, "UANA")
    assert live_titles(harness, goal)[-1] == "写10篇公众号文章"
