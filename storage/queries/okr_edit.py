"""Queries for creating, editing and archiving OKRs: keyword-only `session`, no commits."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, insert
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, select

from storage.models import (
    AuditLog,
    Cycle,
    InboxEntry,
    KeyResult,
    KRValueHistory,
    Objective,
    Person,
    Team,
    TeamMember,
)


def person_by_slack_id(slack_user_id: str, *, session: Session) -> Person | None:
    return session.exec(select(Person).where(Person.slack_user_id == slack_user_id)).first()


def current_cycle(today: date, *, session: Session) -> Cycle | None:
    """The active cycle that contains `today`, else the active cycle that started last."""
    active = list(session.exec(
        select(Cycle).where(Cycle.state == "active").order_by(col(Cycle.start_date).desc())
    ))
    covering = [c for c in active if c.start_date <= today <= c.end_date]
    candidates = covering or active
    return candidates[0] if candidates else None


def memberships_of(person_id: int, *, session: Session) -> list[TeamMember]:
    return list(session.exec(select(TeamMember).where(TeamMember.person_id == person_id)))


def teams(*, session: Session) -> list[Team]:
    """Every team, by name (teams are few: the tree is walked in Python)."""
    return list(session.exec(select(Team).order_by(col(Team.name))))


def lead_ids(team_ids: Collection[int], *, session: Session) -> set[int]:
    """Ids of the people who lead any of `team_ids`."""
    if not team_ids:
        return set()
    query = select(TeamMember.person_id).where(
        col(TeamMember.team_id).in_(list(team_ids)), col(TeamMember.is_lead).is_(True)
    )
    return set(session.exec(query))


def team_objectives(
    cycle_id: int, team_ids: Collection[int], *, session: Session
) -> list[Objective]:
    """The cycle's Objectives owned by `team_ids` that are not archived, by position."""
    if not team_ids:
        return []
    query = select(Objective).where(
        Objective.cycle_id == cycle_id,
        col(Objective.owner_team_id).in_(list(team_ids)),
        Objective.state != "archived",
    ).order_by(col(Objective.position), col(Objective.id))
    return list(session.exec(query))


def cycle_parent_links(cycle_id: int, *, session: Session) -> dict[int, int | None]:
    """Every Objective of the cycle → its parent id (to keep the alignment tree acyclic)."""
    rows = session.exec(
        select(Objective.id, Objective.parent_id).where(Objective.cycle_id == cycle_id)
    )
    return {int(oid): parent for oid, parent in rows if oid is not None}


def owner_objective_count(
    cycle_id: int, *, person_id: int | None, team_id: int | None, session: Session
) -> int:
    """How many live Objectives one owner has in the cycle."""
    query = select(func.count()).select_from(Objective).where(
        Objective.cycle_id == cycle_id, Objective.state != "archived"
    )
    if person_id is not None:
        query = query.where(Objective.owner_person_id == person_id)
    else:
        query = query.where(Objective.owner_team_id == team_id)
    return int(session.exec(query).one())


def live_key_results(objective_id: int, *, session: Session) -> list[KeyResult]:
    query = select(KeyResult).where(
        KeyResult.objective_id == objective_id, KeyResult.state != "archived"
    ).order_by(col(KeyResult.position), col(KeyResult.id))
    return list(session.exec(query))


def krs_with_target_history(kr_ids: Collection[int], *, session: Session) -> set[int]:
    """The KRs among `kr_ids` that already have a recorded target."""
    if not kr_ids:
        return set()
    query = select(KRValueHistory.key_result_id).where(
        col(KRValueHistory.key_result_id).in_(list(kr_ids)),
        col(KRValueHistory.target_value).is_not(None),
    ).distinct()
    return set(session.exec(query))


def inbox_seen(key: str, *, session: Session) -> bool:
    return session.get(InboxEntry, key) is not None


def claim_inbox(key: str, at: datetime, *, session: Session) -> bool:
    """Insert-if-absent of an inbound request key; False when it was handled already."""
    table: Any = InboxEntry.__table__  # type: ignore[attr-defined]
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    statement = (insert(table).values(key=key, received_at=at).on_conflict_do_nothing()
                 .returning(table.c.key))
    # RETURNING, not rowcount: psycopg reports -1 for this statement.
    return session.execute(statement).first() is not None


def add_audit(
    *, session: Session, at: datetime, actor: str, action: str, entity: str, entity_id: str,
    before: str | None = None, after: str | None = None,
) -> None:
    """Append one audit row."""
    session.add(audit_row(at=at, actor=actor, action=action, entity=entity,
                          entity_id=entity_id, before=before, after=after))


def audit_row(
    *, at: datetime, actor: str, action: str, entity: str, entity_id: str,
    before: str | None = None, after: str | None = None,
) -> AuditLog:
    """One audit row, not yet added (`add_audits` writes many in one statement)."""
    return AuditLog(at=at, actor=actor, action=action, entity=entity, entity_id=entity_id,
                    before=before, after=after)


def add_audits(*, session: Session, rows: Sequence[AuditLog]) -> None:
    """Append audit rows in one statement (executemany), whatever their number (nulls
    rendered: rows with and without a `before` are one batch, not one each)."""
    if rows:
        session.execute(insert(AuditLog).execution_options(render_nulls=True),
                        [row.model_dump(exclude={"id"}) for row in rows])
