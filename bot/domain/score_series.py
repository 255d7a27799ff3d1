"""An Objective's score over the weeks of its cycle, read back from its KRs' value history
(for the digest's chart). Pure: the caller passes the KRs' facts and the dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from bot.domain.digest_rules import KRFacts, snapshot_at
from bot.domain.forecast import end_of
from bot.domain.scoring import objective_score


def week_marks(start: date, today: date) -> list[date]:
    """The cycle's start and every seventh day after it up to `today`, then `today`."""
    marks = []
    day = start
    while day < today:
        marks.append(day)
        day += timedelta(days=7)
    return [*marks, today]


def objective_series(
    krs: Sequence[KRFacts], marks: Sequence[date], now: datetime
) -> list[tuple[date, float]]:
    """(date, Objective score) at the end of each mark (the last one: `now`), for the marks
    at which at least one of its KRs existed."""
    points = []
    for index, day in enumerate(marks):
        moment = now if index == len(marks) - 1 else min(end_of(day), now)
        snapshots = [s for s in (snapshot_at(kr, moment) for kr in krs) if s is not None]
        score = objective_score(s.score for s in snapshots)
        if score is not None:
            points.append((day, score))
    return points
