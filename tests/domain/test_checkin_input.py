"""Reading the check-in modal's fields: numbers in every form people type them, ranges, notes."""

from __future__ import annotations

from datetime import date

import pytest

from bot.domain.checkin_input import (
    MAX_TEXT,
    ErrorCode,
    FieldError,
    KRAnswer,
    KRFacts,
    KRInput,
    PageNotesInput,
    check_value,
    period_key,
    read_kr,
    read_page_notes,
    value_bounds,
)
from bot.domain.numbers import parse_number
from bot.domain.vocabulary import Confidence, KRKind

LEADS = KRFacts(KRKind.METRIC, start=0, target=600, unit="leads", last=120)
PERCENT = KRFacts(KRKind.METRIC, start=20, target=50, unit="%", last=30)
RESPONSE = KRFacts(KRKind.METRIC, start=4, target=1, unit="h", last=3)
PROFIT = KRFacts(KRKind.METRIC, start=-50, target=20, unit="", last=-10)
LAUNCH = KRFacts(KRKind.MILESTONE, start=0, target=1, unit="", last=0)


@pytest.mark.parametrize(("text", "unit", "expected"), [
    ("45", "", 45.0),
    ("45%", "", 45.0),
    ("４５％", "%", 45.0),
    ("１２３４", "", 1234.0),
    ("１，２３４", "", 1234.0),
    ("1,234", "", 1234.0),
    ("1 234", "", 1234.0),
    ("1\u00a0234", "", 1234.0),
    ("1\u3000234", "", 1234.0),
    ("12,345,678.5", "", 12345678.5),
    ("１２．５", "", 12.5),
    (".5", "", 0.5),
    ("-3", "", -3.0),
    ("\u22123", "", -3.0),
    ("－３", "", -3.0),
    ("+7", "", 7.0),
    ("  600 leads ", "leads", 600.0),
    ("600 Leads", "leads", 600.0),
    ("3,000人", "人", 3000.0),
    ("$1,200", "$", 1200.0),
    ("2h", "h", 2.0),
    ("0.8万", "", 8000.0),  # as KR titles write it: "5万"
    ("5万人", "人", 50000.0),
    ("１．２亿", "", 120000000.0),
    ("3 万", "", 30000.0),
])
def test_numbers_are_read_in_every_form_people_type_them(
    text: str, unit: str, expected: float
) -> None:
    assert parse_number(text, unit) == expected


@pytest.mark.parametrize("text", [
    "", "abc", "12abc", "1,2", "1,23", "12,34,567", "1 2", "1.2.3", "--3", "nan", "inf",
    "1e3", "1e400", "四十五", "45 leads", "1" * 100, "万", "1万万", "1,2万",
])
def test_what_is_not_a_plain_number_is_refused(text: str) -> None:
    assert parse_number(text) is None


def test_value_bounds_allow_overshooting_but_not_absurd_values() -> None:
    assert value_bounds(0, 600) == (0.0, 600_000.0)
    assert value_bounds(4, 1) == (0.0, 4000.0)
    assert value_bounds(-50, 20) == (-50_000.0, 50_000.0)
    assert value_bounds(0, 0.5) == (0.0, 1000.0)


@pytest.mark.parametrize(("facts", "text", "expected"), [
    (LEADS, "240", 240.0),
    (LEADS, "0", 0.0),
    (LEADS, "900", 900.0),  # past the target is allowed
    (LEADS, "600,000", 600_000.0),
    (LEADS, "-1", FieldError(ErrorCode.NEGATIVE)),
    (LEADS, "600001", FieldError(ErrorCode.OUT_OF_RANGE, {"low": "0", "high": "600,000"})),
    (LEADS, "lots", FieldError(ErrorCode.NOT_A_NUMBER)),
    (PERCENT, "45%", 45.0),
    (RESPONSE, "2 h", 2.0),
    (PROFIT, "-20", -20.0),
    (PROFIT, "-50,001", FieldError(ErrorCode.OUT_OF_RANGE, {"low": "-50,000",
                                                           "high": "50,000"})),
    (LAUNCH, "done", 1.0),
    (LAUNCH, "not_done", 0.0),
    (LAUNCH, "1", FieldError(ErrorCode.NOT_A_CHOICE)),
])
def test_check_value(facts: KRFacts, text: str, expected: float | FieldError) -> None:
    assert check_value(facts, text) == expected


def test_a_blank_kr_is_left_alone() -> None:
    reading = read_kr(LEADS, KRInput())
    assert reading.answer is None
    assert reading.errors == {}


def test_a_forced_blank_kr_keeps_its_last_value_and_confidence() -> None:
    assert read_kr(LEADS, KRInput(), force=True).answer == KRAnswer(120.0, None)


