"""Outbox state changes: claim with a lease, finish only under our own lease (the fencing token).

Every change is one conditional UPDATE in its own short transaction, so any number of senders
in any number of processes can run at once (RELIABILITY.md §6). For a row in flight or done,
`next_attempt_at` holds the slot its last claim gave it (bot/delivery/pace.py): the time it
is posted, not before.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, case, cast, exists, func, literal, or_, select, update
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session
from sqlmodel import select as scalar_select

from bot.delivery import pace
from bot.delivery.pace import Pacing as Pacing  # the pacing a claim follows
from storage.db import Database
from storage.models import Delivery
from storage.queries.outbox import SCHEDULED_KINDS

LEASE = timedelta(seconds=120)
CHANNEL_GAP = timedelta(seconds=1)  # ≤ 1 message per second per channel (SLACK.md)
# Rows whose slot counts for their channel's gap (ambiguous ones are waiting for a history read).
_ATTEMPTED = ("sending", "sent", "failed")
_TABLE = Delivery.__table__  # type: ignore[attr-defined]


def _target_key(table: Any) -> ColumnElement[Any]:
    """Where a row will be posted, for pacing: its person's DM, else its channel. (A sent DM
    row also records its channel id, so the person is the key that stays the same.)"""
    return func.coalesce(literal("person:") + cast(table.c.person_id, String),
                         table.c.channel_id)


def claim(db: Database, *, owner: str, now: datetime, pacing: Pacing) -> list[Delivery]:
    """Lease due pending rows to `owner`, each with its slot of the workspace's pace.

    The pace row is locked for the transaction, so claims of all senders take turns and hand
    out consecutive slots (SQLite claims inside `BEGIN IMMEDIATE`, `db.write()`). One row per
    target per claim, and none for a target whose last slot is less than a second before this
    claim's first; `FOR UPDATE SKIP LOCKED` and the conditional UPDATE keep claims apart.
    """
    with db.write() as session:
        start = pace.first_slot(session, now=now, pacing=pacing, postgres=db.is_postgres)
        room = pacing.slots(start, now + pacing.horizon())
        if room <= 0:
            return []
        d = _TABLE
        # The first due row of each target not used in the last second, ranked by a window
        # function: a NOT EXISTS on an earlier row of the same target is a nested loop over
        # every pending row (3.6 s for 2,000 due rows on PostgreSQL; bench/fanout.py).
        used = {target for target in session.exec(scalar_select(_target_key(d)).where(
            d.c.status.in_(_ATTEMPTED), d.c.next_attempt_at > start - CHANNEL_GAP)) if target}
        ranked = (
            select(d.c.id, d.c.next_attempt_at, func.row_number().over(
                partition_by=_target_key(d), order_by=(d.c.next_attempt_at, d.c.id),
            ).label("rank"))
            .where(d.c.status == "pending", d.c.next_attempt_at <= now,
                   _target_key(d).not_in(sorted(used)), _parent_posted(d))
            .subquery()
        )
        firsts = (
            select(ranked.c.id).where(ranked.c.rank == 1)
            .order_by(ranked.c.next_attempt_at, ranked.c.id).limit(room)
        )
        due = (
            scalar_select(d.c.id)
            .where(d.c.id.in_(firsts))
            .order_by(d.c.next_attempt_at, d.c.id)
            .with_for_update(skip_locked=True)
        )
        ids = list(session.exec(due))
        if not ids:
            return []
        slots = {row_id: start + n * pacing.interval() for n, row_id in enumerate(ids)}
        rows = _lease(session, ids, "pending", new_status="sending", lease_owner=owner,
                      lease_expires_at=now + LEASE,
                      next_attempt_at=case(slots, value=d.c.id))
        if rows:
            pace.set_mark(session, max(r.next_attempt_at for r in rows) + pacing.interval())
    return sorted(rows, key=lambda r: (r.next_attempt_at, r.id or 0))


def _parent_posted(d: Any) -> ColumnElement[bool]:
    """A row is ready when it has no parent, or its parent's message is out (it has a `ts`):
    a thread reply needs the parent's ts, so it waits rather than posting in the channel."""
    parent = d.alias("parent")
    return or_(d.c.parent_id.is_(None), exists().where(
        parent.c.id == d.c.parent_id, parent.c.status == "sent", parent.c.ts.is_not(None)))


