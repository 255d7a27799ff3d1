"""Who may change an Objective, and the record of refusals: shared by the OKR edit services.

Everything here runs inside the caller's transaction; the facts come from the database, the
rule from `bot.domain.permissions`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.domain.permissions import can_edit
from storage.models import KeyResult, Objective, Person, Team
from storage.queries.audit import add_audit
from storage.queries.teams import lead_ids, memberships_of

OBJECTIVE = "objective"
KEY_RESULT = "key_result"


@dataclass(frozen=True)
class Refused:
    """The person may not do this; a polite, generic answer follows (RELIABILITY.md §21)."""


@dataclass(frozen=True)
class Duplicate:
    """This exact request was handled already (same view id + hash, or same action)."""


@dataclass(frozen=True)
class Gone:
    """Nothing to act on: `reason` is "not_found", "archived", "no_cycle" or "cycle_closed"."""

    reason: str


def may_edit(person: Person, objective: Objective, *, session: Session) -> bool:
    """Owner, the owner's team leads, or an admin (from the database only)."""
    assert person.id is not None
    if objective.owner_person_id is not None:
        teams = [m.team_id for m in memberships_of([objective.owner_person_id], session=session)]
    else:
        teams = [objective.owner_team_id] if objective.owner_team_id is not None else []
    leads = lead_ids(teams, session=session)
    return can_edit(person.id, objective.owner_person_id, leads, person.is_admin)


def refuse(
    session: Session, at: datetime, actor: str, attempt: str, entity: str, entity_id: object
) -> Refused:
    """Log a refusal as a security event (action "refused") and say so."""
    add_audit(session=session, at=at, actor=actor, action="refused", entity=entity,
              entity_id=str(entity_id), after=dumps({"attempt": attempt}))
    return Refused()


def audit_change(
    session: Session, at: datetime, actor: str, action: str, entity: str, entity_id: object,
    before: dict[str, Any] | None, after: dict[str, Any] | None,
) -> None:
    """One audit row for a change, with the before and after snapshots as JSON."""
    add_audit(session=session, at=at, actor=actor, action=action, entity=entity,
              entity_id=str(entity_id), before=None if before is None else dumps(before),
              after=None if after is None else dumps(after))


def objective_snapshot(objective: Objective) -> dict[str, Any]:
    return {
        "title": objective.title, "description": objective.description,
        "type": objective.type, "state": objective.state, "cycle_id": objective.cycle_id,
        "owner_person_id": objective.owner_person_id, "owner_team_id": objective.owner_team_id,
        "parent_id": objective.parent_id,
    }


def kr_snapshot(kr: KeyResult) -> dict[str, Any]:
    return {
        "objective_id": kr.objective_id, "title": kr.title, "kind": kr.kind,
        "start_value": kr.start_value, "target_value": kr.target_value, "unit": kr.unit,
        "direction": kr.direction, "state": kr.state, "owner_person_id": kr.owner_person_id,
        "position": kr.position,
    }


def refresh_targets(
    actor: str, objective: Objective, *, session: Session
) -> tuple[str, ...]:
    """Slack ids whose App Home should show the change: the owner, then the actor."""
    ids = [actor]
    if objective.owner_person_id is not None:
        owner = session.get(Person, objective.owner_person_id)
        if owner is not None:
            ids.insert(0, owner.slack_user_id)
    return tuple(dict.fromkeys(ids))


def team_ranks(start: Iterable[int], teams: Iterable[Team]) -> dict[int, int]:
    """`start` teams at rank 0, their parents at 1, grandparents at 2 … up to the company."""
    parents = {t.id: t.parent_id for t in teams if t.id is not None}
    ranks: dict[int, int] = {}
    frontier = [t for t in start if t in parents]
    rank = 0
    while frontier:
        frontier = [t for t in frontier if t not in ranks]
        for team_id in frontier:
            ranks[team_id] = rank
        frontier = [p for t in frontier if (p := parents.get(t)) is not None]
        rank += 1
    return ranks


def dumps(value: dict[str, Any]) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
