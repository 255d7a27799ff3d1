"""Slot computation across time zones and DST changes (table-driven; pure, no database)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain import slots
from bot.domain.slots import Rhythm


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


# zone, local date, wall time, expected UTC instant — around the 2026/2027 changes.
LOCAL_TO_UTC = [
    # America/New_York: spring forward 2026-03-08 02:00→03:00, fall back 2026-11-01 02:00→01:00
    ("America/New_York", date(2026, 3, 7), time(10, 0), utc(2026, 3, 7, 15, 0)),
    ("America/New_York", date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30)),  # → 03:30 EDT
    ("America/New_York", date(2026, 3, 8), time(10, 0), utc(2026, 3, 8, 14, 0)),
    ("America/New_York", date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30)),  # first 01:30
    ("America/New_York", date(2026, 11, 1), time(10, 0), utc(2026, 11, 1, 15, 0)),
    ("America/New_York", date(2027, 3, 14), time(2, 0), utc(2027, 3, 14, 7, 0)),  # → 03:00 EDT
    ("America/New_York", date(2027, 11, 7), time(1, 0), utc(2027, 11, 7, 5, 0)),
    # Europe/Berlin: 2026-03-29 02:00→03:00, 2026-10-25 03:00→02:00
    ("Europe/Berlin", date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30)),  # → 03:30 CEST
    ("Europe/Berlin", date(2026, 3, 30), time(10, 0), utc(2026, 3, 30, 8, 0)),
    ("Europe/Berlin", date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30)),  # first 02:30
    ("Europe/Berlin", date(2026, 10, 26), time(10, 0), utc(2026, 10, 26, 9, 0)),
    ("Europe/Berlin", date(2027, 3, 28), time(2, 15), utc(2027, 3, 28, 1, 15)),
    ("Europe/Berlin", date(2027, 10, 31), time(2, 0), utc(2027, 10, 31, 0, 0)),
    # Asia/Shanghai: no DST
    ("Asia/Shanghai", date(2026, 3, 8), time(10, 0), utc(2026, 3, 8, 2, 0)),
    ("Asia/Shanghai", date(2026, 11, 1), time(10, 0), utc(2026, 11, 1, 2, 0)),
    # Australia/Sydney: 2026-04-05 03:00→02:00 (ends), 2026-10-04 02:00→03:00 (starts)
    ("Australia/Sydney", date(2026, 4, 5), time(2, 30), utc(2026, 4, 4, 15, 30)),  # first 02:30
    ("Australia/Sydney", date(2026, 4, 6), time(10, 0), utc(2026, 4, 6, 0, 0)),
    ("Australia/Sydney", date(2026, 10, 4), time(2, 30), utc(2026, 10, 3, 16, 30)),  # → 03:30
    ("Australia/Sydney", date(2026, 10, 5), time(10, 0), utc(2026, 10, 4, 23, 0)),
    ("Australia/Sydney", date(2027, 4, 4), time(2, 0), utc(2027, 4, 3, 15, 0)),
    ("Australia/Sydney", date(2027, 10, 3), time(2, 0), utc(2027, 10, 2, 16, 0)),
    # Australia/Lord_Howe: a 30-minute shift; 2026-04-05 02:00→01:30, 2026-10-04 02:00→02:30
    ("Australia/Lord_Howe", date(2026, 4, 5), time(1, 45), utc(2026, 4, 4, 14, 45)),  # first
    ("Australia/Lord_Howe", date(2026, 4, 6), time(10, 0), utc(2026, 4, 5, 23, 30)),
    ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 45)),  # →02:45
    ("Australia/Lord_Howe", date(2026, 10, 5), time(10, 0), utc(2026, 10, 4, 23, 0)),
    # Asia/Kolkata: +05:30 all year
    ("Asia/Kolkata", date(2026, 11, 30), time(10, 0), utc(2026, 11, 30, 4, 30)),
    ("Asia/Kolkata", date(2027, 6, 1), time(9, 45), utc(2027, 6, 1, 4, 15)),
    # Pacific/Apia: +13 now; it skipped 2011-12-30 entirely when it crossed the date line
    ("Pacific/Apia", date(2026, 11, 30), time(10, 0), utc(2026, 11, 29, 21, 0)),
    ("Pacific/Apia", date(2011, 12, 29), time(10, 0), utc(2011, 12, 29, 20, 0)),
    ("Pacific/Apia", date(2011, 12, 31), time(10, 0), utc(2011, 12, 30, 20, 0)),
]


@pytest.mark.parametrize(("tz", "day", "at", "expected"), LOCAL_TO_UTC,
                         ids=[f"{r[0]}-{r[1]}-{r[2]}" for r in LOCAL_TO_UTC])
def test_local_wall_time_becomes_the_right_utc_instant(
    tz: str, day: date, at: time, expected: datetime
) -> None:
    assert slots.local_to_utc(day, at, ZoneInfo(tz)) == expected


@pytest.mark.parametrize(("tz", "day", "at", "wall"), [
    ("America/New_York", date(2026, 3, 8), time(2, 30), time(3, 30)),
    ("Europe/Berlin", date(2027, 3, 28), time(2, 0), time(3, 0)),
    ("Australia/Sydney", date(2026, 10, 4), time(2, 59), time(3, 59)),
    ("Australia/Lord_Howe", date(2026, 10, 4), time(2, 0), time(2, 30)),
])
def test_a_wall_time_in_the_spring_gap_moves_forward_by_the_gap(
    tz: str, day: date, at: time, wall: time
) -> None:
    instant = slots.local_to_utc(day, at, ZoneInfo(tz))
    assert instant is not None
    local = instant.astimezone(ZoneInfo(tz))
    assert (local.date(), local.time()) == (day, wall)


def test_a_local_date_that_never_existed_has_no_slot() -> None:
    assert slots.local_to_utc(date(2011, 12, 30), time(10, 0), ZoneInfo("Pacific/Apia")) is None
    friday = Rhythm(checkin_weekdays=(4,), checkin_time=time(10, 0))  # 2011-12-30 was a Friday
    found = slots.checkin_slots(friday, "Pacific/Apia", utc(2011, 12, 20), utc(2012, 1, 10))
    assert [s.key for s in found] == ["2011-12-23", "2012-01-06"]


# cadence, weekdays, window start, window end (UTC), zone, expected slot keys
CADENCES = [
    ("weekly", (0,), utc(2026, 11, 29), utc(2026, 12, 15), "UTC",
     ["2026-11-30", "2026-12-07", "2026-12-14"]),
    ("weekdays", (0, 3), utc(2026, 11, 29), utc(2026, 12, 8), "UTC",
     ["2026-11-30", "2026-12-03", "2026-12-07"]),
    # anchor 2026-01-05; 2026-11-30 is 47 weeks later (odd), so biweekly Mondays are Dec 7, 21
    ("biweekly", (0,), utc(2026, 11, 29), utc(2026, 12, 28), "UTC",
     ["2026-12-07", "2026-12-21"]),
    # every listed day, whatever the cadence says (issue 11: README's `weekly` + `mon,thu`)
    ("weekly", (3, 0), utc(2026, 11, 29), utc(2026, 12, 11), "UTC",
     ["2026-11-30", "2026-12-03", "2026-12-07", "2026-12-10"]),
    ("biweekly", (0, 3), utc(2026, 11, 29), utc(2026, 12, 28), "UTC",
     ["2026-12-07", "2026-12-10", "2026-12-21", "2026-12-24"]),
]


@pytest.mark.parametrize(("cadence", "days", "start", "end", "tz", "expected"), CADENCES)
def test_cadences_give_the_expected_local_dates(
    cadence: str, days: tuple[int, ...], start: datetime, end: datetime, tz: str,
    expected: list[str],
) -> None:
    rhythm = Rhythm(checkin_cadence=cadence, checkin_weekdays=days)
    assert [s.key for s in slots.checkin_slots(rhythm, tz, start, end)] == expected


# Monday 10:00 local in each zone, over the week a change happens (start..end inclusive).
WEEKLY_ACROSS_DST = [
    ("America/New_York", utc(2026, 3, 1), utc(2026, 3, 17),
     [("2026-03-02", utc(2026, 3, 2, 15)), ("2026-03-09", utc(2026, 3, 9, 14)),
      ("2026-03-16", utc(2026, 3, 16, 14))]),
    ("America/New_York", utc(2026, 10, 25), utc(2026, 11, 10),
     [("2026-10-26", utc(2026, 10, 26, 14)), ("2026-11-02", utc(2026, 11, 2, 15)),
      ("2026-11-09", utc(2026, 11, 9, 15))]),
    ("Europe/Berlin", utc(2026, 3, 22), utc(2026, 4, 1),
     [("2026-03-23", utc(2026, 3, 23, 9)), ("2026-03-30", utc(2026, 3, 30, 8))]),
    ("Europe/Berlin", utc(2027, 10, 24), utc(2027, 11, 2),
     [("2027-10-25", utc(2027, 10, 25, 8)), ("2027-11-01", utc(2027, 11, 1, 9))]),
    ("Australia/Sydney", utc(2026, 3, 29), utc(2026, 4, 7),
     [("2026-03-30", utc(2026, 3, 29, 23)), ("2026-04-06", utc(2026, 4, 6, 0))]),
    ("Australia/Sydney", utc(2027, 9, 26), utc(2027, 10, 5),
     [("2027-09-27", utc(2027, 9, 27, 0)), ("2027-10-04", utc(2027, 10, 3, 23))]),
    ("Australia/Lord_Howe", utc(2026, 9, 27), utc(2026, 10, 6),
     [("2026-09-28", utc(2026, 9, 27, 23, 30)), ("2026-10-05", utc(2026, 10, 4, 23))]),
    ("Asia/Shanghai", utc(2026, 3, 1), utc(2026, 3, 10),
     [("2026-03-02", utc(2026, 3, 2, 2)), ("2026-03-09", utc(2026, 3, 9, 2))]),
    ("Asia/Kolkata", utc(2026, 3, 1), utc(2026, 3, 10),
     [("2026-03-02", utc(2026, 3, 2, 4, 30)), ("2026-03-09", utc(2026, 3, 9, 4, 30))]),
    # Apia's Monday starts while it is still Sunday in UTC
    ("Pacific/Apia", utc(2026, 11, 28), utc(2026, 12, 8),
     [("2026-11-30", utc(2026, 11, 29, 21)), ("2026-12-07", utc(2026, 12, 6, 21))]),
]


@pytest.mark.parametrize(("tz", "start", "end", "expected"), WEEKLY_ACROSS_DST,
                         ids=[f"{r[0]}-{r[1]:%Y-%m}" for r in WEEKLY_ACROSS_DST])
def test_a_weekly_slot_stays_at_local_ten_across_dst(
    tz: str, start: datetime, end: datetime, expected: list[tuple[str, datetime]]
) -> None:
    found = slots.checkin_slots(Rhythm(), tz, start, end)
    assert [(s.key, s.due_at) for s in found] == expected


def test_a_slot_in_the_fall_back_hour_happens_once_per_local_date() -> None:
    rhythm = Rhythm(checkin_cadence="weekdays", checkin_weekdays=tuple(range(7)),
                    checkin_time=time(1, 30))
    found = slots.checkin_slots(rhythm, "America/New_York", utc(2026, 10, 31), utc(2026, 11, 3))
    assert [(s.key, s.due_at) for s in found] == [
        ("2026-10-31", utc(2026, 10, 31, 5, 30)),
        ("2026-11-01", utc(2026, 11, 1, 5, 30)),  # the first 01:30 (EDT), not the second
        ("2026-11-02", utc(2026, 11, 2, 6, 30)),
    ]


def test_the_slot_key_is_the_persons_local_date_not_the_utc_one() -> None:
    found = slots.checkin_slots(Rhythm(checkin_time=time(8, 0)), "Pacific/Apia",
                                utc(2026, 11, 29), utc(2026, 11, 30))
    assert [(s.key, s.due_at.date()) for s in found] == [("2026-11-30", date(2026, 11, 29))]


def test_a_zone_change_only_moves_future_slots() -> None:
    """Shanghai's Monday prompt went out; after moving to New York the same local date is the
    same slot key (deduplicated), and the next one is at 10:00 New York time."""
    rhythm = Rhythm()
    before = slots.checkin_slots(rhythm, "Asia/Shanghai", utc(2026, 11, 30), utc(2026, 11, 30, 3))
    after = slots.checkin_slots(rhythm, "America/New_York", utc(2026, 11, 30, 3),
                                utc(2026, 12, 8))
    assert [(s.key, s.due_at) for s in before] == [("2026-11-30", utc(2026, 11, 30, 2))]
    assert [(s.key, s.due_at) for s in after] == [
        ("2026-11-30", utc(2026, 11, 30, 15)), ("2026-12-07", utc(2026, 12, 7, 15))]


DIGESTS = [
    # biweekly Friday 16:00 Berlin, in the second week of each 14-day period from 2026-01-05
    (Rhythm(timezone="Europe/Berlin"), utc(2026, 11, 23), utc(2026, 12, 17),
     [("23", utc(2026, 12, 4, 15))]),
    (Rhythm(timezone="Europe/Berlin"), utc(2026, 12, 5), utc(2027, 1, 2),
     [("24", utc(2026, 12, 18, 15)), ("25", utc(2027, 1, 1, 15))]),
    (Rhythm(timezone="America/New_York", digest_cadence="weekly", digest_weekday=0,
            digest_time=time(9, 0)), utc(2026, 10, 25), utc(2026, 11, 10),
     [("42", utc(2026, 10, 26, 13)), ("43", utc(2026, 11, 2, 14)),
      ("44", utc(2026, 11, 9, 14))]),
    (Rhythm(digest_cadence="off"), utc(2026, 1, 1), utc(2026, 3, 1), []),
]


@pytest.mark.parametrize(("rhythm", "start", "end", "expected"), DIGESTS)
def test_digest_slots_are_period_indexes_in_the_teams_zone(
    rhythm: Rhythm, start: datetime, end: datetime, expected: list[tuple[str, datetime]]
) -> None:
    assert [(s.key, s.due_at) for s in slots.digest_slots(rhythm, start, end)] == expected


@pytest.mark.parametrize(("day", "cadence", "index"), [
    (date(2026, 1, 5), "biweekly", 0), (date(2026, 1, 18), "biweekly", 0),
    (date(2026, 1, 19), "biweekly", 1), (date(2026, 1, 4), "biweekly", -1),
    (date(2026, 1, 12), "weekly", 1), (date(2026, 12, 4), "biweekly", 23),
])
def test_period_index_counts_periods_from_the_anchor(day: date, cadence: str, index: int) -> None:
    assert slots.period_index(Rhythm(digest_cadence=cadence), day) == index



@pytest.mark.parametrize(("cadence", "days"), [("biweekly", 14), ("weekly", 7), ("off", 7)])
def test_a_digest_period_is_two_weeks_when_biweekly_else_one(cadence: str, days: int) -> None:
    """One length for the planner's digest rows, on-demand digests and period indexes."""
    assert slots.digest_period(Rhythm(digest_cadence=cadence)) == timedelta(days=days)

