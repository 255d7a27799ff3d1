"""Row ids as payloads carry them (button values, `private_metadata`, block ids)."""

from __future__ import annotations

MAX_ROW_ID = 2**31 - 1
"""Row ids are PostgreSQL `integer`s: a bigger number names no row, and binding it fails."""


def row_id(value: object) -> int | None:
    """A row id carried by a button value, `private_metadata` or a block id: an int or ASCII
    digits from 0 to `MAX_ROW_ID`; None for anything else (never an error to log)."""
    if isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 10:
        number = int(value)
    else:
        return None
    return number if 0 <= number <= MAX_ROW_ID else None
