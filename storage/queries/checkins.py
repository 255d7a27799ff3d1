"""Check-ins and KR value history: what was answered, when, and the help asked for.
Keyword-only `session`, no commits, no rules."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Table,
    and_,
    bindparam,
    case,
    func,
    insert,
    union,
)
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from storage.db import insert_rows, run_core, update_rows
from storage.models import (
    CheckIn,
    KeyResult,
    KRValueHistory,
    Objective,
    Person,
    TeamMember,
)

# When a check-in last counted: its last edit, else its creation (an edit re-dates it, so a
# Monday answer edited on Thursday was last checked in on Thursday). The one definition of
# "when a KR / a person last checked in"; both databases read it the same way.
CHECKED_AT: ColumnElement[datetime] = case(
    (col(CheckIn.updated_at) > col(CheckIn.created_at), col(CheckIn.updated_at)),
    else_=col(CheckIn.created_at),
)


def checkin_key_results(
    *, session: Session, cycle_id: int, person_id: int
) -> list[tuple[Objective, KeyResult]]:
    """The active KRs `person_id` is asked about in `cycle_id` (bot.domain.asked.asked_of),
    with their Objective, in display order: KRs they own, unowned KRs of Objectives they own,
    and unowned KRs of Objectives of teams they lead.

    One statement, run once per prompt the outbox sends: the UNION of three id look-ups, each
    on an index (KR owner; cycle + Objective owner; cycle + a team they lead). At 10,000
    people: 1.0 ms on SQLite and 1.3 ms on PostgreSQL, against 10 and 2 ms for the three
    statements it replaces; a single WHERE with the OR of them scans every Objective of the
    cycle (~270 ms on SQLite)."""
    rows = session.exec(_ASKED_KEY_RESULTS, params={"cycle_id": cycle_id, "person_id": person_id})
    return [(objective, kr) for objective, kr in rows]


def _asked_key_results() -> Select[Objective, KeyResult]:
    live = (
        select(col(KeyResult.id))
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(col(Objective.cycle_id) == bindparam("cycle_id"), col(Objective.state) == "active",
               col(KeyResult.state) == "active")
    )
    person_id: BindParameter[int] = bindparam("person_id")
    # Not `IS NULL`: without statistics (okr-bot never ANALYZEs SQLite) the planner would take
    # it for a selective index look-up and walk every unowned KR. Person ids start at 1.
    unowned = func.coalesce(col(KeyResult.owner_person_id), 0) == 0
    led = select(col(TeamMember.team_id)).where(col(TeamMember.person_id) == person_id,
                                                col(TeamMember.is_lead))
    asked = union(
        live.where(col(KeyResult.owner_person_id) == person_id),
        live.where(col(Objective.owner_person_id) == person_id, unowned),
        live.where(col(Objective.owner_team_id).in_(led), unowned),
    )
    return (
        select(Objective, KeyResult)
        .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
        .where(col(KeyResult.id).in_(asked))
        .order_by(col(Objective.position), col(Objective.id), col(KeyResult.position),
                  col(KeyResult.id))
    )


_ASKED_KEY_RESULTS = _asked_key_results()


def checkins_of_round(
    person_id: int, period: str, *, session: Session
) -> list[tuple[CheckIn, KeyResult, Objective]]:
    """`person_id`'s check-ins of the round `period` on live KRs, in display order."""
    query = (
        select(CheckIn, KeyResult, Objective)
        .join(KeyResult, col(KeyResult.id) == col(CheckIn.key_result_id))
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(col(CheckIn.author_id) == person_id, col(CheckIn.period_key) == period,
               col(KeyResult.state) != "archived", col(Objective.state) != "archived")
        .order_by(col(Objective.position), col(Objective.id), col(KeyResult.position),
                  col(KeyResult.id))
    )
    return list(session.exec(query))


def checkins_by_keys(*, session: Session, keys: Collection[str]) -> dict[str, CheckIn]:
    """The check-ins among idempotency `keys` that exist, by key."""
    if not keys:
        return {}
    rows = session.exec(_CHECKINS_BY_KEYS, params={"keys": list(keys)})
    return {row.idempotency_key: row for row in rows}


_CHECKINS_BY_KEYS = select(CheckIn).where(
    col(CheckIn.idempotency_key).in_(bindparam("keys", expanding=True)))


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
               func.max(CHECKED_AT).label("at"))
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
                           latest.c.at == CHECKED_AT))
        .join(KeyResult, col(KeyResult.id) == col(CheckIn.key_result_id))
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .where(col(CheckIn.help_needed) != "")
        .order_by(col(CheckIn.updated_at), col(CheckIn.id))
    )
    return [(c, kr, o) for c, kr, o in session.exec(query)]


