"""Forecasts as people read them: a KR's sparkline, where it is heading at the cycle's end, and
the pace it needs — for `/okr` cards, the App Home, the digest and the alignment check.

The rule is bot/domain/forecast.py; this module turns stored rows into its inputs and its
answer into words-ready fields (the words themselves are in `locales/*/forecast.yaml`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from bot.domain.digest_rules import ValuePoint
from bot.domain.forecast import (
    Basis,
    Forecast,
    end_of,
    forecast_kr,
    forecast_values,
    recent_progress,
    values_of,
)
from bot.domain.formatting import format_change, format_score, sparkline
from bot.domain.review_rules import under_bar
from bot.domain.scoring import KRState
from bot.domain.vocabulary import Direction, KRKind, ObjectiveType

MIN_SPARK = 2  # a sparkline of one value says nothing


@dataclass(frozen=True)
class ForecastLine:
    """One KR's forecast, formatted but in no language yet. `on` is the cycle's last day;
    `verdict` is a catalogue key under `forecast.verdict` ("committed.missed", …) or ""
    (learning, or no forecast); `needed` is the signed change a week ("+28 leads") or "";
    `miss` says the KR is heading below its type's bar."""

    spark: str
    known: bool
    score: str
    on: date
    verdict: str
    needed: str
    miss: bool


class StoredKR(Protocol):
    """What a forecast reads of a stored KR: an ORM `KeyResult` or a `KeyResultRow`."""

    @property
    def kind(self) -> str: ...
    @property
    def start_value(self) -> float: ...
    @property
    def target_value(self) -> float: ...
    @property
    def current_value(self) -> float: ...
    @property
    def direction(self) -> str: ...
    @property
    def unit(self) -> str: ...


def kr_state(kr: StoredKR) -> KRState:
    """The scoring inputs of a stored KR."""
    return KRState(
        kind=KRKind(kr.kind),
        start=kr.start_value,
        target=kr.target_value,
        current=kr.current_value,
        direction=Direction(kr.direction),
    )


def history_by_kr(
    rows: Iterable[tuple[int, datetime, float | None, float | None]],
) -> dict[int, list[ValuePoint]]:
    """Value-history rows (KR id, at, value, target) grouped by KR."""
    grouped: dict[int, list[ValuePoint]] = defaultdict(list)
    for kr_id, at, value, target in rows:
        grouped[kr_id].append(ValuePoint(at, value, target))
    return grouped


def forecast_of(
    kr: StoredKR, history: Sequence[ValuePoint], objective_type: str, *, now: datetime,
    end_date: date,
) -> Forecast:
    """The domain forecast of a stored KR at its cycle's end."""
    return forecast_kr(kr_state(kr), history, objective_type=ObjectiveType(objective_type),
                       now=now, end=end_of(end_date))


def forecast_line(
    kr: StoredKR, history: Sequence[ValuePoint], objective_type: str, *, now: datetime,
    end_date: date,
) -> tuple[Forecast, ForecastLine]:
    """The forecast of a stored KR and its formatted line."""
    state, kind, points = kr_state(kr), ObjectiveType(objective_type), values_of(history)
    forecast = forecast_values(state, points, objective_type=kind, now=now, end=end_of(end_date))
    progress = recent_progress(state, points)
    verdict = ""
    if forecast.verdict is not None:
        verdict = f"{kind.value}.{forecast.verdict.value}"
    needed = ""
    if forecast.needed_per_week is not None and forecast.basis is not Basis.REACHED:
        needed = format_change(forecast.needed_per_week, kr.unit)
    line = ForecastLine(
        spark=sparkline(progress) if len(progress) >= MIN_SPARK else "",
        known=forecast.known,
        score=format_score(forecast.score),
        on=end_date,
        verdict=verdict,
        needed=needed if kr.kind != KRKind.MILESTONE else "",
        miss=forecast.score is not None and under_bar(kind, forecast.score),
    )
    return forecast, line
