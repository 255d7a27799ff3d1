"""The check-in conversation over HTTP: open the modal, submit it, edit it, ask for help."""

from __future__ import annotations

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.blockkit import violations
from bot.clock import FakeClock
from bot.delivery.sender import Sender
from bot.deps import make_web_client
from bot.rendering import Renderer
from bot.services.checkin.form import idempotency_key
from storage.models import (
    Absence,
    AuditLog,
    CheckIn,
    Cycle,
    Delivery,
    InboxEntry,
    KeyResult,
    KRValueHistory,
    Objective,
    Person,
)
from tests.fakes.slack_api import Fault
from tests.scenarios.checkin_forms import State, answer_kr, blank_form, notes
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed

WEEK = "2026-W49"  # Monday 2026-11-30, in Shanghai and in New York


@dataclass
class World:
    seed: Seed
    ana: Person
    ben: Person
    lee: Person
    lia: Person
    market: Objective
    speed: Objective
    leads: KeyResult
    nps: KeyResult
    beta: KeyResult
    response: KeyResult
    ben_kr: KeyResult


@pytest.fixture
def world(harness: Harness) -> World:
    return build_world(harness)


def build_world(harness: Harness) -> World:
    """Ana (zh) and Ben (en) in Growth, led by Lee (en) and Lia (zh); Ana's and Ben's OKRs."""
    seed = Seed(harness.deps.db, harness.deps.clock)
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    ben = seed.make_person("UBEN", name="Ben", tz="America/New_York", locale="en")
    lee = seed.make_person("ULEE", name="Lee")
    lia = seed.make_person("ULIA", name="Lia", locale="zh")
    seed.make_team("Growth", members=[ana, ben], leads=[lee, lia])
    cycle = seed.make_cycle()
    market = seed.make_objective("Win the market", owner=ana, cycle=cycle)
    leads = seed.make_kr(market, "Qualified leads", target=6000, current=1200, unit="leads")
    nps = seed.make_kr(market, "NPS", start=20, target=50, current=30, confidence="on_track")
    beta = seed.make_kr(market, "Launch the beta", kind="milestone")
    speed = seed.make_objective("Answer faster", owner=ana, cycle=cycle)
    response = seed.make_kr(speed, "First response time", start=4, target=1, current=3, unit="h")
    bens = seed.make_objective("Grow the community", owner=ben, cycle=cycle)
    ben_kr = seed.make_kr(bens, "Members", target=1000, current=100)
    return World(seed, ana, ben, lee, lia, market, speed, leads, nps, beta, response, ben_kr)


def open_by_command(harness: Harness, user_id: str = "UANA",
                    verb: str = "checkin") -> dict[str, Any]:
    """`/okr checkin`: the ack is empty and the modal is the view Slack now holds."""
    before = len(harness.slack.calls_to("views.open"))
    reply = harness.sender.command(verb, user_id=user_id)
    assert reply.status == 200
    assert reply.body == ""
    calls = harness.slack.wait_for("views.open", before + 1)
    assert calls[-1].ok
    return latest_view(harness)


def latest_view(harness: Harness) -> dict[str, Any]:
    return list(harness.slack.workspace.views.values())[-1]


def submit(harness: Harness, view: dict[str, Any], state: State,
           user_id: str = "UANA") -> dict[str, Any]:
    reply = harness.sender.view_submission(view, state, user_id=user_id)
    assert reply.status == 200
    body: dict[str, Any] = reply.json() or {}
    return body


def save(harness: Harness, view: dict[str, Any], state: State, user_id: str = "UANA") -> None:
    """Submit and wait for the work after the ack (the prompt's update) to finish."""
    assert submit(harness, view, state, user_id) == {"response_action": "clear"}
    harness.drain()


def rows(harness: Harness, model: Any) -> list[Any]:
    with harness.deps.db.read() as session:
        return list(session.exec(select(model).order_by(col(model.id) if hasattr(model, "id")
                                                        else col(model.key))))


def kr(harness: Harness, kr_id: int | None) -> KeyResult:
    with harness.deps.db.read() as session:
        found = session.get(KeyResult, kr_id)
    assert found is not None
    return found


def texts(view: dict[str, Any]) -> str:
    return json.dumps(view["blocks"], ensure_ascii=False)


def full_answer(world: World) -> State:
    state: State = {}
    answer_kr(state, world.leads.id, "１，５００", confidence="on_track", note="two webinars done")
    answer_kr(state, world.nps.id, "35%", confidence="at_risk", note="survey sent")
    answer_kr(state, world.beta.id, "done", milestone=True)
    answer_kr(state, world.response.id, no_change=True)
    notes(state, blockers="legal review of the landing page",
          blocker_krs=[world.leads.id, world.beta.id], help_needed="a designer for 2 days",
          help_kr=world.leads.id, whom="UBEN")
    return state


