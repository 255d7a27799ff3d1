"""The workspace's posting pace, shared by every sender through the database.

A token bucket kept as virtual time (GCRA): the `send_pace` row holds the earliest time the
next post may go out. A claim hands its rows consecutive slots one `interval` apart from there,
as many as fit before its `horizon`, and moves the mark past them; a sender posts each row at
its slot. So any number of senders in any number of processes post evenly at the configured
rate together, rather than in bursts that Slack then refuses (bench/fanout.py: a burst per
tick drew 429s whenever the posts of one minute edged into the next). A post Slack refused
gives its slot back; a run of refusals holds every sender until Slack's Retry-After.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlmodel import Session

from storage.db import Database, conflict_insert
from storage.models import SendPace

WORKSPACE = "slack"
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)
_TABLE = SendPace.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Pacing:
    """A workspace budget of posts per minute, claimed one tick's worth at a time."""

    per_minute: int = 240
    tick: timedelta = timedelta(seconds=2)
    # The most rows one claim may take (6000/min is 200 per 2-s tick).
    max_batch: int = 500
    # Post this much under the budget: a post reaches Slack a little after its slot, and a
    # minute whose first posts were late and whose last ones were not would count one too many.
    headroom: float = 0.01

    def interval(self) -> timedelta:
        """The time between two consecutive slots."""
        return timedelta(seconds=60 / self.per_minute * (1 + self.headroom))

    def horizon(self) -> timedelta:
        """How far ahead a claim hands out slots: what its sender can post before the next tick
        starts (the tick then ends in time for the next one)."""
        return self.tick * 0.9

    def catch_up(self) -> timedelta:
        """How far in the past the first slot may lie when no sender used the time since the
        mark (the gap between one tick's last post and the next tick); no more, or slots
        saved up while idle would go out as a burst."""
        return self.tick / 8

    def slots(self, start: datetime, until: datetime) -> int:
        """How many slots from `start` fall before `until`, at most `max_batch`."""
        room = math.ceil((until - start) / self.interval())
        return max(0, min(self.max_batch, room))

    def per_tick(self) -> int:
        """The slots of one claim when the senders are busy."""
        return max(1, self.slots(EPOCH, EPOCH + self.horizon()))


def first_slot(session: Session, *, now: datetime, pacing: Pacing, postgres: bool) -> datetime:
    """Lock the pace (until the transaction ends) and return the first free slot."""
    mark = _locked_mark(session, postgres)
    if mark is None:
        session.execute(conflict_insert(session, _TABLE)
                        .values(workspace=WORKSPACE, next_slot_at=EPOCH).on_conflict_do_nothing())
        mark = _locked_mark(session, postgres) or EPOCH
    return max(mark, now - pacing.catch_up())


def set_mark(session: Session, mark: datetime) -> None:
    """The first slot the next claim may hand out (inside the transaction of `first_slot`)."""
    session.execute(update(_TABLE).where(_TABLE.c.workspace == WORKSPACE)
                    .values(next_slot_at=mark))


def give_back(session: Session, pacing: Pacing, *, postgres: bool) -> None:
    """A post Slack refused did not count: the next claim may use one slot more."""
    mark = _locked_mark(session, postgres)
    if mark is not None:
        set_mark(session, mark - pacing.interval())


def hold(db: Database, until: datetime) -> None:
    """Slack refused several posts in a row: no sender gets a slot before `until`."""
    with db.write() as session:
        mark = _locked_mark(session, db.is_postgres)
        if mark is not None and mark < until:
            set_mark(session, until)


def _locked_mark(session: Session, postgres: bool) -> datetime | None:
    query = select(_TABLE.c.next_slot_at).where(_TABLE.c.workspace == WORKSPACE)
    if postgres:  # SQLite: the whole file is locked by BEGIN IMMEDIATE
        query = query.with_for_update()
    mark: datetime | None = session.execute(query).scalar_one_or_none()
    return mark
