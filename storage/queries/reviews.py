"""Reading what reviews, cycle changes and the alignment check need: keyword-only `session`,
no commits, one statement each."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from storage.models import (
    CarriedObjective,
    CheckIn,
    Cycle,
    KeyResult,
    KRReview,
    KRValueHistory,
    Objective,
    ObjectiveReview,
)
from storage.queries.okrs import REVIEWED_STATES


def reviewable_objectives(
    cycle_id: int, person_id: int, lead_teams: Collection[int], *, session: Session
) -> list[Objective]:
    """The live Objectives of the cycle the person owns, or that a team they lead owns."""
    return list(session.exec(
        select(Objective)
        .where(col(Objective.cycle_id) == cycle_id,
               col(Objective.state).in_(REVIEWED_STATES),
               or_(col(Objective.owner_person_id) == person_id,
                   col(Objective.owner_team_id).in_(list(lead_teams))))
        .order_by(col(Objective.position), col(Objective.id))))


def objectives_to_review(cycle_id: int, *, session: Session) -> list[Objective]:
    """The live Objectives of a cycle, by position."""
    return list(session.exec(
        select(Objective).where(col(Objective.cycle_id) == cycle_id,
                                col(Objective.state).in_(REVIEWED_STATES))
        .order_by(col(Objective.position), col(Objective.id))))


def kr_reviews(kr_ids: Collection[int], *, session: Session) -> dict[int, KRReview]:
    if not kr_ids:
        return {}
    rows = session.exec(select(KRReview).where(col(KRReview.key_result_id).in_(list(kr_ids))))
    return {row.key_result_id: row for row in rows}


def objective_reviews(
    objective_ids: Collection[int], *, session: Session
) -> dict[int, ObjectiveReview]:
    if not objective_ids:
        return {}
    rows = session.exec(select(ObjectiveReview).where(
        col(ObjectiveReview.objective_id).in_(list(objective_ids))))
    return {row.objective_id: row for row in rows}


def carried_drafts(source_ids: Collection[int], cycle_id: int, *,
                   session: Session) -> dict[int, int]:
    """Source Objective id → its draft in `cycle_id`, for those already carried."""
    if not source_ids:
        return {}
    rows = session.exec(select(CarriedObjective).where(
        col(CarriedObjective.cycle_id) == cycle_id,
        col(CarriedObjective.source_objective_id).in_(list(source_ids))))
    return {row.source_objective_id: row.draft_objective_id for row in rows}


def last_value_changes(kr_ids: Collection[int], *, session: Session) -> dict[int, datetime]:
    """KR id → when its value last changed (value history with a value)."""
    if not kr_ids:
        return {}
    rows = session.exec(
        select(KRValueHistory.key_result_id, func.max(KRValueHistory.at))
        .where(col(KRValueHistory.key_result_id).in_(list(kr_ids)),
               col(KRValueHistory.value).is_not(None))
        .group_by(col(KRValueHistory.key_result_id)))
    return {kr_id: at for kr_id, at in rows if at is not None}


def recent_confidences(
    kr_ids: Collection[int], since: datetime, *, session: Session
) -> dict[int, list[str]]:
    """KR id → confidences of its check-ins since `since`, newest first."""
    if not kr_ids:
        return {}
    rows = session.exec(
        select(CheckIn.key_result_id, CheckIn.confidence)
        .where(col(CheckIn.key_result_id).in_(list(kr_ids)), col(CheckIn.created_at) >= since,
               col(CheckIn.confidence).is_not(None))
        .order_by(col(CheckIn.created_at).desc(), col(CheckIn.id).desc()))
    found: dict[int, list[str]] = {}
    for kr_id, confidence in rows:
        found.setdefault(kr_id, []).append(str(confidence))
    return found


def team_lessons(
    team_ids: Collection[int], person_ids: Collection[int], before: date, limit: int, *,
    session: Session,
) -> list[tuple[Objective, ObjectiveReview, Cycle]]:
    """Reviews with a lesson to keep or avoid, of Objectives owned by `team_ids` or
    `person_ids` in cycles that started before `before`; newest cycle first."""
    owned = or_(col(Objective.owner_team_id).in_(list(team_ids)),
                col(Objective.owner_person_id).in_(list(person_ids)))
    query = (
        select(Objective, ObjectiveReview, Cycle)
        .join(ObjectiveReview, col(ObjectiveReview.objective_id) == col(Objective.id))
        .join(Cycle, col(Cycle.id) == col(Objective.cycle_id))
        .where(owned, col(Cycle.start_date) < before,
               or_(col(ObjectiveReview.keep) != "", col(ObjectiveReview.avoid) != ""))
        .order_by(col(Cycle.start_date).desc(), col(Objective.position), col(Objective.id))
        .limit(limit)
    )
    return [(o, r, c) for o, r, c in session.exec(query)]


ReviewedKR = tuple[KeyResult, KRReview, Objective, Cycle]


def reviewed_krs(before: date, limit: int, *, session: Session) -> list[ReviewedKR]:
    """Reviewed KRs of cycles that started before `before`, newest cycle first."""
    query = (
        select(KeyResult, KRReview, Objective, Cycle)
        .join(KRReview, col(KRReview.key_result_id) == col(KeyResult.id))
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .join(Cycle, col(Cycle.id) == col(Objective.cycle_id))
        .where(col(Cycle.start_date) < before)
        .order_by(col(Cycle.start_date).desc(), col(KeyResult.id))
        .limit(limit)
    )
    return [(k, r, o, c) for k, r, o, c in session.exec(query)]
