"""Dates as people read them: their zone, their language, the year only when it differs."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.local_dates import format_date, format_day_time, local, zone

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(("day", "locale", "text"), [
    (date(2026, 11, 30), "en", "Nov 30"),
    (date(2026, 1, 2), "en", "Jan 2"),
    (date(2025, 12, 31), "en", "Dec 31, 2025"),
    (date(2026, 11, 30), "zh", "11月30日"),
    (date(2025, 12, 31), "zh", "2025年12月31日"),
])
def test_format_date(day: date, locale: str, text: str) -> None:
    assert format_date(day, locale, today=TODAY) == text


@pytest.mark.parametrize(("locale", "text"), [
    ("en", "Mon, Dec 7, 10:05"),
    ("zh", "12月7日（周一）10:05"),
])
def test_format_day_time(locale: str, text: str) -> None:
    moment = datetime(2026, 12, 7, 10, 5)  # a wall-clock time
    assert format_day_time(moment, locale, today=TODAY) == text


def test_local_moves_to_the_wall_clock_of_the_zone() -> None:
    instant = datetime(2026, 11, 29, 20, 0, tzinfo=UTC)
    assert local(instant, "Asia/Shanghai").date() == date(2026, 11, 30)
    assert local(instant, "America/New_York").hour == 15
    assert local(instant, "Not/AZone").hour == 20
    with pytest.raises(ValueError, match="aware"):
        local(datetime(2026, 1, 1), "UTC")


def test_unknown_zone_falls_back_to_utc() -> None:
    assert zone("Mars/Olympus") is UTC
    assert zone("Europe/Berlin") is not UTC
