"""The outbox: insert-if-absent (the UNIQUE `dedupe_key` makes every insert safe to repeat),
and the reads of the planner, the reminders and `status`.

Where a row is posted: a reply row (`parent_id` set, `enqueue_reply`) in the thread of its
parent's message, once the parent is sent; else its `channel_id` when given; otherwise a
check-in prompt or reminder goes to the person's DM, a digest to the team's digest channel (or
the team's channel), and any other kind (e.g. a help alert) to the team's channel when
`team_id` is set, else to the person's DM.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from storage.db import conflict_insert
from storage.models import Delivery
from storage.queries.batching import chunks

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
        session, **_slot(kind, dedupe_key, due_at, person_id, team_id, slot_key),
        status="pending", channel_id=channel_id, payload=_json(payload),
        created_at=created_at or due_at,
    )


def by_key(dedupe_key: str, *, session: Session) -> Delivery | None:
    """The outbox row with `dedupe_key`, if any."""
    return session.exec(select(Delivery).where(col(Delivery.dedupe_key) == dedupe_key)).first()


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
    parent = by_key(parent_key, session=session)
    if parent is None or parent.id is None:
        return False
    return _insert_if_absent(
        session, **_slot(kind, dedupe_key, parent.due_at, parent.person_id, parent.team_id,
                         parent.slot_key),
        parent_id=parent.id, status="pending", channel_id=parent.channel_id,
        payload=_json(payload), created_at=created_at,
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
        session, **_slot(kind, dedupe_key, due_at, person_id, team_id, slot_key),
        status="skipped", payload="{}", last_error=reason[:500], created_at=now,
    )


def _slot(kind: str, dedupe_key: str, due_at: datetime, person_id: int | None,
          team_id: int | None, slot_key: str) -> dict[str, Any]:
    """The columns every outbox row has: what, for whom, and when it is first due."""
    return {"kind": kind, "dedupe_key": dedupe_key, "person_id": person_id, "team_id": team_id,
            "slot_key": slot_key, "due_at": due_at, "next_attempt_at": due_at}


def _json(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True)


def _insert_if_absent(session: Session, **values: Any) -> bool:
    table = Delivery.__table__  # type: ignore[attr-defined]
    statement = (
        conflict_insert(session, table)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["dedupe_key"])
        .returning(table.c.id)
    )
    return session.exec(statement).first() is not None


def existing_dedupe_keys(*, session: Session, keys: Collection[str]) -> set[str]:
    """Those of `keys` that already have an outbox row."""
    found: set[str] = set()
    for chunk in chunks(sorted(keys)):
        query = select(Delivery.dedupe_key).where(col(Delivery.dedupe_key).in_(list(chunk)))
        found.update(session.exec(query))
    return found


def prompts_awaiting_reminder(*, session: Session, since: datetime) -> list[Delivery]:
    """Check-in prompts sent since `since` that have no reminder row yet."""
    reminder = aliased(Delivery)
    has_reminder = (
        select(reminder.id)
        .where(
            reminder.kind == "reminder",
            reminder.person_id == col(Delivery.person_id),
            reminder.slot_key == col(Delivery.slot_key),
        )
        .exists()
    )
    query = select(Delivery).where(
        col(Delivery.kind) == "checkin",
        col(Delivery.status) == "sent",
        col(Delivery.sent_at) >= since,
        ~has_reminder,
    )
    return list(session.exec(query.order_by(col(Delivery.id))))


def later_prompts(
    *, session: Session, person_ids: Collection[int], since: datetime
) -> dict[int, list[datetime]]:
    """Due times of every check-in prompt of each person due since `since` (not skipped)."""
    found: dict[int, list[datetime]] = defaultdict(list)
    for chunk in chunks(sorted(person_ids)):
        query = select(Delivery.person_id, Delivery.due_at).where(
            col(Delivery.kind) == "checkin", col(Delivery.status) != "skipped",
            col(Delivery.person_id).in_(list(chunk)), col(Delivery.due_at) >= since,
        )
        for person_id, due_at in session.exec(query):
            if person_id is not None:
                found[person_id].append(due_at)
    return found


def prompt_of(*, session: Session, person_id: int, slot_key: str) -> Delivery | None:
    """The check-in prompt of a person's slot."""
    query = select(Delivery).where(
        col(Delivery.kind) == "checkin", col(Delivery.person_id) == person_id,
        col(Delivery.slot_key) == slot_key,
    )
    return session.exec(query).first()


def counts_by_kind_and_status(*, session: Session) -> dict[tuple[str, str], int]:
    """How many outbox rows there are of each (kind, status)."""
    query = select(Delivery.kind, Delivery.status, func.count()).group_by(
        col(Delivery.kind), col(Delivery.status)
    )
    return {(kind, status): int(n) for kind, status, n in session.exec(query)}


def next_pending(*, session: Session, limit: int) -> list[Delivery]:
    """The pending rows that come next, soonest first."""
    query = (
        select(Delivery)
        .where(col(Delivery.status).in_(("pending", "ambiguous")))
        .order_by(col(Delivery.next_attempt_at), col(Delivery.id))
        .limit(limit)
    )
    return list(session.exec(query))


def last_errors(*, session: Session, limit: int) -> list[Delivery]:
    """The most recent rows that failed for good, newest first."""
    query = (
        select(Delivery)
        .where(col(Delivery.status) == "failed")
        .order_by(col(Delivery.next_attempt_at).desc(), col(Delivery.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def last_sent_at(*, session: Session, since: datetime | None = None) -> datetime | None:
    """When Slack last accepted an outbox post (claimed since `since`, when given: that bound
    lets the (status, next_attempt_at) index do the work, since a sent row's next_attempt_at
    is the time of its last claim)."""
    query = select(func.max(Delivery.sent_at)).where(col(Delivery.status) == "sent")
    if since is not None:
        query = query.where(col(Delivery.next_attempt_at) >= since)
    return session.exec(query).one()


def waiting_errors(*, session: Session) -> list[tuple[str, datetime, int]]:
    """Rows waiting to be sent again, by their last error: (error, earliest due time, rows)."""
    query = (
        select(Delivery.last_error, func.min(Delivery.due_at), func.count())
        .where(col(Delivery.status).in_(("pending", "ambiguous")),
               col(Delivery.last_error).is_not(None))
        .group_by(col(Delivery.last_error))
    )
    return [(str(error), due, int(n)) for error, due, n in session.exec(query)]


def waiting_to_retry(*, session: Session, limit: int) -> list[Delivery]:
    """Rows that failed at least once and wait to be sent again, longest waiting first."""
    query = (
        select(Delivery)
        .where(col(Delivery.status).in_(("pending", "ambiguous")),
               col(Delivery.last_error).is_not(None))
        .order_by(col(Delivery.due_at), col(Delivery.id))
        .limit(limit)
    )
    return list(session.exec(query))
