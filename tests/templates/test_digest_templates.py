"""digest/digest and digest/digest_continued: golden lines, hostile text, splitting a huge team."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

import pytest

from bot.blockkit import violations
from bot.digest_render import SECTION_TEXT, fit, paginate, render_digest
from bot.rendering import Renderer
from bot.services.digest.view import (
    AskLine,
    DigestView,
    HeadingLine,
    KRLine,
    ObjectiveLine,
    PersonRef,
    TargetChangeLine,
)
from bot.services.okrs.forecasts import ForecastLine

HOSTILE = "<!channel> & <@U123> <https://evil|click> &amp; \"q\" \\ \n🚀 中文 `x` *b* _i_"
RAW_CONTROLS = ("<!channel>", "<@U123>", "<https://evil|click>", "<!here>")
MENTION = re.compile(r"<@([A-Z0-9]+)>")


@pytest.fixture(scope="module")
def renderer() -> Renderer:
    return Renderer()


def person(n: int, name: str = "") -> PersonRef:
    return PersonRef(n, name or f"Person {n}", f"UP{n:06d}")


def kr_line(n: int, title: str = "", owner: str = "Ana", **extra: Any) -> KRLine:
    values: dict[str, Any] = {"value_before": "1", "value_now": "2", "score_before": "0.10",
                              "score_now": "0.20", "is_milestone": False, **extra}
    return KRLine(n, title or f"KR {n}", owner, **values)


def view(**lists: Any) -> DigestView:
    base: dict[str, Any] = {
        "team_id": 1, "team_name": "Growth", "channel_id": "CGROWTH", "lead_locale": None,
        "period_start": datetime(2026, 11, 16, tzinfo=UTC),
        "period_end": datetime(2026, 11, 30, 9, tzinfo=UTC),
        "first_day": date(2026, 11, 16), "last_day": date(2026, 11, 30),
        "generated_at": datetime(2026, 11, 30, 9, tzinfo=UTC),
        "objectives": (ObjectiveLine(1, "Double qualified leads", "", "0.65", "yellow", "up",
                                     "0.16"),),
        "blockers": (), "help_requests": (), "not_checked_in": (), "turned_red": (),
        "stalled": (), "wins": (), "moved": (), "target_changes": (),
    }
    return DigestView(**{**base, **lists})


def section_texts(payloads: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for p in payloads for b in p["blocks"] if b["type"] == "section"]


def lines_of(payloads: list[dict[str, Any]]) -> list[str]:
    return [line for text in section_texts(payloads) for line in text.split("\n")]


def assert_slack_safe(payloads: list[dict[str, Any]], allowed_ids: set[str]) -> None:
    for payload in payloads:
        assert violations(payload, "message") == []
        assert len(payload["text"]) < 4000
        assert all(b["type"] != "lines" for b in payload["blocks"])
        # everything but the plain_text header (which Slack shows literally) is mrkdwn
        mrkdwn = json.dumps([payload["text"], *(b for b in payload["blocks"]
                                                if b["type"] != "header")], ensure_ascii=False)
        for control in RAW_CONTROLS:
            assert control not in mrkdwn, control
        assert set(MENTION.findall(mrkdwn)) <= allowed_ids


def full_view() -> DigestView:
    ana, ben, lin = person(1, "Ana"), person(2, "Ben"), person(3, "Lin")
    return view(
        objectives=(
            ObjectiveLine(1, "Double qualified leads", "", "0.65", "yellow", "up", "0.16"),
            ObjectiveLine(2, "Make onboarding effortless", "Dee", "0.00", "red", "flat", "0.00"),
            ObjectiveLine(3, "Ship it", "Ben", "0.40", "yellow", "down", "0.05"),
            ObjectiveLine(4, "New idea", "", "—", "none", "new", "0.00"),
        ),
        blockers=(AskLine(1, "Leads per month", ana, "CRM export broken"),),
        help_requests=(AskLine(2, "Conversion rate", ben, "Need a design review", lin),
                       AskLine(2, "Conversion rate", None, "API asks")),
        not_checked_in=(person(4, "Dee"), person(5, "Eve")),
        turned_red=(kr_line(2, "Conversion rate", "Ben", score_before="0.50", score_now="0.10"),),
        stalled=(kr_line(7, "Onboarding NPS", "Dee", stall="no_checkin", quiet_days=60),
                 kr_line(9, "Pages published", "", stall="no_change", quiet_days=27,
                         value_now="10")),
        wins=(kr_line(3, "Referral program", win="milestone_done", is_milestone=True),
              kr_line(5, "Demos booked", win="turned_green", score_now="0.80"),
              kr_line(6, "Trial sign-ups", win="reached_target", value_now="100 signups")),
        moved=(kr_line(1, "Leads per month", value_before="500 leads", value_now="700 leads",
                       score_now="0.50"),),
        target_changes=(TargetChangeLine(4, "Sign partners", "5", "8", "Lin", date(2026, 11, 24)),
                        TargetChangeLine(8, "Uptime", "", "99.9%", "", date(2026, 11, 25))),
    )


def test_golden_english_digest(renderer: Renderer) -> None:
    [payload] = render_digest(renderer, full_view(), "en")
    assert payload["text"] == ("OKR digest for Growth · blockers: 1 · help requests: 2 · "
                               "not checked in: 2")
    assert payload["blocks"][0]["text"]["text"] == "OKR digest · Growth"
    assert payload["blocks"][1]["elements"][0]["text"] == "Nov 16 – Nov 30"
    assert payload["unfurl_links"] is False and "response_type" not in payload
    assert lines_of([payload]) == [
        "*Objectives* (score, change since the last digest)",
        "🟡 *Double qualified leads* 0.65 ▲0.16",
        "🔴 *Make onboarding effortless* (Dee) 0.00 ±0",
        "🟡 *Ship it* (Ben) 0.40 ▼0.05",
        "⚪ *New idea* — (new)",
        "*🚧 Blockers*",
        "• <@UP000001> on _Leads per month_: CRM export broken",
        "*🙋 Help needed*",
        "• <@UP000002> needs help on _Conversion rate_: Need a design review → <@UP000003>",
        "• Someone needs help on _Conversion rate_: API asks",
        "*⏰ Not checked in this period*",
        "<@UP000004>, <@UP000005>",
        "*🔴 Red now*",
        "• _Conversion rate_ (Ben): score 0.50 → 0.10",
        "*💤 Stalled*",
        "• _Onboarding NPS_ (Dee): no check-in for 60 days",
        "• _Pages published_: unchanged at 10 for 27 days",
        "*🎉 Wins*",
        "• _Referral program_ (Ana): done ✅",
        "• _Demos booked_ (Ana): turned green (score 0.80)",
        "• _Trial sign-ups_ (Ana): reached its target: 100 signups 🎯",
        "*📈 Moved*",
        "• _Leads per month_ (Ana): 500 leads → 700 leads (score 0.50)",
        "*✏️ Target changes*",
        "• _Sign partners_: target changed from 5 to 8 (Lin, Nov 24)",
        "• _Uptime_: target set to 99.9% (Nov 25)",
    ]


def test_golden_chinese_digest(renderer: Renderer) -> None:
    [payload] = render_digest(renderer, full_view(), "zh")
    assert payload["text"] == "Growth 的 OKR 周报 · 阻碍：1 · 求助：2 · 未打卡：2"
    assert payload["blocks"][1]["elements"][0]["text"] == "11月16日 – 11月30日"
    lines = lines_of([payload])
    assert "• <@UP000001> 在 _Leads per month_ 上受阻：CRM export broken" in lines
    assert "<@UP000004>、<@UP000005>" in lines
    assert "• _Sign partners_ ：目标值从 5 调整为 8（Lin，11月24日）" in lines
    assert "• _Onboarding NPS_ （Dee）：已 60 天没有打卡" in lines
    assert "*🎉 值得庆祝*" in lines


def forecast(**changes: Any) -> ForecastLine:
    line = ForecastLine(spark="▂▃▃▄", known=True, score="0.55", on=date(2027, 3, 31),
                        verdict="committed.missed", needed="+28 leads", miss=True)
    return replace(line, **changes)


def test_where_it_is_heading_golden_lines(renderer: Renderer) -> None:
    heading = (
        HeadingLine(1, "Qualified leads", "Ben", forecast()),
        HeadingLine(2, "NPS", "", forecast(spark="", verdict="aspirational.success",
                                           score="0.65", needed="", miss=False)),
        HeadingLine(3, "Research", "", forecast(verdict="", needed="", miss=False)),
    )
    en = lines_of(render_digest(renderer, view(heading=heading), "en"))
    start = en.index("*🔭 Where it is heading*")
    assert en[start + 1:start + 4] == [
        "• _Qualified leads_ (Ben): trend ▂▃▃▄ · at this pace *0.55* on Mar 31: a committed miss"
        " · needs +28 leads a week",
        "• _NPS_: at this pace *0.65* on Mar 31: in the 0.6–0.7 sweet spot",
        "• _Research_: trend ▂▃▃▄ · at this pace *0.55* on Mar 31",
    ]
    zh = lines_of(render_digest(renderer, view(heading=heading[:1]), "zh"))
    assert ("• _Qualified leads_ （Ben）：走势 ▂▃▃▄ · 按此进度，3月31日 得分 *0.55*："
            "承诺型目标将无法达成 · 每周需 +28 leads") in zh


def test_a_quiet_digest_says_so(renderer: Renderer) -> None:
    [en] = render_digest(renderer, view(), "en")
    assert section_texts([en])[-1].startswith("_A quiet period")
    [zh] = render_digest(renderer, view(objectives=()), "zh")
    assert "_本周期没有进行中的目标。_" in lines_of([zh])


def hostile_view() -> DigestView:
    """Hostile text in every field people fill (also used by test_every_template_escapes)."""
    bad = person(9, HOSTILE)
    return view(
        team_name=HOSTILE,
        objectives=(ObjectiveLine(1, HOSTILE, HOSTILE, "0.10", "red", "down", "0.20"),),
        blockers=(AskLine(1, HOSTILE, bad, HOSTILE),),
        help_requests=(AskLine(1, HOSTILE, bad, HOSTILE, bad),),
        progress=(AskLine(1, HOSTILE, bad, HOSTILE),),
        not_checked_in=(bad,),
        turned_red=(kr_line(1, HOSTILE, HOSTILE),),
        stalled=(kr_line(2, HOSTILE, HOSTILE, stall="no_change", value_now=HOSTILE),),
        wins=(kr_line(3, HOSTILE, HOSTILE, win="reached_target", value_now=HOSTILE),),
        moved=(kr_line(4, HOSTILE, HOSTILE, value_before=HOSTILE),),
        target_changes=(TargetChangeLine(5, HOSTILE, HOSTILE, HOSTILE, HOSTILE,
                                         date(2026, 11, 24)),),
        heading=(HeadingLine(6, HOSTILE, HOSTILE, forecast(needed=f"+3 {HOSTILE}")),),
    )


def test_hostile_text_everywhere_comes_out_escaped(renderer: Renderer) -> None:
    hostile = hostile_view()
    for locale in ("en", "zh"):
        for preview in (False, True):
            payloads = render_digest(renderer, hostile, locale, preview=preview)
            assert_slack_safe(payloads, {"UP000009"})
            text = "\n".join(section_texts(payloads))
            escaped = "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil|click&gt; &amp;amp;"
            assert escaped in text
            assert "🚀 中文" in text
            # the header is plain_text: shown literally by Slack, so it may keep the raw text
            assert payloads[0]["blocks"][0]["text"]["type"] == "plain_text"


def big_view(size: int) -> DigestView:
    people = tuple(person(n) for n in range(size))
    long_text = "&<>" * 100  # escapes to 1,300+ characters per line
    return view(
        objectives=tuple(ObjectiveLine(n, f"Objective {n}", f"Person {n}", "0.50", "yellow",
                                       "up", "0.10") for n in range(size)),
        blockers=tuple(AskLine(n, f"KR {n}", people[n], long_text) for n in range(size)),
        help_requests=tuple(AskLine(n, f"KR {n}", people[n], f"Help {n}", people[0])
                            for n in range(size)),
        not_checked_in=people,
        turned_red=tuple(kr_line(n) for n in range(size)),
        stalled=tuple(kr_line(n, stall="no_checkin", quiet_days=20) for n in range(size)),
        moved=tuple(kr_line(n) for n in range(size)),
    )


def test_a_huge_team_continues_in_the_thread_within_limits(renderer: Renderer) -> None:
    size = 400
    payloads = render_digest(renderer, big_view(size), "en")
    assert len(payloads) > 2
    assert_slack_safe(payloads, {person(n).slack_user_id for n in range(size)})
    assert all(len(p["blocks"]) <= 50 for p in payloads)
    assert max(len(t) for t in section_texts(payloads)) <= SECTION_TEXT
    for number, reply in enumerate(payloads[1:], start=2):
        note = reply["blocks"][0]["elements"][0]["text"]
        part = f"({number}/{len(payloads)})"
        assert part in note and part in reply["text"]
    # nothing lost, nothing twice: every item is on exactly one line
    lines = lines_of(payloads)
    for n in range(size):
        assert lines.count(f"• <@{person(n).slack_user_id}> needs help on _KR {n}_: Help {n}"
                           f" → <@UP000000>") == 1
        assert sum(1 for line in lines if line.startswith(f"• <@UP{n:06d}> on _KR {n}_:")) == 1
    assert sum(line.count("<@UP") for line in lines if line.startswith("<@UP")) == size
    # a list that goes on in the next message says again what it is
    blocker_titles = [t for t in section_texts(payloads) if t.startswith("*🚧 Blockers*")]
    assert len(blocker_titles) > 1


def test_a_preview_says_how_many_messages_the_channel_gets(renderer: Renderer) -> None:
    payloads = render_digest(renderer, big_view(200), "zh", preview=True)
    first, *rest = payloads
    assert first["response_type"] == "ephemeral" and "unfurl_links" not in first
    assert f"分 {len(payloads)} 条消息发布" in first["blocks"][2]["elements"][0]["text"]
    assert all(r["response_type"] == "ephemeral" and r["replace_original"] is False for r in rest)
    [single] = render_digest(renderer, full_view(), "en", preview=True)
    assert "as one message" in single["blocks"][2]["elements"][0]["text"]
    [nowhere] = render_digest(renderer, replace(full_view(), channel_id=None), "en", preview=True)
    assert "no channel yet" in nowhere["blocks"][3]["elements"][0]["text"]
    assert_slack_safe(payloads, {person(n).slack_user_id for n in range(200)})


def test_paginate_keeps_messages_within_their_capacity() -> None:
    blocks = [{"type": "divider"}] * 7 + [{"type": "lines", "title": "*T*",
                                           "lines": ["x" * 1000] * 12}]
    pages = paginate(blocks, first=5, rest=4)
    assert [len(p) for p in pages] == [5, 4, 4]
    texts = [b["text"]["text"] for p in pages for b in p if b["type"] == "section"]
    assert sum(t.count("x" * 1000) for t in texts) == 12
    assert all(len(t) <= SECTION_TEXT for t in texts)
    with pytest.raises(ValueError, match="room"):
        paginate(blocks, first=0, rest=1)


@pytest.mark.parametrize(
    ("line", "expected_tail"),
    [("a" * 3100, "a…"), ("a" * 2995 + "&amp;b", "a…"), ("a" * 2990 + "<@U12345678>", "a…"),
     ("a" * 2990 + "&gt;" + "b" * 10, "b…")],
)
def test_fit_never_tears_an_entity_or_mention(line: str, expected_tail: str) -> None:
    cut = fit(line)
    assert len(cut) <= SECTION_TEXT and cut.endswith(expected_tail)
    assert not re.search(r"&[a-z]*…$|<[^>]*…$", cut)
