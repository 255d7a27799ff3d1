"""The person's calendar: working hours in their zone, weekend, holidays on their own date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import calendar as cal
from bot.domain.calendar import Calendar


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def at(zone: str, *args: int) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone)).astimezone(UTC)


NY = Calendar("America/New_York")
AKL = Calendar("Pacific/Auckland")


@pytest.mark.parametrize(
    ("calendar", "kind", "instant", "expected"),
    [
        # 09:00-18:00 read in the person's own zone
        (NY, "reminder", at("America/New_York", 2027, 3, 3, 9, 0), True),
        (NY, "reminder", at("America/New_York", 2027, 3, 3, 8, 59), False),
        (NY, "reminder", at("America/New_York", 2027, 3, 3, 18, 0), False),
        (AKL, "checkin", at("Pacific/Auckland", 2027, 3, 3, 17, 59), True),
        # the same instant is Wednesday night in New York and Thursday morning in Auckland
        (NY, "review", utc(2027, 3, 4, 2, 0), False),
        (AKL, "review", utc(2027, 3, 4, 2, 0), True),
        # weekend on the person's own date: Monday 10:00 in Auckland is Sunday in New York
        (AKL, "alignment", at("Pacific/Auckland", 2027, 3, 8, 10, 0), True),
        (NY, "alignment", at("Pacific/Auckland", 2027, 3, 8, 10, 0), False),
        # help is urgent: 08:00-20:00, but never at the weekend or at night
        (NY, "help", at("America/New_York", 2027, 3, 3, 8, 0), True),
        (NY, "help", at("America/New_York", 2027, 3, 3, 19, 59), True),
        (NY, "help", at("America/New_York", 2027, 3, 3, 20, 0), False),
        (NY, "help", at("America/New_York", 2027, 3, 3, 4, 30), False),
        (NY, "help", at("America/New_York", 2027, 3, 6, 12, 0), False),
        (Calendar("Europe/Berlin", time(7, 0), time(21, 0)), "help",
         at("Europe/Berlin", 2027, 3, 3, 20, 30), True),
        (Calendar("Europe/Berlin", time(10, 0), time(19, 0)), "carry",
         at("Europe/Berlin", 2027, 3, 3, 9, 30), False),
    ],
)
def test_may_message(calendar: Calendar, kind: str, instant: datetime, expected: bool) -> None:
    assert cal.may_message(calendar, kind, instant) is expected


def test_holiday_is_judged_on_the_recipients_own_date() -> None:
    anzac = date(2027, 4, 26)  # a Monday holiday in New Zealand
    akl = Calendar("Pacific/Auckland", holidays=frozenset({anzac}))
    ny = Calendar("America/New_York", holidays=frozenset({anzac}))
    # Monday 10:00 in Auckland is Sunday afternoon in New York: only Auckland's holiday applies
    instant = at("Pacific/Auckland", 2027, 4, 26, 10, 0)
    assert cal.is_holiday(akl, instant) and not cal.is_holiday(ny, instant)
    # Monday 10:00 in New York is Tuesday in Auckland, no longer a holiday there
    instant = at("America/New_York", 2027, 4, 26, 10, 0)
    assert cal.is_holiday(ny, instant) and not cal.is_holiday(akl, instant)
    assert not cal.may_message(ny, "checkin", instant)
    assert cal.may_message(akl, "checkin", at("Pacific/Auckland", 2027, 4, 27, 10, 0))


@pytest.mark.parametrize(
    ("calendar", "kind", "instant", "expected"),
    [
        # already suitable: unchanged
        (NY, "reminder", at("America/New_York", 2027, 3, 3, 11, 15),
         at("America/New_York", 2027, 3, 3, 11, 15)),
        # late evening → next working morning
        (NY, "reminder", at("America/New_York", 2027, 3, 3, 22, 30),
         at("America/New_York", 2027, 3, 4, 9, 0)),
        # Friday evening → Monday morning
        (NY, "reminder", at("America/New_York", 2027, 3, 5, 18, 30),
         at("America/New_York", 2027, 3, 8, 9, 0)),
        # early morning → the same day's opening
        (NY, "help", at("America/New_York", 2027, 3, 3, 4, 30),
         at("America/New_York", 2027, 3, 3, 8, 0)),
        # holiday Monday in Auckland → Tuesday
        (Calendar("Pacific/Auckland", holidays=frozenset({date(2027, 4, 26)})), "checkin",
         at("Pacific/Auckland", 2027, 4, 26, 10, 0), at("Pacific/Auckland", 2027, 4, 27, 9, 0)),
        # personal hours 10:00-19:00
        (Calendar("Europe/Berlin", time(10, 0), time(19, 0)), "checkin",
         at("Europe/Berlin", 2027, 3, 3, 9, 0), at("Europe/Berlin", 2027, 3, 3, 10, 0)),
    ],
)
def test_next_moment(calendar: Calendar, kind: str, instant: datetime,
                     expected: datetime) -> None:
    assert cal.next_moment(calendar, kind, instant) == expected


def test_window_opening_in_a_dst_gap_opens_when_the_gap_ends() -> None:
    # New York springs forward on 2027-03-14 at 02:00 (a Sunday: use a 7-day week)
    night_owl = Calendar("America/New_York", time(2, 30), time(6, 0), weekend=frozenset())
    opens = cal.next_moment(night_owl, "checkin", at("America/New_York", 2027, 3, 14, 0, 0))
    assert opens.astimezone(ZoneInfo("America/New_York")).time() == time(3, 30)
    assert opens == utc(2027, 3, 14, 7, 30)


def test_window_on_a_fall_back_day_is_one_hour_longer() -> None:
    # Auckland falls back on 2027-04-04 at 03:00 (a Sunday)
    every_day = Calendar("Pacific/Auckland", time(1, 0), time(5, 0), weekend=frozenset())
    found = cal.window(every_day, "checkin", date(2027, 4, 4))
    assert found is not None
    assert found[1] - found[0] == timedelta(hours=5)


def test_a_date_the_zone_skips_has_no_window() -> None:
    apia = Calendar("Pacific/Apia", weekend=frozenset())
    assert cal.window(apia, "checkin", date(2011, 12, 30)) is None
    after = cal.next_moment(apia, "checkin", at("Pacific/Apia", 2011, 12, 29, 19, 0))
    assert after == at("Pacific/Apia", 2011, 12, 31, 9, 0)


def test_for_person_reads_team_hours_in_the_persons_zone_unless_they_set_their_own() -> None:
    team = (time(9, 0), time(18, 0))
    berlin = cal.for_person("Europe/Berlin", team, holidays=[date(2027, 5, 1)])
    assert (berlin.zone, berlin.work_start, berlin.work_end) == ("Europe/Berlin", *team)
    assert date(2027, 5, 1) in berlin.holidays
    own = cal.for_person("Europe/Berlin", team, own_hours=(time(10, 0), time(19, 0)))
    assert (own.work_start, own.work_end) == (time(10, 0), time(19, 0))


@pytest.mark.parametrize("bad", [
    {"work_start": time(18, 0), "work_end": time(9, 0)},
    {"weekend": frozenset(range(7))},
    {"weekend": frozenset({7})},
])
def test_a_calendar_that_cannot_be_refuses(bad: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        Calendar("UTC", **bad)  # type: ignore[arg-type]


def test_not_a_dm_kind_is_refused() -> None:
    with pytest.raises(ValueError):
        cal.may_message(NY, "digest", utc(2027, 3, 3, 15, 0))


ZONES = ["America/New_York", "Europe/Berlin", "Asia/Kolkata", "Pacific/Auckland",
         "Pacific/Apia", "Australia/Lord_Howe", "Asia/Shanghai", "UTC"]


@st.composite
def calendars(draw: st.DrawFn) -> Calendar:
    start = draw(st.integers(0, 22))
    end = draw(st.integers(start + 1, 23))
    weekend = draw(st.frozensets(st.integers(0, 6), max_size=3))
    holidays = draw(st.frozensets(
        st.dates(date(2026, 12, 20), date(2028, 2, 1)), max_size=40))
    return Calendar(draw(st.sampled_from(ZONES)), time(start, draw(st.sampled_from([0, 30]))),
                    time(end, 59), weekend, holidays)


@settings(max_examples=300, deadline=None)
@given(calendars(), st.sampled_from(sorted(cal.DM_KINDS)),
       st.datetimes(datetime(2027, 1, 1), datetime(2027, 12, 31), timezones=st.just(UTC)))
def test_next_moment_is_the_first_suitable_instant(
    calendar: Calendar, kind: str, instant: datetime
) -> None:
    moment = cal.next_moment(calendar, kind, instant)
    assert moment >= instant
    assert cal.may_message(calendar, kind, moment)
    day = cal.local_day(calendar, moment)
    assert day not in calendar.holidays and day.weekday() not in calendar.weekend
    if moment > instant:  # it waited: for the opening of a window, nothing suitable skipped
        found = cal.window(calendar, kind, day)
        assert found is not None and moment == found[0]
        assert not cal.may_message(calendar, kind, instant)


# prompt sent at, hours, holidays, expected reminder moment
REMINDERS = [
    (utc(2026, 11, 30, 9), 24, (), utc(2026, 12, 1, 9)),  # Tue 10:00 Berlin, inside hours
    (utc(2026, 11, 30, 17, 30), 24, (), utc(2026, 12, 2, 8)),  # Tue 18:30 → Wed 09:00
    (utc(2026, 12, 3, 9), 24, (), utc(2026, 12, 4, 9)),  # Thu → Fri 10:00
    (utc(2026, 12, 4, 9), 24, (), utc(2026, 12, 7, 8)),  # Fri → Sat → Mon 09:00
    (utc(2026, 12, 4, 9), 2, (), utc(2026, 12, 4, 11)),
    (utc(2026, 11, 30, 3), 1, (), utc(2026, 11, 30, 8)),  # 05:00 Berlin → 09:00
    (utc(2026, 12, 23, 9), 24, (date(2026, 12, 24), date(2026, 12, 25)), utc(2026, 12, 28, 8)),
    # across the autumn change: Fri 2026-10-23 10:00 CEST + 72 h = Mon 09:00 CET
    (utc(2026, 10, 23, 8), 72, (), utc(2026, 10, 26, 8)),
]


@pytest.mark.parametrize(("sent", "hours", "holidays", "expected"), REMINDERS)
def test_a_reminder_waits_for_the_persons_next_working_moment(
    sent: datetime, hours: int, holidays: tuple[date, ...], expected: datetime
) -> None:
    berlin = Calendar("Europe/Berlin", holidays=frozenset(holidays))
    assert cal.deliver_at(berlin, "reminder", sent + timedelta(hours=hours)) == expected


def test_working_hours_follow_the_zone_across_a_30_minute_dst_change() -> None:
    # Saturday 2026-10-03 evening → Monday 2026-10-05 09:00 (+11:00 after the change)
    lord_howe = Calendar("Australia/Lord_Howe")
    assert cal.deliver_at(lord_howe, "reminder", utc(2026, 10, 3, 9)) == utc(2026, 10, 4, 22)


def test_a_post_in_a_channel_is_not_held_by_anyones_calendar() -> None:
    assert cal.deliver_at(Calendar("Europe/Berlin"), "digest", utc(2026, 10, 3, 23)) == utc(
        2026, 10, 3, 23)