def make_prompt(harness: Harness, person: Person) -> Delivery:
    """A check-in prompt already sent to `person`'s DM (what the scheduler leaves behind)."""
    channel = "D" + person.slack_user_id[1:]
    posted = harness.deps.slack.chat_postMessage(channel=channel, text="Time to check in")
    now = harness.deps.clock.now()
    delivery = Delivery(kind="checkin", dedupe_key=f"checkin:{person.id}:2026-11-30",
                        person_id=person.id, slot_key="2026-11-30", due_at=now,
                        status="sent", next_attempt_at=now, channel_id=channel,
                        ts=posted["ts"], created_at=now, sent_at=now)
    with harness.deps.db.write() as session:
        session.add(delivery)
        session.flush()
        session.refresh(delivery)
    return delivery


# ---- opening ---------------------------------------------------------------------------------


@pytest.mark.parametrize("verb", ["checkin", "打卡", "更新"])
def test_checkin_command_opens_the_modal_with_every_kr_and_its_last_value(
    harness: Harness, world: World, verb: str
) -> None:
    view = open_by_command(harness, verb=verb)
    assert view["callback_id"] == "checkin.submit"
    headers = [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]
    assert headers == ["Win the market", "Answer faster"]
    text = texts(view)
    assert "上次：1,200 leads → 现在？" in text
    assert "上次：3 h → 现在？" in text
    assert "上次：未完成 → 现在？" in text
    assert "上次：✅ 进展顺利" in text  # NPS's last confidence as the placeholder
    assert "Members" not in text  # Ben's KR is Ben's
    assert json.loads(view["private_metadata"]) == {"d": None, "p": 0}
    assert harness.slack.invalid == []


def test_prompt_button_opens_the_modal_linked_to_its_delivery(
    harness: Harness, world: World
) -> None:
    prompt = make_prompt(harness, world.ana)
    reply = harness.sender.block_action("checkin.open", str(prompt.id), user_id="UANA",
                                        channel_id="DANA")
    assert reply.status == 200
    harness.slack.wait_for("views.open")
    view = latest_view(harness)
    assert json.loads(view["private_metadata"]) == {"d": prompt.id, "p": 0}
    assert "Qualified leads" in texts(view)


def test_someone_elses_prompt_id_opens_an_unlinked_modal(harness: Harness, world: World) -> None:
    prompt = make_prompt(harness, world.ana)
    harness.sender.block_action("checkin.open", str(prompt.id), user_id="UBEN")
    harness.slack.wait_for("views.open")
    view = latest_view(harness)
    assert json.loads(view["private_metadata"]) == {"d": None, "p": 0}
    assert "Members" in texts(view)
    assert "Qualified leads" not in texts(view)


@pytest.mark.parametrize("value", ["²", "-1", "1e3", "<@U123>"])
def test_a_strange_button_value_opens_an_unlinked_modal(
    harness: Harness, world: World, value: str
) -> None:
    reply = harness.sender.block_action("checkin.open", value, user_id="UBEN")
    assert reply.status == 200
    harness.slack.wait_for("views.open")
    assert json.loads(latest_view(harness)["private_metadata"]) == {"d": None, "p": 0}


def test_home_button_opens_the_modal(harness: Harness, world: World) -> None:
    harness.sender.block_action("checkin.open", "home", user_id="UBEN",
                                container={"type": "view", "view_id": "VHOME"},
                                view={"id": "VHOME", "type": "home"})
    harness.slack.wait_for("views.open")
    view = latest_view(harness)
    assert "Members" in texts(view)
    assert json.loads(view["private_metadata"]) == {"d": None, "p": 0, "h": 1}


def test_only_a_check_in_opened_from_the_home_refreshes_the_home(
    harness: Harness, world: World
) -> None:
    """The Home under the modal shows the new values when it closes; a check-in from a prompt
    or `/okr checkin` publishes no Home (Slack sends app_home_opened when one is opened)."""
    save(harness, open_by_command(harness, "UBEN"), answer_kr({}, world.ben_kr.id, "120"),
         "UBEN")
    assert harness.slack.calls_to("views.publish") == []
    harness.sender.block_action("checkin.open", "home", user_id="UBEN",
                                container={"type": "view", "view_id": "VHOME"},
                                view={"id": "VHOME", "type": "home"})
    harness.slack.wait_for("views.open", 2)
    save(harness, latest_view(harness), answer_kr({}, world.ben_kr.id, "130"), "UBEN")
    [published] = harness.slack.calls_to("views.publish")
    assert published.args["user_id"] == "UBEN"
    assert "130" in json.dumps(published.args["view"], ensure_ascii=False)


def test_ticking_no_change_is_acknowledged(harness: Harness, world: World) -> None:
    reply = harness.sender.block_action(f"checkin.nochange.{world.leads.id}", user_id="UANA",
                                        container={"type": "view", "view_id": "V1"})
    assert reply.status == 200


def test_a_person_without_krs_gets_a_modal_that_says_so(harness: Harness, world: World) -> None:
    harness.slack.workspace.add_user("UNEW", "Nia", locale="en-US")
    view = open_by_command(harness, "UNEW")
    assert "submit" not in view
    assert "no Key Results in the current cycle" in texts(view)


