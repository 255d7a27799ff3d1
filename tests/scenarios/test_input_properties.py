"""Hypothesis over what people type, sent signed over HTTP into the real app: any `/okr` text
and any check-in modal values get a clear answer, never an unhandled exception (which would
answer with the generic "try again"), and nothing in the answer is unescaped."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot import ids
from bot.rendering import Renderer
from storage.models import KeyResult, Objective
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed
from tests.slack_text import mrkdwn_strings, unsafe

HTTP = settings(max_examples=60, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
TRY_AGAIN = {Renderer().text("common.errors.try_again", locale) for locale in ("en", "zh")}
WORDS = st.sampled_from([
    "", "help", "me", "team", "tree", "checkin", "new", "digest", "away", "schedule", "review",
    "帮助", "团队", "打卡", "我的", "<@UANA>", "<@UBEN|ben>", "<@U0NOBODY>", "<#C0NOPE|x>",
    "<#CGROWTH>", "<!channel>", "<!here>", "&", "&amp;", "<https://x.example|y>", "Growth",
    "\u200b", "\u202e", "\x00", "\x1b", "2026-12-01", "-1", "99999999999999999999", "\n", "\t",
    "🎯", "长" * 300,
])
OKR_TEXT = st.one_of(st.lists(WORDS | st.text(max_size=12), max_size=6).map(" ".join),
                     st.text(max_size=400))
PEOPLE = {"UANA", "UBEN"}


@pytest.fixture
def world(harness: Harness) -> tuple[Objective, KeyResult, KeyResult]:
    seed = Seed(harness.deps.db, harness.deps.clock)
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    ben = seed.make_person("UBEN", name="Ben", tz="America/New_York", locale="en")
    seed.make_team("Growth", channel_id="CGROWTH", members=[ana, ben], leads=[ben])
    goal = seed.make_objective("Win the market", owner=ana, cycle=seed.make_cycle())
    leads = seed.make_kr(goal, "Leads", target=600, unit="leads", owner=ana)
    launch = seed.make_kr(goal, "Launch", kind="milestone", owner=ana)
    return goal, leads, launch


def assert_clear(payload: Any, where: str) -> None:
    texts = mrkdwn_strings(payload)
    assert not TRY_AGAIN & set(texts), f"{where}: an unhandled error"
    problems = [p for t in texts for p in unsafe(t, people=PEOPLE, channels={"CGROWTH"})]
    assert problems == [], f"{where}: {problems}"


@HTTP
@given(text=OKR_TEXT, user=st.sampled_from(["UANA", "UBEN"]))
@example(text="team \x00", user="UANA").via("a NUL, which PostgreSQL refuses in a query")
@example(text="digest Gro\x00wth", user="UBEN").via("a NUL, which PostgreSQL refuses in a query")
def test_any_okr_text_gets_an_answer_in_the_ack_or_a_modal(
    harness: Harness, world: Any, text: str, user: str
) -> None:
    calls = len(harness.slack.calls)
    opened = len(harness.slack.calls_to("views.open"))
    followed = len(harness.slack.calls_to("response_url"))
    answer = harness.sender.command(text, user_id=user)
    assert answer.status == 200
    if answer.body:
        reply = answer.json()
        assert reply.get("text") or reply.get("blocks")
        assert_clear(reply, f"/okr {text!r}")
    elif len(harness.slack.calls_to("views.open")) == opened:
        # Acked empty without a modal: the answer follows through the response_url.
        harness.slack.wait_for("response_url", followed + 1)
    for call in harness.slack.calls[calls:]:
        view = call.args.get("view")
        assert_clear(json.loads(view) if isinstance(view, str) else view or call.args,
                     f"/okr {text!r} → {call.method}")


FIELD_TEXT = st.one_of(st.text(max_size=80), st.sampled_from([
    "120", "１２０", "1,200", "45%", "600 leads", "-5", "1e309", "nan", "inf", "0x10", "",
    "  ", "<!channel>", "done", "not_done", "on_track", "bogus", "长" * 3001, "a" * 3000,
]))
_views = itertools.count(1)


def _submitted_state(goal: Objective, leads: KeyResult, launch: KeyResult,
                     fields: dict[str, Any]) -> dict[str, dict[str, Any]]:
    def put(prefix: str, item: int, element: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        block = f"{prefix}.{item}"
        return block, {block: element}

    def select(value: str) -> dict[str, Any]:
        return {"type": "static_select",
                "selected_option": {"value": value} if value else None}

    return dict([
        put(ids.CHECKIN_VALUE, leads.id or 0, {"type": "plain_text_input",
                                               "value": fields["value"] or None}),
        put(ids.CHECKIN_VALUE, launch.id or 0, select(fields["milestone"])),
        put(ids.CHECKIN_CONFIDENCE, leads.id or 0, select(fields["confidence"])),
        put(ids.CHECKIN_NO_CHANGE, leads.id or 0, {
            "type": "checkboxes",
            "selected_options": [{"value": "same"}] if fields["no_change"] else []}),
        put(ids.CHECKIN_PROGRESS, leads.id or 0, {"type": "plain_text_input",
                                                  "value": fields["progress"] or None}),
        *(put(prefix, 0, {"type": "plain_text_input", "value": fields[name] or None})
          for prefix, name in ((ids.CHECKIN_BLOCKERS, "blockers"), (ids.CHECKIN_HELP, "help"))),
        put(ids.CHECKIN_BLOCKER_KRS, 0, {"type": "multi_static_select", "selected_options": [
            {"value": fields["pick"]}] if fields["pick"] else []}),
        put(ids.CHECKIN_HELP_KR, 0, select(fields["pick"])),
        put(ids.CHECKIN_WHOM, 0, {"type": "users_select",
                                  "selected_user": fields["whom"] or None}),
    ])


@HTTP
@given(fields=st.fixed_dictionaries({
    "value": FIELD_TEXT, "milestone": FIELD_TEXT, "confidence": FIELD_TEXT,
    "no_change": st.booleans(), "progress": FIELD_TEXT, "blockers": FIELD_TEXT,
    "help": FIELD_TEXT, "whom": st.sampled_from(["", "UANA", "UBEN", "U0NOBODY", "<!here>"]),
    "pick": st.sampled_from(["", "1", "999", "x"]) | FIELD_TEXT,
}))
@example(fields={"value": "120", "milestone": "done", "confidence": "on_track", "no_change": False,
                 "progress": "up\x00 and \x1b away\n", "blockers": "a\x00b", "help": "\x00",
                 "whom": "UBEN", "pick": "1"}).via("NULs, which PostgreSQL refuses in a query")
def test_any_checkin_values_are_saved_or_refused_field_by_field(
    harness: Harness, world: tuple[Objective, KeyResult, KeyResult], fields: dict[str, Any]
) -> None:
    if not harness.slack.calls_to("views.open"):
        assert harness.sender.command("checkin", user_id="UANA").status == 200
    raw = harness.slack.wait_for("views.open")[0].args["view"]
    view = {**(json.loads(raw) if isinstance(raw, str) else raw), "id": "V1",
            "hash": f"h{next(_views)}"}
    answer = harness.sender.view_submission(view, _submitted_state(*world, fields))
    assert answer.status == 200
    reply = answer.json()
    inputs = {b["block_id"] for b in view["blocks"] if b["type"] == "input"}
    if reply["response_action"] == "errors":
        assert reply["errors"] and set(reply["errors"]) <= inputs
        assert all(isinstance(m, str) and m.strip() and "{" not in m
                   for m in reply["errors"].values())
    else:
        assert reply == {"response_action": "clear"}
