"""Writing OKRs over HTTP: /okr new, the coach's warnings, edit, archive, refusals, dedupe."""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from sqlmodel import select

from storage.models import KeyResult, Objective
from tests.scenarios.conftest import Harness
from tests.scenarios.okr_edit_support import (
    EDIT,
    NEW,
    World,
    audit_rows,
    build_world,
    edit_state,
    krs_of,
    new_state,
    objectives_titled,
    open_edit,
    opened_view,
    save,
    submit,
    target_history,
)
from tests.scenarios.seed import Seed
from tests.slack_text import mrkdwn_objects

GOOD_KRS = [("公众号文章累计阅读量", "0", "50,000", "次"), ("客服平均响应时间", "4", "1", "小时")]
TASK_KRS = [("写10篇公众号文章", "0", "10", "篇"), ("公众号文章累计阅读量", "0", "50000", "次")]


@pytest.fixture
def world(harness: Harness) -> World:
    return build_world(harness)


def open_new(harness: Harness, user: str, verb: str = "new") -> dict[str, Any]:
    result = harness.sender.command(verb, user_id=user)
    assert result.status == 200 and result.body == ""
    return opened_view(harness, NEW)


def options(view: dict[str, Any], block_id: str) -> list[str]:
    block = next(b for b in view["blocks"] if b.get("block_id") == block_id)
    return [o["value"] for o in block["element"]["options"]]