def test_an_expired_trigger_gets_a_polite_ephemeral_reply(harness: Harness, world: World) -> None:
    harness.slack.fail("views.open", Fault("error", error="expired_trigger_id"))
    reply = harness.sender.command("checkin", user_id="UBEN")
    assert reply.json() == {"response_type": "ephemeral",
                            "text": "The check-in form took too long to open. Please try again."}
    assert rows(harness, CheckIn) == []


# ---- submitting ------------------------------------------------------------------------------


def test_full_submission_stores_every_kr_updates_the_prompt_and_alerts_the_leads(
    harness: Harness, world: World
) -> None:
    prompt = make_prompt(harness, world.ana)
    harness.sender.block_action("checkin.open", str(prompt.id), user_id="UANA")
    harness.slack.wait_for("views.open")
    view = latest_view(harness)

    assert submit(harness, view, full_answer(world)) == {"response_action": "clear"}

    checkins = {c.key_result_id: c for c in rows(harness, CheckIn)}
    assert set(checkins) == {world.leads.id, world.nps.id, world.beta.id, world.response.id}
    leads = checkins[world.leads.id]
    assert (leads.value, leads.previous_value, leads.confidence) == (1500.0, 1200.0, "on_track")
    assert (leads.source, leads.version, leads.period_key) == ("slack", 1, WEEK)
    assert leads.idempotency_key == f"slack:{world.ana.id}:{world.leads.id}:{WEEK}"
    assert leads.author_id == world.ana.id
    assert (leads.progress, leads.blockers, leads.help_needed) == (
        "two webinars done", "legal review of the landing page", "a designer for 2 days")
    assert leads.help_from_person_id == world.ben.id
    assert (checkins[world.nps.id].value, checkins[world.nps.id].confidence) == (35.0, "at_risk")
    nps, beta = checkins[world.nps.id], checkins[world.beta.id]
    assert (nps.progress, nps.blockers, nps.help_needed) == ("survey sent", "", "")
    assert (beta.progress, beta.blockers) == ("", "legal review of the landing page")
    assert not any(c.about_objective for c in checkins.values())
    assert checkins[world.beta.id].value == 1.0
    assert checkins[world.response.id].value == 3.0  # "no change"

    now = harness.deps.clock.now()
    for kr_id, value, confidence in [(world.leads.id, 1500.0, "on_track"),
                                     (world.nps.id, 35.0, "at_risk"), (world.beta.id, 1.0, None),
                                     (world.response.id, 3.0, None)]:
        stored = kr(harness, kr_id)
        assert (stored.current_value, stored.confidence) == (value, confidence)
        assert stored.last_checkin_at == now
    history = {(h.key_result_id, h.value, h.source) for h in rows(harness, KRValueHistory)}
    assert history == {(world.leads.id, 1500.0, "slack"), (world.nps.id, 35.0, "slack"),
                       (world.beta.id, 1.0, "slack")}  # the unchanged KR has none
    audit = rows(harness, AuditLog)
    assert [(a.actor, a.action, a.entity) for a in audit] == [("UANA", "checkin.create",
                                                               "checkin")] * 4
    assert [i.key for i in rows(harness, InboxEntry)] == [f"view:{view['id']}:{view['hash']}"]

    alerts = [d for d in rows(harness, Delivery) if d.kind == "help"]
    assert sorted((d.dedupe_key, d.person_id, d.status) for d in alerts) == sorted(
        (f"help:{leads.id}:{lead.id}", lead.id, "pending") for lead in (world.lee, world.lia))
    payload = json.loads(alerts[0].payload)
    assert payload["asker_slack_id"] == "UANA"
    assert payload["helper_slack_id"] == "UBEN"
    assert payload["help_text"] == "a designer for 2 days"

    update = harness.slack.wait_for("chat.update")[0]
    assert (update.args["channel"], update.args["ts"]) == (prompt.channel_id, prompt.ts)
    assert update.args["text"] == "✅ 17:00 已打卡 — 更新了 4 个 KR"
    assert harness.slack.invalid == []


def test_the_prompt_and_the_home_are_refreshed_after_the_answer_the_home_once(
    harness: Harness, world: World
) -> None:
    """Neither the answer nor Bolt's listeners wait for the prompt's summary and the refreshed
    App Home: they run after, on the follow-up thread (held busy here). Two check-ins from the
    Home while it is busy refresh the Home once, with the later values."""
    prompt = make_prompt(harness, world.ana)
    harness.sender.block_action("checkin.open", str(prompt.id), user_id="UANA")
    harness.slack.wait_for("views.open")
    harness.sender.block_action("checkin.open", "home", user_id="UANA",
                                container={"type": "view", "view_id": "VHOME"},
                                view={"id": "VHOME", "type": "home"})
    harness.slack.wait_for("views.open", 2)
    from_home = latest_view(harness)
    from_prompt = list(harness.slack.workspace.views.values())[-2]
    gate = threading.Event()
    harness.deps.follow_ups.submit("test:busy", lambda: gate.wait(10))
    try:
        answers = [(from_prompt, "1100"), (from_home, "1200"), (from_home, "1300")]
        for n, (view, value) in enumerate(answers):
            edited = {**view, "hash": f"{view['hash']}-{n}"}
            answered = submit(harness, edited, answer_kr({}, world.leads.id, value))
            assert answered == {"response_action": "clear"}
        harness.drain(follow_ups=False)
        assert kr(harness, world.leads.id).current_value == 1300.0
        assert harness.slack.calls_to("views.publish") == []
        assert harness.slack.calls_to("chat.update") == []
    finally:
        gate.set()
    harness.deps.follow_ups.flush()
    [published] = harness.slack.calls_to("views.publish")
    assert published.args["user_id"] == "UANA"
    assert "1,300" in json.dumps(published.args["view"], ensure_ascii=False)
    [update] = harness.slack.calls_to("chat.update")
    assert (update.args["channel"], update.args["ts"]) == (prompt.channel_id, prompt.ts)


