"""Query functions: keyword-only `session`, no commits, no rules."""

from __future__ import annotations

from collections.abc import Collection

from sqlmodel import Session, col, select

from storage.models import (
    CheckIn,
    Cycle,
    Holiday,
    KeyResult,
    Objective,
    Person,
    Schedule,
    Team,
    TeamMember,
)

# --- OKR file import and export ------------------------------------------------------------


def people_by_slack_ids(slack_ids: Collection[str], *, session: Session) -> dict[str, Person]:
    """The people among `slack_ids` that exist, by Slack user id."""
    rows = session.exec(select(Person).where(col(Person.slack_user_id).in_(list(slack_ids))))
    return {p.slack_user_id: p for p in rows}


def all_people(*, session: Session) -> list[Person]:
    """Everyone, by name then Slack id."""
    return list(session.exec(select(Person).order_by(col(Person.name), col(Person.slack_user_id))))


def all_teams(*, session: Session) -> list[Team]:
    """Every team, by name."""
    return list(session.exec(select(Team).order_by(col(Team.name))))


def team_members_of(team_ids: Collection[int], *, session: Session) -> list[TeamMember]:
    """Memberships of the teams `team_ids`."""
    query = select(TeamMember).where(col(TeamMember.team_id).in_(list(team_ids)))
    return list(session.exec(query))


def schedules_of(team_ids: Collection[int], *, session: Session) -> dict[int, Schedule]:
    """The schedules of the teams `team_ids`, by team id."""
    rows = session.exec(select(Schedule).where(col(Schedule.team_id).in_(list(team_ids))))
    return {s.team_id: s for s in rows}


def holidays_of(team_ids: Collection[int], *, session: Session) -> list[Holiday]:
    """Holidays of the teams `team_ids`, by team then day."""
    query = (
        select(Holiday)
        .where(col(Holiday.team_id).in_(list(team_ids)))
        .order_by(col(Holiday.team_id), col(Holiday.day))
    )
    return list(session.exec(query))


def cycles_by_names(names: Collection[str], *, session: Session) -> dict[str, Cycle]:
    """The cycles among `names` that exist, by name."""
    rows = session.exec(select(Cycle).where(col(Cycle.name).in_(list(names))))
    return {c.name: c for c in rows}


def all_cycles(*, session: Session) -> list[Cycle]:
    """Every cycle, oldest first."""
    return list(session.exec(select(Cycle).order_by(col(Cycle.start_date), col(Cycle.name))))


def objectives_by_keys(keys: Collection[str], *, session: Session) -> dict[str, Objective]:
    """The objectives among `keys` that exist, by key."""
    rows = session.exec(select(Objective).where(col(Objective.key).in_(list(keys))))
    return {o.key: o for o in rows if o.key is not None}


def objectives_by_ids(ids: Collection[int], *, session: Session) -> dict[int, Objective]:
    """The objectives among `ids` that exist, by id."""
    rows = session.exec(select(Objective).where(col(Objective.id).in_(list(ids))))
    return {o.id: o for o in rows if o.id is not None}


def objectives_in_cycles(cycle_ids: Collection[int], *, session: Session) -> list[Objective]:
    """The objectives of the cycles `cycle_ids`, by position and id."""
    query = (
        select(Objective)
        .where(col(Objective.cycle_id).in_(list(cycle_ids)))
        .order_by(col(Objective.position), col(Objective.id))
    )
    return list(session.exec(query))


def key_results_by_keys(keys: Collection[str], *, session: Session) -> dict[str, KeyResult]:
    """The key results among `keys` that exist, by key."""
    rows = session.exec(select(KeyResult).where(col(KeyResult.key).in_(list(keys))))
    return {kr.key: kr for kr in rows if kr.key is not None}


def key_results_by_ids(ids: Collection[int], *, session: Session) -> dict[int, KeyResult]:
    """The key results among `ids` that exist, by id."""
    rows = session.exec(select(KeyResult).where(col(KeyResult.id).in_(list(ids))))
    return {kr.id: kr for kr in rows if kr.id is not None}


def key_results_of(objective_ids: Collection[int], *, session: Session) -> list[KeyResult]:
    """The key results of the objectives `objective_ids`, by position and id."""
    query = (
        select(KeyResult)
        .where(col(KeyResult.objective_id).in_(list(objective_ids)))
        .order_by(col(KeyResult.position), col(KeyResult.id))
    )
    return list(session.exec(query))


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


def memberships_of(person_ids: Collection[int], *, session: Session) -> list[TeamMember]:
    """The team memberships of `person_ids`."""
    if not person_ids:
        return []
    return list(session.exec(select(TeamMember).where(
        col(TeamMember.person_id).in_(list(person_ids)))))
