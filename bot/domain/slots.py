"""When check-in prompts, reminders and digests fall due: pure time-zone arithmetic.

A check-in slot is a person's local date (its `key` is the ISO date) at the schedule's
check-in time in the person's IANA zone; a digest slot is a period index in the team's zone.
Local wall times become UTC here (RELIABILITY.md §3): a wall time that does not exist (spring
forward) moves forward by the gap (02:30 → 03:30), an ambiguous one (fall back) takes its first
occurrence, and a local date that does not exist at all (Pacific/Apia, 2011-12-30) has no slot.

Cadences: `weekly` and `weekdays` prompt on every listed weekday of every week; `biweekly` on
every listed weekday of the first week of each 14-day period counted from `anchor_date`. A
schedule means what it says: `checkin_weekdays: mon,thu` prompts on Mondays and Thursdays
whatever the cadence. A biweekly digest falls on its weekday in the second week of its period
(it closes the period).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CHECKIN_CADENCES = ("weekly", "biweekly", "weekdays")
DIGEST_CADENCES = ("weekly", "biweekly", "off")
_ONE_DAY = timedelta(days=1)


_LONG_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_CHINESE_NAMES = "一二三四五六日"
_WEEKDAY_WORDS: dict[str, int] = {
    **{name: i for i, name in enumerate(WEEKDAY_NAMES)},
    **{name: i for i, name in enumerate(_LONG_NAMES)},
    **{f"周{c}": i for i, c in enumerate(_CHINESE_NAMES)},
    **{f"星期{c}": i for i, c in enumerate(_CHINESE_NAMES)},
    "周天": 6,
    "星期天": 6,
}


def parse_weekday(word: str) -> int:
    """`"thu"`, `"thursday"` or `"周四"` → 3; ValueError for anything else."""
    try:
        return _WEEKDAY_WORDS[word.strip().lower()]
    except KeyError:
        raise ValueError(f"unknown weekday {word!r}") from None


def parse_weekdays(text: str) -> tuple[int, ...]:
    """`"mon,thu"` → `(0, 3)` (sorted, no repeats); ValueError names a day it does not know."""
    words = text.replace(",", " ").replace("，", " ").replace("、", " ").split()
    if not words:
        raise ValueError("no weekday given")
    return tuple(sorted({parse_weekday(word) for word in words}))


def parse_weekend(text: str) -> tuple[int, ...]:
    """A team's weekend: `"sat,sun"` → `(5, 6)`; `""` → no weekend."""
    return parse_weekdays(text) if text.strip() else ()


def format_weekdays(days: Sequence[int]) -> str:
    """`(0, 3)` → `"mon,thu"`."""
    return ",".join(WEEKDAY_NAMES[d] for d in days)


@dataclass(frozen=True)
class Rhythm:
    """A team's schedule as plain values (storage's Schedule row, without the database)."""

    timezone: str = "UTC"
    checkin_cadence: str = "weekly"
    checkin_weekdays: tuple[int, ...] = (0,)
    checkin_time: time = time(10, 0)
    reminder_after_hours: int | None = 24
    digest_cadence: str = "biweekly"
    digest_weekday: int = 4
    digest_time: time = time(16, 0)
    anchor_date: date = date(2026, 1, 5)
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    weekend: tuple[int, ...] = (5, 6)  # Saturday, Sunday

    def __post_init__(self) -> None:
        if self.checkin_cadence not in CHECKIN_CADENCES:
            raise ValueError(f"unknown check-in cadence {self.checkin_cadence!r}")
        if self.digest_cadence not in DIGEST_CADENCES:
            raise ValueError(f"unknown digest cadence {self.digest_cadence!r}")
        if not self.checkin_weekdays or any(not 0 <= d <= 6 for d in self.checkin_weekdays):
            raise ValueError("check-in weekdays must be 0 (Monday) .. 6 (Sunday)")
        if not 0 <= self.digest_weekday <= 6:
            raise ValueError("digest weekday must be 0 (Monday) .. 6 (Sunday)")
        if self.work_start >= self.work_end:
            raise ValueError("working hours must start before they end")
        ZoneInfo(self.timezone)