def test_a_forged_prompt_id_in_the_metadata_updates_no_one_elses_message(
    harness: Harness, world: World
) -> None:
    anas = make_prompt(harness, world.ana)
    view = open_by_command(harness, "UBEN")
    forged = {**view, "private_metadata": json.dumps({"d": anas.id, "p": 0})}
    save(harness, forged, answer_kr({}, world.ben_kr.id, "150"), "UBEN")
    assert harness.slack.calls_to("chat.update") == []
    assert kr(harness, world.ben_kr.id).current_value == 150.0
    refusals = [a for a in rows(harness, AuditLog) if a.action == "checkin.prompt_refused"]
    assert [(a.actor, a.entity, a.entity_id) for a in refusals] == [
        ("UBEN", "delivery", str(anas.id))]


def test_english_summary_and_a_single_kr(harness: Harness, world: World) -> None:
    prompt = make_prompt(harness, world.ben)
    harness.sender.block_action("checkin.open", str(prompt.id), user_id="UBEN")
    harness.slack.wait_for("views.open")
    state = answer_kr({}, world.ben_kr.id, "1 234")
    save(harness, latest_view(harness), state, "UBEN")
    update = harness.slack.wait_for("chat.update")[0]
    assert update.args["text"] == "✅ Checked in at 04:00 — 1 KR updated"
    assert kr(harness, world.ben_kr.id).current_value == 1234.0


def test_submission_without_a_prompt_updates_no_message(harness: Harness, world: World) -> None:
    view = open_by_command(harness)
    save(harness, view, answer_kr({}, world.leads.id, "1300"))
    assert harness.slack.calls_to("chat.update") == []
    assert [c.key_result_id for c in rows(harness, CheckIn)] == [world.leads.id]


def test_blank_krs_are_not_checked_in_and_an_empty_form_is_refused(
    harness: Harness, world: World
) -> None:
    view = open_by_command(harness)
    reply = submit(harness, view, blank_form(view))
    assert reply == {"response_action": "errors", "errors": {
        f"checkin.value.{world.leads.id}":
            "还没有可保存的内容：请填写数值、勾选“没有变化”或选择信心。"}}
    assert rows(harness, CheckIn) == []


ZH_ERRORS = {
    "not_a_number": "请输入数字，例如 45、1,234 或 45%。",
    "negative": "这个关键结果不能小于零。",
    "out_of_range": "这个数值像是输错了：请输入 0 到 6,000,000 之间的数值。",
    "too_long": "请控制在 3000 个字符以内。",
    "help_missing": "请先说明需要什么支持，再选择找谁帮忙。",
    "conflict": "你勾选了“没有变化”，又填了不同的数值：请去掉其中一个。",
}


def test_bad_values_come_back_as_field_errors_in_chinese_and_nothing_is_stored(
    harness: Harness, world: World
) -> None:
    view = open_by_command(harness)
    state: State = {}
    answer_kr(state, world.leads.id, "lots")
    answer_kr(state, world.nps.id, "-5")
    answer_kr(state, world.response.id, "2", no_change=True)
    answer_kr(state, world.beta.id, "done", milestone=True, note="x" * 3001)
    notes(state, whom="UBEN")
    reply = submit(harness, view, state)
    assert reply["response_action"] == "errors"
    assert reply["errors"] == {
        f"checkin.value.{world.leads.id}": ZH_ERRORS["not_a_number"],
        f"checkin.value.{world.nps.id}": ZH_ERRORS["negative"],
        f"checkin.value.{world.response.id}": ZH_ERRORS["conflict"],
        f"checkin.progress.{world.beta.id}": ZH_ERRORS["too_long"],
        "checkin.help.0": ZH_ERRORS["help_missing"],
    }
    assert_nothing_stored(harness, world)

    state = answer_kr({}, world.leads.id, "6,000,001")
    reply = submit(harness, view, state)
    assert reply["errors"] == {f"checkin.value.{world.leads.id}": ZH_ERRORS["out_of_range"]}
    assert_nothing_stored(harness, world)


def test_bad_values_come_back_in_english_for_an_english_speaker(
    harness: Harness, world: World
) -> None:
    view = open_by_command(harness, "UBEN")
    state = answer_kr({}, world.ben_kr.id, "1e9", confidence="certain")
    notes(state, help_needed="someone", whom="UBEN")
    reply = submit(harness, view, state, "UBEN")
    assert reply == {"response_action": "errors", "errors": {
        f"checkin.value.{world.ben_kr.id}": "Please enter a number, such as 45, 1,234 or 45%.",
        f"checkin.confidence.{world.ben_kr.id}": "Please choose one of the options.",
        "checkin.whom.0": "You cannot ask yourself for help: choose someone else.",
    }}
    assert_nothing_stored(harness, world)


