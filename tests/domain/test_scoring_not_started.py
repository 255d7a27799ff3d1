"""A new Objective nobody has checked in on is "not started" (bot.domain.scoring.shown_score):
neither red nor 0.00, for two weeks; then it is judged against its time like any other."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.domain.scoring import NOT_STARTED_DAYS, shown_score

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
