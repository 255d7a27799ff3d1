"""Dates and times as a person reads them: in their own time zone and language.

Pure functions: the caller passes the zone name, the locale ('en' or 'zh') and the reader's
`today` (so "Nov 30" drops the year only when it is this year for them).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_ZH_WEEKDAYS = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def zone(name: str) -> tzinfo:
    """The IANA zone `name`, or UTC when the name is unknown (a stale or odd profile)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(when: datetime, tz: str) -> datetime:
    """`when` (aware) seen on the wall clock of zone `tz`."""
    if when.tzinfo is None:
        raise ValueError("local() needs an aware datetime")
    return when.astimezone(zone(tz))


def format_date(day: date, locale: str, *, today: date) -> str:
    """ "Nov 30" / "11月30日"; the year is added when it is not `today`'s year."""
    same_year = day.year == today.year
    if locale == "zh":
        text = f"{day.month}月{day.day}日"
        return text if same_year else f"{day.year}年{text}"
    text = f"{_EN_MONTHS[day.month - 1]} {day.day}"
    return text if same_year else f"{text}, {day.year}"


def format_day_time(moment: datetime, locale: str, *, today: date) -> str:
    """A local wall-clock moment with its weekday: "Mon, Dec 7, 10:00" / "12月7日（周一）10:00"."""
    day = moment.date()
    clock = f"{moment.hour:02d}:{moment.minute:02d}"
    if locale == "zh":
        return f"{format_date(day, locale, today=today)}（{_ZH_WEEKDAYS[day.weekday()]}）{clock}"
    weekday = _EN_WEEKDAYS[day.weekday()]
    return f"{weekday}, {format_date(day, locale, today=today)}, {clock}"
