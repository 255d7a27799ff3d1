"""Where a Key Result is heading: a projection of its value to the cycle's end, the pace it
needs, and what that means for its Objective's type (guide 三.1, 三.2).

The rule, stated once (the README repeats it):

- A forecast needs at least `MIN_POINTS` values spanning at least `MIN_SPAN`; otherwise it says
  "not enough data" and projects nothing.
- The trend is the Theil–Sen slope (the median of the slopes between every pair of values) over
  the values of the last `FIT_WINDOW` (and at least the last `MIN_POINTS` values), so one typo
  cannot swing it and a late surge counts.
- The projection starts from the latest value and goes on at that slope until the cycle ends
  ("at this pace"). So monotone data never forecasts backwards, and a KR already at its target
  stays there.
- A milestone has no trend: done is 1.0, open is "not enough data" until it is done.
- The verdict reads the projected score as the end-of-cycle review would (`scoring.verdict`):
  committed — met or missed; aspirational — success (0.6–0.7), below, or exceeded (above 0.7:
  target not ambitious?); learning — no score verdict.

Pure: the caller passes UTC datetimes and stored numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from statistics import median
from typing import NamedTuple

from bot.domain.digest_rules import ValuePoint
from bot.domain.scoring import KRState, Verdict, kr_score, metric_progress, score_at, verdict
from bot.domain.vocabulary import KRKind, ObjectiveType

MIN_POINTS = 3
MIN_SPAN = timedelta(days=14)
FIT_WINDOW = timedelta(weeks=4)  # the pace of the last month (the monthly check, 三.2)
SPARK_POINTS = 8
_DAY = 86400.0


class Basis(StrEnum):
    """What a forecast rests on."""

    TREND = "trend"  # fitted on the value history
    REACHED = "reached"  # the target is reached: it stays there
    NOT_ENOUGH_DATA = "not_enough_data"  # fewer than 3 values, or under two weeks of them


@dataclass(frozen=True)
class Forecast:
    """A KR's forecast. `value`, `score` and `per_week` are None without enough data;
    `verdict` is None for a learning Objective or without a score; `needed_per_week` is the
    change a week that would reach the target by the end (None once the cycle is over or the
    target is reached)."""

    basis: Basis
    value: float | None
    score: float | None
    per_week: float | None
    needed_per_week: float | None
    verdict: Verdict | None

    @property
    def known(self) -> bool:
        return self.score is not None


class Point(NamedTuple):
    """One recorded value of a KR."""

    at: datetime
    value: float


def values_of(history: Iterable[ValuePoint]) -> list[Point]:
    """The recorded values of a KR's value history, oldest first (rows that changed only the
    target carry no value and are left out)."""
    points = [Point(p.at, p.value) for p in history if p.value is not None]
    return sorted(points, key=lambda p: p.at)


def end_of(day: date) -> datetime:
    """The moment `day` ends (UTC): a cycle ending on its `end_date` ends here."""
    return datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)


def theil_sen_slope(points: Sequence[Point]) -> float:
    """The median of the pairwise slopes, in value units per day (0 for fewer than two times)."""
    slopes = [
        (b.value - a.value) / ((b.at - a.at).total_seconds() / _DAY)
        for i, a in enumerate(points)
        for b in points[i + 1 :]
        if b.at != a.at
    ]
    return median(slopes) if slopes else 0.0


def enough_data(points: Sequence[Point]) -> bool:
    """At least `MIN_POINTS` values spanning at least `MIN_SPAN`."""
    return len(points) >= MIN_POINTS and points[-1].at - points[0].at >= MIN_SPAN


def fit_window(points: Sequence[Point]) -> Sequence[Point]:
    """The values the trend is fitted on: those of the last `FIT_WINDOW`, at least the last
    `MIN_POINTS`."""
    cut = points[-1].at - FIT_WINDOW
    recent = [p for p in points if p.at >= cut]
    return recent if len(recent) >= MIN_POINTS else points[-MIN_POINTS:]


def forecast_kr(
    kr: KRState,
    history: Iterable[ValuePoint],
    *,
    objective_type: ObjectiveType,
    now: datetime,
    end: datetime,
) -> Forecast:
    """The forecast of one KR at `end` (the cycle's last moment), seen at `now`.

    `history` is the KR's value history in any order; without any value in it, `kr.current`
    is the latest value.
    """
    return forecast_values(kr, values_of(history), objective_type=objective_type, now=now,
                           end=end)


def forecast_values(
    kr: KRState,
    points: Sequence[Point],
    *,
    objective_type: ObjectiveType,
    now: datetime,
    end: datetime,
) -> Forecast:
    """`forecast_kr` of the values already taken from a KR's history (`values_of`)."""
    weeks_left = max(0.0, (end - now).total_seconds() / (7 * _DAY))
    if kr.kind is KRKind.MILESTONE:
        return _milestone(kr, objective_type)
    latest = points[-1].value if points else kr.current
    needed = _needed(kr, latest, weeks_left)
    if _reached(kr, latest):
        return _judged(Basis.REACHED, kr, latest, 0.0, None, objective_type)
    if not enough_data(points):
        return Forecast(Basis.NOT_ENOUGH_DATA, None, None, None, needed, None)
    slope = theil_sen_slope(fit_window(points))
    days_left = max(0.0, (end - points[-1].at).total_seconds() / _DAY)
    projected = latest + slope * days_left
    return _judged(Basis.TREND, kr, projected, slope * 7, needed, objective_type)


def objective_forecast(kr_scores: Sequence[float | None]) -> float | None:
    """An Objective's projected score: the mean of its KRs' projected scores, only when every
    KR has one (a partial mean would flatter or blame the KRs that happen to have data)."""
    if not kr_scores or any(s is None for s in kr_scores):
        return None
    known = [s for s in kr_scores if s is not None]
    return sum(known) / len(known)


def recent_progress(kr: KRState, points: Sequence[Point], count: int = SPARK_POINTS
                    ) -> list[float]:
    """The 0..1 progress of the KR's last `count` values (`values_of` its history), oldest first
    (a sparkline's input)."""
    return [score_at(kr, p.value) for p in points[-count:]]


def _milestone(kr: KRState, objective_type: ObjectiveType) -> Forecast:
    if kr_score(kr) >= 1.0:
        return _judged(Basis.REACHED, kr, 1.0, 0.0, None, objective_type)
    return Forecast(Basis.NOT_ENOUGH_DATA, None, None, None, None, None)


def _reached(kr: KRState, value: float) -> bool:
    if kr.target == kr.start:
        return metric_progress(kr.start, kr.target, value, kr.direction) >= 1.0
    return (value - kr.target) * (kr.target - kr.start) >= 0


def _needed(kr: KRState, latest: float, weeks_left: float) -> float | None:
    if weeks_left <= 0 or _reached(kr, latest):
        return None
    return (kr.target - latest) / weeks_left


def _judged(
    basis: Basis,
    kr: KRState,
    value: float,
    per_week: float | None,
    needed: float | None,
    objective_type: ObjectiveType,
) -> Forecast:
    if kr.kind is KRKind.MILESTONE:
        score = 1.0
    else:
        score = metric_progress(kr.start, kr.target, value, kr.direction)
    judged = None if objective_type is ObjectiveType.LEARNING else verdict(objective_type, score)
    return Forecast(basis, value, score, per_week, needed, judged)
