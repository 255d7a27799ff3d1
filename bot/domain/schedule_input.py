"""What people type about schedules and absences, read into typed values (pure).

`/okr pause 2026-12-20` → a date; `/okr schedule team Growth checkin mon,thu 09:30 reminder 24
digest biweekly fri 16:00 tz Europe/Berlin hours 09:00-18:00 channel #okrs` → a
`ScheduleChange`. A problem raises `InputError` with a `code` (a catalogue key under
`schedule.errors.` or `availability.errors.`) and the words to show with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.domain.slots import parse_weekday, parse_weekdays

MAX_PAUSE_DAYS = 366
MAX_REMINDER_HOURS = 168
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$|^(\d{4})年(\d{1,2})月(\d{1,2})日?$")
_TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")
_CHANNEL = re.compile(r"^(?:<#(C[A-Z0-9]{2,30})(?:\|[^>]*)?>|(C[A-Z0-9]{2,30}))$")
_CADENCES = {"weekly": "weekly", "每周": "weekly", "biweekly": "biweekly", "双周": "biweekly",
             "weekdays": "weekdays", "每天": "weekdays"}
_OFF = ("off", "none", "关", "关闭", "不要")
_ON = ("on", "yes", "开", "开启", "打开")
KEYWORDS = {
    "checkin": "checkin", "check-in": "checkin", "打卡": "checkin",
    "reminder": "reminder", "提醒": "reminder",
    "digest": "digest", "周报": "digest",
    "tz": "tz", "timezone": "tz", "时区": "tz",
    "hours": "hours", "工作时间": "hours",
    "channel": "channel", "频道": "channel",
    "follow": "follow", "跟帖": "follow",
}


class InputError(ValueError):
    """Input that cannot be used: `code` names the message, `params` fill it in."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def parse_date(text: str) -> date:
    """`2026-12-20`, `2026/12/20` or `2026年12月20日`."""
    match = _DATE.match(text.strip())
    if match is None:
        raise InputError("bad_date", text=text.strip())
    year, month, day = (int(g) for g in match.groups() if g is not None)
    try:
        return date(year, month, day)
    except ValueError:
        raise InputError("bad_date", text=text.strip()) from None


def check_pause_end(until: date, today: date) -> date:
    """A pause ends today or later, and within a year."""
    if until < today:
        raise InputError("past_date", text=until.isoformat())
    if (until - today).days > MAX_PAUSE_DAYS:
        raise InputError("too_far", text=until.isoformat())
    return until


def parse_time(text: str) -> time:
    """`09:30` (24-hour clock)."""
    match = _TIME.match(text.strip())
    if match is None or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        raise InputError("bad_time", text=text)
    return time(int(match.group(1)), int(match.group(2)))


RESET_WORDS = frozenset({"reset", "default", "team", "重置", "默认", "恢复"})


def parse_own_hours(text: str) -> tuple[time, time] | None:
    """A person's own hours (`/okr hours 10:00-19:00`, read like a schedule's `hours`), or
    None for a reset word (`reset`, `默认`…): the team's hours again. InputError `bad_hours` or
    `hours_order`, with the text."""
    if text.strip().lower() in RESET_WORDS:
        return None
    try:
        return parse_hours(text)
    except InputError as error:
        code = "hours_order" if error.code == "hours_order" else "bad_hours"
        raise InputError(code, text=text.strip()) from None


@dataclass(frozen=True)
class ScheduleChange:
    """The fields `/okr schedule team <name> …` sets; None means "leave as it is"."""

    team: str
    checkin_cadence: str | None = None
    checkin_weekdays: tuple[int, ...] | None = None
    checkin_time: time | None = None
    reminder_set: bool = False
    reminder_after_hours: int | None = None  # None with reminder_set: reminders off
    digest_cadence: str | None = None  # None with a weekday: keep the cadence (biweekly if off)
    digest_weekday: int | None = None
    digest_time: time | None = None
    timezone: str | None = None
    work_start: time | None = None
    work_end: time | None = None
    digest_channel_id: str | None = None
    follow_along: bool | None = None  # each check-in as a reply in the round's thread

    @property
    def changes_anything(self) -> bool:
        return any(value is not None for value in (
            self.checkin_cadence, self.checkin_weekdays, self.checkin_time, self.digest_cadence,
            self.digest_weekday, self.timezone, self.work_start, self.digest_channel_id,
            self.follow_along,
        )) or self.reminder_set