@pytest.mark.parametrize(("typed", "expected"), [
    (KRInput(value="240"), KRAnswer(240.0, None)),
    (KRInput(no_change=True), KRAnswer(120.0, None)),
    (KRInput(value="120", no_change=True), KRAnswer(120.0, None)),
    (KRInput(confidence="at_risk"), KRAnswer(120.0, Confidence.AT_RISK)),
    (KRInput(value="１，２００", confidence="off_track"), KRAnswer(1200.0, Confidence.OFF_TRACK)),
])
def test_any_touched_field_answers_the_kr(typed: KRInput, expected: KRAnswer) -> None:
    reading = read_kr(LEADS, typed)
    assert reading.errors == {}
    assert reading.answer == expected


@pytest.mark.parametrize(("typed", "errors"), [
    (KRInput(value="240", no_change=True), {"value": ErrorCode.CONFLICT}),
    (KRInput(value="x"), {"value": ErrorCode.NOT_A_NUMBER}),
    (KRInput(confidence="sure"), {"confidence": ErrorCode.NOT_A_CHOICE}),
    (KRInput(value="-2", confidence="sure"),
     {"value": ErrorCode.NEGATIVE, "confidence": ErrorCode.NOT_A_CHOICE}),
])
def test_bad_fields_give_errors_and_no_answer(typed: KRInput, errors: dict[str, str]) -> None:
    reading = read_kr(LEADS, typed)
    assert reading.answer is None
    assert {name: e.code for name, e in reading.errors.items()} == errors


def test_a_kr_note_answers_the_kr_and_is_kept_trimmed() -> None:
    reading = read_kr(LEADS, KRInput(note=" two webinars done "))
    assert reading.answer == KRAnswer(120, None, "two webinars done")
    too_long = read_kr(LEADS, KRInput(note="x" * (MAX_TEXT + 1)))
    assert too_long.answer is None
    assert too_long.errors["note"].code is ErrorCode.TOO_LONG


def test_page_notes_are_trimmed_and_attached_to_the_chosen_krs() -> None:
    reading = read_page_notes(
        PageNotesInput(" legal review\n", ("11", "12"), "a budget", "13", "UBEN"),
        asker="UANA", page_krs=[11, 12, 13])
    assert reading.errors == {}
    notes = reading.notes
    assert (notes.blockers, notes.blocker_krs) == ("legal review", frozenset({11, 12}))
    assert (notes.help_needed, notes.help_kr, notes.help_from) == ("a budget", 13, "UBEN")
    assert notes.about(11) and notes.about(13) and not notes.about(14)


def test_with_one_kr_on_the_page_no_picker_is_needed() -> None:
    reading = read_page_notes(PageNotesInput("legal", (), "a budget"), asker="UANA",
                              page_krs=[11])
    assert reading.errors == {}
    assert (reading.notes.blocker_krs, reading.notes.help_kr) == (frozenset({11}), 11)


def test_a_pick_without_text_attaches_nothing() -> None:
    reading = read_page_notes(PageNotesInput("", ("11",), "", "12"), asker="UANA",
                              page_krs=[11, 12])
    assert reading.errors == {}
    assert (reading.notes.blocker_krs, reading.notes.help_kr) == (frozenset(), None)


@pytest.mark.parametrize(("typed", "errors"), [
    (PageNotesInput(blockers="界" * (MAX_TEXT + 1), blocker_krs=("11",)),
     {"blockers": ErrorCode.TOO_LONG}),
    (PageNotesInput(help_needed="y" * (MAX_TEXT + 1), help_kr="11", help_from="UBEN"),
     {"help": ErrorCode.TOO_LONG}),
    (PageNotesInput(help_from="UBEN"), {"help": ErrorCode.HELP_MISSING}),
    (PageNotesInput(help_needed="budget", help_kr="11", help_from="UANA"),
     {"whom": ErrorCode.HELP_SELF}),
    (PageNotesInput(blockers="legal"), {"blocker_krs": ErrorCode.WHICH_KR}),
    (PageNotesInput(help_needed="budget"), {"help_kr": ErrorCode.WHICH_KR}),
    (PageNotesInput(blockers="legal", blocker_krs=("99",)),
     {"blocker_krs": ErrorCode.NOT_A_CHOICE}),
    (PageNotesInput(help_needed="budget", help_kr="1e3"), {"help_kr": ErrorCode.NOT_A_CHOICE}),
])
def test_bad_page_notes_give_errors(typed: PageNotesInput, errors: dict[str, str]) -> None:
    reading = read_page_notes(typed, asker="UANA", page_krs=[11, 12])
    assert {name: e.code for name, e in reading.errors.items()} == errors


def test_text_of_exactly_the_limit_is_accepted() -> None:
    typed = PageNotesInput(blockers="x" * MAX_TEXT, blocker_krs=("11",))
    assert read_page_notes(typed, asker="UANA", page_krs=[11, 12]).errors == {}


@pytest.mark.parametrize(("day", "period"), [
    (date(2026, 11, 30), "2026-W49"),
    (date(2026, 12, 6), "2026-W49"),
    (date(2026, 12, 7), "2026-W50"),
    (date(2027, 1, 1), "2026-W53"),
    (date(2025, 12, 29), "2026-W01"),
])
def test_the_period_is_the_iso_week(day: date, period: str) -> None:
    assert period_key(day) == period