def test_a_helper_slack_does_not_know_is_refused(harness: Harness, world: World) -> None:
    view = open_by_command(harness, "UBEN")
    state = answer_kr({}, world.ben_kr.id, "150")
    notes(state, help_needed="a reviewer", whom="UGHOST")
    reply = submit(harness, view, state, "UBEN")
    assert reply["errors"] == {"checkin.whom.0":
                               "I cannot find this person in Slack: choose someone else."}
    assert_nothing_stored(harness, world)


def test_a_submitter_not_met_yet_is_met_once_and_answered_in_their_language(
    harness: Harness, world: World
) -> None:
    """The submitter is found in the check-in's own transaction; one okr-bot has not met is
    met through users.info, then the submission is read as theirs (Ana's KRs are not)."""
    view = open_by_command(harness, "UANA")
    harness.slack.workspace.add_user("UDAN", "Dan", tz="Asia/Shanghai", locale="zh-CN")
    state = answer_kr({}, world.leads.id, "1500")
    for _ in range(2):
        reply = submit(harness, view, state, "UDAN")
        assert reply == {"response_action": "errors", "errors": {
            f"checkin.value.{world.leads.id}":
                "还没有可保存的内容：请填写数值、勾选“没有变化”或选择信心。"}}
    assert len(harness.slack.calls_to("users.info")) == 1
    dan = [p for p in rows(harness, Person) if p.slack_user_id == "UDAN"]
    assert [(p.name, p.locale) for p in dan] == [("Dan", "zh")]
    assert_nothing_stored(harness, world)


def test_a_submitter_slack_does_not_know_gets_an_empty_ack_and_nothing_is_written(
    harness: Harness, world: World
) -> None:
    view = open_by_command(harness, "UANA")
    people = len(rows(harness, Person))
    reply = harness.sender.view_submission(view, answer_kr({}, world.leads.id, "1500"),
                                           user_id="UGHOST")
    assert (reply.status, reply.body) == (200, "")
    assert len(rows(harness, Person)) == people
    assert_nothing_stored(harness, world)


def assert_nothing_stored(harness: Harness, world: World) -> None:
    assert rows(harness, CheckIn) == []
    assert rows(harness, KRValueHistory) == []
    assert rows(harness, AuditLog) == []
    assert rows(harness, InboxEntry) == []
    assert [d for d in rows(harness, Delivery) if d.kind != "checkin"] == []
    assert kr(harness, world.leads.id).current_value == 1200.0
    assert kr(harness, world.ben_kr.id).current_value == 100.0


def test_the_help_alert_reaches_each_lead_once_in_their_language(
    harness: Harness, world: World
) -> None:
    save(harness, open_by_command(harness), full_answer(world))
    client = make_web_client(harness.deps.settings, retries=False)
    sender = Sender(harness.deps.db, harness.deps.clock, client, Renderer(),
                    grace=timedelta(hours=6))
    sender.tick()
    sender.tick()
    posts = {c.args["channel"]: c.args for c in harness.slack.calls_to("chat.postMessage")}
    # 09:00 UTC: the leads' morning; 04:00 in New York, where Ben, the one asked, is asleep.
    assert sorted(posts) == ["DLEE", "DLIA"]
    [ask] = [d for d in rows(harness, Delivery) if d.kind == "help_ask"]
    assert (ask.status, ask.due_at) == ("pending", datetime(2026, 11, 30, 13, 0, tzinfo=UTC))
    harness.deps.clock.set(datetime(2026, 11, 30, 13, 0, tzinfo=UTC))  # 08:00 in New York
    sender.tick()
    posts = {c.args["channel"]: c.args for c in harness.slack.calls_to("chat.postMessage")}
    assert sorted(posts) == ["DBEN", "DLEE", "DLIA"]  # Ben's has the buttons
    assert len(harness.slack.calls_to("chat.postMessage")) == 3
    assert posts["DLEE"]["text"] == "Ana needs help with “Qualified leads”"
    assert posts["DLIA"]["text"] == "Ana 在“Qualified leads”上需要支持"
    english = json.dumps(posts["DLEE"]["blocks"], ensure_ascii=False)
    assert "<@UANA>" in english
    assert "<@UBEN>" in english
    assert "a designer for 2 days" in english
    assert {d.status for d in rows(harness, Delivery) if d.kind in ("help", "help_ask")} == {
        "sent"}
    assert harness.slack.invalid == []


# ---- exactly once ----------------------------------------------------------------------------


def test_the_same_view_submitted_twice_is_stored_once(harness: Harness, world: World) -> None:
    view = open_by_command(harness)
    state = full_answer(world)
    save(harness, view, state)
    assert submit(harness, view, state) == {"response_action": "clear"}
    assert_stored_once(harness, world)


