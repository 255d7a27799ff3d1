"""One person's calendar: when any direct message may reach them (pure).

Time belongs to the person (DESIGN.md §4). A calendar is their IANA zone, their working hours
(the team's by default, read as wall times in the person's zone; a personal override from
`/okr hours`), their weekend and the holidays that apply to them (the team's, the person's own
and their region's), all judged on the person's *local* date.

Message kinds and the windows they may arrive in:
- routine kinds (check-in prompt, reminder, alignment check, review prompt, carry offer): inside
  working hours on a working day (not the weekend, not a holiday);
- `help` (someone asks the person for help): urgent, so the window is wider — from 08:00 (or the
  start of work, if earlier) to 20:00 (or the end of work, if later) — but still only on a
  working day, never at night, at the weekend or on the person's holiday.

A message due at an unsuitable instant waits for `next_moment`: the start of the next window.
Wall times become instants through `slots.local_to_utc`, so a window opening in a DST gap opens
when the gap ends and a date that does not exist in the zone (Pacific/Apia, 2011-12-30) has no
window at all.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.slots import Rhythm, local_to_utc

ROUTINE_KINDS = frozenset({"checkin", "reminder", "alignment", "review", "carry"})
URGENT_KINDS = frozenset({"help"})
DM_KINDS = ROUTINE_KINDS | URGENT_KINDS
# The outbox's kinds of direct message and the calendar kind each is judged as: a help request,
# the helper's ask and the answer back are all urgent. Posts in a channel are not judged here.
_OUTBOX_KINDS = {**{kind: kind for kind in ROUTINE_KINDS},
                 "help": "help", "help_ask": "help", "help_answer": "help"}
URGENT_START = time(8, 0)
URGENT_END = time(20, 0)
DEFAULT_WEEKEND = frozenset({5, 6})  # Saturday, Sunday
SEARCH_DAYS = 400  # more than a year of holidays cannot hide every working day
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Calendar:
    """A person's calendar as plain values; build one per recipient with `for_person`."""

    zone: str
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    weekend: frozenset[int] = DEFAULT_WEEKEND
    holidays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.work_start >= self.work_end:
            raise ValueError("working hours must start before they end")
        if len(self.weekend) >= 7 or any(not 0 <= d <= 6 for d in self.weekend):
            raise ValueError("a weekend is some of the days 0 (Monday) .. 6 (Sunday), not all")
        ZoneInfo(self.zone)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.zone)


def message_kind(outbox_kind: str) -> str | None:
    """The calendar kind of an outbox row's kind; None for posts in a channel."""
    return _OUTBOX_KINDS.get(outbox_kind)


def for_person(
    zone: str,
    team_hours: tuple[time, time],
    *,
    own_hours: tuple[time, time] | None = None,
    holidays: Collection[date] = (),
    weekend: Collection[int] = DEFAULT_WEEKEND,
) -> Calendar:
    """The calendar of someone in `zone`: their own hours when set, else the team's hours read
    as wall times in their zone; `holidays` are every holiday that applies to them (team,
    person and region), as dates of their own calendar."""
    start, end = own_hours or team_hours
    return Calendar(zone, start, end, frozenset(weekend), frozenset(holidays))


def for_team(rhythm: Rhythm, holidays: Collection[date] = ()) -> Calendar:
    """A team's own calendar (its zone, hours, weekend and holidays): when its channel posts
    go out, such as the digest and the month's first working day."""
    return Calendar(rhythm.timezone, rhythm.work_start, rhythm.work_end,
                    frozenset(rhythm.weekend), frozenset(holidays))


def local_day(calendar: Calendar, instant: datetime) -> date:
    """The person's local date at `instant`."""
    return instant.astimezone(calendar.tz).date()


def is_working_day(calendar: Calendar, day: date) -> bool:
    """Whether the person works on their local date `day` (not weekend, not a holiday)."""
    return day.weekday() not in calendar.weekend and day not in calendar.holidays


def next_working_day(calendar: Calendar, day: date) -> date:
    """`day` when it is a working day, else the next one."""
    for _ in range(SEARCH_DAYS):
        if is_working_day(calendar, day):
            return day
        day += _ONE_DAY
    raise ValueError(f"no working day within {SEARCH_DAYS} days")


def is_holiday(calendar: Calendar, instant: datetime) -> bool:
    """Whether `instant` falls on one of the person's holidays, on their own date."""
    return local_day(calendar, instant) in calendar.holidays


def hours_for(calendar: Calendar, kind: str) -> tuple[time, time]:
    """The daily wall-clock window in which a message of `kind` may arrive."""
    if kind in URGENT_KINDS:
        return min(calendar.work_start, URGENT_START), max(calendar.work_end, URGENT_END)
    if kind in ROUTINE_KINDS:
        return calendar.work_start, calendar.work_end
    raise ValueError(f"not a direct-message kind: {kind!r}")


def window(calendar: Calendar, kind: str, day: date) -> tuple[datetime, datetime] | None:
    """`[opens, closes)` in UTC on the person's local date `day`, or None: not a working day,
    or a date the zone skips."""
    if not is_working_day(calendar, day):
        return None
    start, end = hours_for(calendar, kind)
    opens = local_to_utc(day, start, calendar.tz)
    closes = local_to_utc(day, end, calendar.tz)
    if opens is None or closes is None or opens >= closes:
        return None
    return opens, closes


def may_message(calendar: Calendar, kind: str, instant: datetime) -> bool:
    """Whether a message of `kind` may reach the person at `instant`."""
    found = window(calendar, kind, local_day(calendar, instant))
    return found is not None and found[0] <= instant < found[1]


def next_moment(calendar: Calendar, kind: str, instant: datetime) -> datetime:
    """The first instant at or after `instant` at which a message of `kind` may reach the
    person: `instant` itself when it is suitable, else the opening of their next window."""
    day = local_day(calendar, instant)
    for _ in range(SEARCH_DAYS):
        found = window(calendar, kind, day)
        if found is not None and instant < found[1]:
            return max(found[0], instant)
        day += _ONE_DAY
    raise ValueError(f"no working day within {SEARCH_DAYS} days")


def deliver_at(calendar: Calendar, outbox_kind: str, due: datetime) -> datetime:
    """When a message of `outbox_kind` due at `due` may go out: the person's next suitable
    moment for a direct message, `due` itself for a post in a channel."""
    kind = message_kind(outbox_kind)
    return due if kind is None else next_moment(calendar, kind, due)
