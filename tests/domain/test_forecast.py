"""Forecasts: examples of each kind of series, and properties of the rule (bot/domain/forecast)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.digest_rules import ValuePoint
from bot.domain.forecast import (
    Basis,
    enough_data,
    forecast_kr,
    objective_forecast,
    recent_progress,
    theil_sen_slope,
    values_of,
)
from bot.domain.formatting import format_change, sparkline
from bot.domain.scoring import KRState, Verdict
from bot.domain.vocabulary import Direction, KRKind, ObjectiveType

START = datetime(2027, 1, 1, 9, tzinfo=UTC)
END = datetime(2027, 3, 31, 23, 59, tzinfo=UTC)  # 12.9 weeks after START
LEADS = KRState(KRKind.METRIC, start=0, target=600)
HOURS = KRState(KRKind.METRIC, start=48, target=24, direction=Direction.DECREASE)
COMMITTED = ObjectiveType.COMMITTED
ASPIRATIONAL = ObjectiveType.ASPIRATIONAL


def row(at: datetime, value: float) -> ValuePoint:
    """A value-history row that changed the value only."""
    return ValuePoint(at, value, None)


def weekly(values: list[float], first: datetime = START) -> list[ValuePoint]:
    return [row(first + timedelta(weeks=i), v) for i, v in enumerate(values)]


def at_week(points: list[ValuePoint]) -> datetime:
    return points[-1].at


def test_linear_series_projects_the_line_to_the_end() -> None:
    points = weekly([0, 20, 40, 60, 80])  # 20 leads a week
    forecast = forecast_kr(LEADS, points, objective_type=COMMITTED, now=at_week(points), end=END)
    days_left = (END - points[-1].at).total_seconds() / 86400
    assert forecast.basis is Basis.TREND
    assert forecast.per_week == pytest.approx(20)
    assert forecast.value == pytest.approx(80 + 20 / 7 * days_left)
    assert forecast.score == pytest.approx(forecast.value / 600)
    assert forecast.verdict is Verdict.MISSED  # ~0.45 of a committed Objective
    weeks_left = days_left / 7
    assert forecast.needed_per_week == pytest.approx(520 / weeks_left)


def test_stalled_series_stays_where_it_is() -> None:
    points = weekly([100, 300, 300, 300, 300, 300])
    forecast = forecast_kr(LEADS, points, objective_type=COMMITTED, now=at_week(points), end=END)
    assert forecast.per_week == 0
    assert forecast.value == 300
    assert forecast.score == pytest.approx(0.5)


def test_late_surge_counts_thanks_to_the_recent_window() -> None:
    points = weekly([0, 0, 0, 0, 0, 0, 0, 0, 100, 200])
    forecast = forecast_kr(LEADS, points, objective_type=ASPIRATIONAL, now=at_week(points), end=END)
    assert forecast.per_week == pytest.approx(50)  # median of the last four weeks' slopes
    assert forecast.value is not None and forecast.value > 200


def test_one_wild_value_does_not_swing_the_slope() -> None:
    points = weekly([0, 10, 20, 900, 40, 50])
    assert theil_sen_slope(points) * 7 == pytest.approx(10)


def test_decreasing_kr_heading_to_its_target() -> None:
    points = weekly([48, 45, 42, 39])  # -3 h a week, 24 h wanted
    forecast = forecast_kr(HOURS, points, objective_type=COMMITTED, now=at_week(points), end=END)
    assert forecast.per_week == pytest.approx(-3)
    assert forecast.value is not None and forecast.value < 39
    assert forecast.score == 1.0  # it passes 24 h before the end
    assert forecast.verdict is Verdict.MET
    assert forecast.needed_per_week is not None and forecast.needed_per_week < 0


@pytest.mark.parametrize(
    ("values", "verdict"),
    [
        ([0, 30, 60, 90], Verdict.SUCCESS),  # ~0.65 at the end: the sweet spot
        ([0, 10, 20, 30], Verdict.MISSED),  # ~0.22
        ([0, 50, 100, 150], Verdict.EXCEEDED),  # above 0.7: target not ambitious?
    ],
)
def test_aspirational_verdicts(values: list[float], verdict: Verdict) -> None:
    kr = KRState(KRKind.METRIC, start=0, target=320)
    points = weekly(values, first=START + timedelta(weeks=6))
    forecast = forecast_kr(kr, points, objective_type=ASPIRATIONAL, now=at_week(points), end=END)
    assert forecast.verdict is verdict


def test_learning_objective_gets_a_projection_but_no_verdict() -> None:
    points = weekly([0, 20, 40])
    forecast = forecast_kr(
        LEADS, points, objective_type=ObjectiveType.LEARNING, now=at_week(points), end=END
    )
    assert forecast.score is not None
    assert forecast.verdict is None


@pytest.mark.parametrize(
    "points",
    [
        [],
        weekly([0, 50]),  # two values
        [row(START, 0), row(START + timedelta(days=6), 1), row(
            START + timedelta(days=13), 2)],  # three values over 13 days
    ],
)
def test_not_enough_data_projects_nothing(points: list[ValuePoint]) -> None:
    forecast = forecast_kr(LEADS, points, objective_type=COMMITTED, now=START, end=END)
    assert forecast.basis is Basis.NOT_ENOUGH_DATA
    assert (forecast.value, forecast.score, forecast.verdict) == (None, None, None)
    assert forecast.needed_per_week is not None  # the pace needed is known all the same


def test_milestones_are_done_or_not_known() -> None:
    open_one = KRState(KRKind.MILESTONE, current=0)
    done = KRState(KRKind.MILESTONE, current=1)
    history = weekly([0, 0, 0, 0])
    assert forecast_kr(open_one, history, objective_type=COMMITTED, now=START, end=END).basis \
        is Basis.NOT_ENOUGH_DATA
    finished = forecast_kr(done, [*history, row(START + timedelta(weeks=5), 1)],
                           objective_type=COMMITTED, now=START, end=END)
    assert (finished.basis, finished.score, finished.verdict) == (Basis.REACHED, 1.0, Verdict.MET)


def test_objective_forecast_needs_every_kr() -> None:
    assert objective_forecast([0.5, 1.0]) == 0.75
    assert objective_forecast([0.5, None]) is None
    assert objective_forecast([]) is None


def test_sparkline_and_recent_progress() -> None:
    assert sparkline([0, 0.5, 1]) == "▁▅█"
    assert sparkline([-1, 2, float("nan")]) == "▁█▁"
    points = weekly([48, 36, 24, 0, 10, 20, 30, 40, 45])
    assert recent_progress(HOURS, values_of(points)) == pytest.approx(
        [0.5, 1, 1, 1, 1, 0.75, 1 / 3, 0.125])
    assert sparkline(recent_progress(HOURS, values_of(points))) == "▅████▆▃▂"


def test_format_change_is_signed() -> None:
    assert format_change(28, "leads") == "+28 leads"
    assert format_change(-2.5, "h") == "-2.5 h"
    assert format_change(0) == "+0"


# --- properties ------------------------------------------------------------------------------

steps = st.lists(st.floats(min_value=0, max_value=100), min_size=3, max_size=12)
gaps = st.integers(min_value=1, max_value=21)


def series(deltas: list[float], days: int, sign: float, base: float) -> list[ValuePoint]:
    values, total = [], base
    for delta in deltas:
        total += sign * delta
        values.append(total)
    return [row(START + timedelta(days=i * days), v) for i, v in enumerate(values)]


@given(steps, gaps)
def test_monotone_rising_data_never_forecasts_backwards(deltas: list[float], days: int) -> None:
    points = series(deltas, days, +1, 0)
    kr = KRState(KRKind.METRIC, start=0, target=10_000)
    forecast = forecast_kr(kr, points, objective_type=COMMITTED, now=points[-1].at, end=END)
    if forecast.value is not None:
        assert forecast.value >= points[-1].value
        assert forecast.per_week is None or forecast.per_week >= 0


@given(steps, gaps)
def test_monotone_falling_data_never_forecasts_backwards(deltas: list[float], days: int) -> None:
    points = series(deltas, days, -1, 5_000)
    kr = KRState(KRKind.METRIC, start=5_000, target=-10_000, direction=Direction.DECREASE)
    forecast = forecast_kr(kr, points, objective_type=COMMITTED, now=points[-1].at, end=END)
    if forecast.value is not None:
        assert forecast.value <= points[-1].value


@given(st.lists(st.floats(min_value=-1000, max_value=1000), max_size=10), gaps,
       st.booleans(), st.sampled_from(list(ObjectiveType)))
def test_a_kr_at_its_target_stays_there(
    before: list[float], days: int, decreasing: bool, kind: ObjectiveType
) -> None:
    kr = (KRState(KRKind.METRIC, start=100, target=40, direction=Direction.DECREASE) if decreasing
          else KRState(KRKind.METRIC, start=40, target=100))
    points = [row(START + timedelta(days=i * days), v)
              for i, v in enumerate([*before, kr.target])]
    forecast = forecast_kr(kr, points, objective_type=kind, now=points[-1].at, end=END)
    assert forecast.basis is Basis.REACHED
    assert (forecast.value, forecast.score, forecast.needed_per_week) == (kr.target, 1.0, None)
    assert forecast.verdict is (None if kind is ObjectiveType.LEARNING else
                                {ObjectiveType.COMMITTED: Verdict.MET,
                                 ObjectiveType.ASPIRATIONAL: Verdict.EXCEEDED}[kind])


@given(st.lists(st.floats(min_value=-500, max_value=500), min_size=3, max_size=10), gaps)
def test_a_decreasing_kr_is_the_mirror_of_an_increasing_one(
    values: list[float], days: int
) -> None:
    rising = KRState(KRKind.METRIC, start=-600, target=600)
    falling = KRState(KRKind.METRIC, start=600, target=-600, direction=Direction.DECREASE)
    up = [row(START + timedelta(days=i * days), v) for i, v in enumerate(values)]
    down = [row(p.at, -p.value) for p in up]
    a = forecast_kr(rising, up, objective_type=COMMITTED, now=up[-1].at, end=END)
    b = forecast_kr(falling, down, objective_type=COMMITTED, now=up[-1].at, end=END)
    assert a.basis is b.basis
    assert a.verdict is b.verdict
    if a.score is not None and b.score is not None:
        assert a.score == pytest.approx(b.score, abs=1e-9)


@given(st.lists(st.sampled_from([0.0, 1.0]), max_size=10), gaps)
def test_milestones_never_have_a_trend(values: list[float], days: int) -> None:
    points = [row(START + timedelta(days=i * days), v) for i, v in enumerate(values)]
    done = bool(points) and points[-1].value >= 1
    kr = KRState(KRKind.MILESTONE, current=1.0 if done else 0.0)
    forecast = forecast_kr(kr, points, objective_type=COMMITTED, now=START, end=END)
    assert forecast.basis is (Basis.REACHED if done else Basis.NOT_ENOUGH_DATA)
    assert forecast.score == (1.0 if done else None)
    assert forecast.per_week in (0.0, None)


@given(st.lists(st.floats(min_value=-1e6, max_value=1e6), max_size=8), gaps)
def test_enough_data_means_three_values_over_two_weeks(values: list[float], days: int) -> None:
    points = [row(START + timedelta(days=i * days), v) for i, v in enumerate(values)]
    expected = len(points) >= 3 and (len(points) - 1) * days >= 14
    assert enough_data(points) is expected
