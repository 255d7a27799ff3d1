"""What is left of typed text once control characters are left out (`without_controls`)."""

from __future__ import annotations

import pytest

from bot.domain.text import without_controls


@pytest.mark.parametrize(("typed", "kept"), [
    ("Growth", "Growth"),
    ("Gro\x00wth", "Growth"),
    ("line one\nline two\tcolumn", "line one\nline two\tcolumn"),  # tab and newline stay
    ("\x1b[31mred\x7f", "[31mred"),
    ("carriage\r\nreturn", "carriage\nreturn"),
    ("\x01\x08\x0b\x0c\x1f", ""),
    ("长\u200b🎯 <@U1>", "长\u200b🎯 <@U1>"),  # only C0 controls and DEL go
])
def test_control_characters_are_left_out(typed: str, kept: str) -> None:
    assert without_controls(typed) == kept
