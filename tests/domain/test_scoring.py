"""Scores, colours, verdicts and pace, table-driven."""

from __future__ import annotations

import math
from datetime import date
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.scoring import (
    Colour,
    KRState,
    Pace,
    Verdict,
    colour,
    elapsed_fraction,
    kr_score,
    metric_progress,
    objective_score,
    pace,
    score_at,
    time_colour,
    verdict,
)
from bot.domain.vocabulary import Confidence, Direction, KRKind, ObjectiveType
from storage import models

METRIC = KRKind.METRIC
MILESTONE = KRKind.MILESTONE


@pytest.mark.parametrize(
    ("start", "target", "current", "expected"),
    [
        (0, 600, 0, 0.0),  # leads: nothing yet
        (0, 600, 300, 0.5),
        (0, 600, 600, 1.0),
        (35, 60, 47.5, 0.5),  # NPS 35 -> 60
        (15, 25, 17, 0.2),  # market share 15% -> 25%
        (4, 1, 4, 0.0),  # response time 4 h -> 1 h, decreasing
        (4, 1, 2, 2 / 3),
        (4, 1, 1, 1.0),
        (100, 85, 94, 0.4),  # energy per unit down 15%
        (0, 600, 900, 1.0),  # overshoot clips to 1
        (4, 1, 0.5, 1.0),  # decreasing overshoot clips to 1
        (0, 600, -50, 0.0),  # went backwards: clips to 0
        (4, 1, 6, 0.0),  # decreasing metric got worse
        (-10, 10, 0, 0.5),  # negative start
        (-5, -20, -12.5, 0.5),  # negative values, decreasing
        (0, 100, math.inf, 1.0),
        (0, 100, math.nan, 0.0),
    ],
)
def test_metric_progress(start: float, target: float, current: float, expected: float) -> None:
    assert metric_progress(start, target, current) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("direction", "current", "expected"),
    [
        (Direction.INCREASE, 10, 1.0),
        (Direction.INCREASE, 9, 0.0),
        (Direction.DECREASE, 10, 1.0),
        (Direction.DECREASE, 11, 0.0),
        (Direction.DECREASE, 9, 1.0),
    ],
)
def test_target_equal_to_start_is_decided_by_direction(
    direction: Direction, current: float, expected: float
) -> None:
    assert metric_progress(10, 10, current, direction) == expected


@pytest.mark.parametrize(
    ("kr", "expected"),
    [
        (KRState(METRIC, start=0, target=3000, current=1500), 0.5),
        (KRState(METRIC, start=4, target=1, current=3, direction=Direction.DECREASE), 1 / 3),
        (KRState(MILESTONE, current=0), 0.0),
        (KRState(MILESTONE, current=1), 1.0),
        (KRState(MILESTONE, current=0.5), 0.0),  # a milestone is never half done
        (KRState(MILESTONE, current=0, done=True), 1.0),  # the flag wins
        (KRState(MILESTONE, current=1, done=False), 0.0),
    ],
)
def test_kr_score(kr: KRState, expected: float) -> None:
    assert kr_score(kr) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ([1.0, 0.5, 0.0], 0.5),
        ([0.7], 0.7),
        ([0.6, 0.8], 0.7),
        ([1.5, 0.5], 0.75),  # out-of-range inputs are clipped first
        ([], None),  # no KR: not scored, rather than a red 0
    ],
)
def test_objective_score_is_mean_of_kr_scores(scores: list[float], expected: float | None) -> None:
    assert objective_score(scores) == (None if expected is None else pytest.approx(expected))


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (0.0, Colour.RED),
        (0.3, Colour.RED),
        (0.39, Colour.RED),
        (0.4, Colour.YELLOW),
        (0.6, Colour.YELLOW),
        (0.69, Colour.YELLOW),
        (0.7, Colour.GREEN),
        (0.1 * 7, Colour.GREEN),  # 0.7000000000000001
        (0.3 + 0.4 - 1e-12, Colour.GREEN),  # float noise below 0.7 stays green
        (1.0, Colour.GREEN),
    ],
)
def test_colour_bands(score: float, expected: Colour) -> None:
    assert colour(score) is expected