def test_the_same_view_submitted_ten_times_at_once_is_stored_once(
    harness: Harness, world: World
) -> None:
    view = open_by_command(harness)
    state = full_answer(world)
    with ThreadPoolExecutor(max_workers=10) as pool:
        replies = list(pool.map(lambda _: harness.sender.view_submission(view, state,
                                                                         user_id="UANA"),
                                range(10)))
    assert [r.status for r in replies] == [200] * 10
    assert all(r.json() == {"response_action": "clear"} for r in replies)
    harness.drain()
    assert_stored_once(harness, world)


def assert_stored_once(harness: Harness, world: World) -> None:
    checkins = rows(harness, CheckIn)
    assert len(checkins) == 4
    assert {c.version for c in checkins} == {1}
    assert len(rows(harness, KRValueHistory)) == 3
    assert len(rows(harness, AuditLog)) == 4
    assert len(rows(harness, InboxEntry)) == 1
    assert len([d for d in rows(harness, Delivery) if d.kind == "help"]) == 2
    assert kr(harness, world.leads.id).current_value == 1500.0


# ---- editing ---------------------------------------------------------------------------------


def test_checking_in_again_the_same_week_edits_the_checkin(harness: Harness, world: World) -> None:
    save(harness, open_by_command(harness), full_answer(world))

    second = open_by_command(harness)
    text = texts(second)
    assert "你本周已经打过卡" in text
    state = blank_form(second)  # pre-filled with this week's answers
    assert state[f"checkin.value.{world.leads.id}"][f"checkin.value.{world.leads.id}"][
        "value"] == "1,500"
    assert state["checkin.help.0"]["checkin.help.0"]["value"] == "a designer for 2 days"
    assert state["checkin.whom.0"]["checkin.whom.0"]["selected_user"] == "UBEN"
    assert state[f"checkin.progress.{world.nps.id}"][f"checkin.progress.{world.nps.id}"][
        "value"] == "survey sent"
    assert [o["value"] for o in state["checkin.blockerkrs.0"]["checkin.blockerkrs.0"][
        "selected_options"]] == [str(world.leads.id), str(world.beta.id)]
    assert "上次：1,200 leads → 现在？" in text  # "last" is still the value before this week
    answer_kr(state, world.leads.id, "1700", confidence="on_track", note="three webinars")
    save(harness, second, state)

    checkins = {c.key_result_id: c for c in rows(harness, CheckIn)}
    assert len(checkins) == 4
    leads = checkins[world.leads.id]
    assert (leads.version, leads.value, leads.previous_value) == (2, 1700.0, 1200.0)
    assert leads.idempotency_key == idempotency_key(leads.author_id or 0, leads.key_result_id,
                                                    WEEK)
    assert (leads.author_id, leads.key_result_id) == (world.ana.id, world.leads.id)
    assert (leads.progress, leads.help_needed) == ("three webinars", "a designer for 2 days")
    assert checkins[world.nps.id].progress == "survey sent"  # pre-filled, saved unchanged
    assert checkins[world.beta.id].blockers == "legal review of the landing page"
    assert {c.version for c in checkins.values()} == {2}  # every pre-filled KR saved again
    assert kr(harness, world.leads.id).current_value == 1700.0
    values = [h.value for h in rows(harness, KRValueHistory) if h.key_result_id == world.leads.id]
    assert values == [1500.0, 1700.0]
    assert [a.action for a in rows(harness, AuditLog)][-4:] == ["checkin.update"] * 4
    # the help request was already sent to both leads: the edit sends no more
    assert len([d for d in rows(harness, Delivery) if d.kind == "help"]) == 2


def test_an_answered_prompt_still_opens_the_modal_for_an_edit(
    harness: Harness, world: World
) -> None:
    prompt = make_prompt(harness, world.ana)
    save(harness, open_by_command(harness), full_answer(world))
    harness.sender.block_action("checkin.open", str(prompt.id), user_id="UANA")
    harness.slack.wait_for("views.open", 2)
    view = latest_view(harness)
    assert "你本周已经打过卡" in texts(view)
    assert json.loads(view["private_metadata"])["d"] == prompt.id


def test_next_week_is_a_new_checkin(harness: Harness, world: World, clock: FakeClock) -> None:
    save(harness, open_by_command(harness, "UBEN"),
         answer_kr({}, world.ben_kr.id, "150"), "UBEN")
    clock.advance(timedelta(days=7))
    view = open_by_command(harness, "UBEN")
    assert "already checked in" not in texts(view)
    assert "last: 150 → now?" in texts(view)
    save(harness, view, answer_kr({}, world.ben_kr.id, "180"), "UBEN")
    checkins = rows(harness, CheckIn)
    assert [(c.period_key, c.previous_value, c.value, c.version) for c in checkins] == [
        ("2026-W49", 100.0, 150.0, 1), ("2026-W50", 150.0, 180.0, 1)]


# ---- escaping --------------------------------------------------------------------------------

INJECTION = "<!channel> & <@U123> <https://evil|click> &amp; \"q\" \\ 中文 🎉"


