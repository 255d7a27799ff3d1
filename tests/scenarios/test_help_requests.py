"""Help reaches the helper: one DM with "I can help" / "Not now", the answer back to the asker
and in the digest, escalation past a team's only lead, and `/okr help-wanted` — over HTTP."""

from __future__ import annotations

import json
from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.delivery.sender import Sender
from bot.deps import make_web_client
from bot.rendering import Renderer
from storage.models import AuditLog, CheckIn, Cycle, Delivery, Team
from tests.scenarios.checkin_forms import answer_kr, notes
from tests.scenarios.conftest import Harness
from tests.scenarios.test_checkin import (
    World,
    build_world,
    full_answer,
    open_by_command,
    rows,
    save,
)


@pytest.fixture
def world(harness: Harness) -> World:
    return build_world(harness)


def send_all(harness: Harness) -> dict[str, list[dict[str, Any]]]:
    """Run the outbox until it is empty — the clock moving on to each message's due time, as
    each waits for its recipient's hours — then every chat.postMessage by channel."""
    client = make_web_client(harness.deps.settings, retries=False)
    clock = harness.deps.clock
    sender = Sender(harness.deps.db, clock, client, Renderer(), grace=timedelta(hours=6))
    for _ in range(12):
        sender.tick()
        with harness.deps.db.read() as session:
            waiting = [d.next_attempt_at for d in session.exec(select(Delivery))
                       if d.status == "pending"]
        if not waiting:
            break
        clock.set(max(clock.now() + timedelta(seconds=2), min(waiting).replace(tzinfo=UTC)))
    posts: dict[str, list[dict[str, Any]]] = {}
    for call in harness.slack.calls_to("chat.postMessage"):
        posts.setdefault(call.args["channel"], []).append(call.args)
    return posts


def buttons(post: dict[str, Any]) -> dict[str, str]:
    actions = next(b for b in post["blocks"] if b["type"] == "actions")
    return {e["action_id"]: e["value"] for e in actions["elements"]}


def test_the_named_helper_gets_one_dm_with_buttons_and_the_asker_hears_the_answer(
    harness: Harness, world: World
) -> None:
    save(harness, open_by_command(harness), full_answer(world))  # Ana asks Ben
    save(harness, open_by_command(harness), full_answer(world))  # an edit asks nobody again
    posts = send_all(harness)
    assert sorted(posts) == ["DBEN", "DLEE", "DLIA"]
    [ask] = posts["DBEN"]
    assert ask["text"] == "Ana asks for your help on “Qualified leads”"
    asked = json.dumps(ask["blocks"], ensure_ascii=False)
    assert "<@UANA>" in asked and "a designer for 2 days" in asked
    checkin_id = str(next(c.id for c in rows(harness, CheckIn)
                          if c.key_result_id == world.leads.id))
    assert buttons(ask) == {"help.can_help": checkin_id, "help.not_now": checkin_id}

    reply = harness.sender.block_action("help.can_help", checkin_id, user_id="UBEN",
                                        channel_id="DBEN")
    assert reply.status == 200
    [answered] = harness.slack.wait_for("response_url")
    assert answered.args["replace_original"] is True
    assert answered.args["text"] == (
        "✅ You offered to help Ana with *Qualified leads*: they have been told.")
    stored = next(c for c in rows(harness, CheckIn) if c.key_result_id == world.leads.id)
    assert (stored.help_answer, stored.help_answered_at) == ("can_help",
                                                             harness.deps.clock.now())
    assert [a.action for a in rows(harness, AuditLog) if a.action == "help.answer"] == [
        "help.answer"]
    told = send_all(harness)["DANA"]
    assert [p["text"] for p in told] == ["Ben 可以在“Qualified leads”上帮忙"]

    # A second click changes nothing and tells nobody again.
    harness.sender.block_action("help.can_help", checkin_id, user_id="UBEN")
    harness.slack.wait_for("response_url", 2)
    assert len([d for d in rows(harness, Delivery) if d.kind == "help_answer"]) == 1

    # The digest shows the answer beside the request.
    preview = harness.sender.command("digest", user_id="ULEE")
    assert preview.status == 200
    digest = json.dumps([c.args for c in harness.slack.wait_for("response_url", 3)[2:]],
                        ensure_ascii=False)
    assert "a designer for 2 days" in digest and "✅ can help" in digest


def test_only_the_named_helper_may_answer(harness: Harness, world: World) -> None:
    save(harness, open_by_command(harness), full_answer(world))
    checkin_id = next(c.id for c in rows(harness, CheckIn) if c.key_result_id == world.leads.id)
    harness.sender.block_action("help.not_now", str(checkin_id), user_id="ULIA")
    [answer] = harness.slack.wait_for("response_url")
    assert answer.args["text"] == "这条求助不是发给你的（或已被修改），没有记录任何内容。"
    assert answer.args.get("replace_original") is False
    assert {c.help_answer for c in rows(harness, CheckIn)} == {None}
    assert [d for d in rows(harness, Delivery) if d.kind == "help_answer"] == []
    assert [(a.actor, a.action) for a in rows(harness, AuditLog) if a.action == "refused"] == [
        ("ULIA", "refused")]