def checkins_with_context(
    cycle_ids: Collection[int] | None, *, session: Session
) -> list[tuple[CheckIn, KeyResult, Objective, Person | None]]:
    """Check-ins (of the cycles `cycle_ids`, or all), oldest first, with KR, objective, author."""
    query = (
        select(CheckIn, KeyResult, Objective, Person)
        .join(KeyResult, col(KeyResult.id) == col(CheckIn.key_result_id))
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .outerjoin(Person, col(Person.id) == col(CheckIn.author_id))
        .order_by(col(CheckIn.created_at), col(CheckIn.id))
    )
    if cycle_ids is not None:
        query = query.where(col(Objective.cycle_id).in_(list(cycle_ids)))
    return [(c, kr, o, p) for c, kr, o, p in session.exec(query)]


@dataclass(frozen=True)
class LatestCheckIn:
    """What a card shows of a KR's latest check-in: when, and its notes."""

    key_result_id: int
    id: int
    updated_at: datetime
    progress: str
    blockers: str
    help_needed: str
    about_objective: bool


def latest_checkins(*, session: Session, kr_ids: Collection[int]) -> dict[int, LatestCheckIn]:
    """Each of `kr_ids`' latest check-in by `CHECKED_AT` (the highest id on a tie), in one
    statement, as plain rows (no ORM objects: a card only reads them)."""
    rows = run_core(session, _LATEST_CHECKINS, {"ids": list(kr_ids)}).all()
    return {row.key_result_id: LatestCheckIn(**row._mapping) for row in rows}


_LATEST_AT = (
    select(CheckIn.key_result_id, func.max(CHECKED_AT).label("at"))
    .where(col(CheckIn.key_result_id).in_(bindparam("ids", expanding=True)))
    .group_by(col(CheckIn.key_result_id))
    .subquery()
)
_LATEST_CHECKINS = (
    sa_select(col(CheckIn.key_result_id), col(CheckIn.id), col(CheckIn.updated_at),
              col(CheckIn.progress), col(CheckIn.blockers), col(CheckIn.help_needed),
              col(CheckIn.about_objective))
    .join(_LATEST_AT, and_(col(CheckIn.key_result_id) == _LATEST_AT.c.key_result_id,
                           _LATEST_AT.c.at == CHECKED_AT))
    .order_by(col(CheckIn.id))
)


def value_history(
    *, session: Session, kr_ids: Collection[int]
) -> list[tuple[int, datetime, float | None, float | None]]:
    """(KR id, at, value, target) of every value-history row of `kr_ids`, oldest first."""
    return list(run_core(session, _VALUE_HISTORY, {"ids": list(kr_ids)}).all())


_VALUE_HISTORY = (
    select(KRValueHistory.key_result_id, KRValueHistory.at, KRValueHistory.value,
           KRValueHistory.target_value)
    .where(col(KRValueHistory.key_result_id).in_(bindparam("ids", expanding=True)))
    .order_by(col(KRValueHistory.key_result_id), col(KRValueHistory.at),
              col(KRValueHistory.id))
)


def insert_checkins(rows: list[dict[str, Any]], *, session: Session) -> dict[str, int]:
    """New check-in rows in one INSERT of them all, and their ids by idempotency key (RETURNING
    gives them in no set order on SQLite: the key matches them up). Nothing when `rows` is
    empty."""
    if not rows:
        return {}
    return {key: checkin_id for checkin_id, key in run_core(session, _INSERT_CHECKIN, rows).all()}


def update_checkins(rows: list[dict[str, Any]], *, session: Session) -> None:
    """Edited check-ins in one statement (`update_rows`): each row is the check-in's `id` and
    the columns to set, the same columns in every row (nothing when empty)."""
    update_rows(session, _CHECKIN_TABLE, rows)


_CHECKIN_TABLE: Table = CheckIn.__table__  # type: ignore[attr-defined]
_INSERT_CHECKIN = insert(_CHECKIN_TABLE).returning(_CHECKIN_TABLE.c.id,
                                                    _CHECKIN_TABLE.c.idempotency_key)


def record_kr_values(rows: list[dict[str, Any]], *, session: Session) -> None:
    """Each KR's value, confidence and check-in time after a check-in, in one statement
    (`update_rows`), each row `{"id", "current_value", "confidence", "last_checkin_at",
    "updated_at"}`: the ORM's unit of work would build an UPDATE per object from its change
    history (nothing when empty)."""
    update_rows(session, KeyResult.__table__, rows)  # type: ignore[attr-defined]


def insert_value_history(rows: list[dict[str, Any]], *, session: Session) -> None:
    """KR value history rows in one statement (`insert_rows`; nothing when `rows` is empty)."""
    insert_rows(session, KRValueHistory.__table__, rows)  # type: ignore[attr-defined]
