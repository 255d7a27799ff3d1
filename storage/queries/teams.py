"""Teams, memberships and leads, and how a team name is matched. Keyword-only `session`, no
commits."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from collections.abc import Collection
from typing import NamedTuple

from sqlalchemy import bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from storage.db import run_core
from storage.models import (
    Person,
    Schedule,
    Team,
    TeamMember,
)


def teams_of_person(person_id: int, *, session: Session) -> list[Team]:
    """The teams `person_id` belongs to: those they lead first, then by name."""
    return [team for team, _leads in teams_and_leads_of(person_id, session=session)]


def teams_and_leads_of(person_id: int, *, session: Session) -> list[tuple[Team, bool]]:
    """`teams_of_person`, each with whether `person_id` leads it."""
    query = (
        select(Team, TeamMember.is_lead)
        .join(TeamMember, col(TeamMember.team_id) == col(Team.id))
        .where(col(TeamMember.person_id) == person_id)
        .order_by(col(TeamMember.is_lead).desc(), col(Team.name))
    )
    return [(team, is_lead) for team, is_lead in session.exec(query)]


def all_teams(*, session: Session) -> list[Team]:
    """Every team, by name then id (teams are few: the tree is walked in Python)."""
    return list(session.exec(select(Team).order_by(col(Team.name), col(Team.id))))


def lead_ids(team_ids: Collection[int], *, session: Session) -> set[int]:
    """Ids of the people who lead any of `team_ids`."""
    if not team_ids:
        return set()
    query = select(TeamMember.person_id).where(
        col(TeamMember.team_id).in_(list(team_ids)), col(TeamMember.is_lead).is_(True)
    )
    return set(session.exec(query))


def team_members_of(team_ids: Collection[int], *, session: Session) -> list[TeamMember]:
    """Memberships of the teams `team_ids`."""
    query = select(TeamMember).where(col(TeamMember.team_id).in_(list(team_ids)))
    return list(session.exec(query))


class Membership(NamedTuple):
    """One person's membership of one team, as read (plain values: nothing changes them)."""

    team_id: int
    person_id: int
    is_lead: bool


def memberships_of(person_ids: Collection[int], *, session: Session) -> list[Membership]:
    """The team memberships of `person_ids`."""
    if not person_ids:
        return []
    rows = run_core(session, _MEMBERSHIPS_OF, {"ids": list(person_ids)}).all()
    return [Membership(*row) for row in rows]


_MEMBER = TeamMember.__table__.c  # type: ignore[attr-defined]
_MEMBERSHIPS_OF = sa_select(*(_MEMBER[name] for name in Membership._fields)).where(
    _MEMBER.person_id.in_(bindparam("ids", expanding=True)))


def team_ids_by_person(
    person_ids: Collection[int] | None, *, session: Session
) -> dict[int, set[int]]:
    """The ids of the teams each person (among `person_ids`, or everyone when None) belongs
    to, by person id; people in no team are absent."""
    query = select(col(TeamMember.person_id), col(TeamMember.team_id))
    if person_ids is not None:
        if not person_ids:
            return {}
        query = query.where(col(TeamMember.person_id).in_(list(person_ids)))
    found: dict[int, set[int]] = {}
    for person_id, team_id in session.exec(query):
        found.setdefault(person_id, set()).add(team_id)
    return found


def teams_by_ids(*, session: Session, ids: Collection[int]) -> dict[int, Team]:
    """The teams among `ids`, by id."""
    rows = session.exec(_TEAMS_BY_IDS, params={"ids": list(ids)})
    return {t.id: t for t in rows if t.id is not None}


_TEAMS_BY_IDS = select(Team).where(col(Team.id).in_(bindparam("ids", expanding=True)))


def team_by_channel(*, session: Session, channel_id: str) -> Team | None:
    """The team whose channel is `channel_id` (the lowest id if several share it)."""
    query = (
        select(Team).where(col(Team.slack_channel_id) == channel_id).order_by(col(Team.id))
    )
    return session.exec(query).first()


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


def team_parents(*, session: Session) -> dict[int, int | None]:
    """Every team's parent team (None at the top), by team id."""
    rows = session.exec(select(Team.id, Team.parent_id))
    return {team_id: parent for team_id, parent in rows if team_id is not None}


