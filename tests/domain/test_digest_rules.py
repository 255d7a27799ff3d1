"""Digest rules, table-driven: values as of a moment, classification, stalls, targets, asks."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.domain import digest_rules as rules
from bot.domain.digest_rules import Ask, KRFacts, StallReason, Status, Trend, ValuePoint, WinKind
from bot.domain.slots import Rhythm
from bot.domain.vocabulary import Direction, KRKind

START = datetime(2026, 11, 16, tzinfo=UTC)
END = datetime(2026, 11, 30, 9, tzinfo=UTC)
OLD = datetime(2026, 10, 1, tzinfo=UTC)


def day(n: int, month: int = 11) -> datetime:
    return datetime(2026, month, n, 10, tzinfo=UTC)


def metric(*points: ValuePoint, start: float = 0, target: float = 10, current: float | None = None,
           created: datetime = OLD, checked: datetime | None = None,
           direction: Direction = Direction.INCREASE) -> KRFacts:
    values = [p.value for p in points if p.value is not None]
    now = current if current is not None else (values[-1] if values else start)
    return KRFacts(KRKind.METRIC, start, target, now, direction, created, tuple(points),
                   checked if checked is not None else (points[-1].at if points else None))


def value(at: datetime, v: float, previous: float | None = None) -> ValuePoint:
    return ValuePoint(at, v, None, previous)


@pytest.mark.parametrize(
    ("points", "current", "when", "expected"),
    [
        ((), 7.0, START, 7.0),  # no history: nothing changed since, the stored value holds
        ((value(day(1), 3),), 3.0, START, 3.0),  # last change before
        ((value(day(1), 3), value(day(20), 5)), 5.0, START, 3.0),
        ((value(day(20), 5, previous=2),), 5.0, START, 2.0),  # first change after: its previous
        ((value(day(20), 5),), 5.0, START, 0.0),  # … unknown: the start value
        ((value(day(1), 3),), 9.0, START, 9.0),  # stored value is the truth when nothing is later
    ],
)
def test_value_as_of_a_moment(points: tuple[ValuePoint, ...], current: float, when: datetime,
                              expected: float) -> None:
    assert rules.value_at(metric(*points, current=current), when) == expected


def test_target_as_of_a_moment_reads_target_points_only() -> None:
    facts = KRFacts(KRKind.METRIC, 0, 8, 4, Direction.INCREASE, OLD,
                    (ValuePoint(OLD, None, 5), value(day(2), 4), ValuePoint(day(24), 4, 8)))
    assert rules.target_at(facts, START) == 5
    assert rules.target_at(facts, END) == 8
    assert rules.target_at(facts, OLD) == 5  # never recorded earlier: the earliest known


@pytest.mark.parametrize(
    ("facts", "status", "extra"),
    [
        # 0.5 → 0.1: red now, yellow before
        (metric(value(day(1), 5), value(day(25), 1)), Status.TURNED_RED, None),
        # red before and after: still listed, every KR red at the digest is
        (metric(value(day(1), 1), value(day(25), 2)), Status.TURNED_RED, None),
        (metric(value(day(1), 9), value(day(25), 10)), Status.WIN, WinKind.REACHED_TARGET),
        (metric(value(day(1), 6), value(day(25), 8)), Status.WIN, WinKind.TURNED_GREEN),
        (metric(value(day(1), 2), value(day(25), 3)), Status.TURNED_RED, None),
        (metric(value(day(1), 4), value(day(25), 5)), Status.MOVED, None),
        # created during the period: moved from the value it was created with
        (metric(value(day(20), 5), created=day(18)), Status.MOVED, None),
        # imported with its value (a point at its creation): that is no movement
        (metric(value(day(18), 6), created=day(18)), Status.STEADY, None),
        (metric(value(day(18), 6), value(day(25), 7), created=day(18)), Status.MOVED, None),
        # at its start value early in its cycle: judged against the time gone, not red
        (replace(metric(created=day(18)), cycle=(date(2026, 11, 15), date(2027, 2, 15))),
         Status.STEADY, None),
        (metric(created=day(18)), Status.TURNED_RED, None),  # the same by score bands alone
        (metric(value(day(1), 5), checked=day(1)), Status.STALLED, StallReason.NO_CHECKIN),
        (metric(value(day(1), 5), checked=day(20)), Status.STALLED, StallReason.NO_CHANGE),
        (metric(value(day(1), 5), value(day(20), 5), checked=day(20)), Status.STALLED,
         StallReason.NO_CHANGE),  # a repeated value is no change
        (metric(value(day(1), 4), value(day(20), 5), value(day(25), 4)), Status.STEADY, None),
        # decreasing metric (4 h → 1 h): 2 h → 1 h reaches the target
        (metric(value(day(1), 2), value(day(25), 1), start=4, target=1,
                direction=Direction.DECREASE), Status.WIN, WinKind.REACHED_TARGET),
    ],
)
def test_each_kr_gets_one_status(facts: KRFacts, status: Status,
                                 extra: WinKind | StallReason | None) -> None:
    change = rules.classify(facts, START, END)
    assert change is not None
    assert change.status is status
    assert extra in (change.win, change.stall)


def test_a_milestone_done_in_the_period_is_a_win() -> None:
    facts = KRFacts(KRKind.MILESTONE, 0, 1, 1, Direction.INCREASE, OLD,
                    (value(day(22), 1, previous=0),), day(22))
    change = rules.classify(facts, START, END)
    assert change is not None and change.win is WinKind.MILESTONE_DONE
    assert change.before is not None and not change.before.done and change.now.done


def test_a_kr_created_after_the_period_is_not_classified() -> None:
    assert rules.classify(metric(created=END + timedelta(hours=1)), START, END) is None


def test_a_done_or_young_kr_is_never_stalled() -> None:
    done = metric(value(day(1), 10), checked=day(1))
    young = metric(created=END - timedelta(days=13))
    assert rules.stall(done, rules.snapshot_at(done, END) or _fail(), END) is None
    assert rules.stall(young, rules.snapshot_at(young, END) or _fail(), END) is None


def test_stalled_days_count_from_the_last_check_in_or_creation() -> None:
    never = metric(created=OLD, checked=None, current=5)  # yellow: red would list it as red
    change = rules.classify(never, START, END)
    assert change is not None and change.stall is StallReason.NO_CHECKIN
    assert change.quiet_days == (END - OLD).days


def _fail() -> rules.Snapshot:
    raise AssertionError("no snapshot")


def test_target_changes_in_the_period_name_old_and_new() -> None:
    facts = KRFacts(KRKind.METRIC, 0, 12, 4, Direction.INCREASE, OLD, (
        ValuePoint(OLD, None, 5),  # baseline at creation: not a change
        ValuePoint(day(2), 4, 6, changed_by=7),  # before the period
        ValuePoint(day(24), 4, 8, changed_by=9),
        ValuePoint(day(25), 4, 8),  # same target again: no change
        ValuePoint(day(26), None, 12),
    ))
    changes = rules.target_changes(facts, START, END)
    assert [(c.old, c.new, c.changed_by) for c in changes] == [(6, 8, 9), (8, 12, None)]


def test_a_first_recorded_target_change_has_no_old_value() -> None:
    facts = KRFacts(KRKind.METRIC, 0, 8, 0, Direction.INCREASE, OLD, (ValuePoint(day(24), 0, 8),))
    assert [(c.old, c.new) for c in rules.target_changes(facts, START, END)] == [(None, 8)]


@pytest.mark.parametrize(
    ("before", "now", "expected"),
    [(0.4, 0.55, (Trend.UP, 0.15)), (0.7, 0.6, (Trend.DOWN, 0.1)), (0.5, 0.5, (Trend.FLAT, 0.0)),
     (0.5, 0.501, (Trend.FLAT, 0.0)), (None, 0.5, (Trend.NEW, 0.0)), (0.5, None, (Trend.NEW, 0.0))],
)
def test_trend_of_a_score(before: float | None, now: float | None,
                          expected: tuple[Trend, float]) -> None:
    assert rules.trend(before, now) == expected


def test_objective_before_counts_only_krs_that_existed() -> None:
    old = rules.classify(metric(value(day(1), 4), value(day(20), 6)), START, END)
    new = rules.classify(metric(value(day(20), 0), created=day(18)), START, END)
    assert old is not None and new is not None
    assert rules.objective_scores([old, new]) == pytest.approx((0.4, 0.3))
    assert rules.objective_scores([]) == (None, None)


def test_the_latest_check_in_of_an_author_on_a_kr_decides_what_is_open() -> None:
    asks = [
        Ask(1, 10, day(18), "old blocker", ""),
        Ask(1, 10, day(20), "", ""),  # closes it
        Ask(1, 11, day(19), "", "need review", 12),
        Ask(2, 10, day(17), "  ", "\n"),  # blank text is nothing
        Ask(3, 10, day(21), "stuck", ""),
    ]
    assert [(a.key_result_id, a.author_id) for a in rules.open_asks(asks)] == [(1, 11), (3, 10)]


@pytest.mark.parametrize(
    ("text", "limit", "expected"),
    [("short", 300, "short"), ("a\n b\t c", 300, "a b c"), ("x" * 301, 300, "x" * 299 + "…"),
     ("&" * 400, 300, "&" * 299 + "…")],
)
def test_free_text_is_one_clipped_line(text: str, limit: int, expected: str) -> None:
    assert rules.clip_text(text, limit) == expected


def test_window_starts_at_the_last_scheduled_digest() -> None:
    rhythm = Rhythm(anchor_date=date(2026, 1, 5), digest_weekday=4, digest_time=time(16))
    window = rules.digest_window(rhythm, END)
    assert window.period == (date(2026, 11, 30) - date(2026, 1, 5)).days // 14
    # Friday of the second week of the previous period, 16:00 UTC
    assert (window.start, window.end) == (datetime(2026, 11, 20, 16, tzinfo=UTC), END)


def test_window_in_the_teams_zone_and_without_digests() -> None:
    shanghai = Rhythm(timezone="Asia/Shanghai", digest_weekday=4, digest_time=time(16))
    assert rules.digest_window(shanghai, END).start == datetime(2026, 11, 20, 8, tzinfo=UTC)
    off = Rhythm(digest_cadence="off")
    assert rules.digest_window(off, END).start == END - timedelta(days=7)
