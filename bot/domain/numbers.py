"""Numbers as people type them, in one reader for every input (check-in values, KR start and
target): "1,234", "1 234", full-width "１２３４", "45%", "-3.5", and the Chinese units
"0.8万" (8,000) and "1.2亿", with the KR's own unit around it ("5万人", "¥1,200")."""

from __future__ import annotations

import math
import re
import unicodedata

MAX_VALUE_TEXT = 64
_GROUPED = re.compile(r"^[+-]?\d{1,3}(?:[, ]\d{3})+(?:\.\d+)?$")
_PLAIN = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")
_MINUS_SIGNS = str.maketrans({"\u2212": "-", "\u2013": "-"})
_MULTIPLIERS = {"万": 1e4, "萬": 1e4, "亿": 1e8, "億": 1e8}


def normalise_number_text(text: str, unit: str = "") -> str:
    """Full-width forms to ASCII, spaces collapsed, a trailing % and the KR's unit removed."""
    cleaned = unicodedata.normalize("NFKC", text).translate(_MINUS_SIGNS)
    cleaned = " ".join(cleaned.split())
    unit = unicodedata.normalize("NFKC", unit).strip()
    for suffix in (unit, "%"):
        if suffix and cleaned.lower().endswith(suffix.lower()):
            cleaned = cleaned[: -len(suffix)].strip()
    if unit and cleaned.startswith(unit):
        cleaned = cleaned[len(unit) :].strip()
    return cleaned


def parse_number(text: str, unit: str = "") -> float | None:
    """The number in `text`, or None when it is not one."""
    cleaned = normalise_number_text(text, unit)
    if len(cleaned) > MAX_VALUE_TEXT:
        return None
    factor = _MULTIPLIERS.get(cleaned[-1:], 1.0)
    if factor != 1.0:
        cleaned = cleaned[:-1].strip()
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "").replace(" ", "")
    if not _PLAIN.match(cleaned):
        return None
    value = float(cleaned) * factor
    return value if math.isfinite(value) else None
