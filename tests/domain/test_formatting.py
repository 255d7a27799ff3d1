"""Progress bars and value formatting, table-driven."""

from __future__ import annotations

import math

import pytest

from bot.domain.formatting import (
    format_change,
    format_number,
    format_percent,
    format_score,
    format_value,
    progress_bar,
    value_and_target,
)


@pytest.mark.parametrize(
    ("fraction", "cells", "expected"),
    [
        (0.0, 10, "░░░░░░░░░░"),
        (0.4, 10, "▓▓▓▓░░░░░░"),
        (0.7, 10, "▓▓▓▓▓▓▓░░░"),  # 0.7 * 10 is 6.999…: still seven cells
        (0.99, 10, "▓▓▓▓▓▓▓▓▓░"),  # full only when done
        (1.0, 10, "▓▓▓▓▓▓▓▓▓▓"),
        (1.7, 10, "▓▓▓▓▓▓▓▓▓▓"),
        (-0.2, 10, "░░░░░░░░░░"),
        (math.nan, 10, "░░░░░░░░░░"),
        (0.5, 4, "▓▓░░"),
    ],
)
def test_progress_bar(fraction: float, cells: int, expected: str) -> None:
    assert progress_bar(fraction, cells) == expected


def test_progress_bar_needs_a_cell() -> None:
    with pytest.raises(ValueError, match="at least one cell"):
        progress_bar(0.5, 0)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (12.5, "12.5"),
        (600.0, "600"),
        (0.0, "0"),
        (-0.0, "0"),
        (-0.001, "0"),
        (99.9, "99.9"),
        (1 / 3, "0.33"),
        (10000, "10,000"),
        (-2500.5, "-2,500.5"),
        (math.inf, "—"),
        (math.nan, "—"),
    ],
)
def test_format_number(value: float, expected: str) -> None:
    assert format_number(value) == expected


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (15, "%", "15%"),
        (3000, "人", "3,000人"),
        (4, "h", "4 h"),
        (600, "leads", "600 leads"),
        (1200, "$", "$1,200"),
        (-5, "€", "-€5"),
        (35, " points ", "35 points"),
        (12.5, "", "12.5"),
        (math.nan, "%", "—"),
    ],
)
def test_format_value(value: float, unit: str, expected: str) -> None:
    assert format_value(value, unit) == expected


@pytest.mark.parametrize(
    ("score", "score_text", "percent_text"),
    [(0.7, "0.70", "70%"), (1 / 3, "0.33", "33%"), (1.0, "1.00", "100%"), (None, "—", "—")],
)
def test_format_score_and_percent(score: float | None, score_text: str, percent_text: str) -> None:
    assert format_score(score) == score_text
    assert format_percent(score) == percent_text


@pytest.mark.parametrize(("current", "target", "unit", "pair"), [
    (12, 30, "interviews", ("12", "30 interviews")),
    (3000, 5000, "人", ("3,000", "5,000人")),
    (1200, 3000, "$", ("$1,200", "$3,000")),
    (0.5, 1, "", ("0.5", "1")),
])
def test_a_value_and_its_target_say_the_unit_once(
    current: float, target: float, unit: str, pair: tuple[str, str]
) -> None:
    assert value_and_target(current, target, unit) == pair


@pytest.mark.parametrize(("value", "unit", "text"), [
    (700.56, "人", "+701人"), (28.4, "leads", "+28 leads"), (1.5, "%", "+1.5%"),
    (0.25, "", "+0.25"), (-2, "h", "-2 h"), (-12.6, "h", "-13 h"),
])
def test_a_change_is_whole_from_ten_on(value: float, unit: str, text: str) -> None:
    assert format_change(value, unit) == text