def parents_up_from(team_ids: Collection[int], *, session: Session) -> dict[int, int | None]:
    """The parent (None at the top) of each of `team_ids` and of every team above them, by
    team id: one recursive statement reading only those rows (a cycle in the tree ends it, as
    UNION keeps no row twice). What a walk up the tree from `team_ids` needs, and no more."""
    if not team_ids:
        return {}
    return {row.id: row.parent_id
            for row in run_core(session, _PARENTS_UP_FROM, {"ids": sorted(team_ids)}).all()}


def _parents_up_from() -> Select[int, int | None]:
    start = select(Team.id, Team.parent_id).where(
        col(Team.id).in_(bindparam("ids", expanding=True)))
    chain = start.cte("chain", recursive=True)
    above = select(Team.id, Team.parent_id).join(chain, col(Team.id) == chain.c.parent_id)
    chain = chain.union(above)
    return select(chain.c.id, chain.c.parent_id)


_PARENTS_UP_FROM = _parents_up_from()


def lead_team_ids(person_id: int, *, session: Session) -> list[int]:
    """The teams `person_id` leads."""
    return list(run_core(session, _LEAD_TEAM_IDS, {"person_id": person_id}).scalars().all())


_LEAD_TEAM_IDS = select(TeamMember.team_id).where(
    col(TeamMember.person_id) == bindparam("person_id"), col(TeamMember.is_lead).is_(True))


def all_memberships(*, session: Session) -> list[TeamMember]:
    return list(session.exec(select(TeamMember)))


def members_by_team(*, session: Session, team_ids: Collection[int]) -> dict[int, list[Person]]:
    """The people of each team among `team_ids`, ordered by person id."""
    query = (
        select(TeamMember.team_id, Person)
        .join(Person, col(Person.id) == col(TeamMember.person_id))
        .where(col(TeamMember.team_id).in_(list(team_ids)))
        .order_by(col(TeamMember.team_id), col(Person.id))
    )
    members: dict[int, list[Person]] = defaultdict(list)
    for team_id, person in session.exec(query):
        members[team_id].append(person)
    return members


def team_channel(*, session: Session, team_id: int, digest: bool) -> str | None:
    """Where a team's posts go: for a digest its schedule's digest channel, else the team's."""
    found = session.exec(
        select(Team, Schedule)
        .outerjoin(Schedule, col(Schedule.team_id) == col(Team.id))
        .where(col(Team.id) == team_id)
    ).first()
    if found is None:
        return None
    team, schedule = found
    if digest and schedule is not None and schedule.digest_channel_id:
        return schedule.digest_channel_id
    return team.slack_channel_id


_TEAM_NAMED = select(Team).where(col(Team.name) == bindparam("name"))


def name_key(name: str) -> str:
    """How team names are compared: Unicode NFKC (full-width letters, compatibility forms),
    then case-folded (ß, Σ, ﬁ…), outer spaces dropped — in Python, so SQLite (whose lower()
    folds ASCII only) and PostgreSQL agree."""
    return unicodedata.normalize("NFKC", name).strip().casefold()


def team_named(name: str, *, session: Session) -> Team | None:
    """The team called `name`: the one spelled exactly so (names are unique: one indexed
    look-up), else the first (by name, then id) whose `name_key` matches — every name read as a
    plain row in one statement and compared here, and only the match loaded (1,293 teams as
    ORM rows cost 30 ms a look-up; bench/latency.py)."""
    exact = session.exec(_TEAM_NAMED, params={"name": name}).first()
    if exact is not None:
        return exact
    wanted = name_key(name)
    names = session.exec(select(col(Team.id), col(Team.name)).order_by(col(Team.name),
                                                                        col(Team.id)))
    found = next((team_id for team_id, team_name in names if name_key(team_name) == wanted), None)
    return session.get(Team, found) if found is not None else None


def team_names(*, session: Session) -> list[str]:
    """Every team's name, alphabetically."""
    return list(session.exec(select(Team.name).order_by(col(Team.name), col(Team.id))))
