"""One range check for a KR's value, asked by the check-in form and the KR value API."""

from __future__ import annotations

import pytest

from bot.domain.checkin_input import ErrorCode, KRFacts, check_value, range_problem
from bot.domain.vocabulary import KRKind


@pytest.mark.parametrize(("start", "target", "value", "code"), [
    (0, 30, 15, None),
    (0, 30, 30_000, None),
    (0, 30, 30_001, ErrorCode.OUT_OF_RANGE),
    (0, 30, -1, ErrorCode.NEGATIVE),
    (0, 30, -999_999_999_999_999, ErrorCode.NEGATIVE),
    (-10, 10, -10_000, None),
    (-10, 10, -10_001, ErrorCode.OUT_OF_RANGE),
    (4, 1, 0.5, None),
])
def test_range_problem(start: float, target: float, value: float, code: ErrorCode | None) -> None:
    problem = range_problem(value, start, target)
    assert (problem.code if problem else None) == code


def test_the_form_asks_the_same_check() -> None:
    facts = KRFacts(KRKind.METRIC, 0, 30, "", 0)
    for text, value in (("-5", -5.0), ("40000", 40_000.0), ("12", 12.0)):
        assert check_value(facts, text) == (range_problem(value, 0, 30) or value)