def test_typed_text_is_escaped_in_the_summary(harness: Harness, world: World) -> None:
    prompt = make_prompt(harness, world.ana)
    harness.sender.block_action("checkin.open", str(prompt.id), user_id="UANA")
    harness.slack.wait_for("views.open")
    state = answer_kr({}, world.leads.id, "1300", note=INJECTION)
    notes(state, blockers=INJECTION, blocker_krs=[world.leads.id], help_needed=INJECTION,
          help_kr=world.leads.id)
    save(harness, latest_view(harness), state)
    update = harness.slack.wait_for("chat.update")[0]
    posted = json.dumps(update.args, ensure_ascii=False)
    assert "<!channel>" not in posted
    assert "<@U123>" not in posted
    assert "<https://evil|click>" not in posted
    assert "&lt;!channel&gt; &amp; &lt;@U123&gt;" in posted
    assert "&amp;amp;" in posted
    stored = rows(harness, CheckIn)[0]
    assert stored.help_needed == INJECTION  # stored as typed, escaped when posted


# ---- Block Kit limits ------------------------------------------------------------------------


def seed_objectives(world: World, owner: Person, objectives: int, krs: int) -> list[KeyResult]:
    with world.seed.db.read() as session:
        cycle = session.get(Cycle, world.market.cycle_id)
    assert cycle is not None
    made = []
    for o in range(objectives):
        objective = world.seed.make_objective(f"Objective {o + 1} " + "长" * 200, owner=owner,
                                              cycle=cycle)
        for k in range(krs):
            made.append(world.seed.make_kr(objective, f"KR {o + 1}.{k + 1} " + "&<>" * 150,
                                           target=1000, unit="单位", confidence="at_risk"))
    return made


def test_five_objectives_of_four_krs_fit_one_modal_and_save_in_one_go(
    harness: Harness, world: World
) -> None:
    harness.slack.workspace.add_user("UMAX", "Max", locale="en-US")
    max_ = world.seed.make_person("UMAX", name="Max")
    krs = seed_objectives(world, max_, 5, 4)
    view = open_by_command(harness, "UMAX")
    assert harness.slack.invalid == []
    assert violations(view, "modal") == []
    assert len(view["blocks"]) == 91
    assert view["submit"]["text"] == "Save"
    assert len(json.dumps(view, ensure_ascii=False).encode()) < 250_000
    state: State = {}
    for n, key_result in enumerate(krs):
        answer_kr(state, key_result.id, str(10 * n), confidence="on_track")
    save(harness, view, state, "UMAX")
    assert sorted(c.value for c in rows(harness, CheckIn)) == [10.0 * n for n in range(20)]


def test_more_than_the_maximum_is_checked_in_page_by_page(harness: Harness, world: World) -> None:
    harness.slack.workspace.add_user("UMAX", "Max", locale="en-US")
    max_ = world.seed.make_person("UMAX", name="Max")
    krs = seed_objectives(world, max_, 6, 5)
    first = open_by_command(harness, "UMAX")
    assert violations(first, "modal") == []
    assert "Page 1 of 2" in texts(first)
    assert first["submit"]["text"] == "Save, next page"
    shown = [k for k in krs if f"checkin.value.{k.id}" in texts(first)]
    assert len(shown) == 20
    state: State = {}
    for key_result in shown:
        answer_kr(state, key_result.id, "5")
    page_one = state
    reply = submit(harness, first, page_one, "UMAX")
    assert reply["response_action"] == "update"
    second = reply["view"]
    assert violations(second, "modal") == []
    assert "Page 2 of 2" in json.dumps(second["blocks"], ensure_ascii=False)
    assert second["submit"]["text"] == "Save"
    assert len(rows(harness, CheckIn)) == 20
    rest = [k for k in krs if k not in shown]
    state = {}
    for key_result in rest:
        answer_kr(state, key_result.id, "7")
    again = submit(harness, first, page_one, "UMAX")  # page 1's answer lost: a retry
    assert again["response_action"] == "update"
    assert "Page 2 of 2" in json.dumps(again["view"]["blocks"], ensure_ascii=False)
    assert len(rows(harness, CheckIn)) == 20
    save(harness, {**second, "id": "VPAGE2", "hash": "h2"}, state, "UMAX")
    assert len(rows(harness, CheckIn)) == 30
    assert harness.slack.invalid == []


# ---- answers per KR --------------------------------------------------------------------------


@pytest.mark.parametrize(("user_id", "message"), [
    ("UANA", "请选择这条内容对应的关键结果。"),
    ("UBEN", "Choose the Key Result this is about."),
])
def test_a_blocker_on_a_page_of_several_krs_must_name_its_kr(
    harness: Harness, world: World, user_id: str, message: str
) -> None:
    if user_id == "UBEN":
        with world.seed.db.read() as session:
            cycle = session.get(Cycle, world.market.cycle_id)
        assert cycle is not None
        second = world.seed.make_objective("Second", owner=world.ben, cycle=cycle)
        world.seed.make_kr(second, "Posts")
    view = open_by_command(harness, user_id)
    state = notes({}, blockers="waiting for legal", help_needed="a designer")
    reply = submit(harness, view, state, user_id)
    assert reply == {"response_action": "errors", "errors": {
        "checkin.blockerkrs.0": message, "checkin.helpkr.0": message}}
    assert rows(harness, CheckIn) == []


