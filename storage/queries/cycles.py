"""Cycles: which one is current, and finding them by name or id. Keyword-only `session`, no
commits."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

from sqlalchemy import bindparam, or_
from sqlmodel import Session, col, select

from storage.models import (
    Cycle,
    KeyResult,
    Objective,
)
from storage.queries.okrs import REVIEWED_STATES


def current_cycle(today: date, *, session: Session) -> Cycle | None:
    """The one "current cycle": of the active cycles containing `today`, the one that started
    last (the newer row on a tie); when none contains it, the active cycle that started last.
    A closed cycle is never current. (tests/storage/test_concepts.py pins this.)"""
    return _current_of(active_cycles(session=session), today)


def _current_of(active: list[Cycle], today: date) -> Cycle | None:
    """`current_cycle`'s rule over the active cycles (oldest first)."""
    newest_first = sorted(active, key=lambda c: (c.start_date, c.id or 0), reverse=True)
    covering = [c for c in newest_first if c.start_date <= today <= c.end_date]
    candidates = covering or newest_first
    return candidates[0] if candidates else None


def plannable_cycles(today: date, *, session: Session) -> list[Cycle]:
    """The cycles new Objectives may go into: the current one, then the active cycles that have
    not started yet (being planned), by start date."""
    active = active_cycles(session=session)
    current = _current_of(active, today)
    planned = [c for c in active
               if c.start_date > today and (current is None or c.id != current.id)]
    return ([current] if current is not None else []) + planned


def cycles_by_names(names: Collection[str], *, session: Session) -> dict[str, Cycle]:
    """The cycles among `names` that exist, by name."""
    rows = session.exec(select(Cycle).where(col(Cycle.name).in_(list(names))))
    return {c.name: c for c in rows}


def all_cycles(*, session: Session) -> list[Cycle]:
    """Every cycle, oldest first (by start date, then id); reversed, newest first."""
    return list(session.exec(select(Cycle).order_by(col(Cycle.start_date), col(Cycle.id))))


def cycles_by_ids(*, session: Session, ids: Collection[int]) -> dict[int, Cycle]:
    """The cycles among `ids`, by id."""
    rows = session.exec(select(Cycle).where(col(Cycle.id).in_(list(ids))))
    return {c.id: c for c in rows if c.id is not None}


def cycle_named(name: str, *, session: Session) -> Cycle | None:
    return session.exec(select(Cycle).where(col(Cycle.name) == name)).first()


def active_cycles(*, session: Session) -> list[Cycle]:
    return list(session.exec(_ACTIVE_CYCLES))


_ACTIVE_CYCLES = (select(Cycle).where(col(Cycle.state) == "active")
                  .order_by(col(Cycle.start_date), col(Cycle.id)))


def cycles_with_objectives_of(
    person_id: int, lead_teams: Collection[int], *, session: Session
) -> list[Cycle]:
    """Cycles in which the person (or a team they lead) owns a live Objective, newest end
    first."""
    owned = select(Objective.cycle_id).where(
        col(Objective.state).in_(REVIEWED_STATES),
        or_(
            col(Objective.owner_person_id) == person_id,
            col(Objective.owner_team_id).in_(list(lead_teams)),
        ),
    )
    return list(
        session.exec(
            select(Cycle)
            .where(col(Cycle.id).in_(owned))
            .order_by(col(Cycle.end_date).desc(), col(Cycle.id).desc())
        )
    )


def cycle_of_krs_in_states(
    kr_ids: Collection[int], states: Collection[str], *, session: Session
) -> Cycle | None:
    """A cycle in one of `states` that one of `kr_ids` belongs to, if any (one statement)."""
    if not kr_ids:
        return None
    return session.exec(_CYCLE_OF_KRS_IN_STATES,
                        params={"kr_ids": list(kr_ids), "states": list(states)}).first()


_CYCLE_OF_KRS_IN_STATES = (
    select(Cycle)
    .join(Objective, col(Objective.cycle_id) == col(Cycle.id))
    .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
    .where(col(KeyResult.id).in_(bindparam("kr_ids", expanding=True)),
           col(Cycle.state).in_(bindparam("states", expanding=True)))
    .limit(1)
)