def _lease(session: Session, ids: Sequence[int], status: str, *, new_status: str | None = None,
           **values: Any) -> list[Delivery]:
    """Update the rows `ids` (locked by the caller's SELECT, skipping rows others hold) if still
    in `status`. Two statements in one transaction rather than `UPDATE … WHERE id IN (SELECT …
    LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL may rescan such a subquery and update more
    than n rows."""
    if not ids:
        return []
    d = _TABLE
    values["status"] = new_status or status
    statement = (
        update(d).where(d.c.id.in_(ids), d.c.status == status).values(**values).returning(*d.c)
    )
    # Loaded by the ORM, not built with Delivery(**row): the model's validation cost 2.7 ms a
    # row in the sender's profile (bench/fanout.py at 6,000/min), more than its post.
    loaded = session.execute(scalar_select(Delivery).from_statement(statement))
    return list(loaded.scalars())


def claim_time(row: Delivery) -> datetime | None:
    """When the row's last lease was taken."""
    return row.lease_expires_at - LEASE if row.lease_expires_at else None


def finish(db: Database, row_id: int, owner: str, **values: Any) -> bool:
    """Set `values` on a row we hold the lease of; False when the lease is no longer ours."""
    with db.write() as session:
        return _finish(session, row_id, owner, values)


def finish_refused(db: Database, row_id: int, owner: str, pacing: Pacing, **values: Any) -> bool:
    """`finish` a row Slack refused with 429, and give its slot back to the pace."""
    with db.write() as session:
        pace.give_back(session, pacing, postgres=db.is_postgres)
        return _finish(session, row_id, owner, values)


def _finish(session: Session, row_id: int, owner: str, values: dict[str, Any]) -> bool:
    d = _TABLE
    result = session.exec(
        update(d)
        .where(d.c.id == row_id, d.c.lease_owner == owner, d.c.status == "sending")
        .values(**values)
    )
    return bool(result.rowcount == 1)


def release(db: Database, row_ids: Sequence[int], owner: str, *, at: datetime) -> int:
    """Give claimed rows we did not post back to pending, due `at`."""
    if not row_ids:
        return 0
    d = _TABLE
    with db.write() as session:
        result = session.exec(
            update(d)
            .where(d.c.id.in_(list(row_ids)), d.c.lease_owner == owner,
                   d.c.status == "sending")
            .values(status="pending", next_attempt_at=at)
        )
        return int(result.rowcount)


def finish_sent(db: Database, owner: str, posts: Iterable[tuple[int, str, str]],
                now: datetime) -> set[int]:
    """Record (row id, channel, ts) posts as sent in one statement, for rows we still hold
    the lease of; returns the ids recorded."""
    posted = {row_id: (channel, ts) for row_id, channel, ts in posts}
    if not posted:
        return set()
    d = _TABLE
    channels = {row_id: channel for row_id, (channel, _) in posted.items()}
    stamps = {row_id: ts for row_id, (_, ts) in posted.items()}
    with db.write() as session:
        recorded = session.exec(
            update(d)
            .where(d.c.id.in_(sorted(posted)), d.c.lease_owner == owner,
                   d.c.status == "sending")
            .values(status="sent", channel_id=case(channels, value=d.c.id),
                    ts=case(stamps, value=d.c.id), sent_at=now, attempts=d.c.attempts + 1,
                    last_error=None)
            .returning(d.c.id)
        )
        return {int(row_id) for (row_id,) in recorded}


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


def skip_orphans(db: Database) -> int:
    """Replies still waiting for a parent that will never be posted (skipped or failed) are
    skipped too, so nothing waits for ever and nothing is posted outside its thread."""
    d = _TABLE
    parent = d.alias("parent")
    with db.write() as session:
        result = session.exec(
            update(d)
            .where(d.c.status == "pending", d.c.parent_id.is_not(None), exists().where(
                parent.c.id == d.c.parent_id, parent.c.status.in_(("skipped", "failed"))))
            .values(status="skipped", last_error="its thread was never posted")
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
        return _lease(session, list(session.exec(due)), "ambiguous", next_attempt_at=until)


def settle(db: Database, row_id: int, **values: Any) -> bool:
    """Change an ambiguous row (after reading the channel); False when it is not ambiguous."""
    d = _TABLE
    with db.write() as session:
        result = session.exec(
            update(d).where(d.c.id == row_id, d.c.status == "ambiguous").values(**values)
        )
        return bool(result.rowcount == 1)
