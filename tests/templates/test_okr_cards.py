"""okr/_cards.j2 and the look-up and Home templates: block counts, limits, adversarial text."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any

import pytest

from bot import ids
from bot.blockkit import violations
from bot.rendering import Renderer
from bot.services.home import FRAME_BLOCKS, TEAM_FRAME_BLOCKS, HomeView, TeamGroup
from bot.services.lookup.lists import FRAME_BLOCKS as LOOKUP_FRAME
from bot.services.lookup.lists import OkrList
from bot.services.lookup.tree import OWNER_CHARS, TITLE_CHARS, TreeLine, TreeView, pack_sections
from bot.services.okrs.cards import KRLine, ObjectiveCard, card_blocks
from bot.services.okrs.forecasts import ForecastLine
from bot.services.schedules.hours import HoursView
from bot.services.team_names import TeamNotFound
from tests.slack_text import mrkdwn_objects

EVIL = 'quote " back \\ new\nline 🚀 中文 & <!channel> <@U123> <https://evil|click> &amp;'
ESCAPED = ("quote \" back \\ new\nline 🚀 中文 &amp; &lt;!channel&gt; &lt;@U123&gt; "
           "&lt;https://evil|click&gt; &amp;amp;")
RAW_TOKENS = ("<!channel>", "<@U123>", "<https://evil")
LOCALES = ("en", "zh")

TEAM_HOURS = HoursView(time(9, 0), time(18, 0), own=False, zone="UTC")
OWN_HOURS = HoursView(time(10, 0), time(19, 0), own=True, zone="Asia/Shanghai")


def kr(title: str = EVIL, **kw: Any) -> KRLine:
    values: dict[str, Any] = {
        "id": 1, "title": title, "is_milestone": False, "done": False, "score": 0.5,
        "bar": "▓▓▓▓▓░░░░░", "percent": "50%", "current": f"5 {EVIL}", "target": f"10 {EVIL}",
        "unit": EVIL, "confidence": "at_risk",
        "last_checkin_at": datetime(2026, 11, 30, tzinfo=UTC), "last_checkin_date": "Nov 30",
        "owner_name": EVIL,
        "forecast": ForecastLine(spark="▁▃▅", known=True, score="0.55", on=date(2027, 3, 31),
                                 verdict="committed.missed", needed=f"+28 {EVIL}", miss=True),
    }
    values.update(kw)
    return KRLine(**values)


def card(n: int = 1, krs: int = 4, **kw: Any) -> ObjectiveCard:
    values: dict[str, Any] = {
        "id": n, "title": EVIL, "type": "aspirational", "score": 0.5, "score_text": "0.50",
        "colour": "yellow", "colour_emoji": "🟡", "owner_name": EVIL, "owner_kind": "person",
        "owner_id": 1, "parent_id": None, "is_draft": False,
        "krs": tuple(replace(kr(), id=n * 100 + k) for k in range(krs)), "hidden_krs": 0,
    }
    values.update(kw)
    return ObjectiveCard(**values)


def render(name: str, locale: str, **context: Any) -> dict[str, Any]:
    return Renderer().render(name, locale, ids=ids.TEMPLATE_IDS, **context)


def assert_safe(payload: dict[str, Any]) -> None:
    dumped = json.dumps(payload, ensure_ascii=False)
    for token in RAW_TOKENS:
        assert token not in dumped


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("shape", [
    card(krs=0),
    card(krs=1, is_draft=True),
    card(krs=3, hidden_krs=2, type="learning", score=None, score_text="—", colour=None,
         colour_emoji="⚪"),
    replace(card(krs=0), krs=(kr(is_milestone=True, done=True, confidence=None,
                                 last_checkin_date=None, owner_name=None),)),
    replace(card(krs=0), krs=(kr(note=EVIL), kr(blocker=EVIL, help_needed=EVIL),
                              kr(note=EVIL, about_objective=True), kr())),
], ids=["no-krs", "draft", "capped-unscored", "milestone", "notes"])
def test_the_macro_uses_exactly_card_blocks_blocks(locale: str, shape: ObjectiveCard) -> None:
    view = OkrList("2026-Q4", EVIL, is_self=False, is_team=False,
                   cards=(shape, replace(shape, id=shape.id + 1)), hidden=0)
    payload = render("lookup/okrs", locale, view=view)
    # title section + cards + footer context
    assert len(payload["blocks"]) == 1 + 2 * card_blocks(shape) + 1
    assert violations(payload, "message") == []
    assert_safe(payload)


@pytest.mark.parametrize("locale", LOCALES)
def test_user_text_comes_out_escaped_everywhere(locale: str) -> None:
    view = OkrList("2026-Q4", EVIL, is_self=False, is_team=True, cards=(card(),), hidden=3)
    payload = render("lookup/okrs", locale, view=view)
    texts = mrkdwn_objects(payload["blocks"])
    assert ESCAPED in payload["text"]
    assert sum(ESCAPED in t for t in texts) >= 1 + 1 + 4  # title, objective, each KR
    assert all("<" not in t for t in texts)
    assert_safe(payload)


@pytest.mark.parametrize("locale", LOCALES)
def test_worst_case_text_stays_under_section_limits(locale: str) -> None:
    huge = "&" * 500
    worst_kr = kr(title=huge, current=huge[:60], target=huge[:60], owner_name=huge)
    worst = card(title=huge, owner_name=huge, krs=0, hidden_krs=3)
    worst = replace(worst, krs=(worst_kr,) * 8)
    view = OkrList("2026-Q4", huge[:64], is_self=False, is_team=False,
                   cards=tuple(replace(worst, id=n) for n in range(4)), hidden=9)
    payload = render("lookup/okrs", locale, view=view)
    assert violations(payload, "message") == []
    assert len(payload["blocks"]) <= 50


@pytest.mark.parametrize(("locale", "words"), [
    ("en", ["📝 a note", "🚧 Blocked: legal", "🙋 Needs help: a designer",
            "_(written for the whole Objective)_"]),
    ("zh", ["📝 a note", "🚧 障碍：legal", "🙋 需要支持：a designer", "_（针对整个目标填写）_"]),
])
def test_each_kr_shows_the_notes_of_its_latest_checkin(locale: str, words: list[str]) -> None:
    noted = replace(card(krs=0), krs=(
        kr(note="a note", blocker="legal", help_needed="a designer", about_objective=True),
        kr(title="quiet")))
    payload = render("lookup/okrs", locale, view=OkrList("Q", "x", is_self=True, is_team=False,
                                                         cards=(noted,), hidden=0))
    contexts = [b for b in payload["blocks"] if b["type"] == "context"][:-1]  # not the footer
    assert [e["text"] for e in contexts[0]["elements"]] == words
    assert len(contexts) == 1  # the KR without notes has none


@pytest.mark.parametrize("locale", LOCALES)
def test_the_longest_notes_stay_within_limits_and_escaped(locale: str) -> None:
    huge = "&" * 150
    worst = replace(card(krs=0), krs=(kr(note=huge, blocker=huge, help_needed=huge),) * 8)
    payload = render("lookup/okrs", locale, view=OkrList(
        "Q", "x", is_self=False, is_team=False, cards=(worst,), hidden=0))
    assert violations(payload, "message") == []
    assert "&amp;" * 150 in json.dumps(payload)


def test_lookup_frame_constant_covers_the_template() -> None:
    full = OkrList("Q", "x", is_self=False, is_team=False, cards=(card(),), hidden=1)
    payload = render("lookup/okrs", "en", view=full)
    assert len(payload["blocks"]) - card_blocks(card()) <= LOOKUP_FRAME


@pytest.mark.parametrize("locale", LOCALES)
def test_home_frame_constants_cover_the_template(locale: str) -> None:
    teams = tuple(TeamGroup(EVIL, (card(n + 2, krs=1),), hidden=h) for n, h in enumerate((0, 4, 0)))
    home = HomeView("2026-Q4", "Tue, Dec 1, 09:30", (card(),), 2, teams, hidden_teams=5,
                    hours=TEAM_HOURS)
    payload = render("home/home", locale, home=home)
    card_total = card_blocks(card()) + 3 * card_blocks(card(2, krs=1))
    assert len(payload["blocks"]) - card_total <= FRAME_BLOCKS + 3 * TEAM_FRAME_BLOCKS
    assert violations(payload, "home") == []
    assert_safe(payload)
    actions = next(b for b in payload["blocks"] if b["type"] == "actions")
    assert [e["action_id"] for e in actions["elements"]] == [ids.CHECKIN_OPEN, ids.HOME_REFRESH]


@pytest.mark.parametrize("locale", LOCALES)
def test_home_without_a_cycle(locale: str) -> None:
    payload = render("home/home", locale, home=HomeView(None, None, (), 0, (), 0, OWN_HOURS))
    assert len(payload["blocks"]) == 5
    assert violations(payload, "home") == []
    hours = payload["blocks"][1]["text"]["text"]
    assert "10:00–19:00" in hours and "Asia/Shanghai" in hours
    assert ("/okr hours reset" if locale == "en" else "/okr 工作时间 默认") in hours


@pytest.mark.parametrize("locale", LOCALES)
def test_tree_lines_escape_and_pack_under_the_section_limit(locale: str) -> None:
    line = TreeLine("\u2003\u2003↳ ", "🟢", "0.70", ("&" * 500)[:TITLE_CHARS],
                    ("<" * 200)[:OWNER_CHARS])
    tree = TreeView("2026-Q4", pack_sections([line] * 150), shown=150, hidden=7)
    payload = render("lookup/tree", locale, tree=tree)
    assert violations(payload, "message") == []
    assert len(payload["blocks"]) <= 50
    assert sum(t.count("↳") for t in mrkdwn_objects(payload["blocks"])) == sum(
        len(s) for s in tree.sections)
    evil = render("lookup/tree", locale, tree=TreeView(
        "Q", ((TreeLine("", "⚪", "—", EVIL, EVIL),),), 1, 0))
    assert ESCAPED in mrkdwn_objects(evil["blocks"])[1]
    assert_safe(evil)


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("context", [
    {"notice": "no_cycle"},
    {"notice": "unknown_person", "label": EVIL},
    {"notice": "unknown_person", "label": ""},
    {"notice": "channel_not_linked", "label": EVIL, "channel_id": "C1"},
    {"notice": "unknown_team", "missing": TeamNotFound(EVIL, (EVIL,) * 5, (), 0)},
    {"notice": "unknown_team", "missing": TeamNotFound("", (), ("&" * 200,) * 20, 80)},
    {"notice": "unknown_team", "missing": TeamNotFound("x", (), (), 0)},
])
def test_notices_parse_escape_and_fit(locale: str, context: dict[str, Any]) -> None:
    payload = render("lookup/notice", locale, **context)
    assert payload["response_type"] == "ephemeral" and payload["text"]
    assert violations(payload, "message") == []
    assert_safe(payload)
