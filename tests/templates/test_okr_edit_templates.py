"""okr_edit templates: golden shapes, Block Kit limits, and hostile text in both languages."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.blockkit import violations
from bot.domain.coach import Finding, FindingCode, Severity
from bot.domain.okr_draft import EditForm, KREditForm, KRForm, ObjectiveForm
from bot.rendering import Renderer
from bot.services.okr_edit.changes import Saved, SavedKR
from bot.services.okr_edit.forms import MAX_EDIT_KRS, EditFormView, EditKR, NewFormView
from bot.services.okr_edit.parents import Option
from handlers.okr_edit_views import edit_context, new_context, warning_lines
from tests.slack_text import ESCAPED, HOSTILE, mrkdwn_objects

LOCALES = ("en", "zh")

renderer = Renderer()


def new_view(locale: str, **kwargs: Any) -> dict[str, Any]:
    form = NewFormView("2026-Q4", (Option("me", "Ana"), Option("team:2", HOSTILE[:75])),
                       (Option("7", HOSTILE[:75]), Option("8", "Company · Be trusted")))
    return renderer.render("okr_edit/new_modal", locale, **new_context(form, **kwargs))


def edit_view(locale: str, **kwargs: Any) -> dict[str, Any]:
    form = EditFormView(5, HOSTILE, HOSTILE, "aspirational", HOSTILE, "8",
                        (Option("8", "Company · Be trusted"),),
                        (EditKR(11, HOSTILE, True, "4", "1", "h"),
                         EditKR(12, "Launch", False, "0", "1", "")))
    return renderer.render("okr_edit/edit_modal", locale, **edit_context(form, **kwargs))


def block(view: dict[str, Any], block_id: str) -> dict[str, Any]:
    return next(b for b in view["blocks"] if b.get("block_id") == block_id)


@pytest.mark.parametrize("locale", LOCALES)
def test_new_modal_has_every_field_and_four_kr_slots(locale: str) -> None:
    view = new_view(locale)
    assert violations(view, "modal") == []
    ids = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert ids[:5] == ["title", "description", "type", "parent", "owner"]
    assert [i for i in ids if i and i.endswith("_title")] == [f"kr{n}_title" for n in range(1, 5)]
    optional = {b["block_id"]: b.get("optional", False) for b in view["blocks"]
                if b["type"] == "input"}
    assert (optional["kr1_title"], optional["kr2_title"]) == (False, False)
    assert (optional["kr3_title"], optional["kr4_title"]) == (True, True)
    assert block(view, "type")["element"]["initial_option"]["value"] == "committed"
    assert block(view, "owner")["element"]["initial_option"]["value"] == "me"
    assert "initial_option" not in block(view, "parent")["element"]
    assert json.loads(view["private_metadata"]) == {"c": ""}


@pytest.mark.parametrize("locale", LOCALES)
def test_type_options_explain_each_type_within_slacks_limits(locale: str) -> None:
    options = block(new_view(locale), "type")["element"]["options"]
    assert [o["value"] for o in options] == ["committed", "aspirational", "learning"]
    for option in options:
        assert 0 < len(option["text"]["text"]) <= 75
        assert 0 < len(option["description"]["text"]) <= 75


@pytest.mark.parametrize("locale", LOCALES)
def test_warnings_keep_the_draft_and_escape_what_people_typed(locale: str) -> None:
    typed = ObjectiveForm(HOSTILE, HOSTILE, "learning", "team:2", "7",
                          (KRForm(HOSTILE, "milestone", "", "", ""), KRForm("b", "", "1", "2")))
    finding = Finding(FindingCode.KR_IS_TASK, Severity.WARNING, "key_results[0]",
                      {"text": HOSTILE})
    lines, more = warning_lines([finding], renderer.catalogue(locale), [1, 2])
    view = new_view(locale, typed=typed, warnings=lines, more_warnings=more, confirmed="abc")
    assert violations(view, "modal") == []
    texts = mrkdwn_objects(view)
    assert not any("<!channel>" in t or "<@U123>" in t or "<https" in t for t in texts)
    assert any(ESCAPED in t for t in texts)
    assert block(view, "title")["element"]["initial_value"] == HOSTILE  # plain text: literal
    assert block(view, "kr1_kind")["element"]["initial_option"]["value"] == "milestone"
    assert block(view, "owner")["element"]["initial_option"]["value"] == "team:2"
    assert block(view, "parent")["element"]["initial_option"]["value"] == "7"
    assert json.loads(view["private_metadata"]) == {"c": "abc"}
    assert view["submit"]["text"] == ("Save anyway" if locale == "en" else "仍然保存")


def test_many_findings_are_capped_so_the_modal_stays_under_100_blocks() -> None:
    findings = [Finding(FindingCode.KR_IS_TASK, Severity.INFO, f"key_results[{i % 4}]",
                        {"text": "x" * 500}) for i in range(40)]
    lines, more = warning_lines(findings, renderer.catalogue("en"), [1, 2, 3, 4])
    view = new_view("en", warnings=lines, more_warnings=more)
    assert violations(view, "modal") == []
    assert more == 25 and "…and 25 more." in json.dumps(view, ensure_ascii=False)


@pytest.mark.parametrize("locale", LOCALES)
def test_edit_modal_prefills_and_offers_archive_with_confirmation(locale: str) -> None:
    view = edit_view(locale)
    assert violations(view, "modal") == []
    assert block(view, "krid11_target")["element"]["initial_value"] == "1"
    assert "krid12_target" not in {b.get("block_id") for b in view["blocks"]}  # milestone
    assert block(view, "type")["element"]["initial_option"]["value"] == "aspirational"
    assert block(view, "parent")["element"]["initial_option"]["value"] == "8"
    archive = block(view, "archive")["elements"][0]
    assert (archive["action_id"], archive["value"]) == ("okr.archive.5", "5")
    assert set(archive["confirm"]) >= {"title", "text", "confirm", "deny"}
    assert json.loads(view["private_metadata"]) == {"c": "", "o": 5, "k": [11, 12]}
    texts = mrkdwn_objects(view)
    assert not any("<!channel>" in t for t in texts) and any(ESCAPED in t for t in texts)


def test_edit_modal_after_warnings_shows_what_was_typed() -> None:
    typed = EditForm("New title", "", "committed", "", (KREditForm(11, "Faster replies", "2",
                                                                   "h"),))
    view = edit_view("en", typed=typed, confirmed="m1")
    assert block(view, "title")["element"]["initial_value"] == "New title"
    assert block(view, "krid11_target")["element"]["initial_value"] == "2"
    assert "initial_option" not in block(view, "parent")["element"]


@pytest.mark.parametrize("locale", LOCALES)
def test_the_largest_edit_modal_of_a_draft_stays_within_slacks_limits(locale: str) -> None:
    krs = tuple(EditKR(20 + n, HOSTILE, n % 2 == 0, "0", "10", "h", owner="UANA")
                for n in range(MAX_EDIT_KRS))
    form = EditFormView(5, HOSTILE, HOSTILE, "committed", HOSTILE, "", (), krs, is_draft=True)
    findings = [Finding(FindingCode.KR_IS_TASK, Severity.WARNING, f"key_results[{i % 10}]",
                        {"text": "x" * 500}) for i in range(40)]
    lines, more = warning_lines(findings, renderer.catalogue(locale), list(range(1, 11)))
    view = renderer.render("okr_edit/edit_modal", locale,
                           **edit_context(form, warnings=lines, more_warnings=more))
    assert violations(view, "modal") == []
    assert block(view, "state")["element"]["initial_option"]["value"] == "draft"
    assert block(view, "krid20_owner")["element"]["initial_user"] == "UANA"
    places = block(view, "krid29_position")["element"]
    assert [o["value"] for o in places["options"]] == [str(n) for n in range(1, 11)]
    assert places["initial_option"]["value"] == "10"
    assert len(block(view, "archive_krs")["element"]["options"]) == MAX_EDIT_KRS
    assert "krnew1_title" in {b.get("block_id") for b in view["blocks"]}


def test_edit_modal_after_warnings_keeps_archived_moved_and_added_key_results() -> None:
    typed = EditForm("T", "", "committed", "",
                     (KREditForm(11, "Faster replies", "2", "h", owner="ULEE", position="2"),
                      KREditForm(12, "Launch", None, "", owner="", position="1")),
                     archive=(12,), new_krs=(KRForm("Write 10 posts", "metric", "0", "10"),),
                     activate=True)
    view = edit_view("en", typed=typed)
    assert violations(view, "modal") == []
    assert block(view, "krid11_owner")["element"]["initial_user"] == "ULEE"
    assert block(view, "krid11_position")["element"]["initial_option"]["value"] == "2"
    ticked = block(view, "archive_krs")["element"]["initial_options"]
    assert [o["value"] for o in ticked] == ["12"]
    assert ticked[0] in block(view, "archive_krs")["element"]["options"]
    assert block(view, "krnew1_title")["element"]["initial_value"] == "Write 10 posts"
    assert "state" not in {b.get("block_id") for b in view["blocks"]}  # not a draft


@pytest.mark.parametrize("locale", LOCALES)
def test_saved_modal_and_notices_escape_titles(locale: str) -> None:
    saved = Saved(1, HOSTILE, (SavedKR(HOSTILE, "0 → 10 篇"), SavedKR("Launch", "")), ("UANA",))
    view = renderer.render("okr_edit/saved_modal", locale, saved=saved, updated=False)
    assert violations(view, "modal") == []
    for payload in (
        view,
        renderer.render("okr_edit/notice", locale, key="archive_done", title=HOSTILE,
                        as_modal=False),
        renderer.render("okr_edit/notice", locale, key="archive_done", title=HOSTILE,
                        as_modal=True),
    ):
        texts = mrkdwn_objects(payload) + ([payload["text"]] if isinstance(payload.get("text"), str)
                                   else [])
        assert not any("<!channel>" in t or "<@U123>" in t for t in texts)
        assert any(ESCAPED in t for t in texts)


@pytest.mark.parametrize("key", ["refused", "not_found", "archived", "no_cycle",
                                 "trigger_expired"])
def test_every_notice_exists_in_both_languages(key: str) -> None:
    english = renderer.render("okr_edit/notice", "en", key=key, title="", as_modal=False)
    chinese = renderer.render("okr_edit/notice", "zh", key=key, title="", as_modal=True)
    assert english["text"] and english["response_type"] == "ephemeral"
    assert chinese["type"] == "modal" and violations(chinese, "modal") == []
    assert english["text"] != chinese["blocks"][0]["text"]["text"]
