"""Review and cycle rules: final scores as typed, the bar by type, alignment flags, dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.cycle_rules import (
    Flag,
    KRSignals,
    alignment_flags,
    review_open,
)
from bot.domain.review_rules import (
    CauseKind,
    KRReviewAnswer,
    KRReviewInput,
    ReviewError,
    parse_score,
    read_kr_review,
    under_bar,
)
from bot.domain.vocabulary import ObjectiveType

COMMITTED, ASPIRATIONAL, LEARNING = (ObjectiveType.COMMITTED, ObjectiveType.ASPIRATIONAL,
                                     ObjectiveType.LEARNING)
NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.mark.parametrize(("text", "expected"), [
    ("0.7", 0.7), ("0,7", 0.7), (".5", 0.5), ("70%", 0.7), ("100 %", 1.0), ("1", 1.0),
    (" 0 ", 0.0), ("1.5", ReviewError.OUT_OF_RANGE), ("150%", ReviewError.OUT_OF_RANGE),
    ("abc", ReviewError.NOT_A_SCORE), ("", ReviewError.NOT_A_SCORE),
    ("-0.2", ReviewError.NOT_A_SCORE), ("nan", ReviewError.NOT_A_SCORE),
])
def test_parse_score(text: str, expected: float | ReviewError) -> None:
    got = parse_score(text)
    if isinstance(expected, ReviewError):
        assert got is expected
    else:
        assert got == pytest.approx(expected)


@pytest.mark.parametrize(("kind", "score", "short"), [
    (COMMITTED, 1.0, False), (COMMITTED, 0.99, True), (ASPIRATIONAL, 0.6, False),
    (ASPIRATIONAL, 0.7 - 1e-12, False), (ASPIRATIONAL, 0.59, True), (ASPIRATIONAL, 0.1, True),
    (LEARNING, 0.0, False),
])
def test_the_bar_follows_the_objective_type(kind: ObjectiveType, score: float,
                                            short: bool) -> None:
    assert under_bar(kind, score) is short


def test_a_kr_under_its_bar_needs_a_cause() -> None:
    assert read_kr_review(COMMITTED, KRReviewInput("0.8")) == {
        "cause": ReviewError.CAUSE_REQUIRED}
    answer = read_kr_review(COMMITTED, KRReviewInput("0.8", "objective", " market fell "))
    assert answer == KRReviewAnswer(0.8, CauseKind.OBJECTIVE, "market fell")
    assert read_kr_review(ASPIRATIONAL, KRReviewInput("0.65")) == KRReviewAnswer(0.65, None, "")


def test_every_bad_field_is_reported_at_once() -> None:
    errors = read_kr_review(COMMITTED, KRReviewInput("abc", "maybe", "x" * 2001))
    assert errors == {"score": ReviewError.NOT_A_SCORE, "cause": ReviewError.NOT_A_CHOICE,
                      "note": ReviewError.TOO_LONG}


def test_review_opens_days_before_the_end() -> None:
    end = date(2026, 12, 31)
    assert not review_open(date(2026, 12, 23), end, 7)
    assert review_open(date(2026, 12, 24), end, 7)
    assert review_open(date(2027, 1, 3), end, 7)


@pytest.mark.parametrize(("signals", "flags"), [
    (KRSignals(0.3, NOW - timedelta(days=2), []), (Flag.RED,)),
    (KRSignals(0.5, NOW - timedelta(weeks=3), []), (Flag.STALLED,)),
    (KRSignals(0.5, NOW - timedelta(days=20), []), ()),
    (KRSignals(1.0, NOW - timedelta(weeks=8), []), ()),  # done: not stalled
    (KRSignals(0.8, NOW, ["at_risk", "on_track"]), (Flag.CONFIDENCE_FELL,)),
    (KRSignals(0.8, NOW, ["on_track", "off_track"]), ()),
    (KRSignals(0.1, NOW - timedelta(weeks=4), ["off_track", "at_risk", "on_track"]),
     (Flag.RED, Flag.STALLED, Flag.CONFIDENCE_FELL)),
])
def test_alignment_flags(signals: KRSignals, flags: tuple[Flag, ...]) -> None:
    assert alignment_flags(signals, NOW) == flags
