"""Plain-text formatting of scores and values, the same in every locale."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable

FULL_CELL = "▓"
EMPTY_CELL = "░"
NO_VALUE = "—"
SPARK_CELLS = "▁▂▃▄▅▆▇█"

_PREFIX_UNITS = frozenset("$€£¥￥₩₹")
_WORD_CHAR = re.compile(r"[A-Za-z0-9]")


def progress_bar(fraction: float, cells: int = 10) -> str:
    """A bar of `cells` cells, e.g. 0.4 -> "▓▓▓▓░░░░░░".

    The fraction is clipped to 0..1 and rounded down, so the bar is full only at 1.0.
    """
    if cells < 1:
        raise ValueError("a progress bar needs at least one cell")
    value = fraction if math.isfinite(fraction) else 0.0
    value = min(1.0, max(0.0, value))
    filled = math.floor(value * cells + 1e-9)
    return FULL_CELL * filled + EMPTY_CELL * (cells - filled)


def sparkline(fractions: Iterable[float]) -> str:
    """One cell per 0..1 fraction, low to high: [0, 0.5, 1] -> "▁▅█" (clipped; NaN is low)."""
    top = len(SPARK_CELLS) - 1
    cells = []
    for fraction in fractions:
        value = min(1.0, max(0.0, fraction)) if math.isfinite(fraction) else 0.0
        cells.append(SPARK_CELLS[round(value * top)])
    return "".join(cells)


def format_number(value: float, decimals: int = 2) -> str:
    """At most `decimals` decimals, no trailing zeros, thousands grouped: 12.5 -> "12.5",
    600.0 -> "600", 10000 -> "10,000". Non-finite values give "—".
    """
    if not math.isfinite(value):
        return NO_VALUE
    text = f"{value:,.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def format_value(value: float, unit: str = "", *, decimals: int = 2) -> str:
    """A number with its unit: "15%", "3,000人", "4 h", "600 leads", "$1,200".

    Currency symbols go before the number; symbols and CJK units attach without a space;
    word units (letters) get a space.
    """
    number = format_number(value, decimals)
    unit = unit.strip()
    if not unit or number == NO_VALUE:
        return number
    if unit in _PREFIX_UNITS:
        return f"-{unit}{number[1:]}" if number.startswith("-") else f"{unit}{number}"
    if _WORD_CHAR.match(unit):
        return f"{number} {unit}"
    return f"{number}{unit}"


def value_and_target(current: float, target: float, unit: str = "") -> tuple[str, str]:
    """A KR's value and target as a pair reads, the unit said once: ("12", "30 interviews"),
    ("3,000", "5,000人"); a currency stays on both ("$1,200", "$3,000")."""
    if unit.strip() in _PREFIX_UNITS:
        return format_value(current, unit), format_value(target, unit)
    return format_number(current), format_value(target, unit)


def format_change(value: float, unit: str = "") -> str:
    """A signed change with its unit: "+28 leads", "-2 h", "+0"; a change of ten or more is
    whole ("+701人", not "+700.56人"), a smaller one keeps what matters ("+1.5%", "+0.25")."""
    text = format_value(value, unit, decimals=0 if abs(value) >= 10 else 2)
    return text if text.startswith("-") or text == NO_VALUE else f"+{text}"


def format_score(score: float | None) -> str:
    """A 0..1 score with two decimals ("0.70"), or "—" when not scored."""
    if score is None or not math.isfinite(score):
        return NO_VALUE
    return f"{score:.2f}"


def format_percent(fraction: float | None) -> str:
    """A 0..1 fraction as a whole percent ("70%"), or "—"."""
    if fraction is None or not math.isfinite(fraction):
        return NO_VALUE
    return f"{round(fraction * 100)}%"
