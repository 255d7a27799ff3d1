"""The digest's forecasts over a real database: where each KR is heading, misses first, and the
Objective colour judged against time. Expected numbers follow the README's rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.clock import FakeClock
from bot.digest_render import render_digest
from bot.rendering import Renderer
from bot.services.digest.builder import build_digest
from storage.db import Database
from tests.scenarios.seed import Seed

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the conftest clock
END = datetime(2027, 1, 1, tzinfo=UTC)  # Q4's last day ends


def test_digest_says_where_each_kr_is_heading(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    ben = seed.make_person("UBEN", name="Ben")
    team = seed.make_team("Growth", channel_id="CGROWTH", leads=[ben])
    q4 = seed.make_cycle()
    committed = seed.make_objective("Fill the pipeline", owner=team, cycle=q4)
    leads = seed.make_kr(committed, "Qualified leads", target=600, unit="leads", owner=ben)
    moon = seed.make_objective("Be loved", owner=team, cycle=q4, type="aspirational")
    nps = seed.make_kr(moon, "NPS", start=35, target=60)
    for weeks_ago, value, score in ((3, 100, 40), (2, 150, 45), (1, 200, 50), (0, 250, 55)):
        at = NOW - timedelta(weeks=weeks_ago)
        seed.make_checkin(leads, author=ben, value=value, at=at)
        seed.make_checkin(nps, author=ben, value=score, at=at)
    new = seed.make_kr(moon, "Referrals", target=10)
    seed.make_checkin(new, author=ben, value=1, at=NOW)
    assert team.id is not None

    digest = build_digest(db, clock, team.id, period_start=NOW - timedelta(days=14),
                          period_end=NOW + timedelta(minutes=1))

    days_left = (END - NOW).total_seconds() / 86400
    leads_score = (250 + 50 / 7 * days_left) / 600
    needed = (600 - 250) / (days_left / 7)
    assert [(h.kr_title, h.forecast.score, h.forecast.verdict) for h in digest.heading] == [
        ("Qualified leads", f"{leads_score:.2f}", "committed.missed"),  # the miss comes first
        ("NPS", "1.00", "aspirational.exceeded"),  # 55 + 5 a week passes 60: not ambitious?
    ]  # Referrals has one value: not enough data, not listed
    lines = [b["text"]["text"] for p in render_digest(Renderer(), digest, "en")
             for b in p["blocks"] if b["type"] == "section"]
    text = "\n".join(lines)
    assert (f"• _Qualified leads_ (Ben): trend ▂▃▃▄ · at this pace *{leads_score:.2f}* on Dec 31:"
            f" a committed miss · needs +{needed:.0f} leads a week") in text
    colours = {o.title: o.colour for o in digest.objectives}
    # Fill the pipeline: 0.42 now, but its forecast is 0.79 — green. Be loved: (0.8 + 0.1) / 2
    # = 0.45 with 0.66 of the cycle gone and no forecast for Referrals — 0.21 behind: yellow.
    assert colours == {"Fill the pipeline": "green", "Be loved": "yellow"}
