"""Row ids as payloads carry them (button values, `private_metadata`, block ids, paths)."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"[0-9]{1,10}")  # ASCII only: str.isdigit() also takes "²" and "٣"
MAX_ROW_ID = 2**31 - 1
"""Row ids are PostgreSQL `integer`s: a bigger number names no row, and binding it fails."""


def row_id(value: object) -> int | None:
    """A row id as Slack or a caller sends it back: a whole number written in ASCII digits (or
    an int), 0..MAX_ROW_ID; anything else (signs, spaces, "²", floats, bools) is None, never an
    error to log."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and _DIGITS.fullmatch(value):
        number = int(value)
    else:
        return None
    return number if 0 <= number <= MAX_ROW_ID else None
