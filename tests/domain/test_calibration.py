"""A team's calibration per cycle (guide 五.3), table-driven."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.calibration import (
    CycleCalibration,
    KROutcome,
    ObjectiveOutcome,
    calibrate,
    is_cut,
    late,
)
from bot.domain.vocabulary import ObjectiveType

START, END = date(2026, 10, 1), date(2026, 12, 31)  # 91 days: late from Dec 1 (day 61)
C, A, L = ObjectiveType.COMMITTED, ObjectiveType.ASPIRATIONAL, ObjectiveType.LEARNING


def kr(final: float, said: int = 0, changes: tuple[tuple[date, float, float], ...] = (),
       start: float = 0) -> KROutcome:
    return KROutcome(final, said, changes, start)


@pytest.mark.parametrize(("old", "new", "start", "cut"), [
    (600, 500, 0, True),  # fewer leads wanted
    (600, 700, 0, False),  # raised
    (24, 36, 48, True),  # 48 h -> 24 h became 48 h -> 36 h: easier
    (24, 12, 48, False),
    (600, 600, 0, False),
])
def test_a_cut_moves_the_target_toward_the_start(
    old: float, new: float, start: float, cut: bool
) -> None:
    assert is_cut(old, new, start) is cut


def test_late_means_the_last_third() -> None:
    assert not late(date(2026, 11, 30), START, END)
    assert late(date(2026, 12, 1), START, END)
    assert not late(START, START, START)


def test_a_cycle_is_counted() -> None:
    outcomes = [
        ObjectiveOutcome(C, 1.0, [kr(1.0, said=3)]),
        ObjectiveOutcome(C, 0.8, [kr(0.9, said=2), kr(0.6, said=4)]),  # 4 "on track", ended 0.6
        ObjectiveOutcome(A, 0.65, [kr(0.65, changes=((date(2026, 12, 10), 600, 500),))]),
        ObjectiveOutcome(A, 0.9, [kr(0.9, changes=((date(2026, 10, 20), 600, 500),))]),  # early
        ObjectiveOutcome(A, 0.3, [kr(0.3, said=1, changes=((date(2026, 12, 20), 500, 800),))]),
        ObjectiveOutcome(L, 0.1, [kr(0.1, said=2)]),  # learning: honesty still counts
        ObjectiveOutcome(C, None, []),  # no KR: not scored, not counted
    ]
    assert calibrate("2026-Q4", START, END, outcomes) == CycleCalibration(
        cycle="2026-Q4", committed=2, committed_met=1, aspirational=3, aspirational_sweet=1,
        aspirational_above=1, on_track_answers=12, on_track_below=7, late_cuts=1)
