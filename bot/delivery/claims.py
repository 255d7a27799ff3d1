"""Outbox state changes: claim with a lease, finish only under our own lease (the fencing token).

Every change is one conditional UPDATE in its own short transaction, so any number of senders
in any number of processes can run at once (RELIABILITY.md §6). For a row in flight or done,
`next_attempt_at` holds the time of its last claim: pacing counts those.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, cast, func, literal, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session
from sqlmodel import select as scalar_select

from storage.db import Database
from storage.models import Delivery
from storage.queries.outbox import SCHEDULED_KINDS

LEASE = timedelta(seconds=120)
CHANNEL_GAP = timedelta(seconds=1)  # ≤ 1 message per second per channel (SLACK.md)
PACING_WINDOW = timedelta(minutes=1)
CATCH_UP_TICKS = 3
PG_CLAIM_LOCK = 4_242_003
# Rows whose last claim counts against the pace (ambiguous ones are waiting for a history read).
_ATTEMPTED = ("sending", "sent", "failed")
_TABLE = Delivery.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Pacing:
    """A workspace budget of posts per minute, spent at most `tick`'s share per claim."""

    per_minute: int = 240
    tick: timedelta = timedelta(seconds=2)
    # Room for the highest budget Settings allow (3000/min = 100 per 2-s tick): at 50, one
    # process could never spend more than 1500/min (bench/fanout.py).
    max_batch: int = 100

    def per_tick(self) -> int:
        share = math.ceil(self.per_minute * self.tick.total_seconds() / 60)
        return max(1, min(self.max_batch, share))

    def lookback(self) -> timedelta:
        """The recent ticks whose unspent share a claim may make up: CATCH_UP_TICKS of them,
        plus half a tick so a late tick still counts as one."""
        return self.tick * (CATCH_UP_TICKS + 0.5)

    def budget(self, *, in_lookback: int, in_minute: int) -> int:
        """This claim's posts: the tick's share, plus what the last ticks left unspent (a
        batch a 429 cut short releases its rest; bench/fanout.py lost 1 post in 6 to that),
        at most one share more, and never beyond the minute's budget."""
        share = self.per_tick()
        unspent = max(0, min(share, share * CATCH_UP_TICKS - in_lookback))
        return min(self.max_batch, share + unspent, self.per_minute - in_minute)


def _target_key(table: Any) -> ColumnElement[Any]:
    """Where a row will be posted, for pacing: its person's DM, else its channel. (A sent DM
    row also records its channel id, so the person is the key that stays the same.)"""
    return func.coalesce(literal("person:") + cast(table.c.person_id, String),
                         table.c.channel_id)


def claim(db: Database, *, owner: str, now: datetime, pacing: Pacing) -> list[Delivery]:
    """Lease due pending rows to `owner`, within the workspace and per-channel pace.

    One row per target per claim, none for a target used less than a second ago, and no more
    than the minute's budget allows. On PostgreSQL the claims of all senders take turns on an
    advisory lock so the budget is exact; `FOR UPDATE SKIP LOCKED` and the conditional UPDATE
    keep them apart even without it. SQLite claims inside `BEGIN IMMEDIATE` (`db.write()`).
    """
    with db.write() as session:
        if db.is_postgres:
            session.exec(scalar_select(func.pg_advisory_xact_lock(PG_CLAIM_LOCK))).one()
        budget = pacing.budget(
            in_lookback=_recent_claims(session, now, pacing.lookback()),
            in_minute=_recent_claims(session, now, PACING_WINDOW))
        if budget <= 0:
            return []
        d = _TABLE
        # The first due row of each target not used in the last second, ranked by a window
        # function: a NOT EXISTS on an earlier row of the same target is a nested loop over
        # every pending row (3.6 s for 2,000 due rows on PostgreSQL; bench/fanout.py).
        used = {target for target in session.exec(scalar_select(_target_key(d)).where(
            d.c.status.in_(_ATTEMPTED), d.c.next_attempt_at > now - CHANNEL_GAP)) if target}
        ranked = (
            select(d.c.id, d.c.next_attempt_at, func.row_number().over(
                partition_by=_target_key(d), order_by=(d.c.next_attempt_at, d.c.id),
            ).label("rank"))
            .where(d.c.status == "pending", d.c.next_attempt_at <= now,
                   _target_key(d).not_in(sorted(used)))
            .subquery()
        )
        firsts = (
            select(ranked.c.id).where(ranked.c.rank == 1)
            .order_by(ranked.c.next_attempt_at, ranked.c.id).limit(budget)
        )
        due = (
            scalar_select(d.c.id)
            .where(d.c.id.in_(firsts))
            .order_by(d.c.next_attempt_at, d.c.id)
            .with_for_update(skip_locked=True)
        )
        rows = _lease(session, due, "pending", new_status="sending", lease_owner=owner,
                      lease_expires_at=now + LEASE, next_attempt_at=now)
    return sorted(rows, key=lambda r: (r.next_attempt_at, r.id or 0))


