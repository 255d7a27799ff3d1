"""One reading of a row id from a payload: digits or an int, within PostgreSQL's integer."""

from __future__ import annotations

import pytest

from bot.domain.row_ids import MAX_ROW_ID, row_id


@pytest.mark.parametrize(("value", "expected"), [
    ("42", 42), (42, 42), ("0", 0), (str(MAX_ROW_ID), MAX_ROW_ID),
    (str(MAX_ROW_ID + 1), None), (2**63, None), (str(2**70), None), (-1, None),
    ("-1", None), ("１２", None), ("12a", None), ("", None), (True, None), (None, None),
    (1.0, None), ([1], None),
])
def test_row_id(value: object, expected: int | None) -> None:
    assert row_id(value) == expected