@dataclass
class _Reader:
    tokens: list[str]
    values: dict[str, object] = field(default_factory=dict)

    def take_until_keyword(self) -> list[str]:
        taken = []
        while self.tokens and self.tokens[0].lower() not in KEYWORDS:
            taken.append(self.tokens.pop(0))
        return taken


def parse_schedule_command(text: str) -> ScheduleChange:
    """The words after `/okr schedule`; InputError says what is wrong."""
    tokens = text.split()
    if not tokens or tokens[0].lower() not in ("team", "团队"):
        raise InputError("usage")
    reader = _Reader(tokens[1:])
    name = " ".join(reader.take_until_keyword()).strip().strip('"“”')
    if not name:
        raise InputError("no_team")
    values: dict[str, object] = {"team": name}
    seen: set[str] = set()
    while reader.tokens:
        keyword = KEYWORDS[reader.tokens.pop(0).lower()]
        if keyword in seen:
            raise InputError("repeated", word=keyword)
        seen.add(keyword)
        values.update(_PARSERS[keyword](reader.take_until_keyword()))
    return ScheduleChange(**values)  # type: ignore[arg-type]


def _checkin(args: list[str]) -> dict[str, object]:
    cadence = _CADENCES.get(args[0].lower()) if args else None
    rest = args[1:] if cadence else args
    if len(rest) < 2:
        raise InputError("checkin_usage")
    day_words = ",".join(rest[:-1])
    try:
        days = parse_weekdays(day_words)
    except ValueError:
        raise InputError("bad_weekday", text=day_words) from None
    if cadence is None:
        cadence = "weekdays" if len(days) > 1 else "weekly"
    return {"checkin_cadence": cadence, "checkin_weekdays": days,
            "checkin_time": parse_time(rest[-1])}


def _reminder(args: list[str]) -> dict[str, object]:
    if len(args) != 1:
        raise InputError("reminder_usage")
    word = args[0].lower().removesuffix("h")
    if word in _OFF:
        return {"reminder_set": True, "reminder_after_hours": None}
    if not word.isdigit() or not 1 <= int(word) <= MAX_REMINDER_HOURS:
        raise InputError("reminder_usage")
    return {"reminder_set": True, "reminder_after_hours": int(word)}


def _digest(args: list[str]) -> dict[str, object]:
    if len(args) == 1 and args[0].lower() in _OFF:
        return {"digest_cadence": "off"}
    cadence = _CADENCES.get(args[0].lower()) if args else None
    rest = args[1:] if cadence else args
    if len(rest) != 2 or cadence == "weekdays":
        raise InputError("digest_usage")
    try:
        weekday = parse_weekday(rest[0])
    except ValueError:
        raise InputError("bad_weekday", text=rest[0]) from None
    return {"digest_cadence": cadence, "digest_weekday": weekday,
            "digest_time": parse_time(rest[1])}


def _timezone(args: list[str]) -> dict[str, object]:
    if len(args) != 1:
        raise InputError("tz_usage")
    try:
        ZoneInfo(args[0])
    except (ZoneInfoNotFoundError, ValueError):
        raise InputError("bad_tz", text=args[0]) from None
    return {"timezone": args[0]}


def parse_hours(text: str) -> tuple[time, time]:
    """`10:00-19:00` (also `–`, `~`, `到`, `至` between) → (start, end), start before end."""
    for mark in ("–", "—", "~", "～", "到", "至"):
        text = text.replace(mark, "-")
    parts = "".join(text.split()).split("-")
    if len(parts) != 2:
        raise InputError("hours_usage")
    start, end = parse_time(parts[0]), parse_time(parts[1])
    if start >= end:
        raise InputError("hours_order")
    return start, end


def _hours(args: list[str]) -> dict[str, object]:
    start, end = parse_hours(" ".join(args))
    return {"work_start": start, "work_end": end}


def _channel(args: list[str]) -> dict[str, object]:
    match = _CHANNEL.match(args[0]) if len(args) == 1 else None
    if match is None:
        raise InputError("channel_usage")
    return {"digest_channel_id": match.group(1) or match.group(2)}


def _follow(args: list[str]) -> dict[str, object]:
    word = args[0].lower() if len(args) == 1 else ""
    if word in _OFF:
        return {"follow_along": False}
    if word in _ON:
        return {"follow_along": True}
    raise InputError("follow_usage")


_PARSERS = {"checkin": _checkin, "reminder": _reminder, "digest": _digest, "tz": _timezone,
            "hours": _hours, "channel": _channel, "follow": _follow}