def test_a_kr_taken_out_of_the_blocker_picker_loses_the_blocker(
    harness: Harness, world: World
) -> None:
    save(harness, open_by_command(harness), full_answer(world))
    second = open_by_command(harness)
    state = blank_form(second)
    notes(state, blockers="legal review of the landing page", blocker_krs=[world.beta.id],
          help_needed="a designer for 2 days", help_kr=world.nps.id, whom="UBEN")
    save(harness, second, state)
    checkins = {c.key_result_id: c for c in rows(harness, CheckIn)}
    assert checkins[world.leads.id].blockers == ""
    assert checkins[world.beta.id].blockers == "legal review of the landing page"
    assert (checkins[world.leads.id].help_needed, checkins[world.leads.id].help_from_person_id
            ) == ("", None)
    assert (checkins[world.nps.id].help_needed, checkins[world.nps.id].help_from_person_id
            ) == ("a designer for 2 days", world.ben.id)


@pytest.mark.parametrize(("user_id", "words"), [
    ("UANA", ["📝 two webinars done", "🚧 障碍：legal review of the landing page",
              "🙋 需要支持：a designer for 2 days"]),
    ("ULEE", ["📝 two webinars done", "🚧 Blocked: legal review of the landing page",
              "🙋 Needs help: a designer for 2 days"]),
])
def test_okr_shows_each_krs_notes_under_that_kr(
    harness: Harness, world: World, user_id: str, words: list[str]
) -> None:
    save(harness, open_by_command(harness), full_answer(world))
    reply = harness.sender.command("<@UANA|ana>", user_id=user_id)
    blocks = reply.json()["blocks"]
    titles = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    notes_of = {}
    for before, block in itertools.pairwise(blocks[:-1]):  # not the footer
        if block["type"] == "context" and before["type"] == "section":
            notes_of[before["text"]["text"]] = [e["text"] for e in block["elements"]]
    leads_title = next(t for t in titles if "Qualified leads" in t)
    nps_title = next(t for t in titles if "NPS" in t)
    beta_title = next(t for t in titles if "Launch the beta" in t)
    assert notes_of[leads_title] == words
    assert notes_of[nps_title] == ["📝 survey sent"]
    assert notes_of[beta_title] == [words[1]]
    assert not any("First response time" in t for t in notes_of)


# ---- the prompt's other buttons ----------------------------------------------------------------


def test_remind_me_in_two_hours_queues_one_reminder_in_the_persons_hours(
    harness: Harness, world: World
) -> None:
    prompt = make_prompt(harness, world.ana)  # Ana: Shanghai, zh; 09:00 UTC is 17:00 there
    for _ in range(2):  # a second click asks for the same reminder
        reply = harness.sender.block_action("checkin.later", str(prompt.id), user_id="UANA")
        assert reply.status == 200
    first, second = harness.slack.wait_for("response_url", 2)
    # 19:00 would be after her day ends (18:00): the reminder comes the next morning.
    assert first.args["text"] == "⏰ 我会在 *12月1日（周二）09:00* 提醒你。"
    assert first.args["replace_original"] is False and second.args == first.args
    later = [d for d in rows(harness, Delivery) if d.dedupe_key == f"reminder:later:{prompt.id}"]
    assert [(d.kind, d.slot_key, d.due_at.replace(tzinfo=UTC)) for d in later] == [
        ("reminder", "2026-11-30", datetime(2026, 12, 1, 1, 0, tzinfo=UTC))]


def test_remind_later_on_someone_elses_prompt_is_refused(harness: Harness, world: World) -> None:
    prompt = make_prompt(harness, world.ana)
    harness.sender.block_action("checkin.later", str(prompt.id), user_id="UBEN")
    [answer] = harness.slack.wait_for("response_url")
    assert answer.args["text"] == "This check-in is not yours, so nothing was set."
    assert [d for d in rows(harness, Delivery) if d.kind == "reminder"] == []


def test_skip_this_week_makes_the_person_away_until_sunday(
    harness: Harness, world: World
) -> None:
    prompt = make_prompt(harness, world.ben)  # Ben: New York, en
    harness.sender.block_action("checkin.skip_week", str(prompt.id), user_id="UBEN")
    [answer] = harness.slack.wait_for("response_url")
    assert answer.args["text"].startswith(
        "Skipped: no more check-in or reminder for you until *Dec 6*, and the digest lists")
    absences = rows(harness, Absence)
    assert [(a.person_id, a.start_date, a.end_date) for a in absences] == [
        (world.ben.id, date(2026, 11, 30), date(2026, 12, 6))]


def test_the_form_names_the_week_as_people_say_it_never_its_key(
    harness: Harness, world: World
) -> None:
    chinese = json.dumps(open_by_command(harness), ensure_ascii=False)
    assert "11月30日这一周" in chinese and WEEK not in chinese
    english = json.dumps(open_by_command(harness, "UBEN"), ensure_ascii=False)
    assert "week of Nov 30" in english and WEEK not in english
