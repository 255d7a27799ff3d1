"""The shell's forms: every input type Slack has is read from Block Kit, answered with what a
person types (checked as Slack's client checks it) and sent back in Slack's state shape; and
the shell's Slack keeps each person's modal stack as Slack does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.shell import answers
from bot.shell.blocks_text import FIELD_KINDS, Input, render_blocks, state_value
from bot.shell.people import find_people
from bot.shell.slack_standin import SlackStandIn
from storage.models import Person

PEOPLE = {"U1": "刘洋 Liu Yang", "U2": "李娜 Li Na", "U3": "Marcus Reid"}


def find(text: str) -> list[str]:
    return find_people([Person(slack_user_id=u, name=n) for u, n in PEOPLE.items()], text)


def options(*labels: str) -> list[dict[str, Any]]:
    return [{"text": {"type": "plain_text", "text": label}, "value": f"v{i}"}
            for i, label in enumerate(labels, 1)]


def field(element: dict[str, Any], *, optional: bool = True) -> Input:
    block = {"type": "input", "block_id": "b", "optional": optional,
             "label": {"type": "plain_text", "text": "Label"},
             "element": {"action_id": "a", **element}}
    return render_blocks([block], lambda u: u).inputs[0]


def typed(field_: Input, text: str) -> str | answers.Problem:
    return answers.parse(field_, text, find, PEOPLE.get, "Europe/Berlin")


ELEMENTS: list[tuple[dict[str, Any], str, dict[str, Any]]] = [
    ({"type": "plain_text_input"}, "hello", {"value": "hello"}),
    ({"type": "plain_text_input", "multiline": True}, "a\\nb", {"value": "a\nb"}),
    ({"type": "number_input", "is_decimal_allowed": True}, "2.5", {"value": "2.5"}),
    ({"type": "email_text_input"}, "ana@example.com", {"value": "ana@example.com"}),
    ({"type": "url_text_input"}, "https://example.com", {"value": "https://example.com"}),
    ({"type": "rich_text_input"}, "hi", {"rich_text_value": {"type": "rich_text", "elements": [
        {"type": "rich_text_section", "elements": [{"type": "text", "text": "hi"}]}]}}),
    ({"type": "static_select", "options": options("🟢 On track", "🟡 At risk")}, "at risk",
     {"selected_option": {"text": {"type": "plain_text", "text": "🟡 At risk"}, "value": "v2"}}),
    ({"type": "external_select"}, "x", {"selected_option": {
        "text": {"type": "plain_text", "text": "x"}, "value": "x"}}),
    ({"type": "radio_buttons", "options": options("Committed", "Aspirational")}, "2",
     {"selected_option": {"text": {"type": "plain_text", "text": "Aspirational"},
                          "value": "v2"}}),
    ({"type": "multi_static_select", "options": options("A", "B", "C")}, "1, c",
     {"selected_options": [{"text": {"type": "plain_text", "text": "A"}, "value": "v1"},
                           {"text": {"type": "plain_text", "text": "C"}, "value": "v3"}]}),
    ({"type": "multi_external_select"}, "p,q", {"selected_options": [
        {"text": {"type": "plain_text", "text": "p"}, "value": "p"},
        {"text": {"type": "plain_text", "text": "q"}, "value": "q"}]}),
    ({"type": "checkboxes", "options": options("Mon", "Tue", "Wed")}, "mon,3",
     {"selected_options": [{"text": {"type": "plain_text", "text": "Mon"}, "value": "v1"},
                           {"text": {"type": "plain_text", "text": "Wed"}, "value": "v3"}]}),
    ({"type": "users_select"}, "@Liu Yang", {"selected_user": "U1"}),
    ({"type": "multi_users_select"}, "@Marcus, @李娜", {"selected_users": ["U3", "U2"]}),
    ({"type": "conversations_select"}, "#C0TEAM", {"selected_conversation": "C0TEAM"}),
    ({"type": "channels_select"}, "#C0TEAM", {"selected_channel": "C0TEAM"}),
    ({"type": "multi_conversations_select"}, "#C1, #C2",
     {"selected_conversations": ["C1", "C2"]}),
    ({"type": "multi_channels_select"}, "#C1", {"selected_channels": ["C1"]}),
    ({"type": "datepicker"}, "2027-03-01", {"selected_date": "2027-03-01"}),
    ({"type": "timepicker"}, "9:30", {"selected_time": "09:30"}),
    ({"type": "datetimepicker"}, "2027-03-01 10:00",  # Berlin: 09:00 UTC
     {"selected_date_time": 1803891600}),
]


def test_the_table_covers_every_input_element_kind() -> None:
    assert {element["type"] for element, _, _ in ELEMENTS} == FIELD_KINDS


@pytest.mark.parametrize(("element", "text", "state"), ELEMENTS,
                         ids=[e["type"] + str(i) for i, (e, _, _) in enumerate(ELEMENTS)])
def test_each_input_kind_is_answered_in_slacks_state_shape(
    element: dict[str, Any], text: str, state: dict[str, Any],
) -> None:
    field_ = field(element)
    value = typed(field_, text)
    assert isinstance(value, str), value
    assert state_value(field_, value) == {"type": element["type"], **state}


def test_the_no_change_box_in_a_sections_accessory_is_a_field_ticked_with_y() -> None:
    block = {"type": "section", "block_id": "checkin.nochange.7",
             "text": {"type": "mrkdwn", "text": "*Revenue*\nlast: 3"},
             "accessory": {"type": "checkboxes", "action_id": "checkin.nochange.7",
                           "options": options("No change")}}
    rendered = render_blocks([block], lambda u: u)
    box = rendered.inputs[0]
    assert "  [1] [ ] No change" in rendered.lines
    assert (box.label, box.in_input_block, box.optional) == ("No change", False, True)
    assert answers.hint(box) == " (y/n)"
    assert typed(box, "y") == "v1" and typed(box, "n") == ""
    assert state_value(box, "v1") == {"type": "checkboxes", "selected_options": [
        {"text": {"type": "plain_text", "text": "No change"}, "value": "v1"}]}
    assert isinstance(typed(box, "maybe"), answers.Problem)


@pytest.mark.parametrize(("element", "text", "says"), [
    ({"type": "static_select", "options": options("Red", "Green")}, "blue", "not a choice"),
    ({"type": "static_select", "options": options("Red", "Green")}, "1,2", "Choose one"),
    ({"type": "users_select"}, "@li", "could be @刘洋 Liu Yang, @李娜 Li Na"),
    ({"type": "users_select"}, "@nobody", "Nobody called @nobody"),
    ({"type": "datepicker"}, "1 March", "YYYY-MM-DD"),
    ({"type": "timepicker"}, "25:00", "HH:MM"),
    ({"type": "number_input", "is_decimal_allowed": False}, "2.5", "whole number"),
    ({"type": "number_input", "min_value": "0", "max_value": "10"}, "11", "at most 10"),
    ({"type": "number_input"}, "ten", "Type a number"),
    ({"type": "email_text_input"}, "ana", "email address"),
    ({"type": "url_text_input"}, "javascript:alert(1)", "https://"),
    ({"type": "plain_text_input", "max_length": 3}, "abcd", "At most 3 characters"),
    ({"type": "plain_text_input", "min_length": 3}, "ab", "At least 3 characters"),
])
def test_an_answer_slack_would_refuse_is_explained_and_asked_again(
    element: dict[str, Any], text: str, says: str,
) -> None:
    problem = typed(field(element), text)
    assert isinstance(problem, answers.Problem) and says in problem.message


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    standin = SlackStandIn().start()
    yield standin
    standin.stop()


def modal(title: str) -> dict[str, Any]:
    return {"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": []}


def test_a_persons_modal_stack_follows_slacks_rules(standin: SlackStandIn) -> None:
    client = WebClient(token="xoxb-x", base_url=standin.url)
    form = client.views_open(trigger_id=standin.trigger("U1"), view=modal("Form"))["view"]
    top = standin.workspace.top_view
    pushed = client.views_push(trigger_id=standin.trigger("U1"), view=modal("Oops"))["view"]
    assert top("U1") == standin.workspace.views[pushed["id"]] and top("U2") is None
    standin.close_view("U1")  # Close on the pushed view: back to the form
    assert top("U1") is not None and top("U1")["id"] == form["id"]
    standin.answer_submission("U1", form["id"], {"response_action": "errors", "errors": {}})
    assert top("U1") is not None and top("U1")["id"] == form["id"]
    old_hash = form["hash"]
    standin.answer_submission("U1", form["id"],
                              {"response_action": "update", "view": modal("Page 2")})
    page = top("U1")
    assert page is not None and (page["id"], page["title"]["text"]) == (form["id"], "Page 2")
    assert page["hash"] != old_hash
    standin.answer_submission("U1", form["id"], {"response_action": "push", "view": modal("P")})
    standin.answer_submission("U1", form["id"], {"response_action": "clear"})
    assert top("U1") is None
    client.views_open(trigger_id=standin.trigger("U1"), view=modal("Again"))
    standin.answer_submission("U1", str(top("U1")["id"]), None)  # type: ignore[index]
    assert top("U1") is None  # an empty ack closes the submitted view


def test_at_most_three_views_are_stacked(standin: SlackStandIn) -> None:
    client = WebClient(token="xoxb-x", base_url=standin.url)
    client.views_open(trigger_id=standin.trigger("U1"), view=modal("1"))
    client.views_push(trigger_id=standin.trigger("U1"), view=modal("2"))
    client.views_push(trigger_id=standin.trigger("U1"), view=modal("3"))
    answer = standin.handle("views.push", {"trigger_id": standin.trigger("U1"),
                                           "view": modal("4")})[1]
    assert answer == {"ok": False, "error": "push_limit_reached"}
