"""Scores, board colours, type-aware verdicts and pace (guide 三.2, 三.3).

A KR scores 0..1; an Objective scores the mean of its KRs. Bands are compared with a tiny
tolerance so that float noise (0.7 computed as 0.69999999) never flips a colour or verdict.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.domain.vocabulary import Direction, KRKind, ObjectiveType

_EPS = 1e-9

RED_BELOW = 0.4
YELLOW_BELOW = 0.7
ASPIRATIONAL_SUCCESS = 0.6  # 0.6-0.7 is success for a moonshot (三.1)
ASPIRATIONAL_EXCEEDED = 0.7  # above this it was not ambitious enough
ASPIRATIONAL_MISS = 0.4  # below this the moonshot missed
PACE_TOLERANCE = 0.1
FAR_BEHIND = 0.3  # mid-cycle: trailing the time elapsed by more than this is red


class Colour(StrEnum):
    """Board colour of a score (三.2)."""

    RED = "red"
    YELLOW = "yellow"
    GREEN = "green"


class Verdict(StrEnum):
    """What a final score means for an Objective of a given type."""

    MET = "met"  # committed, reached 1.0
    MISSED = "missed"  # committed below 1.0; aspirational below 0.4
    PARTIAL = "partial"  # aspirational 0.4 up to (not including) 0.6
    SUCCESS = "success"  # aspirational 0.6-0.7
    EXCEEDED = "exceeded"  # aspirational above 0.7
    LEARNED = "learned"  # learning, with a note of what was learned
    NO_LEARNING = "no_learning"  # learning, nothing recorded
    UNSCORED = "unscored"  # committed / aspirational without any KR


class Pace(StrEnum):
    ON_PACE = "on_pace"
    BEHIND = "behind"


@dataclass(frozen=True)
class KRState:
    """The numbers that make a KR's score.

    For a milestone, `done` wins when given; otherwise `current >= 1` means done.
    `direction` only matters for a metric whose target equals its start.
    """

    kind: KRKind
    start: float = 0.0
    target: float = 1.0
    current: float = 0.0
    direction: Direction = Direction.INCREASE
    done: bool | None = None


def _clip(value: float) -> float:
    if math.isnan(value):
        return 0.0
    return min(1.0, max(0.0, value))


def metric_progress(
    start: float, target: float, current: float, direction: Direction = Direction.INCREASE
) -> float:
    """(current - start) / (target - start), clipped to 0..1.

    Works for decreasing metrics as they are (4 h -> 1 h: current 2 h gives 2/3): the
    numbers decide the direction. When target == start (storage forbids it, drafts may not),
    the KR is 1.0 if current is at or past the target in `direction`, else 0.0.
    """
    span = target - start
    if span == 0:
        reached = current >= target if direction is Direction.INCREASE else current <= target
        return 1.0 if reached else 0.0
    return _clip((current - start) / span)


def kr_score(kr: KRState) -> float:
    """Score of one KR, 0..1: metric progress, or 0/1 for a milestone."""
    if kr.kind is KRKind.MILESTONE and kr.done is not None:
        return 1.0 if kr.done else 0.0
    return score_at(kr, kr.current)


def score_at(kr: KRState, value: float) -> float:
    """The score `kr` has when its value is `value` (a milestone is done at 1)."""
    if kr.kind is KRKind.MILESTONE:
        return 1.0 if value >= 1 else 0.0
    return metric_progress(kr.start, kr.target, value, kr.direction)


NOT_STARTED_DAYS = 14  # a new Objective nobody has checked in on is "not started" this long


def shown_score(score: float | None, *, checked_in: bool, age: timedelta) -> float | None:
    """The Objective score to show: None ("—", no colour) while it is new — younger than
    NOT_STARTED_DAYS, no KR checked in and nothing moved — so a new Objective is neither red
    nor 0.00; after that it is judged against its time like any other."""
    if score is not None and not checked_in and score <= 0 and age < timedelta(
            days=NOT_STARTED_DAYS):
        return None
    return score


def objective_score(kr_scores: Iterable[float]) -> float | None:
    """Mean of the KR scores; None when there is no KR.

    None, not 0: an Objective without KRs is not yet scored, and 0 would paint it red and
    count it as a miss.
    """
    scores = [_clip(s) for s in kr_scores]
    if not scores:
        return None
    return sum(scores) / len(scores)


def colour(score: float) -> Colour:
    """Board colour: below 0.4 red, below 0.7 yellow, else green."""
    if score < RED_BELOW - _EPS:
        return Colour.RED
    if score < YELLOW_BELOW - _EPS:
        return Colour.YELLOW
    return Colour.GREEN


def time_colour(score: float, elapsed: float, projected: float | None = None) -> Colour:
    """Board colour that judges a score against the time elapsed (`elapsed`, 0..1).

    At the cycle's end (`elapsed` >= 1) it is the guide's bands on the score (`colour`).
    Before: a score already in the green band is green; with a projected end score (a
    forecast) it is the guide's bands on that; without one, the gap between the share of the
    cycle elapsed and the score decides: up to 0.1 green, up to 0.3 yellow, more red. So week
    one is not all red, and a KR far behind its time turns red before its score does.
    """
    if elapsed >= 1.0 - _EPS or colour(score) is Colour.GREEN:
        return colour(score)
    if projected is not None:
        return colour(projected)
    gap = elapsed - score
    if gap <= PACE_TOLERANCE + _EPS:
        return Colour.GREEN
    if gap <= FAR_BEHIND + _EPS:
        return Colour.YELLOW
    return Colour.RED


def verdict(
    objective_type: ObjectiveType, score: float | None, learning_note: str | None = None
) -> Verdict:
    """Read a final score by Objective type (三.1).

    committed: 1.0 is met, anything less is missed. aspirational: above 0.7 exceeded,
    0.6-0.7 success, 0.4 up to 0.6 partial, below 0.4 missed. learning: judged by what was
    learned, so the verdict is LEARNED when a non-blank learning note exists, whatever the
    score.
    """
    if objective_type is ObjectiveType.LEARNING:
        has_note = learning_note is not None and learning_note.strip() != ""
        return Verdict.LEARNED if has_note else Verdict.NO_LEARNING
    if score is None:
        return Verdict.UNSCORED
    if objective_type is ObjectiveType.COMMITTED:
        return Verdict.MET if score >= 1.0 - _EPS else Verdict.MISSED
    if score > ASPIRATIONAL_EXCEEDED + _EPS:
        return Verdict.EXCEEDED
    if score >= ASPIRATIONAL_SUCCESS - _EPS:
        return Verdict.SUCCESS
    if score >= ASPIRATIONAL_MISS - _EPS:
        return Verdict.PARTIAL
    return Verdict.MISSED


def verdict_colour(outcome: Verdict, score: float) -> Colour:
    """The colour a reviewed Objective is shown with, agreeing with its verdict: a committed
    Objective at 0.79 is "missed" and so never green (the guide's bands on the score, capped
    at yellow); met, a success, exceeded or learned is green; partial yellow."""
    if outcome in (Verdict.MET, Verdict.SUCCESS, Verdict.EXCEEDED, Verdict.LEARNED):
        return Colour.GREEN
    if outcome is Verdict.PARTIAL:
        return Colour.YELLOW
    banded = colour(score)
    return Colour.YELLOW if banded is Colour.GREEN else banded


def elapsed_fraction(start: date, end: date, today: date) -> float:
    """Share of the cycle that has passed on `today`: 0 on the start date, 1 on the end date.

    Pass `today` as the local date of whoever reads it (time zones are the caller's job).
    """
    total = (end - start).days
    if total <= 0:
        return 1.0 if today >= end else 0.0
    return _clip((today - start).days / total)


def pace(progress: float, expected: float, tolerance: float = PACE_TOLERANCE) -> Pace:
    """ON_PACE unless progress trails the expected share of the cycle by more than tolerance.

    Meant for metric KRs and Objective scores; a milestone is 0 until done, so it always
    looks behind.
    """
    if progress < expected - tolerance - _EPS:
        return Pace.BEHIND
    return Pace.ON_PACE
