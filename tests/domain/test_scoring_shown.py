"""Scores as people are shown them (bot.domain.scoring): a new Objective nobody has checked in
on is "not started" for two weeks; a reviewed Objective's colour agrees with its verdict."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.scoring import NOT_STARTED_DAYS, Colour, Verdict, shown_score, verdict_colour

NEW = timedelta(days=3)
OLD = timedelta(days=NOT_STARTED_DAYS)


@pytest.mark.parametrize(("score", "checked_in", "age", "shown"), [
    (0.0, False, NEW, None),  # new, nothing yet
    (0.0, True, NEW, 0.0),  # someone checked in: a real 0
    (0.3, False, NEW, 0.3),  # values imported: it has moved
    (0.0, False, OLD, 0.0),  # two weeks and nobody checked in: judged, may be red
    (None, False, NEW, None),  # no KR at all
])
def test_shown_score(score: float | None, checked_in: bool, age: timedelta,
                     shown: float | None) -> None:
    assert shown_score(score, checked_in=checked_in, age=age) == shown


@pytest.mark.parametrize(("outcome", "score", "shown"), [
    (Verdict.MISSED, 0.79, Colour.YELLOW),  # committed at 0.79: missed, never green
    (Verdict.MISSED, 0.2, Colour.RED),
    (Verdict.MET, 1.0, Colour.GREEN),
    (Verdict.SUCCESS, 0.65, Colour.GREEN),  # aspirational 0.65: a success, not yellow
    (Verdict.PARTIAL, 0.5, Colour.YELLOW),
    (Verdict.LEARNED, 0.1, Colour.GREEN),
])
def test_a_reviewed_objectives_colour_agrees_with_its_verdict(
    outcome: Verdict, score: float, shown: Colour
) -> None:
    assert verdict_colour(outcome, score) is shown
