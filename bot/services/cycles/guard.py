"""The one rule that makes a closed cycle read-only: check-ins, edits and API value updates
of its Objectives and KRs are refused. Each writer asks here inside its own transaction."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session

from storage.models import Cycle, Objective
from storage.queries import cycles as cycle_queries

READ_ONLY_STATES = frozenset({"closed"})


def is_read_only(cycle: Cycle) -> bool:
    """Whether nothing of `cycle` may change any more."""
    return cycle.state in READ_ONLY_STATES


def closed_cycle_of_krs(kr_ids: Collection[int], *, session: Session) -> Cycle | None:
    """The closed cycle one of `kr_ids` belongs to, if any (one statement)."""
    return cycle_queries.cycle_of_krs_in_states(kr_ids, READ_ONLY_STATES, session=session)


def closed_cycle_of_objective(objective: Objective, *, session: Session) -> Cycle | None:
    """The Objective's cycle when it is closed."""
    cycle = session.get(Cycle, objective.cycle_id)
    return cycle if cycle is not None and is_read_only(cycle) else None
