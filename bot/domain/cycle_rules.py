"""Cycle rhythm rules: when the review opens, the monthly alignment check (guide 三.2), and
which KRs that check names. Pure: the caller passes local dates and stored numbers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from bot.domain.scoring import Colour, colour

STALL_AFTER = timedelta(weeks=3)
_CONFIDENCE_RANK = {"on_track": 2, "at_risk": 1, "off_track": 0}


class Flag(StrEnum):
    """Why the monthly alignment check names a KR."""

    RED = "red"
    STALLED = "stalled"
    CONFIDENCE_FELL = "confidence_fell"
    FORECAST_MISS = "forecast_miss"  # not red yet, but heading below its type's bar


def confidence_fell(before: str | None, now: str | None) -> bool:
    """Whether confidence went down from `before` to `now` (on track > at risk > off track);
    an unknown or missing one is no fall."""
    if before not in _CONFIDENCE_RANK or now not in _CONFIDENCE_RANK:
        return False
    return _CONFIDENCE_RANK[now] < _CONFIDENCE_RANK[before]


def review_open(today: date, end_date: date, days_before_end: int) -> bool:
    """Whether the review of a cycle ending `end_date` is open on the local date `today`."""
    return today >= end_date - timedelta(days=days_before_end)


def review_window_over(today: date, end_date: date, review_days: int) -> bool:
    """Whether a cycle ending `end_date` has had its `review_days` after the end: it closes."""
    return today > end_date + timedelta(days=review_days)


def carry_window_open(today: date, start_date: date, review_days: int) -> bool:
    """Whether Objectives may still be carried into a cycle that started on `start_date`: while
    it is being planned and for `review_days` after it starts (while the one before it is
    reviewed)."""
    return today <= start_date + timedelta(days=review_days)


def month_key(day: date) -> str:
    """"2026-12": the alignment check's period."""
    return f"{day.year:04d}-{day.month:02d}"


@dataclass(frozen=True)
class KRSignals:
    """What the alignment check reads of one KR."""

    score: float
    last_value_change: datetime  # the last value history entry, else when the KR was created
    confidences: Sequence[str]  # of its check-ins, newest first (blank ones left out)
    heading_for_miss: bool = False  # its forecast ends below its Objective type's bar


def alignment_flags(kr: KRSignals, now: datetime) -> tuple[Flag, ...]:
    """Red (score below 0.4), forecast to miss (heading below its type's bar before it is
    red), stalled (no value change for 3+ weeks, unless done) and confidence fell (the latest
    confidence below the one before it)."""
    flags: list[Flag] = []
    if colour(kr.score) is Colour.RED:
        flags.append(Flag.RED)
    elif kr.heading_for_miss:
        flags.append(Flag.FORECAST_MISS)
    if kr.score < 1 and now - kr.last_value_change >= STALL_AFTER:
        flags.append(Flag.STALLED)
    if len(kr.confidences) >= 2 and confidence_fell(kr.confidences[1], kr.confidences[0]):
        flags.append(Flag.CONFIDENCE_FELL)
    return tuple(flags)


def unaligned_team_objectives(
    objectives: Sequence[tuple[int, int | None, int | None]],
    team_parents: Mapping[int, int | None],
) -> set[int]:
    """The team (and department) Objectives that align to nothing though a team above theirs
    has Objectives in the cycle (guide: every level aligns to the level above).

    `objectives` are (id, owning team or None for a person's, parent Objective id or None) of
    one cycle's live Objectives; a parent outside them counts as none."""
    ids = {objective_id for objective_id, _, _ in objectives}
    with_objectives = {team for _, team, _ in objectives if team is not None}
    found = set()
    for objective_id, team, parent in objectives:
        if team is None or parent in ids:
            continue
        above, seen = team_parents.get(team), {team}
        while above is not None and above not in seen:
            if above in with_objectives:
                found.add(objective_id)
                break
            seen.add(above)
            above = team_parents.get(above)
    return found


def in_cycle(today: date, start_date: date, end_date: date) -> bool:
    """Whether the local date `today` falls within a cycle (an ended cycle gets no monthly
    alignment check, even before it is closed)."""
    return start_date <= today <= end_date
