"""A team's calibration over its cycles (guide 五.3: learn to set better OKRs, never to pay by
score): are committed Objectives really reachable, aspirational ones ambitious enough, is
"on track" said honestly, are targets cut late to look good? Pure: the caller passes what each
cycle ended with.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from bot.domain.scoring import (
    ASPIRATIONAL_EXCEEDED,
    ASPIRATIONAL_SUCCESS,
    YELLOW_BELOW,
    Verdict,
    verdict,
)
from bot.domain.vocabulary import ObjectiveType

LATE_SHARE = 2 / 3  # a target change after two thirds of the cycle is "late"
_EPS = 1e-9


@dataclass(frozen=True)
class KROutcome:
    """How one KR of the cycle ended and what was said along the way."""

    final: float  # its final score (reviewed, else measured)
    on_track_answers: int  # check-ins that said "on track"
    target_changes: Sequence[tuple[date, float, float]]  # (day, old target, new target)
    start: float


@dataclass(frozen=True)
class ObjectiveOutcome:
    type: ObjectiveType
    score: float | None  # the mean of its KRs' finals, None without KRs
    krs: Sequence[KROutcome]


@dataclass(frozen=True)
class CycleCalibration:
    """One cycle of one team, counted."""

    cycle: str
    committed: int
    committed_met: int  # reached 1.0
    aspirational: int
    aspirational_sweet: int  # landed in 0.6-0.7
    aspirational_above: int  # above 0.7: not ambitious enough?
    on_track_answers: int  # every "on track" said of a KR
    on_track_below: int  # ... of those, about KRs that ended below 0.7
    late_cuts: int  # KRs whose target was made easier in the cycle's last third


def is_cut(old: float, new: float, start: float) -> bool:
    """A target change that makes the KR easier: the new target moved toward its start (600
    leads -> 500; 24 h -> 36 h when coming down from 48 h)."""
    return abs(new - old) > _EPS and (new - old) * (start - old) > 0


def late(day: date, start: date, end: date) -> bool:
    """Whether `day` falls in the last third of the cycle [start, end]."""
    span = (end - start).days
    return span > 0 and (day - start).days >= LATE_SHARE * span


def calibrate(
    cycle: str, start: date, end: date, objectives: Iterable[ObjectiveOutcome]
) -> CycleCalibration:
    """Count one cycle's outcomes (learning Objectives count only for honesty and cuts)."""
    committed = met = aspirational = sweet = above = said = said_below = cuts = 0
    for objective in objectives:
        if objective.type is ObjectiveType.COMMITTED and objective.score is not None:
            committed += 1
            met += verdict(objective.type, objective.score) is Verdict.MET
        elif objective.type is ObjectiveType.ASPIRATIONAL and objective.score is not None:
            aspirational += 1
            sweet += ASPIRATIONAL_SUCCESS - _EPS <= objective.score <= ASPIRATIONAL_EXCEEDED + _EPS
            above += objective.score > ASPIRATIONAL_EXCEEDED + _EPS
        for kr in objective.krs:
            said += kr.on_track_answers
            if kr.final < YELLOW_BELOW - _EPS:
                said_below += kr.on_track_answers
            cuts += any(late(day, start, end) and is_cut(old, new, kr.start)
                        for day, old, new in kr.target_changes)
    return CycleCalibration(cycle, committed, met, aspirational, sweet, above, said, said_below,
                            cuts)
