"""Reading OKRs for display (`/okr`, App Home, digest): keyword-only `session`, no commits.

Each function is one statement (`visible_objectives`: one per kind of owner asked for);
callers load a screen in a fixed number of them.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from storage.models import (
    CheckIn,
    Cycle,
    KeyResult,
    KRValueHistory,
    Objective,
    Person,
    Team,
    TeamMember,
)


def current_cycle(*, session: Session, today: date) -> Cycle | None:
    """The active cycle containing `today`, else the active cycle that started last."""
    cycles = list(
        session.exec(
            select(Cycle)
            .where(col(Cycle.state) == "active")
            .order_by(col(Cycle.start_date).desc(), col(Cycle.id).desc())
        )
    )
    for cycle in cycles:
        if cycle.start_date <= today <= cycle.end_date:
            return cycle
    return cycles[0] if cycles else None


def visible_objectives(
    *,
    session: Session,
    cycle_id: int,
    person_ids: Collection[int] = (),
    team_ids: Collection[int] = (),
    kr_owner_ids: Collection[int] = (),
) -> list[Objective]:
    """Non-archived Objectives of `cycle_id` owned by `person_ids` or `team_ids`, or holding a
    non-archived KR owned by one of `kr_owner_ids`; by position and id.

    One statement per kind of owner asked for (at most three), each on its own index: a single
    statement ORing them scans every Objective of the cycle (SQLite picks the cycle index),
    ~100 ms a look-up at 10,000 people (bench/latency.py)."""
    live = (col(Objective.cycle_id) == cycle_id, col(Objective.state) != "archived")
    queries = []
    if person_ids:
        queries.append(select(Objective).where(
            *live, col(Objective.owner_person_id).in_(list(person_ids))))
    if team_ids:
        queries.append(select(Objective).where(
            *live, col(Objective.owner_team_id).in_(list(team_ids))))
    if kr_owner_ids:
        queries.append(
            select(Objective)
            .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
            .where(*live, col(KeyResult.owner_person_id).in_(list(kr_owner_ids)),
                   col(KeyResult.state) != "archived"))
    found = {o.id: o for query in queries for o in session.exec(query)}
    return sorted(found.values(), key=lambda o: (o.position, o.id or 0))


def cycle_objectives(*, session: Session, cycle_id: int) -> list[Objective]:
    """Every non-archived Objective of `cycle_id`, by position and id."""
    query = (
        select(Objective)
        .where(col(Objective.cycle_id) == cycle_id, col(Objective.state) != "archived")
        .order_by(col(Objective.position), col(Objective.id))
    )
    return list(session.exec(query))


def live_key_results(*, session: Session, objective_ids: Collection[int]) -> list[KeyResult]:
    """Non-archived KRs of `objective_ids`, by position and id."""
    query = (
        select(KeyResult)
        .where(
            col(KeyResult.objective_id).in_(list(objective_ids)),
            col(KeyResult.state) != "archived",
        )
        .order_by(col(KeyResult.position), col(KeyResult.id))
    )
    return list(session.exec(query))


def latest_checkins(*, session: Session, kr_ids: Collection[int]) -> dict[int, CheckIn]:
    """Each of `kr_ids`' latest check-in (a re-submission counts: `updated_at`; the highest id
    on a tie), in one statement."""
    latest = (
        select(CheckIn.key_result_id, func.max(CheckIn.updated_at).label("at"))
        .where(col(CheckIn.key_result_id).in_(list(kr_ids)))
        .group_by(col(CheckIn.key_result_id))
        .subquery()
    )
    query = (
        select(CheckIn)
        .join(latest, and_(col(CheckIn.key_result_id) == latest.c.key_result_id,
                           col(CheckIn.updated_at) == latest.c.at))
        .order_by(col(CheckIn.id))
    )
    return {row.key_result_id: row for row in session.exec(query)}


def value_history(
    *, session: Session, kr_ids: Collection[int]
) -> list[tuple[int, datetime, float | None, float | None]]:
    """(KR id, at, value, target) of every value-history row of `kr_ids`, oldest first."""
    query = (
        select(KRValueHistory.key_result_id, KRValueHistory.at, KRValueHistory.value,
               KRValueHistory.target_value)
        .where(col(KRValueHistory.key_result_id).in_(list(kr_ids)))
        .order_by(col(KRValueHistory.key_result_id), col(KRValueHistory.at),
                  col(KRValueHistory.id))
    )
    return list(session.exec(query).all())


def cycles_by_ids(*, session: Session, ids: Collection[int]) -> dict[int, Cycle]:
    """The cycles among `ids`, by id."""
    rows = session.exec(select(Cycle).where(col(Cycle.id).in_(list(ids))))
    return {c.id: c for c in rows if c.id is not None}


def people_by_ids(*, session: Session, ids: Collection[int]) -> dict[int, Person]:
    """The people among `ids`, by id."""
    rows = session.exec(select(Person).where(col(Person.id).in_(list(ids))))
    return {p.id: p for p in rows if p.id is not None}


def teams_by_ids(*, session: Session, ids: Collection[int]) -> dict[int, Team]:
    """The teams among `ids`, by id."""
    rows = session.exec(select(Team).where(col(Team.id).in_(list(ids))))
    return {t.id: t for t in rows if t.id is not None}


def team_names(*, session: Session) -> list[tuple[int, str]]:
    """(id, name) of every team, by name."""
    rows = session.exec(select(Team.id, Team.name).order_by(col(Team.name)))
    return [(team_id, name) for team_id, name in rows if team_id is not None]


def teams_named(*, session: Session, name: str) -> list[tuple[int, str]]:
    """(id, name) of the teams called `name` up to case (ASCII case on SQLite), by name."""
    rows = session.exec(select(Team.id, Team.name)
                        .where(func.lower(Team.name) == name.lower())
                        .order_by(col(Team.name), col(Team.id)))
    return [(team_id, team_name) for team_id, team_name in rows if team_id is not None]


def team_by_channel(*, session: Session, channel_id: str) -> Team | None:
    """The team whose channel is `channel_id` (the lowest id if several share it)."""
    query = (
        select(Team).where(col(Team.slack_channel_id) == channel_id).order_by(col(Team.id))
    )
    return session.exec(query).first()


def teams_of_person(*, session: Session, person_id: int) -> list[Team]:
    """The teams `person_id` belongs to, by name."""
    query = (
        select(Team)
        .join(TeamMember, col(TeamMember.team_id) == col(Team.id))
        .where(col(TeamMember.person_id) == person_id)
        .order_by(col(Team.name))
    )
    return list(session.exec(query))


def leads_by_team(*, session: Session, team_ids: Collection[int]) -> dict[int, list[Person]]:
    """The leads of each of `team_ids`, by name (a team without leads is absent)."""
    if not team_ids:
        return {}
    query = (
        select(TeamMember.team_id, Person)
        .join(Person, col(Person.id) == col(TeamMember.person_id))
        .where(col(TeamMember.team_id).in_(list(team_ids)), col(TeamMember.is_lead))
        .order_by(col(Person.name), col(Person.id))
    )
    found: dict[int, list[Person]] = {}
    for team_id, person in session.exec(query):
        found.setdefault(team_id, []).append(person)
    return found


def unowned_key_results(*, session: Session) -> list[tuple[Objective, KeyResult]]:
    """Active KRs without an owner of active Objectives in active cycles, in display order."""
    query = (
        select(Objective, KeyResult)
        .join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
        .join(Cycle, col(Cycle.id) == col(Objective.cycle_id))
        .where(col(Cycle.state) == "active", col(Objective.state) == "active",
               col(KeyResult.state) == "active", col(KeyResult.owner_person_id).is_(None))
        .order_by(col(Cycle.start_date), col(Objective.position), col(Objective.id),
                  col(KeyResult.position), col(KeyResult.id))
    )
    return [(objective, kr) for objective, kr in session.exec(query)]


def team_parents(*, session: Session) -> dict[int, int | None]:
    """Every team's parent team (None at the top), by team id."""
    rows = session.exec(select(Team.id, Team.parent_id))
    return {team_id: parent for team_id, parent in rows if team_id is not None}


def admin_ids(*, session: Session) -> set[int]:
    """The ids of the admins."""
    return {pid for pid in session.exec(select(Person.id).where(col(Person.is_admin)))
            if pid is not None}
