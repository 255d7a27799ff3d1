"""The one rule that makes a closed cycle read-only: check-ins, edits and API value updates
of its Objectives and KRs are refused. Each writer asks here inside its own transaction."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from storage.models import Cycle, KeyResult, Objective

READ_ONLY_STATES = frozenset({"closed"})


def is_read_only(cycle: Cycle) -> bool:
    """Whether nothing of `cycle` may change any more."""
    return cycle.state in READ_ONLY_STATES


def closed_cycle_of_krs(kr_ids: Collection[int], *, session: Session) -> Cycle | None:
    """The closed cycle one of `kr_ids` belongs to, if any (one statement)."""
    if not kr_ids:
        return None
    statement = (
        select(Cycle)
        .join(Objective, col(Objective.cycle_id) == col(Cycle.id))
        .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
        .where(col(KeyResult.id).in_(list(kr_ids)), col(Cycle.state).in_(READ_ONLY_STATES))
        .limit(1)
    )
    return session.exec(statement).first()


def closed_cycle_of_objective(objective: Objective, *, session: Session) -> Cycle | None:
    """The Objective's cycle when it is closed."""
    cycle = session.get(Cycle, objective.cycle_id)
    return cycle if cycle is not None and is_read_only(cycle) else None
