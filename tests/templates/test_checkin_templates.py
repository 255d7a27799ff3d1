"""checkin templates: the modal at the method's maximum, the summary and the help alert, with
hostile text in both languages (must parse, stay within Block Kit limits, come out escaped)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot import ids
from bot.blockkit import violations
from bot.domain.checkin_input import MAX_TEXT
from bot.rendering import Renderer
from bot.services.checkin.form import (
    CheckinForm,
    KRRow,
    ObjectiveSection,
    PageFooter,
    PageNotesPrefill,
)
from bot.services.checkin.help_requests import HelpWanted, WantedLine
from bot.services.checkin.summary import CheckinSummary, SummaryLine, SummaryNotes
from handlers.checkin_payloads import metadata
from tests.slack_text import HOSTILE, assert_escaped, mrkdwn_objects

LOCALES = ("en", "zh")

renderer = Renderer()


def kr_row(kr_id: int, *, title: str = HOSTILE, milestone: bool = False,
           **prefill: str) -> KRRow:
    return KRRow(kr_id, title, milestone, "1,200 leads", False, "on_track",
                 prefill.get("value", ""), prefill.get("confidence", ""),
                 prefill.get("note", ""))


def form(sections: tuple[ObjectiveSection, ...], prefill: PageNotesPrefill | None = None,
         help_from: str = "", **kwargs: Any) -> CheckinForm:
    values: dict[str, Any] = {"cycle_name": HOSTILE, "period": "2026-W49", "editing": False,
                              "page": 0, "page_count": 1, "delivery_id": 7}
    values.update(kwargs)
    krs = tuple((kr.id, kr.title) for section in sections for kr in section.krs)
    footer = PageFooter(krs, prefill or PageNotesPrefill(), help_from) if krs else None
    return CheckinForm(sections=sections, footer=footer, **values)


def render_modal(locale: str, checkin_form: CheckinForm) -> dict[str, Any]:
    return renderer.render("checkin/modal", locale, form=checkin_form, ids=ids.TEMPLATE_IDS,
                           metadata=metadata(checkin_form.delivery_id, checkin_form.page, False))


def maximum() -> CheckinForm:
    """5 Objectives × 4 KRs, every text as long and hostile as it can be, all pre-filled."""
    long_title = (HOSTILE * 40)[:500]
    sections = tuple(
        ObjectiveSection(o, long_title, tuple(
            kr_row(10 * o + k, title=long_title, value="123,456.5", confidence="at_risk",
                   note="p" * MAX_TEXT)
            for k in range(4)))
        for o in range(1, 6))
    prefill = PageNotesPrefill("&" * MAX_TEXT, (10, 11, 12), HOSTILE * 40, 13)
    return form(sections, prefill, "UBEN", editing=True)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_methods_maximum_fits_one_modal(locale: str) -> None:
    view = render_modal(locale, maximum())
    assert violations(view, "modal") == []
    assert len(view["blocks"]) == 91
    assert len(json.dumps(view, ensure_ascii=False).encode()) < 250_000
    inputs = [b for b in view["blocks"] if b["type"] == "input"]
    assert len(inputs) == 20 * 3 + 5
    assert all(b["block_id"] == b["element"]["action_id"] for b in inputs)
    assert_escaped([*mrkdwn_objects(view), view.get("text", "")])


@pytest.mark.parametrize("locale", LOCALES)
def test_an_edit_is_pre_filled_and_says_so(locale: str) -> None:
    section = ObjectiveSection(
        3, "Win", (kr_row(11, value="1,500", confidence="at_risk", note="moving"),
                   kr_row(12, title="Launch", milestone=True, value="done")))
    prefill = PageNotesPrefill("legal", (11, 12), "a designer", 12)
    view = render_modal(locale, form((section,), prefill, "UBEN", editing=True))
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    assert by_id["checkin.value.11"]["element"]["initial_value"] == "1,500"
    assert by_id["checkin.confidence.11"]["element"]["initial_option"]["value"] == "at_risk"
    assert by_id["checkin.value.12"]["element"]["initial_option"]["value"] == "done"
    assert [o["value"] for o in by_id["checkin.value.12"]["element"]["options"]] == [
        "done", "not_done"]
    assert [o["value"] for o in by_id["checkin.confidence.12"]["element"]["options"]] == [
        "on_track", "at_risk", "off_track"]
    assert by_id["checkin.progress.11"]["element"]["initial_value"] == "moving"
    assert "initial_value" not in by_id["checkin.progress.12"]["element"]
    assert by_id["checkin.blockers.0"]["element"]["initial_value"] == "legal"
    assert [o["value"] for o in by_id["checkin.blockerkrs.0"]["element"]["initial_options"]] == [
        "11", "12"]
    assert by_id["checkin.help.0"]["element"]["initial_value"] == "a designer"
    assert by_id["checkin.helpkr.0"]["element"]["initial_option"] == {
        "text": {"type": "plain_text", "text": "Launch"}, "value": "12"}
    assert by_id["checkin.whom.0"]["element"]["initial_user"] == "UBEN"
    intro = view["blocks"][0]["elements"]
    assert len(intro) == 2  # the intro and "you are editing"
    assert json.loads(view["private_metadata"]) == {"d": 7, "p": 0}


def test_a_fresh_form_shows_last_values_as_placeholders() -> None:
    view = render_modal("en", form((ObjectiveSection(3, "Win", (kr_row(11),)),)))
    by_id = {b.get("block_id"): b for b in view["blocks"]}
    value = by_id["checkin.value.11"]["element"]
    assert "initial_value" not in value
    assert value["placeholder"]["text"] == "last: 1,200 leads"
    confidence = by_id["checkin.confidence.11"]["element"]
    assert "initial_option" not in confidence
    assert confidence["placeholder"]["text"] == "last: ✅ On track"
    assert "last: 1,200 leads → now?" in by_id["checkin.nochange.11"]["text"]["text"]
    assert by_id["checkin.nochange.11"]["accessory"]["options"][0]["value"] == "same"
    assert len(view["blocks"][0]["elements"]) == 1


def test_pages_are_named_and_the_submit_button_says_next() -> None:
    view = render_modal("zh", form((ObjectiveSection(3, "Win", (kr_row(11),)),),
                                   page=1, page_count=3))
    assert view["submit"]["text"] == "保存，下一页"
    assert "第 2 页，共 3 页" in json.dumps(view, ensure_ascii=False)
    assert {b.get("block_id") for b in view["blocks"]} >= {
        "checkin.blockers.1", "checkin.blockerkrs.1", "checkin.help.1", "checkin.helpkr.1",
        "checkin.whom.1"}


@pytest.mark.parametrize("locale", LOCALES)
def test_nothing_to_check_in_has_no_submit_button(locale: str) -> None:
    view = render_modal(locale, form(()))
    assert "submit" not in view
    assert violations(view, "modal") == []


def summary(lines: int = 20, text: str = HOSTILE) -> CheckinSummary:
    metric = SummaryLine("&" * 200, False, "1,200 leads", "1,500 leads", False, False, "at_risk")
    rows = (*[metric] * (lines - 1), SummaryLine(text, True, "", "", False, True, ""))
    groups = tuple(rows[i:i + 5] for i in range(0, len(rows), 5))
    notes = tuple(SummaryNotes(text, text * 50, "&" * MAX_TEXT, text) for _ in range(5))
    return CheckinSummary("10:42", lines, groups, notes)


@pytest.mark.parametrize(("locale", "headline"), [
    ("en", "✅ Checked in at 10:42 — 20 KRs updated"),
    ("zh", "✅ 10:42 已打卡 — 更新了 20 个 KR"),
])
def test_the_summary_fits_a_message_and_escapes_what_people_typed(
    locale: str, headline: str
) -> None:
    message = renderer.render("checkin/summary", locale, summary=summary())
    assert message["text"] == headline
    assert violations(message, "message") == []
    assert all(len(t) <= 3000 for t in mrkdwn_objects(message))
    assert_escaped([*mrkdwn_objects(message), message.get("text", "")])


def test_the_summary_words_milestones_and_a_single_kr() -> None:
    one = CheckinSummary("09:05", 1, ((SummaryLine("Beta", True, "", "", False, True, ""),),),
                         ())
    message = renderer.render("checkin/summary", "en", summary=one)
    assert message["text"] == "✅ Checked in at 09:05 — 1 KR updated"
    assert "• *Beta*: Not done → Done" in mrkdwn_objects(message)


def help_alert(locale: str, **overrides: Any) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "asker_slack_id": "UANA", "asker_name": HOSTILE, "objective_title": HOSTILE,
        "kr_title": HOSTILE, "help_text": HOSTILE, "helper_slack_id": "UBEN", "checkin_id": 4,
    }
    payload.update(overrides)
    return renderer.render("checkin/help_alert", locale, **payload)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_help_alert_mentions_asker_and_helper_and_escapes_the_rest(locale: str) -> None:
    message = help_alert(locale)
    assert violations(message, "message") == []
    texts = mrkdwn_objects(message)
    assert "<@UANA>" in texts
    assert "<@UBEN>" in texts
    assert_escaped([*mrkdwn_objects(message), message.get("text", "")])
    assert "<@U123>" not in json.dumps(message)


def test_the_help_alert_without_a_helper_and_at_full_length() -> None:
    message = help_alert("en", helper_slack_id="", help_text="&" * MAX_TEXT,
                         kr_title="Leads", asker_name="Ana", objective_title="Win")
    assert violations(message, "message") == []
    assert message["text"] == "Ana needs help with “Leads”"
    assert all(len(t) <= 3000 for t in mrkdwn_objects(message))
    assert [t for t in mrkdwn_objects(message) if t.startswith("<@")] == ["<@UANA>"]


def test_the_help_alert_refuses_a_forged_mention() -> None:
    with pytest.raises(ValueError, match="not a Slack id"):
        help_alert("en", asker_slack_id="<!channel>")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("answer", ["can_help", "not_now"])
def test_the_help_request_its_answer_and_the_reply_are_escaped(locale: str, answer: str) -> None:
    ask = renderer.render("checkin/help_ask", locale, ids=ids.TEMPLATE_IDS, asker_slack_id="UANA",
                          asker_name=HOSTILE, objective_title=HOSTILE, kr_title=HOSTILE,
                          help_text="&" * MAX_TEXT + HOSTILE, helper_slack_id="UBEN",
                          checkin_id=4)
    told = renderer.render("checkin/help_answer", locale, helper_slack_id="UBEN",
                           helper_name=HOSTILE, answer=answer, kr_title=HOSTILE,
                           help_text=HOSTILE)
    done = renderer.render("checkin/help_answered", locale, not_yours=False, answer=answer,
                           asker_name=HOSTILE, kr_title=HOSTILE)
    for message in (ask, told, done):
        assert violations(message, "message") == []
        assert all(len(t) <= 3000 for t in mrkdwn_objects(message))
        assert_escaped([*mrkdwn_objects(message), message.get("text", "")])
    actions = next(b for b in ask["blocks"] if b["type"] == "actions")["elements"]
    assert [(e["action_id"], e["value"]) for e in actions] == [
        ("help.can_help", "4"), ("help.not_now", "4")]


@pytest.mark.parametrize("locale", LOCALES)
def test_help_wanted_fits_a_message_with_many_requests(locale: str) -> None:
    line = WantedLine(HOSTILE, HOSTILE, "UANA", "&" * MAX_TEXT, "UBEN", "not_now", False)
    mine = WantedLine("Leads", "Win", "", "a designer", "", "can_help", True)
    for lines in ((line,) * 60 + (mine,), (mine,), ()):
        message = renderer.render("checkin/help_wanted", locale,
                                  wanted=HelpWanted("2026-Q4", lines))
        assert violations(message, "message") == []
        assert len(message["blocks"]) <= 50
        assert not any(raw in t for t in mrkdwn_objects(message) for raw in ("<!channel>",))
    empty = renderer.render("checkin/help_wanted", locale, wanted=HelpWanted("", ()))
    assert len(empty["blocks"]) == 1
