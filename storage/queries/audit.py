"""The inbox of handled Slack deliveries (idempotency) and the audit log: keyword-only
`session`, no commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import Session

from storage.db import conflict_insert, insert_rows
from storage.models import (
    AuditLog,
    InboxEntry,
)


def inbox_seen(key: str, *, session: Session) -> bool:
    return session.get(InboxEntry, key) is not None


def claim_inbox(key: str, at: datetime, *, session: Session) -> bool:
    """Insert-if-absent of an inbound request key; False when it was handled already."""
    table: Any = InboxEntry.__table__  # type: ignore[attr-defined]
    statement = (conflict_insert(session, table).values(key=key, received_at=at)
                 .on_conflict_do_nothing().returning(table.c.key))
    # RETURNING says whether the row went in, on both databases (a rowcount need not).
    return session.execute(statement).first() is not None


def add_audit(
    *, session: Session, at: datetime, actor: str, action: str, entity: str, entity_id: str,
    before: str | None = None, after: str | None = None,
) -> None:
    """Append one audit row."""
    session.add(AuditLog(**audit_row(at=at, actor=actor, action=action, entity=entity,
                                     entity_id=entity_id, before=before, after=after)))


def audit_row(
    *, at: datetime, actor: str, action: str, entity: str, entity_id: str,
    before: str | None = None, after: str | None = None,
) -> dict[str, Any]:
    """One audit row's columns, not yet written (`add_audits` writes many in one statement):
    plain values, so a check-in of ten KRs builds no ORM object for its audit."""
    return {"at": at, "actor": actor, "action": action, "entity": entity,
            "entity_id": entity_id, "before": before, "after": after}


def add_audits(*, session: Session, rows: Sequence[dict[str, Any]]) -> None:
    """Append `audit_row`s in one statement (`insert_rows`), whatever their number."""
    insert_rows(session, AuditLog.__table__, rows)  # type: ignore[attr-defined]
