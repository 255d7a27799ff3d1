"""Insert-if-absent into the outbox: the UNIQUE `dedupe_key` makes every insert safe to repeat.

Where a row is posted: a reply row (`parent_id` set, `enqueue_reply`) in the thread of its
parent's message, once the parent is sent; else its `channel_id` when given; otherwise a
check-in prompt or reminder goes to the person's DM, a digest to the team's digest channel (or
the team's channel), and any other kind (e.g. a help alert) to the team's channel when
`team_id` is set, else to the person's DM.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.models import Delivery

PERSON_KINDS = frozenset({"checkin", "reminder"})
# Kinds a schedule causes: sent within the grace window or recorded as skipped, never late.
SCHEDULED_KINDS = frozenset({"checkin", "reminder", "digest", "alignment"})


def enqueue(
    session: Session,
    *,
    kind: str,
    dedupe_key: str,
    due_at: datetime,
    person_id: int | None = None,
    team_id: int | None = None,
    slot_key: str = "",
    payload: dict[str, Any],
    channel_id: str | None = None,
    created_at: datetime | None = None,
) -> bool:
    """Add a pending delivery unless one with `dedupe_key` exists; True when this call added it.

    Call it inside the transaction of the change that causes the message. `payload` must be
    JSON-serialisable; `created_at` defaults to `due_at` (right for "send now" messages).
    """
    return _insert_if_absent(
        session,
        kind=kind,
        dedupe_key=dedupe_key,
        person_id=person_id,
        team_id=team_id,
        slot_key=slot_key,
        due_at=due_at,
        status="pending",
        next_attempt_at=due_at,
        channel_id=channel_id,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
        created_at=created_at or due_at,
    )


def enqueue_reply(
    session: Session,
    *,
    parent_key: str,
    kind: str,
    dedupe_key: str,
    payload: dict[str, Any],
    created_at: datetime,
) -> bool:
    """Add a reply to be posted in the thread of the row `parent_key`, once that row is sent
    (claims wait for the parent's `ts`; a parent that ends skipped or failed takes its replies
    with it). True when this call added it; False when it exists or the parent does not."""
    parent = session.exec(select(Delivery).where(col(Delivery.dedupe_key) == parent_key)).first()
    if parent is None or parent.id is None:
        return False
    return _insert_if_absent(
        session,
        kind=kind,
        dedupe_key=dedupe_key,
        parent_id=parent.id,
        person_id=parent.person_id,
        team_id=parent.team_id,
        slot_key=parent.slot_key,
        due_at=parent.due_at,
        status="pending",
        next_attempt_at=parent.due_at,
        channel_id=parent.channel_id,
        payload=json.dumps(payload, ensure_ascii=False, sort_keys=True),
        created_at=created_at,
    )


def enqueue_thread(
    session: Session, *, parent_key: str, kind: str, sections: tuple[str, ...],
    created_at: datetime,
) -> int:
    """One reply row per section (`{parent_key}:{section}`, payload `{"section": …}`), posted
    in that order in the thread of the row `parent_key`; how many were new."""
    return sum(
        enqueue_reply(session, parent_key=parent_key, kind=kind,
                      dedupe_key=f"{parent_key}:{section}", payload={"section": section},
                      created_at=created_at)
        for section in sections
    )


def record_skipped(
    session: Session,
    *,
    kind: str,
    dedupe_key: str,
    due_at: datetime,
    now: datetime,
    reason: str,
    person_id: int | None = None,
    team_id: int | None = None,
    slot_key: str = "",
) -> bool:
    """Close a slot that will not be sent (too late, holiday, away…) so it is never sent later."""
    return _insert_if_absent(
        session,
        kind=kind,
        dedupe_key=dedupe_key,
        person_id=person_id,
        team_id=team_id,
        slot_key=slot_key,
        due_at=due_at,
        status="skipped",
        next_attempt_at=due_at,
        payload="{}",
        last_error=reason[:500],
        created_at=now,
    )


def _insert_if_absent(session: Session, **values: Any) -> bool:
    table = Delivery.__table__  # type: ignore[attr-defined]
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(table.c.id)
    )
    return session.exec(statement).first() is not None