@dataclass(frozen=True)
class Slot:
    """One due moment: `key` is the slot key stored with the delivery."""

    key: str
    local_date: date
    due_at: datetime


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """`day` at wall time `at` in `zone`, as aware UTC; None when `day` does not exist there.

    `fold=0` gives what RELIABILITY.md §3 asks: the first of two ambiguous instants, and for a
    wall time in a gap the offset from before the gap, which lands the same distance after it.
    """
    local = datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone)
    instant = local.astimezone(UTC)
    if instant.astimezone(zone).date() != day:
        return None
    return instant


def local_date(instant: datetime, tz: str) -> date:
    """The calendar date at `instant` in zone `tz`."""
    return instant.astimezone(ZoneInfo(tz)).date()


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += _ONE_DAY


def _week_index(rhythm: Rhythm, day: date) -> int:
    return (day - rhythm.anchor_date).days // 7


def is_checkin_day(rhythm: Rhythm, day: date) -> bool:
    """Whether the schedule asks for a check-in on local date `day`."""
    if day.weekday() not in rhythm.checkin_weekdays:
        return False
    return rhythm.checkin_cadence != "biweekly" or _week_index(rhythm, day) % 2 == 0


def checkin_slots(rhythm: Rhythm, tz: str, start: datetime, end: datetime) -> list[Slot]:
    """Check-in slots of a person in zone `tz` due in `[start, end]`, oldest first."""
    zone = ZoneInfo(tz)
    first = start.astimezone(zone).date() - _ONE_DAY
    last = end.astimezone(zone).date() + _ONE_DAY
    slots = []
    for day in _days(first, last):
        if not is_checkin_day(rhythm, day):
            continue
        due = local_to_utc(day, rhythm.checkin_time, zone)
        if due is not None and start <= due <= end:
            slots.append(Slot(day.isoformat(), day, due))
    return slots


def current_checkin_key(tz: str, now: datetime) -> str:
    """The slot key of a check-in sent at `now` outside the schedule (the person's local date)."""
    return local_date(now, tz).isoformat()


def digest_period(rhythm: Rhythm) -> timedelta:
    """How long one digest period is: 14 days for a biweekly digest, else 7 (weekly, or the
    length an on-demand digest covers when digests are off)."""
    return timedelta(days=14 if rhythm.digest_cadence == "biweekly" else 7)


def period_index(rhythm: Rhythm, day: date) -> int:
    """The digest period of team-local date `day`, counted in `digest_period`s from the anchor."""
    return (day - rhythm.anchor_date).days // digest_period(rhythm).days


def is_digest_day(rhythm: Rhythm, day: date) -> bool:
    """Whether the team's digest goes out on team-local date `day`."""
    if rhythm.digest_cadence == "off" or day.weekday() != rhythm.digest_weekday:
        return False
    return rhythm.digest_cadence == "weekly" or _week_index(rhythm, day) % 2 == 1


def digest_slots(rhythm: Rhythm, start: datetime, end: datetime) -> list[Slot]:
    """Digest slots of a team due in `[start, end]`; `key` is the period index."""
    zone = ZoneInfo(rhythm.timezone)
    first = start.astimezone(zone).date() - _ONE_DAY
    last = end.astimezone(zone).date() + _ONE_DAY
    slots = []
    for day in _days(first, last):
        if not is_digest_day(rhythm, day):
            continue
        due = local_to_utc(day, rhythm.digest_time, zone)
        if due is not None and start <= due <= end:
            slots.append(Slot(str(period_index(rhythm, day)), day, due))
    return slots


def is_away(day: date, absences: Collection[tuple[date, date]]) -> bool:
    """Whether local date `day` falls in one of the inclusive `(start, end)` absences."""
    return any(start <= day <= end for start, end in absences)
