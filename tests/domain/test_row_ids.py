"""How a row id is read back from Slack payloads: one function, bot.domain.row_ids.row_id."""

from __future__ import annotations

import pytest

from bot.domain.row_ids import MAX_ROW_ID, row_id


@pytest.mark.parametrize(("value", "expected"), [
    ("0", 0),
    ("42", 42),
    ("007", 7),
    (42, 42),
    (str(MAX_ROW_ID), MAX_ROW_ID),
    (MAX_ROW_ID, MAX_ROW_ID),
])
def test_ascii_digits_in_range_are_an_id(value: object, expected: int) -> None:
    assert row_id(value) == expected


@pytest.mark.parametrize("value", [
    "²", "٣", "４２", "-1", "+1", " 1", "1 ", "1\n", "1.0", "1e3", "", "0x1", "１",
    str(MAX_ROW_ID + 1), "9" * 40, -1, MAX_ROW_ID + 1, True, False, 1.0, None, [1], {"id": 1},
])
def test_anything_else_is_no_id(value: object) -> None:
    assert row_id(value) is None