def test_not_now_is_told_to_the_asker_in_their_language(harness: Harness, world: World) -> None:
    view = open_by_command(harness, "UBEN")
    state = answer_kr({}, world.ben_kr.id, "150")
    notes(state, help_needed="a reviewer for the launch post", whom="UANA")
    save(harness, view, state, "UBEN")
    checkin_id = rows(harness, CheckIn)[0].id
    harness.sender.block_action("help.not_now", str(checkin_id), user_id="UANA")
    [answered] = harness.slack.wait_for("response_url")
    assert answered.args["text"] == "你回复 Ben：暂时无法在 *Members* 上帮忙，已告诉对方。"
    posts = send_all(harness)
    assert [p["text"] for p in posts["DBEN"]] == ["Ana cannot help with “Members” right now"]


def test_a_request_from_a_teams_only_lead_goes_to_the_parent_teams_leads(
    harness: Harness, world: World
) -> None:
    seed = world.seed
    harness.slack.workspace.add_user("UDAN", "Dan", locale="en-US")
    dan = seed.make_person("UDAN", name="Dan")
    with seed.db.read() as session:
        growth = session.exec(select(Team).where(Team.name == "Growth")).one()
        cycle = session.get(Cycle, world.market.cycle_id)
    assert growth is not None and cycle is not None
    design = seed.make_team("Design", parent=growth, leads=[dan])
    goal = seed.make_objective("Design system", owner=design, cycle=cycle)
    kr = seed.make_kr(goal, "Components shipped", target=40)  # unowned: asked of Dan
    view = open_by_command(harness, "UDAN")
    assert "Components shipped" in json.dumps(view["blocks"])
    state = answer_kr({}, kr.id, "12")
    notes(state, help_needed="someone to review the tokens")
    save(harness, view, state, "UDAN")
    posts = send_all(harness)
    assert sorted(posts) == ["DLEE", "DLIA"]  # Growth's leads: Dan leads Design alone


def test_help_wanted_lists_my_teams_requests_and_those_naming_me(
    harness: Harness, world: World
) -> None:
    save(harness, open_by_command(harness), full_answer(world))  # Ana (Growth) asks Ben

    def wanted(user_id: str) -> str:
        reply = harness.sender.command("help-wanted", user_id=user_id)
        assert reply.status == 200
        body = reply.json()
        assert body["response_type"] == "ephemeral"
        return json.dumps(body["blocks"], ensure_ascii=False)

    ben = wanted("UBEN")
    assert "<@UANA> needs help on *Qualified leads* (Win the market): a designer for 2 days" in ben
    assert "👉 They ask *you*." in ben
    lee = wanted("ULEE")
    assert "a designer for 2 days" in lee and "They asked: <@UBEN>" in lee
    ana = harness.sender.command("求助", user_id="UANA").json()
    assert "在 *Qualified leads*（Win the market）上需要支持" in json.dumps(ana["blocks"],
                                                                         ensure_ascii=False)
    harness.slack.workspace.add_user("UNEW", "Nia", locale="en-US")
    assert "No open help request in your teams, and none names you." in wanted("UNEW")


def test_an_edit_keeps_the_helpers_answer_until_the_request_changes(
    harness: Harness, world: World
) -> None:
    save(harness, open_by_command(harness), full_answer(world))  # Ana asks Ben
    checkin_id = str(next(c.id for c in rows(harness, CheckIn)
                          if c.key_result_id == world.leads.id))
    harness.sender.block_action("help.can_help", checkin_id, user_id="UBEN", channel_id="DBEN")
    harness.slack.wait_for("response_url")
    answered_at = harness.deps.clock.now()

    def leads_checkin() -> CheckIn:
        return next(c for c in rows(harness, CheckIn) if c.key_result_id == world.leads.id)

    harness.deps.clock.advance(timedelta(hours=1))
    save(harness, open_by_command(harness), full_answer(world))  # the same request
    kept = leads_checkin()
    assert (kept.version, kept.help_answer, kept.help_answered_at) == (2, "can_help",
                                                                      answered_at)

    changed = full_answer(world)
    notes(changed, blockers="legal review of the landing page",
          blocker_krs=[world.leads.id, world.beta.id], help_needed="a copywriter for a day",
          help_kr=world.leads.id, whom="UBEN")
    save(harness, open_by_command(harness), changed)
    cleared = leads_checkin()
    assert (cleared.version, cleared.help_needed) == (3, "a copywriter for a day")
    assert (cleared.help_answer, cleared.help_answered_at) == (None, None)
