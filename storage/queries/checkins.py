"""Queries of the check-in conversation: keyword-only `session`, no commits, no rules."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from storage.models import CheckIn, KeyResult, Objective, Person, TeamMember


def checkin_key_results(
    *, session: Session, cycle_id: int, person_id: int
) -> list[tuple[Objective, KeyResult]]:
    """The active KRs `person_id` is asked about in `cycle_id` (bot.domain.asked.asked_of),
    with their Objective, in display order: KRs they own, unowned KRs of Objectives they own,
    and unowned KRs of Objectives of teams they lead.

    Three statements, each on an index (KR owner; cycle + Objective owner; team member): one
    statement with the OR of them scans every Objective of the cycle (~270 ms at 10,000 people
    on SQLite, once per prompt the outbox sends; bench/fanout.py)."""
    query = (
        select(Objective, KeyResult)
        .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
        .where(
            col(Objective.cycle_id) == cycle_id,
            col(Objective.state) == "active",
            col(KeyResult.state) == "active",
        )
    )
    held = session.exec(query.where(col(KeyResult.owner_person_id) == person_id))
    found = {kr.id: (objective, kr) for objective, kr in held}
    owned = session.exec(query.where(col(Objective.owner_person_id) == person_id))
    found.update({kr.id: (objective, kr) for objective, kr in owned if kr.owner_person_id is None})
    led = session.exec(
        query.join(TeamMember, col(TeamMember.team_id) == col(Objective.owner_team_id))
        .where(col(TeamMember.person_id) == person_id, col(TeamMember.is_lead),
               col(KeyResult.owner_person_id).is_(None)))
    found.update({kr.id: (objective, kr) for objective, kr in led})
    return sorted(found.values(), key=lambda pair: (pair[0].position, pair[0].id or 0,
                                                    pair[1].position, pair[1].id or 0))


def checkins_by_keys(*, session: Session, keys: Collection[str]) -> dict[str, CheckIn]:
    """The check-ins among idempotency `keys` that exist, by key."""
    if not keys:
        return {}
    rows = session.exec(select(CheckIn).where(col(CheckIn.idempotency_key).in_(list(keys))))
    return {row.idempotency_key: row for row in rows}


def lock_person(*, session: Session, person_id: int) -> None:
    """Serialise this transaction with others of the same person (PostgreSQL row lock; SQLite
    write transactions are serial already)."""
    session.exec(select(Person.id).where(col(Person.id) == person_id).with_for_update()).first()



def checkins_by_source(*, session: Session) -> dict[str, int]:
    """How many check-ins are stored, by source (slack, api, import, shell)."""
    query = select(CheckIn.source, func.count()).group_by(col(CheckIn.source))
    return {source: int(n) for source, n in session.exec(query)}


def open_help_requests(
    *, session: Session, cycle_id: int
) -> list[tuple[CheckIn, KeyResult, Objective]]:
    """Help requests still open in `cycle_id`: each author's latest check-in on each active KR,
    when it asks for help (a later check-in without one closes it); oldest first."""
    latest = (
        select(CheckIn.key_result_id, CheckIn.author_id,
               func.max(CheckIn.updated_at).label("at"))
        .join(KeyResult, col(KeyResult.id) == col(CheckIn.key_result_id))
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(col(Objective.cycle_id) == cycle_id, col(Objective.state) == "active",
               col(KeyResult.state) == "active")
        .group_by(col(CheckIn.key_result_id), col(CheckIn.author_id))
        .subquery()
    )
    query = (
        select(CheckIn, KeyResult, Objective)
        .join(latest, and_(col(CheckIn.key_result_id) == latest.c.key_result_id,
                           col(CheckIn.author_id) == latest.c.author_id,
                           col(CheckIn.updated_at) == latest.c.at))
        .join(KeyResult, col(KeyResult.id) == col(CheckIn.key_result_id))
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(col(CheckIn.help_needed) != "")
        .order_by(col(CheckIn.updated_at), col(CheckIn.id))
    )
    return [(c, kr, o) for c, kr, o in session.exec(query)]
