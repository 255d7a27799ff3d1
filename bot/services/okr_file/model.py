"""The OKR file's schema: one pydantic model (`extra="forbid"`) per section of the YAML format.

The format is documented in README.md ("The OKR file"). A field left out of the file keeps the
stored value when the row exists, or takes the default shown here when the row is new;
`given()` tells the two apart.
"""

from __future__ import annotations

import math
from datetime import date, datetime, time
from functools import lru_cache
from typing import Annotated, Any, Literal
from zoneinfo import available_timezones

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
)

from bot.domain.text import SUPPORTED_LOCALES
from bot.services.okr_file.messages import message

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
USER_ID_PATTERN = r"^[UW][A-Z0-9]{2,31}$"
CHANNEL_ID_PATTERN = r"^[CG][A-Z0-9]{2,31}$"
KEY_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
OBJECTIVE_KEY_MAX = 90  # leaves room for the derived key-result keys `<key>.kr<N>`
KEY_MAX = 100
NUMBER_LIMIT = 1e15


def _clean(value: str, *, multiline: bool) -> str:
    allowed = "\n\t" if multiline else ""
    for char in value:
        if (ord(char) < 32 and char not in allowed) or 0xD800 <= ord(char) <= 0xDFFF:
            raise ValueError(message("control_chars"))
    return value


def _one_line(value: str) -> str:
    return _clean(value, multiline=False)


def _multi_line(value: str) -> str:
    return _clean(value, multiline=True)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _time_zone(value: str) -> str:
    if value not in _zones():
        raise ValueError(message("time_zone", value=value))
    return value


def _locale(value: str) -> str:
    language = value.replace("_", "-").split("-")[0].lower()
    if language not in SUPPORTED_LOCALES or len(value) > 16:
        raise ValueError(message("locale", languages=", ".join(SUPPORTED_LOCALES)))
    return language


def _clock_time(value: Any) -> time:
    text = value if isinstance(value, str) else ""
    parts = text.split(":")
    sizes = [len(p) for p in parts]
    if sizes in ([1, 2], [2, 2]) and all(p.isascii() and p.isdigit() for p in parts):
        hour, minute = int(parts[0]), int(parts[1])
        if hour < 24 and minute < 60:
            return time(hour, minute)
    raise ValueError(message("time"))


def _day(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10 and value.isascii():
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(message("date"))


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(message("not_number"))
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(message("not_finite"))
    if abs(value) > NUMBER_LIMIT:
        raise ValueError(message("too_big_number"))
    return float(value)


def _weekdays(value: Any) -> str:
    days = [d.strip().lower() for d in value.split(",")] if isinstance(value, str) else []
    if not days or any(d not in WEEKDAYS for d in days):
        raise ValueError(message("weekdays", days=", ".join(WEEKDAYS)))
    for day in days:
        if days.count(day) > 1:
            raise ValueError(message("weekday_twice", day=day))
    return ",".join(sorted(days, key=WEEKDAYS.index))


def _weekend(value: Any) -> str:
    """Weekdays off, or "" / "none" for a team that works every day; never all seven."""
    if isinstance(value, str) and value.strip().lower() in ("", "none"):
        return ""
    days = _weekdays(value)
    if len(days.split(",")) == len(WEEKDAYS):
        raise ValueError(message("weekend_all"))
    return days


_ONE_LINE = AfterValidator(_one_line)
Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), _ONE_LINE
]
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), _ONE_LINE
]
CycleName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64), _ONE_LINE
]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, max_length=32), _ONE_LINE]
Label = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), _ONE_LINE]
Description = Annotated[str, StringConstraints(max_length=20_000), AfterValidator(_multi_line)]
SlackUserId = Annotated[str, StringConstraints(pattern=USER_ID_PATTERN)]
ChannelId = Annotated[str, StringConstraints(pattern=CHANNEL_ID_PATTERN)]
ObjectiveKey = Annotated[str, StringConstraints(max_length=OBJECTIVE_KEY_MAX, pattern=KEY_PATTERN)]
KRKey = Annotated[str, StringConstraints(max_length=KEY_MAX, pattern=KEY_PATTERN)]
RegionKey = Annotated[str, StringConstraints(max_length=64, pattern=KEY_PATTERN)]
Email = Annotated[str, StringConstraints(max_length=320, pattern=EMAIL_PATTERN)]
TimeZone = Annotated[str, StringConstraints(max_length=64), AfterValidator(_time_zone)]
Locale = Annotated[str, AfterValidator(_locale)]
ClockTime = Annotated[time, BeforeValidator(_clock_time)]
Day = Annotated[date, BeforeValidator(_day)]
Number = Annotated[float, BeforeValidator(_number)]
Weekdays = Annotated[str, BeforeValidator(_weekdays)]
Weekend = Annotated[str, BeforeValidator(_weekend)]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
ObjectiveType = Literal["committed", "aspirational", "learning"]
State = Literal["draft", "active", "archived"]
Confidence = Literal["on_track", "at_risk", "off_track"]


class Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def given(self, name: str) -> bool:
        """True when the file wrote the field `name` (even as null)."""
        return name in self.model_fields_set


class HolidayIn(Section):
    day: Day = Field(alias="date")
    name: Label = ""


class PersonIn(Section):
    id: SlackUserId
    name: Name
    email: Email | None = None
    tz: TimeZone = "UTC"
    locale: Locale = "en"
    admin: StrictBool = False
    region: RegionKey | None = None  # whose public holidays apply (see `regions`)
    holidays: list[HolidayIn] | None = None  # the person's own days off


class ScheduleIn(Section):
    timezone: TimeZone = "UTC"
    checkin_cadence: Literal["weekly", "biweekly", "weekdays"] = "weekly"
    checkin_weekdays: Weekdays = "mon"
    checkin_time: ClockTime = time(10, 0)
    reminder_after_hours: Annotated[StrictInt, Field(ge=1, le=168)] | None = 24
    digest_cadence: Literal["weekly", "biweekly", "off"] = "biweekly"
    digest_weekday: Weekday = "fri"
    digest_time: ClockTime = time(16, 0)
    digest_channel: ChannelId | None = None
    anchor_date: Day = date(2026, 1, 5)
    work_start: ClockTime = time(9, 0)
    work_end: ClockTime = time(18, 0)
    weekend: Weekend = "sat,sun"
    follow_along: StrictBool = False


class TeamIn(Section):
    name: Name
    channel: ChannelId | None = None
    parent: Name | None = None
    leads: list[SlackUserId] | None = None
    members: list[SlackUserId] | None = None
    schedule: ScheduleIn | None = None
    holidays: list[HolidayIn] | None = None


class CycleIn(Section):
    name: CycleName
    start: Day
    end: Day
    state: Literal["planning", "active", "closed"] = "active"


class KeyResultIn(Section):
    key: KRKey | None = None
    title: Title
    owner_person: SlackUserId | None = None
    kind: Literal["metric", "milestone"] = "metric"
    start: Number = 0.0
    target: Number = 1.0
    current: Number = 0.0
    unit: Unit = ""
    direction: Literal["increase", "decrease"] = "increase"
    confidence: Confidence | None = None
    state: State = "active"
    done: StrictBool = False


class ObjectiveIn(Section):
    key: ObjectiveKey
    cycle: CycleName
    title: Title
    description: Description = ""
    type: ObjectiveType = "committed"
    state: State = "active"
    owner_team: Name | None = None
    owner_person: SlackUserId | None = None
    parent: ObjectiveKey | None = None
    key_results: list[KeyResultIn] = []


def kr_keys(objective: ObjectiveIn, positions: list[int] | None = None) -> list[str]:
    """The key of each key result: its own, or `<objective key>.kr<N>` (N from 1).

    N is the key result's position in the file (`positions`, default: its index).
    """
    places = positions if positions is not None else range(len(objective.key_results))
    return [
        kr.key or f"{objective.key}.kr{n + 1}"
        for kr, n in zip(objective.key_results, places, strict=True)
    ]


class RegionIn(Section):
    name: RegionKey
    holidays: list[HolidayIn] = []


class OkrFile(Section):
    version: Literal[1] = 1
    regions: list[RegionIn] = []
    people: list[PersonIn] = []
    teams: list[TeamIn] = []
    cycles: list[CycleIn] = []
    objectives: list[ObjectiveIn] = []