@pytest.mark.parametrize(
    ("objective_type", "score", "note", "expected"),
    [
        (ObjectiveType.COMMITTED, 1.0, None, Verdict.MET),
        (ObjectiveType.COMMITTED, 0.99, None, Verdict.MISSED),
        (ObjectiveType.COMMITTED, 0.7, None, Verdict.MISSED),
        (ObjectiveType.COMMITTED, None, None, Verdict.UNSCORED),
        (ObjectiveType.ASPIRATIONAL, 1.0, None, Verdict.EXCEEDED),
        (ObjectiveType.ASPIRATIONAL, 0.71, None, Verdict.EXCEEDED),
        (ObjectiveType.ASPIRATIONAL, 0.7, None, Verdict.SUCCESS),
        (ObjectiveType.ASPIRATIONAL, 0.65, None, Verdict.SUCCESS),
        (ObjectiveType.ASPIRATIONAL, 0.6, None, Verdict.SUCCESS),
        (ObjectiveType.ASPIRATIONAL, 0.59, None, Verdict.PARTIAL),
        (ObjectiveType.ASPIRATIONAL, 0.4, None, Verdict.PARTIAL),
        (ObjectiveType.ASPIRATIONAL, 0.39, None, Verdict.MISSED),
        (ObjectiveType.ASPIRATIONAL, None, None, Verdict.UNSCORED),
        (ObjectiveType.LEARNING, 0.0, "东南亚市场物流成本过高,暂不进入", Verdict.LEARNED),
        (ObjectiveType.LEARNING, 1.0, None, Verdict.NO_LEARNING),
        (ObjectiveType.LEARNING, 1.0, "   ", Verdict.NO_LEARNING),
        (ObjectiveType.LEARNING, None, "Video beats text for onboarding", Verdict.LEARNED),
    ],
)
def test_verdict_reads_score_by_type(
    objective_type: ObjectiveType, score: float | None, note: str | None, expected: Verdict
) -> None:
    assert verdict(objective_type, score, note) is expected


START, END = date(2026, 10, 1), date(2026, 12, 31)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2026, 9, 20), 0.0),  # before the cycle
        (START, 0.0),
        (date(2026, 11, 15), 45 / 91),
        (END, 1.0),
        (date(2027, 1, 10), 1.0),  # after the cycle
    ],
)
def test_elapsed_fraction(today: date, expected: float) -> None:
    assert elapsed_fraction(START, END, today) == pytest.approx(expected)


def test_elapsed_fraction_of_a_zero_length_cycle() -> None:
    assert elapsed_fraction(END, END, date(2026, 12, 30)) == 0.0
    assert elapsed_fraction(END, END, END) == 1.0


@pytest.mark.parametrize(
    ("progress", "expected_share", "expected"),
    [
        (0.5, 0.5, Pace.ON_PACE),
        (0.4, 0.5, Pace.ON_PACE),  # within the 0.1 tolerance
        (0.39, 0.5, Pace.BEHIND),
        (0.9, 0.5, Pace.ON_PACE),
        (0.0, 0.0, Pace.ON_PACE),
        (0.0, 1.0, Pace.BEHIND),
    ],
)
def test_pace(progress: float, expected_share: float, expected: Pace) -> None:
    assert pace(progress, expected_share) is expected


@pytest.mark.parametrize(
    ("enum", "stored"),
    [
        (ObjectiveType, models.OBJECTIVE_TYPES),
        (KRKind, models.KR_KINDS),
        (Direction, models.DIRECTIONS),
        (Confidence, models.CONFIDENCES),
    ],
)
def test_enum_values_match_storage_vocabulary(enum: type[StrEnum], stored: tuple[str, ...]) -> None:
    assert sorted(member.value for member in enum) == sorted(stored)


@pytest.mark.parametrize(
    ("score", "elapsed", "projected", "expected"),
    [
        (0.0, 1 / 13, None, "green"),  # week one: nothing yet, nothing wrong
        (0.0, 0.3, None, "yellow"),  # 0.3 behind its time
        (0.0, 0.5, None, "red"),  # half the cycle gone, nothing done
        (0.3, 0.5, None, "yellow"),
        (0.45, 0.5, None, "green"),  # on pace though in the yellow band
        (0.8, 0.9, None, "green"),  # already green stays green
        (0.3, 0.5, 0.9, "green"),  # behind, but the trend reaches 0.9
        (0.5, 0.5, 0.2, "red"),  # on pace today, but the trend says 0.2
        (0.5, 1.0, None, "yellow"),  # the end: the guide's bands on the score
        (0.5, 1.0, 1.0, "yellow"),  # ... whatever a forecast said
        (0.2, 1.0, None, "red"),
    ],
)
def test_time_colour(score: float, elapsed: float, projected: float | None, expected: str) -> None:
    assert time_colour(score, elapsed, projected).value == expected


@given(st.floats(0, 1), st.floats(0, 1), st.one_of(st.none(), st.floats(0, 1)))
def test_time_colour_is_never_worse_than_the_score_alone_when_green(
    score: float, elapsed: float, projected: float | None
) -> None:
    if colour(score) is Colour.GREEN:
        assert time_colour(score, elapsed, projected) is Colour.GREEN
    if elapsed >= 1:
        assert time_colour(score, elapsed, projected) is colour(score)


_FINITE = st.floats(-1e6, 1e6)


@given(st.sampled_from(list(KRKind)), _FINITE, _FINITE, _FINITE, _FINITE,
       st.sampled_from(list(Direction)))
def test_score_at_a_value_is_the_score_of_the_kr_standing_at_that_value(
    kind: KRKind, start: float, target: float, current: float, value: float,
    direction: Direction,
) -> None:
    """`score_at` (a sparkline's points) is `kr_score` of the KR moved to `value`, its
    milestone `done` flag left out: one rule, read from a value instead of the KR."""
    kr = KRState(kind, start, target, current, direction, done=True)
    moved = KRState(kind, start, target, value, direction)
    assert score_at(kr, value) == kr_score(moved)
