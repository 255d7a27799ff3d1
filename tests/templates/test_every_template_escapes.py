"""EVERY template, rendered with hostile text in every field people or files fill (team, cycle,
Objective, KR and person names, notes), in both languages: nothing Slack would act on comes
out — in blocks, and in the notification `text` too (Slack reads a message's `text` as mrkdwn;
the review summary, review prompt, carry offer and alignment check once posted `<!channel>`
there). A template without a case here fails the test, so a new one cannot skip the check.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from datetime import date, time
from pathlib import Path
from typing import Any

import pytest

from bot import ids
from bot.delivery.review_renderers import AlignmentGroup, AlignmentView, SummaryView
from bot.delivery.review_renderers import PromptView as ReviewPromptView
from bot.digest_render import render_digest, render_headline
from bot.rendering import TEMPLATES_DIR, Renderer
from bot.services.checkin.follow_along import RoundReply
from bot.services.checkin.help_requests import HelpWanted, WantedLine
from bot.services.digest.view import (
    AskLine,
    ObjectiveSeries,
    TeamChart,
)
from bot.services.home import HomeView, TeamGroup
from bot.services.lookup.lists import OkrList
from bot.services.lookup.tree import TreeLine, TreeView
from bot.services.okr_edit.changes import Saved, SavedKR
from bot.services.review.answers import ReviewForm
from bot.services.review.carry import CarryItem, CarryList
from bot.services.schedules.hours import HoursView
from bot.services.team_names import TeamNotFound
from handlers.review_payloads import metadata as review_metadata
from tests.slack_text import ESCAPED, HOSTILE, mrkdwn_strings, unsafe
from tests.templates.test_checkin_templates import help_alert, maximum, render_modal, summary
from tests.templates.test_delivery_templates import AVAILABILITY, line, prompt
from tests.templates.test_digest_templates import big_view, hostile_view, person
from tests.templates.test_okr_cards import card
from tests.templates.test_okr_edit_templates import edit_view, new_view
from tests.templates.test_review_templates import objective

renderer = Renderer()
Payloads = list[dict[str, Any]]
MENTIONS = {"UANA", "UBEN", *(f"UP{n:06d}" for n in range(200))}  # stored ids, mentioned on purpose
CHANNELS = {"CGROWTH"}


def _one(template: str, /, **context: Any) -> Callable[[str], Payloads]:
    return lambda locale: [renderer.render(template, locale, **context)]


def _digest(locale: str) -> Payloads:
    hostile = hostile_view()
    return [*render_digest(renderer, hostile, locale),
            *render_digest(renderer, hostile, locale, preview=True)]


def _digest_continued(locale: str) -> Payloads:
    big = big_view(200)
    big = replace(big, team_name=HOSTILE,
                  blockers=(AskLine(1, HOSTILE, person(9, HOSTILE), HOSTILE), *big.blockers))
    payloads = render_digest(renderer, big, locale)
    assert len(payloads) > 1, "the thread replies (digest/digest_continued) were rendered"
    return payloads


def _keys(template: str) -> list[str]:
    """The `key`s a notice template words (its `texts` table)."""
    source = (TEMPLATES_DIR / f"{template}.json.j2").read_text(encoding="utf-8")
    return re.findall(r'^\s*"(\w+)": t\(', source, re.M)


def _notices(template: str, **context: Any) -> Callable[[str], Payloads]:
    return lambda locale: [
        renderer.render(template, locale, key=key, as_modal=as_modal, **context)
        for key in _keys(template) for as_modal in (False, True)]


def _review_modal(locale: str) -> Payloads:
    form = ReviewForm(7, HOSTILE, 0, 2, objective(1, "learning"))
    return [renderer.render("review/modal", locale, form=form, ids=ids.TEMPLATE_IDS,
                            metadata=review_metadata(7, 0, 1))]


def _alignment(locale: str) -> Payloads:
    item = {"objective_id": 3, "objective": HOSTILE, "kr": HOSTILE, "score": "0.2",
            "flags": ["red", "stalled", "confidence_fell"]}
    return [renderer.render("review/alignment", locale, ids=ids.TEMPLATE_IDS, view=AlignmentView(
        HOSTILE, HOSTILE, (AlignmentGroup(3, HOSTILE, (item,)),)))]


def _carry(locale: str) -> Payloads:
    offer = CarryList(HOSTILE, HOSTILE, (
        CarryItem(5, HOSTILE, "0.5", "missed", HOSTILE, HOSTILE, "", False),
        CarryItem(6, HOSTILE, "0.2", "learned", "", "", HOSTILE, True)))
    return [renderer.render("review/carry", locale, view=offer, reply=reply, ids=ids.TEMPLATE_IDS)
            for reply in (False, True)]


def _schedule(locale: str) -> Payloads:
    params = {"text": HOSTILE, "word": HOSTILE, "cadence": "weekly", "reason": HOSTILE}
    return [
        renderer.render("schedule/reply", locale, outcome="list", more=True,
                        lines=[line(HOSTILE)], unscheduled=(HOSTILE, HOSTILE)),
        renderer.render("schedule/reply", locale, outcome="error",
                        error_key="schedule.errors.bad_time", params=params),
        *(renderer.render("schedule/reply", locale, outcome=outcome, missing=missing)
          for outcome in ("refused", "usage", "unknown_team")
          for missing in (TeamNotFound(HOSTILE, (HOSTILE,), (), 0),
                          TeamNotFound(HOSTILE, (), (HOSTILE,), 3))),
    ]


def _lookup_notice(locale: str) -> Payloads:
    contexts: list[dict[str, Any]] = [
        {"notice": "no_cycle"}, {"notice": "unknown_person", "label": HOSTILE},
        {"notice": "channel_not_linked", "label": HOSTILE, "channel_id": "CGROWTH"},
        {"notice": "unknown_team", "missing": TeamNotFound(HOSTILE, (HOSTILE,), (HOSTILE,), 3)},
    ]
    return [renderer.render("lookup/notice", locale, ids=ids.TEMPLATE_IDS, **c) for c in contexts]


def _lookup_okrs(locale: str) -> Payloads:
    hostile_card = card(title=HOSTILE, owner_name=HOSTILE)
    return [renderer.render("lookup/okrs", locale, ids=ids.TEMPLATE_IDS, view=OkrList(
        HOSTILE, HOSTILE, is_self=self, is_team=not self, cards=(hostile_card,), hidden=2))
        for self in (False, True)]


def _home(locale: str) -> Payloads:
    teams = (TeamGroup(HOSTILE, (card(2, title=HOSTILE),), hidden=1),)
    home = HomeView(HOSTILE, HOSTILE, (card(title=HOSTILE),), 2, teams, hidden_teams=1,
                    hours=HoursView(time(9, 0), time(18, 0), own=False, zone=HOSTILE))
    return [renderer.render("home/home", locale, ids=ids.TEMPLATE_IDS, home=home)]


def _tree(locale: str) -> Payloads:
    tree = TreeView(HOSTILE, ((TreeLine("", "⚪", "—", HOSTILE, HOSTILE),),), 1, 0)
    return [renderer.render("lookup/tree", locale, tree=tree)]


def _hours(locale: str) -> Payloads:
    hours = [HoursView(time(10, 0), time(19, 0), own=own, zone=HOSTILE) for own in (False, True)]
    return [
        *(renderer.render("availability/hours", locale, outcome=outcome, hours=shown)
          for outcome in ("shown", "saved", "reset") for shown in hours),
        *(renderer.render("availability/hours", locale, outcome="error", text=HOSTILE,
                          error_key=f"availability.errors.{code}")
          for code in ("bad_hours", "hours_order")),
    ]


CASES: dict[str, Callable[[str], Payloads]] = {
    "availability/hours": _hours,
    "availability/reply": lambda locale: [renderer.render("availability/reply", locale, **c)
                                          for c in AVAILABILITY],
    "checkin/expired": _one("checkin/expired"),
    "checkin/prompt_choice": lambda locale: [
        renderer.render("checkin/prompt_choice", locale, outcome="later_set", when=HOSTILE),
        renderer.render("checkin/prompt_choice", locale, outcome="skipped_week", end=HOSTILE),
        renderer.render("checkin/prompt_choice", locale, outcome="later_refused")],
    "checkin/help_alert": lambda locale: [help_alert(locale)],
    "checkin/help_ask": lambda locale: [renderer.render(
        "checkin/help_ask", locale, ids=ids.TEMPLATE_IDS, asker_slack_id="UANA",
        asker_name=HOSTILE, objective_title=HOSTILE, kr_title=HOSTILE, help_text=HOSTILE,
        helper_slack_id="UBEN", checkin_id=4)],
    "checkin/help_answer": lambda locale: [renderer.render(
        "checkin/help_answer", locale, helper_slack_id="UBEN", helper_name=HOSTILE,
        answer=answer, kr_title=HOSTILE, help_text=HOSTILE) for answer in ("can_help", "not_now")],
    "checkin/help_answered": lambda locale: [renderer.render(
        "checkin/help_answered", locale, not_yours=False, answer="can_help", asker_name=HOSTILE,
        kr_title=HOSTILE)],
    "checkin/help_wanted": lambda locale: [renderer.render(
        "checkin/help_wanted", locale, wanted=HelpWanted(HOSTILE, (WantedLine(
            HOSTILE, HOSTILE, "UANA", HOSTILE, "UBEN", "not_now", False),)))],
    "checkin/modal": lambda locale: [render_modal(locale, maximum())],
    "checkin/summary": lambda locale: [renderer.render("checkin/summary", locale,
                                                       summary=summary())],
    "checkin/round": _one("checkin/round", week=HOSTILE),
    "checkin/round_reply": lambda locale: [renderer.render(
        "checkin/round_reply", locale, reply=RoundReply(HOSTILE, summary()))],
    "common/try_again_modal": _one("common/try_again_modal"),
    "delivery/checkin_prompt": lambda locale: [prompt(locale), prompt(locale, reminder=True)],
    "delivery/reminder_reply": _one("delivery/reminder_reply", name=HOSTILE),
    "digest/chart": lambda locale: [renderer.render(
        "digest/chart", locale, team=HOSTILE, chart=TeamChart(
            HOSTILE, date(2026, 10, 1), date(2026, 12, 31), date(2026, 11, 30),
            (ObjectiveSeries("O1", HOSTILE, ((date(2026, 10, 5), 0.1),), 0.5),)))],
    "digest/digest": _digest,
    "digest/headline": lambda locale: [render_headline(renderer, hostile_view(), locale)],
    "digest/digest_continued": _digest_continued,
    "digest/notice": lambda locale: [
        renderer.render("digest/notice", locale, notice=n, missing=missing)
        for n in ("no_team", "unknown_team")
        for missing in (TeamNotFound(HOSTILE, (HOSTILE,), (), 0),
                        TeamNotFound(HOSTILE, (), (HOSTILE,), 3))],
    "home/home": _home,
    "lookup/help": _one("lookup/help", unknown_word=HOSTILE),
    "lookup/notice": _lookup_notice,
    "lookup/okrs": _lookup_okrs,
    "lookup/tree": _tree,
    "okr_edit/edit_modal": lambda locale: [edit_view(locale)],
    "okr_edit/new_modal": lambda locale: [new_view(locale)],
    "okr_edit/notice": _notices("okr_edit/notice", title=HOSTILE),
    "okr_edit/saved_modal": lambda locale: [renderer.render(
        "okr_edit/saved_modal", locale, updated=updated,
        saved=Saved(1, HOSTILE, (SavedKR(HOSTILE, HOSTILE),), ("UANA",)))
        for updated in (False, True)],
    "review/alignment": _alignment,
    "review/carry": _carry,
    "review/cycle_reply": lambda locale: [renderer.render(
        "review/cycle_reply", locale,
        lines=[renderer.catalogue(locale).mrkdwn("review.cycle.closed", name=HOSTILE)])],
    "review/done_modal": lambda locale: [renderer.render(
        "review/done_modal", locale, cycle=HOSTILE, objective=objective(1))],
    "review/modal": _review_modal,
    "review/notice": _notices("review/notice", title=HOSTILE, cycle=HOSTILE),
    "review/prompt": lambda locale: [renderer.render(
        "review/prompt", locale, ids=ids.TEMPLATE_IDS,
        view=ReviewPromptView(HOSTILE, HOSTILE, HOSTILE, (objective(1),), "7"))],
    "review/summary_headline": lambda locale: [renderer.render(
        "review/summary_headline", locale,
        view=SummaryView(HOSTILE, HOSTILE, (objective(1),), 3))],
    "review/summary": lambda locale: [renderer.render(
        "review/summary", locale, view=SummaryView(HOSTILE, HOSTILE, (objective(1),), 3))],
    "schedule/reply": _schedule,
}

TEMPLATES = sorted(str(p.relative_to(TEMPLATES_DIR))[: -len(".json.j2")]
                   for p in TEMPLATES_DIR.rglob("*.json.j2"))


def test_every_template_has_a_hostile_case() -> None:
    assert sorted(set(TEMPLATES) - set(CASES)) == []
    assert sorted(set(CASES) - set(TEMPLATES)) == []


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_hostile_names_come_out_escaped_in_every_text(template: str, locale: str) -> None:
    payloads = CASES[template](locale)
    texts = [text for payload in payloads for text in mrkdwn_strings(payload)]
    problems = sorted({(problem, text[:80]) for text in texts
                       for problem in unsafe(text, people=MENTIONS, channels=CHANNELS)})
    assert problems == []
    notification = [p["text"] for p in payloads if isinstance(p.get("text"), str)]
    assert not any(raw in t for t in notification for raw in ("<!channel>", "<@U123>"))


@pytest.mark.parametrize("locale", ["en", "zh"])
@pytest.mark.parametrize("template", TEMPLATES)
def test_every_template_says_weeks_and_counts_as_people_do(template: str, locale: str) -> None:
    """No raw period key ("2026-W49") reaches anyone, and English never says "1 … things"."""
    texts = [text for payload in CASES[template](locale) for text in mrkdwn_strings(payload)]
    assert [t[:80] for t in texts if re.search(r"\b\d{4}-W\d{2}\b", t)] == []
    if locale == "en":
        assert [t[:80] for t in texts
                if re.search(r"\b1 (?:more |older )?(?:[A-Z][a-z]+ )?[A-Za-z]+s\b", t)] == []


def test_hostile_text_reaches_the_notification_text_escaped() -> None:
    """The fallback `text` of the review notifications names cycle and team: escaped."""
    for template in ("review/summary", "review/prompt", "review/carry", "review/alignment"):
        [first, *_] = CASES[template]("en")
        assert ESCAPED.split(" &amp;amp;")[0] in first["text"], template


def test_the_case_table_reads_the_real_template_directory() -> None:
    assert Path(TEMPLATES_DIR).is_dir() and len(TEMPLATES) >= 25
