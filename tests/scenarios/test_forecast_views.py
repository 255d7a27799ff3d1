"""Forecasts, sparklines and colours by time on `/okr` and the App Home, over signed HTTP.

Expected numbers are computed here from the README's rule, not by the code under test.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed
from tests.scenarios.test_home import open_home
from tests.scenarios.test_lookup import texts

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)  # the start of the day after the cycle's last day


def pipeline(seed: Seed, *, locale: str = "en", kind: str = "committed") -> None:
    """Ben's leads: 100, 150, 200, 250 on four Mondays — 50 leads a week, 600 wanted."""
    ben = seed.make_person("UBEN", name="Ben", tz="UTC", locale=locale)
    q4 = seed.make_cycle()
    objective = seed.make_objective("Fill the pipeline", owner=ben, cycle=q4, type=kind)
    kr = seed.make_kr(objective, "Qualified leads", target=600, unit="leads")
    for weeks_ago, value in ((3, 100), (2, 150), (1, 200), (0, 250)):
        seed.make_checkin(kr, author=ben, value=value, at=NOW - timedelta(weeks=weeks_ago))
    tiny = seed.make_kr(objective, "Case studies", target=10)
    seed.make_checkin(tiny, author=ben, value=2, at=NOW)


def expected_pipeline() -> tuple[str, str]:
    days_left = (END - NOW).total_seconds() / 86400
    projected = 250 + 50 / 7 * days_left
    needed = (600 - 250) / (days_left / 7)
    return f"{projected / 600:.2f}", f"{needed:,.0f}"  # a pace of ten or more is whole


def test_okr_cards_show_trend_forecast_verdict_and_pace(harness: Harness, seed: Seed) -> None:
    pipeline(seed)
    body = texts(harness.ask(""))
    score, needed = expected_pipeline()
    assert score == "0.79"
    assert (f"trend ▂▃▃▄ · at this pace *{score}* on Dec 31: a committed miss"
            f" · needs +{needed} leads a week") in body
    # One value is not a trend: no sparkline, no projection, but the pace needed is known.
    assert "not enough data for a forecast yet · needs +" in body


def test_aspirational_and_chinese_words(harness: Harness, seed: Seed) -> None:
    pipeline(seed, locale="zh", kind="aspirational")
    body = texts(harness.ask(""))
    score, needed = expected_pipeline()
    assert (f"走势 ▂▃▃▄ · 按此进度，12月31日 得分 *{score}*：高于 0.7（目标是否不够有挑战？）"
            f" · 每周需 +{needed} leads") in body


def test_home_shows_the_same_forecast(harness: Harness, seed: Seed) -> None:
    pipeline(seed)
    body = texts(open_home(harness))
    score, _ = expected_pipeline()
    assert f"trend ▂▃▃▄ · at this pace *{score}* on Dec 31: a committed miss" in body


def test_week_one_is_not_red(harness: Harness, seed: Seed) -> None:
    ben = seed.make_person("UBEN", name="Ben", tz="UTC")
    fresh = seed.make_cycle("2027-Q1 early", start=date(2026, 11, 27), end=date(2027, 2, 26))
    objective = seed.make_objective("Brand new", owner=ben, cycle=fresh)
    kr = seed.make_kr(objective, "Signups", target=100)
    # New and nobody checked in yet: not started — no colour, no 0.00 — on cards and the tree.
    card = texts(harness.ask(""))
    assert "⚪ *Brand new*" in card and "score *—*" in card
    assert "⚪ *Brand new* · Ben · —" in texts(harness.ask("tree"))
    seed.make_checkin(kr, author=ben, value=0, confidence="on_track")
    assert "🟢 *Brand new*" in texts(harness.ask(""))  # checked in: 0 after 3 days: on pace


def test_a_kr_far_behind_its_time_is_red_before_its_score_is(
    harness: Harness, seed: Seed
) -> None:
    ben = seed.make_person("UBEN", name="Ben", tz="UTC")
    late = seed.make_cycle("2026-late", start=date(2026, 9, 1), end=date(2026, 12, 20))
    behind = seed.make_objective("Far behind", owner=ben, cycle=late)
    seed.make_kr(behind, "Signups", target=100, current=45)
    # 0.45 is yellow by the guide's bands, but 90 of 110 days are gone: 0.37 behind its time.
    assert "🔴 *Far behind*" in texts(harness.ask(""))
    assert "🔴 *Far behind* · Ben · 0.45" in texts(harness.ask("tree"))
