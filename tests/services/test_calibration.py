"""A team's calibration across stored cycles, over a real database: counted per cycle, oldest
first, in a fixed number of statements, and shown in the Markdown review export."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.clock import FakeClock
from bot.rendering import load_catalogue
from bot.review_markdown import calibration_markdown
from bot.services.review.calibration import team_calibrations
from bot.services.review.export import review_calibrations
from storage.db import Database
from storage.models import KRReview, KRValueHistory
from storage.queries.cycles import cycle_named
from tests.scenarios.seed import Seed
from tests.storage.test_okr_views import counting


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=UTC)


def seed_two_cycles(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    clock.set(at(date(2026, 7, 1)))
    ana = seed.make_person("UANA", name="Ana")
    growth = seed.make_team("Growth | Ops", leads=[ana])
    q3 = seed.make_cycle("2026-Q3", start=date(2026, 7, 1), end=date(2026, 9, 30), state="closed")
    met = seed.make_objective("Ship it", owner=growth, cycle=q3)
    seed.make_kr(met, "Release", kind="milestone", current=1)
    moon = seed.make_objective("Go big", owner=ana, cycle=q3, type="aspirational")
    big = seed.make_kr(moon, "Signups", target=1000, current=900)
    honest = seed.make_objective("Be honest", owner=ana, cycle=q3, type="learning")
    rosy = seed.make_kr(honest, "Interviews", target=10)
    seed.make_checkin(rosy, author=ana, value=2, at=at(date(2026, 8, 3)))  # "on track"
    seed.make_checkin(rosy, author=ana, value=3, at=at(date(2026, 9, 7)))  # "on track", ends 0.3
    with db.write() as session:  # Signups: 1000 cut to 950 on Sep 20, in the last third
        session.add(KRValueHistory(key_result_id=big.id, at=at(date(2026, 7, 1)),
                                   target_value=1000, source="import"))
        session.add(KRValueHistory(key_result_id=big.id, at=at(date(2026, 9, 20)),
                                   target_value=950, source="slack"))
    clock.set(at(date(2026, 10, 1)))
    q4 = seed.make_cycle("2026-Q4", start=date(2026, 10, 1), end=date(2026, 12, 31))
    miss = seed.make_objective("Grow", owner=growth, cycle=q4)
    leads = seed.make_kr(miss, "Leads", target=600, current=540)
    sweet = seed.make_objective("Be loved", owner=growth, cycle=q4, type="aspirational")
    seed.make_kr(sweet, "NPS", start=35, target=60, current=51)  # 0.64
    with db.write() as session:
        session.add(KRReview(key_result_id=leads.id, final_score=0.9, updated_at=clock.now()))
    seed.make_objective("Somebody else's", owner=seed.make_person(name="Zed"), cycle=q4)


def test_each_cycle_is_counted_oldest_first(db: Database, clock: FakeClock) -> None:
    seed_two_cycles(db, clock)
    with db.read() as session:
        q4 = cycle_named("2026-Q4", session=session)
        assert q4 is not None
        with counting(db) as statements:
            [growth] = team_calibrations(session, q4)
    assert growth.team == "Growth | Ops"
    q3_counts, q4_counts = growth.cycles
    assert (q3_counts.cycle, q3_counts.committed, q3_counts.committed_met) == ("2026-Q3", 1, 1)
    # Signups ends 900 of 950 (0.95): above 0.7, and its target was cut late.
    assert (q3_counts.aspirational, q3_counts.aspirational_sweet,
            q3_counts.aspirational_above, q3_counts.late_cuts) == (1, 0, 1, 1)
    assert (q3_counts.on_track_answers, q3_counts.on_track_below) == (2, 2)
    assert (q4_counts.cycle, q4_counts.committed, q4_counts.committed_met) == ("2026-Q4", 1, 0)
    assert (q4_counts.aspirational, q4_counts.aspirational_sweet) == (1, 1)
    assert (q4_counts.on_track_answers, q4_counts.late_cuts) == (0, 0)
    assert len(statements) == 12  # whatever the number of cycles, teams or KRs


def test_the_markdown_review_has_a_calibration_section(db: Database, clock: FakeClock) -> None:
    seed_two_cycles(db, clock)
    words = load_catalogue("en")
    section = calibration_markdown(review_calibrations(db, cycle="2026-Q4"), words)
    assert section.startswith("\n## Calibration across cycles\n")
    assert "### Growth \\| Ops\n" in section
    assert "| 2026-Q3 | 1/1 | 0/1 | 1 | 2/2 | 1 |" in section
    assert "| 2026-Q4 | 0/1 | 1/1 | 0 | 0/0 | 0 |" in section
    q3_only = calibration_markdown(review_calibrations(db, cycle="2026-Q3"), words)
    assert "| 2026-Q3 | 1/1 |" in q3_only and "| 2026-Q4 |" not in q3_only
