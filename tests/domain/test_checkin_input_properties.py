"""Hypothesis over the check-in modal's values (bot/domain/checkin_input.py): whatever is typed,
reading it never raises, and it is either an answer within the KR's bounds or field errors."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.checkin_input import (
    MAX_TEXT,
    ErrorCode,
    KRFacts,
    KRInput,
    PageNotesInput,
    read_kr,
    read_page_notes,
    value_bounds,
)
from bot.domain.numbers import parse_number
from bot.domain.vocabulary import KRKind

NUMBERS = st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12)
TYPED = st.one_of(st.text(max_size=70), st.sampled_from([
    "１２３", "1,234.5", "1 234", "45%", "−3", "1e309", "nan", "-inf", "0x1F", "1_000", "٣",
    "done", "not_done", "same", "", " ", "\u200b1", "1\u202e", "$1,200", "3,000人",
]))
FACTS = st.builds(KRFacts, kind=st.sampled_from(list(KRKind)), start=NUMBERS, target=NUMBERS,
                  unit=st.sampled_from(["", "%", "人", "$", "leads", "h"]), last=NUMBERS)


@settings(max_examples=500)
@given(text=TYPED, unit=st.sampled_from(["", "%", "人", "$", "leads"]))
def test_parse_number_returns_a_finite_number_or_none(text: str, unit: str) -> None:
    value = parse_number(text, unit)
    assert value is None or math.isfinite(value)


@settings(max_examples=500)
@given(facts=FACTS, value=TYPED, no_change=st.booleans(),
       confidence=st.sampled_from(["", "on_track", "at_risk", "off_track", "sure", "<!here>"]),
       force=st.booleans())
def test_a_kr_reading_is_an_answer_in_bounds_or_field_errors(
    facts: KRFacts, value: str, no_change: bool, confidence: str, force: bool
) -> None:
    reading = read_kr(facts, KRInput(value, no_change, confidence), force=force)
    if reading.errors:
        assert reading.answer is None
        assert set(reading.errors) <= {"value", "confidence"}
        assert all(isinstance(e.code, ErrorCode) for e in reading.errors.values())
        return
    if reading.answer is None:
        assert not (force or value.strip() or no_change or confidence)
        return
    answer = reading.answer.value
    if value.strip() and facts.kind is KRKind.METRIC:
        low, high = value_bounds(facts.start, facts.target)
        assert low <= answer <= high
    elif facts.kind is KRKind.MILESTONE and value.strip():
        assert answer in (0.0, 1.0)
    else:
        assert answer == facts.last


@settings(max_examples=300)
@given(progress=st.text(max_size=40) | st.just("x" * (MAX_TEXT + 1)),
       blockers=st.text(max_size=40), help_needed=st.text(max_size=40) | st.just(""),
       whom=st.sampled_from(["", "UANA", "UBEN", " UANA "]))
def test_notes_are_kept_trimmed_or_refused_field_by_field(
    progress: str, blockers: str, help_needed: str, whom: str
) -> None:
    reading = read_page_notes(PageNotesInput(progress, ("11",), help_needed, "12", whom),
                              asker="UANA", page_krs=[11, 12])
    assert set(reading.errors) <= {"blockers", "help", "whom"}
    if len(progress.strip()) > MAX_TEXT:
        assert reading.errors["blockers"].code is ErrorCode.TOO_LONG
    if whom.strip() == "UANA":
        assert reading.errors["whom"].code is ErrorCode.HELP_SELF
    assert reading.notes.blockers == progress.strip()
    assert reading.notes.blocker_krs == (frozenset({11}) if progress.strip() else frozenset())