@pytest.mark.parametrize(("text", "days"), [
    ("mon", (0,)), ("mon,thu", (0, 3)), ("Thu, Mon", (0, 3)), ("friday", (4,)),
    ("周一、周四", (0, 3)), ("星期日", (6,)), ("mon mon", (0,)),
])
def test_weekdays_are_read_in_english_and_chinese(text: str, days: tuple[int, ...]) -> None:
    assert slots.parse_weekdays(text) == days


@pytest.mark.parametrize("text", ["", "mo", "monday,funday", "8"])
def test_unknown_weekdays_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="weekday"):
        slots.parse_weekdays(text)


@pytest.mark.parametrize(("absences", "away"), [
    ([], False),
    ([(date(2026, 11, 30), date(2026, 11, 30))], True),
    ([(date(2026, 11, 23), date(2026, 11, 29))], False),
    ([(date(2026, 11, 23), date(2026, 12, 4))], True),
])
def test_absences_are_inclusive_local_dates(
    absences: list[tuple[date, date]], away: bool
) -> None:
    assert slots.is_away(date(2026, 11, 30), absences) is away


def test_a_rhythm_with_impossible_values_is_refused() -> None:
    with pytest.raises(ValueError, match="working hours"):
        Rhythm(work_start=time(18), work_end=time(9))
    with pytest.raises(ValueError, match="cadence"):
        Rhythm(checkin_cadence="monthly")
    assert slots.current_checkin_key("Asia/Kolkata", utc(2026, 11, 30, 20)) == "2026-12-01"
    assert timedelta(0) == slots.local_to_utc(date(2026, 1, 1), time(0), ZoneInfo("UTC")) - utc(
        2026, 1, 1)