def _lease(session: Session, due: Any, status: str, *, new_status: str | None = None,
           **values: Any) -> list[Delivery]:
    """Lock the rows `due` selects (skipping rows others hold), then update them if still in
    `status`. Two statements in one transaction rather than `UPDATE … WHERE id IN (SELECT …
    LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL may rescan such a subquery and update more
    than n rows."""
    ids = list(session.exec(due))
    if not ids:
        return []
    d = _TABLE
    values["status"] = new_status or status
    statement = (
        update(d).where(d.c.id.in_(ids), d.c.status == status).values(**values).returning(*d.c)
    )
    return [Delivery(**row._mapping) for row in session.exec(statement)]


def _recent_claims(session: Session, now: datetime, window: timedelta) -> int:
    d = _TABLE
    query = scalar_select(func.count()).select_from(d).where(
        d.c.status.in_(_ATTEMPTED), d.c.next_attempt_at > now - window
    )
    return int(session.exec(query).one())


def claim_time(row: Delivery) -> datetime | None:
    """When the row's last lease was taken."""
    return row.lease_expires_at - LEASE if row.lease_expires_at else None


def finish(db: Database, row_id: int, owner: str, **values: Any) -> bool:
    """Set `values` on a row we hold the lease of; False when the lease is no longer ours."""
    d = _TABLE
    with db.write() as session:
        result = session.exec(
            update(d)
            .where(d.c.id == row_id, d.c.lease_owner == owner, d.c.status == "sending")
            .values(**values)
        )
        return bool(result.rowcount == 1)


def adopt_sent(db: Database, row_id: int, *, channel: str, ts: str, now: datetime) -> bool:
    """Our post went out but our lease expired meanwhile: record it unless someone else has."""
    d = _TABLE
    with db.write() as session:
        result = session.exec(
            update(d)
            .where(d.c.id == row_id, d.c.status == "ambiguous", d.c.ts.is_(None))
            .values(status="sent", channel_id=channel, ts=ts, sent_at=now, last_error=None)
        )
        return bool(result.rowcount == 1)


def expire_leases(db: Database, *, now: datetime, reconcile_at: datetime) -> int:
    """Rows left `sending` past their lease (a sender died or stalled) become `ambiguous`."""
    d = _TABLE
    with db.write() as session:
        result = session.exec(
            update(d)
            .where(d.c.status == "sending", d.c.lease_expires_at < now)
            .values(status="ambiguous", attempts=d.c.attempts + 1, last_error="lease expired",
                    next_attempt_at=reconcile_at)
        )
        return int(result.rowcount)


def skip_late(db: Database, *, now: datetime, grace: timedelta) -> int:
    """Scheduled rows still pending after the grace window are skipped, never sent late.

    A row whose first message is out (`ts` set: a digest with replies still to post) is not."""
    d = _TABLE
    with db.write() as session:
        result = session.exec(
            update(d)
            .where(d.c.status == "pending", d.c.kind.in_(sorted(SCHEDULED_KINDS)),
                   d.c.due_at < now - grace, d.c.ts.is_(None))
            .values(status="skipped", last_error="late: not sent within the grace window")
        )
        return int(result.rowcount)


def take_ambiguous(db: Database, *, now: datetime, until: datetime, limit: int) -> list[Delivery]:
    """Ambiguous rows due for a history read, hidden from other readers until `until`."""
    d = _TABLE
    with db.write() as session:
        due = (
            scalar_select(d.c.id)
            .where(d.c.status == "ambiguous", d.c.next_attempt_at <= now)
            .order_by(d.c.next_attempt_at, d.c.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return _lease(session, due, "ambiguous", next_attempt_at=until)


def settle(db: Database, row_id: int, **values: Any) -> bool:
    """Change an ambiguous row (after reading the channel); False when it is not ambiguous."""
    d = _TABLE
    with db.write() as session:
        result = session.exec(
            update(d).where(d.c.id == row_id, d.c.status == "ambiguous").values(**values)
        )
        return bool(result.rowcount == 1)