def block_texts(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def test_okr_new_opens_a_modal_in_the_persons_language(harness: Harness, world: World) -> None:
    view = open_new(harness, "UANA", verb="新建")
    assert view["title"]["text"] == "新建目标"
    assert options(view, "owner") == ["me", f"team:{world.marketing.id}"]
    # Nearest first: Ana's team, then the company above it.
    assert options(view, "parent") == [str(world.marketing_goal.id), str(world.company_goal.id)]
    type_block = next(b for b in view["blocks"] if b.get("block_id") == "type")
    hints = [o["description"]["text"] for o in type_block["element"]["options"]]
    assert "必须 100% 达成" in hints[0] and "60%-70%" in hints[1] and "获取认知" in hints[2]
    english = open_new(harness, "UBEN")
    assert english["title"]["text"] == "New Objective"
    assert options(english, "parent") == [str(world.company_goal.id)]
    assert harness.slack.invalid == []


def test_a_good_submission_creates_the_objective_krs_and_audit_rows(
    harness: Harness, world: World
) -> None:
    view = open_new(harness, "UANA")
    state = new_state("让新栏目成为读者最爱", GOOD_KRS, parent=str(world.marketing_goal.id))
    ack = submit(harness, view, state, "UANA")
    assert ack["response_action"] == "update"
    assert "让新栏目成为读者最爱" in block_texts(ack["view"])
    [objective] = objectives_titled(harness.deps.db, "让新栏目成为读者最爱")
    assert (objective.owner_person_id, objective.parent_id, objective.cycle_id) == (
        world.ana.id, world.marketing_goal.id, world.cycle.id)
    reads, reply = krs_of(harness.deps.db, objective.id or 0)
    assert (reads.start_value, reads.target_value, reads.direction) == (0, 50000, "increase")
    assert (reply.start_value, reply.target_value, reply.direction) == (4, 1, "decrease")
    assert reply.current_value == 4 and reply.unit == "小时"
    rows = audit_rows(harness.deps.db, "create")
    assert [(r.actor, r.entity) for r in rows] == [
        ("UANA", "objective"), ("UANA", "key_result"), ("UANA", "key_result")]
    assert json.loads(rows[0].after or "{}")["title"] == "让新栏目成为读者最爱"
    assert target_history(harness.deps.db, reads.id or 0) == [50000]
    publish = harness.slack.wait_for("views.publish")
    assert publish[0].args["user_id"] == "UANA"


def test_a_task_like_kr_gets_coach_warnings_in_chinese_then_the_next_submit_saves(
    harness: Harness, world: World
) -> None:
    view = open_new(harness, "UANA")
    state = new_state("提升品牌影响力", TASK_KRS, parent=str(world.marketing_goal.id))
    first = submit(harness, view, state, "UANA")
    assert first["response_action"] == "update"
    warned = first["view"]
    assert warned["blocks"][0]["text"]["text"] == "保存前请看看"
    text = block_texts(warned)
    assert "关键成果 1" in text and "是任务" in text and "阅读量超5万" in text
    assert warned["submit"]["text"] == "仍然保存"
    title_block = next(b for b in warned["blocks"] if b.get("block_id") == "title")
    assert title_block["element"]["initial_value"] == "提升品牌影响力"
    assert json.loads(warned["private_metadata"])["c"]
    assert objectives_titled(harness.deps.db, "提升品牌影响力") == []
    assert audit_rows(harness.deps.db) == []

    again = {**warned, "id": view["id"], "hash": "h-after-update"}
    second = submit(harness, again, state, "UANA")
    assert second["response_action"] == "update"
    assert len(objectives_titled(harness.deps.db, "提升品牌影响力")) == 1
    assert harness.slack.invalid == []
    harness.slack.wait_for("views.publish")


def test_changing_the_draft_after_a_warning_runs_the_coach_again(
    harness: Harness, world: World
) -> None:
    view = open_new(harness, "UBEN")
    first = submit(harness, view, new_state("Grow the blog", TASK_KRS), "UBEN")
    marker = json.loads(first["view"]["private_metadata"])["c"]
    changed = new_state("Grow the blog", [("Write 12 blog posts", "0", "12", "posts"),
                                          TASK_KRS[1]])
    second = submit(harness, {**first["view"], "id": view["id"], "hash": "h2"}, changed, "UBEN")
    assert second["response_action"] == "update"
    assert "reads like a task" in block_texts(second["view"])
    assert json.loads(second["view"]["private_metadata"])["c"] != marker
    assert objectives_titled(harness.deps.db, "Grow the blog") == []


def test_validation_errors_come_back_in_the_persons_language_and_save_nothing(
    harness: Harness, world: World
) -> None:
    view = open_new(harness, "UANA")
    bad = new_state("", [("阅读量", "5", "5", "次"), ("响应时间", "4", "abc", "")])
    ack = submit(harness, view, bad, "UANA")
    assert ack["response_action"] == "errors"
    assert ack["errors"] == {"title": "请填写此项。", "kr1_target": "目标值必须与起始值不同。",
                             "kr2_target": "请输入数字，例如 10 或 2.5。"}
    english = open_new(harness, "UBEN")
    one_kr = new_state("Grow the blog", [GOOD_KRS[0]])
    ack = submit(harness, english, one_kr, "UBEN")
    assert ack["errors"] == {"kr2_title": "An Objective needs at least 2 Key Results."}
    with harness.deps.db.read() as session:
        assert len(list(session.exec(select(Objective)))) == 3  # the seeded ones only
    assert audit_rows(harness.deps.db) == []


def test_the_owner_changes_a_kr_target_and_the_history_keeps_old_and_new(
    harness: Harness, world: World
) -> None:
    view = open_edit(harness, "UANA", world.ana_goal.id or 0)
    assert view["title"]["text"] == "编辑目标"
    target_block = f"krid{world.reads.id}_target"
    target = next(b for b in view["blocks"] if b.get("block_id") == target_block)
    assert target["element"]["initial_value"] == "50000"
    ack = submit(harness, view, edit_state(view, **{target_block: "60,000"}), "UANA")
    assert ack["response_action"] == "update"
    assert "已更新" in block_texts(ack["view"])
    with harness.deps.db.read() as session:
        reads = session.get(KeyResult, world.reads.id)
        assert reads is not None and reads.target_value == 60000
    assert target_history(harness.deps.db, world.reads.id or 0) == [50000, 60000]
    [row] = audit_rows(harness.deps.db, "update")
    assert (row.actor, row.entity, row.entity_id) == ("UANA", "key_result", str(world.reads.id))
    assert json.loads(row.before or "{}")["target_value"] == 50000
    assert json.loads(row.after or "{}")["target_value"] == 60000
    assert harness.slack.wait_for("views.publish")[0].args["user_id"] == "UANA"


def test_someone_else_is_refused_politely_and_the_refusal_is_audited(
    harness: Harness, world: World
) -> None:
    goal = world.ana_goal.id or 0
    harness.sender.block_action(f"okr.edit.{goal}", str(goal), user_id="UBEN",
                                channel_id="C0GENERAL")
    assert harness.slack.calls_to("views.open") == []
    [note] = harness.slack.wait_for("response_url")
    assert note.args["response_type"] == "ephemeral"
    assert "only the owner, their team lead or an admin" in note.args["text"]
    # A forged submission naming Ana's Objective changes nothing either.
    forged = {"id": "VFORGED", "hash": "h1", "type": "modal", "callback_id": EDIT,
              "private_metadata": json.dumps({"c": "", "o": goal, "k": [world.reads.id]})}
    ack = submit(harness, forged, {"title": {"title": {"type": "plain_text_input",
                                                       "value": "Hacked"}}}, "UBEN")
    assert "only the owner" in block_texts(ack["view"])
    harness.sender.block_action(f"okr.archive.{goal}", str(goal), user_id="UBEN",
                                channel_id="C0GENERAL")
    harness.slack.wait_for("response_url", count=2)
    with harness.deps.db.read() as session:
        stored = session.get(Objective, goal)
        assert stored is not None and (stored.title, stored.state) == (world.ana_goal.title,
                                                                        "active")
    refusals = audit_rows(harness.deps.db, "refused")
    assert [(r.actor, r.entity_id) for r in refusals] == [("UBEN", str(goal))] * 3
    assert [json.loads(r.after or "{}")["attempt"] for r in refusals] == [
        "edit", "edit", "archive"]
    assert audit_rows(harness.deps.db, "update") == []


def test_a_member_may_not_edit_the_team_objective_but_its_lead_and_an_admin_may(
    harness: Harness, world: World
) -> None:
    team_goal = world.marketing_goal.id or 0
    harness.sender.block_action(f"okr.edit.{team_goal}", str(team_goal), user_id="UANA",
                                channel_id="C0GENERAL")
    [note] = harness.slack.wait_for("response_url")
    assert "只有负责人" in note.args["text"]
    for user, title in (("ULEE", "Grow our readership, by lead"),
                        ("UADM", "Grow our readership, by admin")):
        view = open_edit(harness, user, team_goal)
        save(harness, view, edit_state(view, title=title), user)  # warned: it has no KRs
        assert len(objectives_titled(harness.deps.db, title)) == 1
    # The lead of Ana's team may edit her personal Objective too.
    view = open_edit(harness, "ULEE", world.ana_goal.id or 0)
    save(harness, view, edit_state(view, title="Lee's rewording"), "ULEE")
    assert len(objectives_titled(harness.deps.db, "Lee's rewording")) == 1
    assert [r.actor for r in audit_rows(harness.deps.db, "update")] == ["ULEE", "UADM", "ULEE"]
    # Homes refreshed: each editor's, and Ana's for her own Objective.
    homes = [c.args["user_id"] for c in harness.slack.wait_for("views.publish", count=4)]
    assert sorted(homes) == ["UADM", "UANA", "ULEE", "ULEE"]


def test_archive_asks_for_confirmation_then_archives_once(
    harness: Harness, world: World
) -> None:
    goal = world.ana_goal.id or 0
    view = open_edit(harness, "UANA", goal)
    archive = next(b for b in view["blocks"] if b.get("block_id") == "archive")["elements"][0]
    assert archive["action_id"] == f"okr.archive.{goal}" and archive["value"] == str(goal)
    assert archive["confirm"]["confirm"]["text"] == "归档"
    for _ in range(2):
        harness.sender.block_action(archive["action_id"], archive["value"], user_id="UANA",
                                    channel_id="C0GENERAL")
    notes = sorted(c.args["text"] for c in harness.slack.wait_for("response_url", count=2))
    assert "已归档" in notes[0] and "已经归档" in notes[1]  # clicks run concurrently
    with harness.deps.db.read() as session:
        stored = session.get(Objective, goal)
        assert stored is not None and stored.state == "archived"
        states = {kr.state for kr in session.exec(
            select(KeyResult).where(KeyResult.objective_id == goal))}
    assert states == {"archived"}
    [row] = audit_rows(harness.deps.db, "archive")
    assert json.loads(row.before or "{}")["state"] == "active"
    assert json.loads(row.after or "{}")["state"] == "archived"
    assert harness.slack.wait_for("views.publish")[0].args["user_id"] == "UANA"


def test_archive_from_inside_the_edit_modal_updates_that_modal(
    harness: Harness, world: World
) -> None:
    goal = world.ana_goal.id or 0
    view = open_edit(harness, "UANA", goal)
    harness.sender.block_action(f"okr.archive.{goal}", str(goal), user_id="UANA",
                                container={"type": "view", "view_id": view["id"]},
                                view={"id": view["id"], "type": "modal", "hash": view["hash"]})
    [update] = harness.slack.wait_for("views.update")
    assert update.args["view_id"] == view["id"]
    assert "已归档" in json.dumps(update.args["view"], ensure_ascii=False)
    harness.slack.wait_for("views.publish")


INJECTION = "<!channel> & <@U123> <https://evil|click> &amp; \"q\" \\ 🎯\n"


def test_injection_strings_are_escaped_in_warnings_and_modals(
    harness: Harness, world: World
) -> None:
    view = open_new(harness, "UANA")
    title = INJECTION + "提升品牌影响力"
    krs = [(INJECTION + "写10篇公众号文章", "0", "10", "篇"), TASK_KRS[1]]
    state = new_state(title, krs, parent=str(world.marketing_goal.id))
    warned = submit(harness, view, state, "UANA")["view"]
    saved = submit(harness, {**warned, "id": view["id"], "hash": "h9"}, state, "UANA")["view"]
    [objective] = objectives_titled(harness.deps.db, title.strip())
    edit = open_edit(harness, "UANA", objective.id or 0)
    for payload in (warned, saved, edit):
        texts = mrkdwn_objects(payload)
        assert texts and not any("<!channel>" in t or "<@U123>" in t or "<https" in t
                                 for t in texts)
    assert any("&lt;!channel&gt; &amp; &lt;@U123&gt;" in t for t in mrkdwn_objects(warned))
    assert any("&amp;amp;" in t for t in mrkdwn_objects(saved))
    title_block = next(b for b in edit["blocks"] if b.get("block_id") == "title")
    assert title_block["element"]["initial_value"] == title.strip()  # plain text: literal
    assert harness.slack.invalid == []
    harness.slack.wait_for("views.publish")


def test_a_resubmitted_identical_view_creates_one_objective(
    harness: Harness, world: World
) -> None:
    view = open_new(harness, "UANA")
    state = new_state("让新栏目成为读者最爱", GOOD_KRS, parent=str(world.marketing_goal.id))
    assert submit(harness, view, state, "UANA")["response_action"] == "update"
    assert submit(harness, view, state, "UANA") == {}
    assert len(objectives_titled(harness.deps.db, "让新栏目成为读者最爱")) == 1

    other = open_new(harness, "UANA")
    state = new_state("读者愿意推荐我们", GOOD_KRS, parent=str(world.marketing_goal.id))
    acks: list[dict[str, Any]] = []
    threads = [threading.Thread(target=lambda: acks.append(submit(harness, other, state, "UANA")))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(objectives_titled(harness.deps.db, "读者愿意推荐我们")) == 1
    assert sorted(a.get("response_action", "") for a in acks) == [""] * 7 + ["update"]
    assert len(audit_rows(harness.deps.db, "create")) == 6  # 2 Objectives + 4 KRs
    harness.slack.wait_for("views.publish", count=2)


def test_objective_cards_carry_an_edit_button(harness: Harness, world: World) -> None:
    reply = harness.sender.command("", user_id="UANA").json()
    goal = world.ana_goal.id
    buttons = [b["accessory"] for b in reply["blocks"] if "accessory" in b]
    assert {"action_id": f"okr.edit.{goal}", "value": str(goal)}.items() <= buttons[0].items()
    assert buttons[0]["text"]["text"] == "编辑"


def test_a_click_on_the_home_tab_is_answered_in_a_modal(harness: Harness, world: World) -> None:
    goal = world.ana_goal.id
    home_click = {
        "type": "block_actions", "team": {"id": "T0001"}, "api_app_id": "A0001",
        "user": {"id": "UBEN", "username": "uben", "team_id": "T0001"}, "token": "legacy",
        "trigger_id": "trig.home", "container": {"type": "view", "view_id": "VHOME"},
        "view": {"id": "VHOME", "type": "home"},
        "actions": [{"type": "button", "action_id": f"okr.edit.{goal}", "block_id": "b",
                     "value": str(goal), "action_ts": "1.0"}],
    }
    assert harness.sender.interactive(home_click).status == 200
    [opened] = harness.slack.wait_for("views.open")
    view = opened.args["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "modal" and "only the owner" in block_texts(view)
    assert [r.actor for r in audit_rows(harness.deps.db, "refused")] == ["UBEN"]


def test_someone_new_without_a_team_may_align_to_the_company(
    harness: Harness, world: World
) -> None:
    harness.slack.workspace.add_user("UZOE", "Zoe", locale="en-GB")
    harness.sender.block_action("okr.new", "home", user_id="UZOE")
    view = opened_view(harness, NEW)
    assert options(view, "owner") == ["me"]
    assert options(view, "parent") == [str(world.company_goal.id)]


def test_okr_new_without_an_active_cycle_says_so(harness: Harness) -> None:
    Seed(harness.deps.db, harness.deps.clock).make_person("UBEN", name="Ben", locale="en")
    reply = harness.sender.command("new", user_id="UBEN").json()
    assert reply["response_type"] == "ephemeral" and "no active OKR cycle" in reply["text"]
    assert harness.slack.calls_to("views.open") == []


@pytest.mark.parametrize(("user", "said"), [
    ("UANA", "还没有负责人：打卡时会请团队负责人 Lee 更新它。"),
    ("ULEE", "No owner yet: check-ins ask the team's leads, Lee."),
])
def test_a_team_objective_says_who_check_ins_ask_about_its_krs(
    harness: Harness, world: World, user: str, said: str
) -> None:
    view = open_new(harness, user)
    state = new_state("让新栏目成为读者最爱", GOOD_KRS, owner=f"team:{world.marketing.id}")
    ack = save(harness, view, state, user)
    contexts = [e["text"] for b in ack["view"]["blocks"] if b["type"] == "context"
                for e in b["elements"]]
    assert contexts == [said, said]  # one per KR
    personal = save(harness, open_new(harness, user), new_state("让栏目更好读", GOOD_KRS), user)
    assert not any(b["type"] == "context" for b in personal["view"]["blocks"])
