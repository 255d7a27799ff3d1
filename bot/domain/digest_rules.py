"""What a team digest says about each KR and person: pure rules, no Slack, SQL or Jinja.

A KR's past is read from its value history. A history point records the state *after* a
change: `value` is the new current value, `target` the new target (None when that field did
not change). As of a moment T, a KR's value is:
- its stored current value when no point is at or after T (nothing changed since T);
- else the last point before T;
- else the `previous_value` of the check-in behind the first later point, or its start value.
Targets are read the same way; a target never recorded before T is taken as the earliest
one known (history cannot tell more).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import NamedTuple

from bot.domain import slots
from bot.domain.scoring import (
    Colour,
    KRState,
    colour,
    elapsed_fraction,
    kr_score,
    objective_score,
    time_colour,
)
from bot.domain.vocabulary import Direction, KRKind

STALL_AFTER = timedelta(days=14)
FREE_TEXT_LIMIT = 300
_EPS = 1e-9


class StallReason(StrEnum):
    NO_CHECKIN = "no_checkin"  # nobody checked in for STALL_AFTER
    NO_CHANGE = "no_change"  # check-ins came, the value did not move


class WinKind(StrEnum):
    REACHED_TARGET = "reached_target"
    MILESTONE_DONE = "milestone_done"
    TURNED_GREEN = "turned_green"


class Trend(StrEnum):
    UP = "up"
    DOWN = "down"
    FLAT = "flat"
    NEW = "new"  # not scored at the previous digest


class Status(StrEnum):
    """The one list a KR appears in (a KR is never listed twice)."""

    TURNED_RED = "turned_red"  # red at the digest, whether it just turned or stayed red
    WIN = "win"
    MOVED = "moved"
    STALLED = "stalled"
    STEADY = "steady"


class ValuePoint(NamedTuple):
    """One history row: the state after a change (a named tuple: a Home builds hundreds,
    at a third of a frozen dataclass's cost each)."""

    at: datetime
    value: float | None
    target: float | None
    previous_value: float | None = None
    changed_by: int | None = None


@dataclass(frozen=True)
class KRFacts:
    """What the rules need to know about one KR; `history` is sorted by time."""

    kind: KRKind
    start: float
    target: float
    current: float
    direction: Direction
    created_at: datetime
    history: tuple[ValuePoint, ...] = ()
    last_checkin_at: datetime | None = None
    cycle: tuple[date, date] | None = None  # its cycle's first and last day: colour by time


@dataclass(frozen=True)
class Snapshot:
    """A KR as it stood at one moment."""

    value: float
    target: float
    score: float
    colour: Colour

    @property
    def done(self) -> bool:
        return self.score >= 1.0 - _EPS


@dataclass(frozen=True)
class KRChange:
    """A KR over one digest period: before (None when it did not exist yet) and now."""

    before: Snapshot | None
    now: Snapshot
    status: Status
    win: WinKind | None = None
    stall: StallReason | None = None
    quiet_days: int = 0  # for a stalled KR: days without a check-in / a change


@dataclass(frozen=True)
class TargetChange:
    at: datetime
    old: float | None  # None: the earlier target was never recorded
    new: float
    changed_by: int | None


@dataclass(frozen=True)
class Ask:
    """A blocker or help request taken from a check-in."""

    key_result_id: int
    author_id: int | None
    at: datetime
    blockers: str
    help_needed: str
    help_from_id: int | None = None
    help_answer: str = ""  # the named helper's answer: "", "can_help" or "not_now"


def _value_points(facts: KRFacts) -> list[ValuePoint]:
    return [p for p in facts.history if p.value is not None]


def value_at(facts: KRFacts, when: datetime) -> float:
    """The KR's current value as of `when` (see the module docstring)."""
    points = _value_points(facts)
    later = [p for p in points if p.at >= when]
    if not later:
        return facts.current
    earlier = [p for p in points if p.at < when]
    if earlier:
        assert earlier[-1].value is not None
        return earlier[-1].value
    first = later[0]
    return first.previous_value if first.previous_value is not None else facts.start


def target_at(facts: KRFacts, when: datetime) -> float:
    """The KR's target as of `when`."""
    points = [p for p in facts.history if p.target is not None]
    later = [p for p in points if p.at >= when]
    if not later:
        return facts.target
    earlier = [p for p in points if p.at < when]
    chosen = earlier[-1] if earlier else later[0]
    assert chosen.target is not None
    return chosen.target


def snapshot_at(facts: KRFacts, when: datetime) -> Snapshot | None:
    """The KR at `when`, or None when it was created at or after `when`."""
    if facts.created_at >= when:
        return None
    value, target = value_at(facts, when), target_at(facts, when)
    state = KRState(
        kind=facts.kind, start=facts.start, target=target, current=value, direction=facts.direction
    )
    score = kr_score(state)
    if facts.cycle is None:
        return Snapshot(value=value, target=target, score=score, colour=colour(score))
    elapsed = elapsed_fraction(facts.cycle[0], facts.cycle[1], when.date())
    return Snapshot(value=value, target=target, score=score, colour=time_colour(score, elapsed))


def value_when_created(facts: KRFacts) -> float:
    """The value a KR was created with: the value recorded at its creation (an import brings
    a KR in with the value it had), else its start value. Movement is counted from there."""
    at_creation = [p for p in _value_points(facts) if p.at <= facts.created_at]
    value = at_creation[-1].value if at_creation else None
    return value if value is not None else facts.start


def last_value_change(facts: KRFacts, before: datetime) -> datetime | None:
    """When the value last actually changed before `before` (a repeated value is no change)."""
    last: datetime | None = None
    previous: float | None = None
    for index, point in enumerate(_value_points(facts)):
        if point.at >= before:
            break
        reference = point.previous_value if index == 0 else previous
        if reference is None or abs((point.value or 0.0) - reference) > _EPS:
            last = point.at
        previous = point.value
    return last


def stall(facts: KRFacts, now: Snapshot, end: datetime) -> tuple[StallReason, int] | None:
    """Why a KR is stalled at `end`, with for how many days; None when it is not.

    Stalled: not done, older than STALL_AFTER, and either nobody checked in for STALL_AFTER
    or its value has not changed for STALL_AFTER.
    """
    horizon = end - STALL_AFTER
    if now.done or facts.created_at > horizon:
        return None
    checked = facts.last_checkin_at
    if checked is None or checked < horizon:
        return StallReason.NO_CHECKIN, (end - (checked or facts.created_at)).days
    changed = last_value_change(facts, end)
    if changed is None or changed < horizon:
        return StallReason.NO_CHANGE, (end - (changed or facts.created_at)).days
    return None


def _win(facts: KRFacts, before: Snapshot | None, now: Snapshot) -> WinKind | None:
    if now.done and (before is None or not before.done):
        return WinKind.MILESTONE_DONE if facts.kind is KRKind.MILESTONE else WinKind.REACHED_TARGET
    if before is not None and before.colour is not Colour.GREEN and now.colour is Colour.GREEN:
        return WinKind.TURNED_GREEN
    return None


def classify(facts: KRFacts, start: datetime, end: datetime) -> KRChange | None:
    """What happened to a KR between `start` (the previous digest) and `end`.

    None when the KR did not exist at `end`. Each KR gets one status, the first that applies:
    red (red at `end`, whether it just turned red or stayed red: a lead sees every red KR), a
    win (reached its target, a milestone done, or turned green), moved (value differs from
    `start`, or from the value it was created with for a KR created since: an imported value
    is where the KR stood, not movement), stalled.
    """
    now = snapshot_at(facts, end)
    if now is None:
        return None
    before = snapshot_at(facts, start)
    if now.colour is Colour.RED:
        return KRChange(before, now, Status.TURNED_RED)
    win = _win(facts, before, now)
    if win is not None:
        return KRChange(before, now, Status.WIN, win=win)
    baseline = before.value if before is not None else value_when_created(facts)
    if abs(now.value - baseline) > _EPS:
        return KRChange(before, now, Status.MOVED)
    stalled = stall(facts, now, end)
    if stalled is not None:
        return KRChange(before, now, Status.STALLED, stall=stalled[0], quiet_days=stalled[1])
    return KRChange(before, now, Status.STEADY)


def target_changes(facts: KRFacts, start: datetime, end: datetime) -> list[TargetChange]:
    """Target changes recorded in [start, end), oldest first.

    A point at or before the KR's creation is its baseline, not a change; a point repeating
    the previous target is no change.
    """
    changes: list[TargetChange] = []
    previous: float | None = None
    for point in facts.history:
        if point.target is None:
            continue
        is_change = previous is None or abs(point.target - previous) > _EPS
        if start <= point.at < end and point.at > facts.created_at and is_change:
            changes.append(TargetChange(point.at, previous, point.target, point.changed_by))
        previous = point.target
    return changes


def objective_scores(
    changes: Iterable[KRChange],
) -> tuple[float | None, float | None]:
    """(score before, score now) of an Objective from its KRs' changes.

    "Before" averages only the KRs that existed at the previous digest.
    """
    changes = list(changes)
    before = objective_score(c.before.score for c in changes if c.before is not None)
    now = objective_score(c.now.score for c in changes)
    return before, now


def trend(before: float | None, now: float | None) -> tuple[Trend, float]:
    """Direction and size of a score change, to two decimals (what the digest shows)."""
    if before is None or now is None:
        return Trend.NEW, 0.0
    delta = round(now - before, 2)
    if delta > 0:
        return Trend.UP, delta
    if delta < 0:
        return Trend.DOWN, -delta
    return Trend.FLAT, 0.0


def open_asks(asks: Iterable[Ask]) -> list[Ask]:
    """The blockers and help requests still open: each author's latest word on each KR.

    A later check-in without a blocker or help request closes the earlier one. The result
    keeps only asks with text, oldest first.
    """
    latest: dict[tuple[int, int | None], Ask] = {}
    for ask in sorted(asks, key=lambda a: a.at):
        latest[(ask.key_result_id, ask.author_id)] = ask
    return [a for a in latest.values() if a.blockers.strip() or a.help_needed.strip()]


def period_days(first: date, last: date) -> list[date]:
    """The local dates from `first` to `last`, inclusive."""
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def clip_text(text: str, limit: int = FREE_TEXT_LIMIT) -> str:
    """Free text on one line (whitespace collapsed), at most `limit` characters.

    Done before escaping, so an entity is never cut in half.
    """
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: max(limit - 1, 0)] + "…"


@dataclass(frozen=True)
class DigestWindow:
    """The digest a team would get at `end`: its period index (the outbox slot) and the span
    it covers, from the previous digest's due time."""

    period: int
    start: datetime
    end: datetime


def digest_window(rhythm: slots.Rhythm, now: datetime) -> DigestWindow:
    """The window of a digest sent at `now` outside the schedule (`/okr digest`, send-digest).

    It starts where the last scheduled digest before `now` was due, so it shows what the next
    one will; without one (digests off, a new team) it covers one period length back.
    """
    length = slots.digest_period(rhythm)
    index = slots.period_index(rhythm, slots.local_date(now, rhythm.timezone))
    earlier = [s for s in slots.digest_slots(rhythm, now - 2 * length, now) if s.due_at < now]
    start = earlier[-1].due_at if earlier else now - length
    return DigestWindow(index, start, now)
