"""Objectives and Key Results: by key, id, owner or cycle, for display, editing and the OKR
file. Keyword-only `session`, no commits.

Each function is one statement; callers load a screen in a fixed number of them.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import BindParameter, Select, bindparam, func, literal_column, union_all
from sqlalchemy import select as sa_select
from sqlalchemy.sql.expression import Executable
from sqlmodel import Session, col, select

from storage.db import run_core
from storage.models import (
    Cycle,
    KeyResult,
    KRValueHistory,
    Objective,
    Person,
    Team,
    TeamMember,
)
from storage.queries.batching import chunks

REVIEWED_STATES = ("active",)  # drafts and archived Objectives are not reviewed


def team_objectives(
    cycle_id: int, team_ids: Collection[int], *, session: Session
) -> list[Objective]:
    """The cycle's Objectives owned by `team_ids` that are not archived, by position."""
    if not team_ids:
        return []
    query = select(Objective).where(
        Objective.cycle_id == cycle_id,
        col(Objective.owner_team_id).in_(list(team_ids)),
        Objective.state != "archived",
    ).order_by(col(Objective.position), col(Objective.id))
    return list(session.exec(query))


def cycle_parent_links(cycle_id: int, *, session: Session) -> dict[int, int | None]:
    """Every Objective of the cycle → its parent id (to keep the alignment tree acyclic)."""
    rows = session.exec(
        select(Objective.id, Objective.parent_id).where(Objective.cycle_id == cycle_id)
    )
    return {int(oid): parent for oid, parent in rows if oid is not None}


def owner_objective_count(
    cycle_id: int, *, person_id: int | None, team_id: int | None, session: Session
) -> int:
    """How many live Objectives one owner has in the cycle."""
    query = select(func.count()).select_from(Objective).where(
        Objective.cycle_id == cycle_id, Objective.state != "archived"
    )
    if person_id is not None:
        query = query.where(Objective.owner_person_id == person_id)
    else:
        query = query.where(Objective.owner_team_id == team_id)
    return int(session.exec(query).one())


def krs_with_target_history(kr_ids: Collection[int], *, session: Session) -> set[int]:
    """The KRs among `kr_ids` that already have a recorded target."""
    if not kr_ids:
        return set()
    query = select(KRValueHistory.key_result_id).where(
        col(KRValueHistory.key_result_id).in_(list(kr_ids)),
        col(KRValueHistory.target_value).is_not(None),
    ).distinct()
    return set(session.exec(query))


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


class ObjectiveRow(NamedTuple):
    """What a screen of cards shows of an Objective, read as a plain row: loading ORM objects
    was 7% of the Python calls of an `/okr` look-up (bench/README.md, ninth run)."""

    id: int
    cycle_id: int
    title: str
    type: str
    state: str
    owner_person_id: int | None
    owner_team_id: int | None
    parent_id: int | None
    position: int
    created_at: datetime


class KeyResultRow(NamedTuple):
    """What a screen shows of a Key Result, read as a plain row (see `ObjectiveRow`)."""

    id: int
    objective_id: int
    title: str
    owner_person_id: int | None
    kind: str
    start_value: float
    target_value: float
    current_value: float
    unit: str
    direction: str
    confidence: str | None
    last_checkin_at: datetime | None


class ObjectivesAsked(NamedTuple):
    """Which Objectives of a cycle one list shows (`visible_objectives`)."""

    cycle_id: int
    person_ids: Collection[int] = ()
    team_ids: Collection[int] = ()
    teams_led_by: Collection[int] = ()
    kr_owner_ids: Collection[int] = ()


VIA = ("person_ids", "team_ids", "teams_led_by", "kr_owner_ids")


def visible_objectives(asked: Sequence[ObjectivesAsked], *, session: Session
                       ) -> list[list[tuple[int, ObjectiveRow]]]:
    """For each of `asked`: the non-archived Objectives of its cycle owned by its `person_ids`,
    by its `team_ids` or by a team one of its `teams_led_by` leads, or holding a non-archived
    KR owned by one of its `kr_owner_ids`. Each comes with how it was found, the first of
    those four that finds it (its `VIA` index); ordered by that, then position and id.

    One statement for all the lists: the UNION ALL of a select per list and kind of owner
    asked for, each on its own index (a single WHERE ORing them scans every Objective of the
    cycle, SQLite picking the cycle index: ~100 ms a look-up at 10,000 people,
    bench/latency.py)."""
    shape = tuple(tuple(kind for kind in VIA if getattr(each, kind)) for each in asked)
    found: list[dict[int, tuple[int, ObjectiveRow]]] = [{} for _ in asked]
    if any(shape):
        params: dict[str, Any] = {}
        for index, (each, kinds) in enumerate(zip(asked, shape, strict=True)):
            params |= {f"{kind}_{index}": list(getattr(each, kind)) for kind in kinds}
            params[f"cycle_id_{index}"] = each.cycle_id
        for *fields, index, via in run_core(session, _visible_objectives(shape), params).all():
            first = found[index].get(fields[0])
            if first is None or via < first[0]:
                found[index][fields[0]] = (via, ObjectiveRow(*fields))
    return [sorted(each.values(), key=lambda pair: (pair[0], pair[1].position, pair[1].id))
            for each in found]


@cache
def _visible_objectives(shape: tuple[tuple[str, ...], ...]) -> Executable:
    """The UNION ALL of the selects of each list's kinds (built once per shape asked for)."""
    parts = [_visible_by(kind, index) for index, kinds in enumerate(shape) for kind in kinds]
    return parts[0] if len(parts) == 1 else union_all(*parts)


def _visible_by(kind: str, index: int) -> Select[Any]:
    """The Objectives list `index` finds by `kind`, with the list's index and the kind's; its
    parameters are `<kind>_<index>` and `cycle_id_<index>`."""
    ids: BindParameter[Any] = bindparam(f"{kind}_{index}", expanding=True)
    query = _OBJECTIVE_ROW.add_columns(
        literal_column(str(index)).label("list"), literal_column(str(VIA.index(kind))).label("via"),
    ).where(col(Objective.cycle_id) == bindparam(f"cycle_id_{index}"),
            col(Objective.state) != "archived")
    if kind == "person_ids":
        return query.where(col(Objective.owner_person_id).in_(ids))
    if kind == "team_ids":
        return query.where(col(Objective.owner_team_id).in_(ids))
    if kind == "teams_led_by":
        return query.where(col(Objective.owner_team_id).in_(sa_select(col(TeamMember.team_id))
                           .where(col(TeamMember.person_id).in_(ids), col(TeamMember.is_lead))))
    return (query.join(KeyResult, col(KeyResult.objective_id) == col(Objective.id))
            .where(col(KeyResult.owner_person_id).in_(ids), col(KeyResult.state) != "archived"))


_OBJECTIVE = Objective.__table__.c  # type: ignore[attr-defined]
_OBJECTIVE_ROW = sa_select(*(_OBJECTIVE[name] for name in ObjectiveRow._fields))


def owner_names(person_ids: Collection[int], team_ids: Collection[int], *, session: Session
                ) -> tuple[dict[int, str], dict[int, str]]:
    """The names of the people among `person_ids` and of the teams among `team_ids` (each by
    id): who owns the Objectives and holds the KRs of a screen of cards, in one statement."""
    people: dict[int, str] = {}
    teams: dict[int, str] = {}
    if not person_ids and not team_ids:
        return people, teams
    rows = run_core(session, _OWNER_NAMES,
                    {"person_ids": list(person_ids), "team_ids": list(team_ids)}).all()
    for is_team, owner_id, name in rows:
        (teams if is_team else people)[owner_id] = name
    return people, teams


_OWNER_NAMES: Executable = union_all(
    sa_select(literal_column("0").label("is_team"), col(Person.id), col(Person.name))
    .where(col(Person.id).in_(bindparam("person_ids", expanding=True))),
    sa_select(literal_column("1"), col(Team.id), col(Team.name))
    .where(col(Team.id).in_(bindparam("team_ids", expanding=True))),
)


def cycle_objectives(*, session: Session, cycle_id: int) -> list[Objective]:
    """Every non-archived Objective of `cycle_id`, by position and id."""
    query = (
        select(Objective)
        .where(col(Objective.cycle_id) == cycle_id, col(Objective.state) != "archived")
        .order_by(col(Objective.position), col(Objective.id))
    )
    return list(session.exec(query))


def live_key_results(objective_ids: Collection[int], *, session: Session) -> list[KeyResult]:
    """Non-archived KRs of `objective_ids`, by position and id."""
    return list(session.exec(_LIVE_KEY_RESULTS, params={"ids": list(objective_ids)}))


def live_key_result_rows(objective_ids: Collection[int], *, session: Session
                         ) -> list[KeyResultRow]:
    """`live_key_results` as plain rows, for screens that only show them."""
    return [KeyResultRow(*row)
            for row in run_core(session, _LIVE_KR_ROWS, {"ids": list(objective_ids)}).all()]


_LIVE_KRS = (col(KeyResult.objective_id).in_(bindparam("ids", expanding=True)),
             col(KeyResult.state) != "archived")
_KR_ORDER = (col(KeyResult.position), col(KeyResult.id))
_LIVE_KEY_RESULTS = select(KeyResult).where(*_LIVE_KRS).order_by(*_KR_ORDER)
_KEY_RESULT = KeyResult.__table__.c  # type: ignore[attr-defined]
_LIVE_KR_ROWS = (sa_select(*(_KEY_RESULT[name] for name in KeyResultRow._fields))
                 .where(*_LIVE_KRS).order_by(*_KR_ORDER))


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


def objectives_of_cycles(cycle_ids: Collection[int], *, session: Session) -> list[Objective]:
    """The live Objectives of several cycles, by cycle, position and id."""
    return list(session.exec(
        select(Objective).where(col(Objective.cycle_id).in_(list(cycle_ids)),
                                col(Objective.state).in_(REVIEWED_STATES))
        .order_by(col(Objective.cycle_id), col(Objective.position), col(Objective.id))))


def people_with_key_results(
    *, session: Session, cycle_id: int, person_ids: Collection[int]
) -> set[int]:
    """Those of `person_ids` asked about an active KR in `cycle_id` (bot.domain.asked.asked_of,
    the same rule as the check-in form): its owner, else its Objective's owner, else the
    leads of the team owning the Objective."""
    found: set[int] = set()
    owner = func.coalesce(col(KeyResult.owner_person_id), col(Objective.owner_person_id))
    live = (
        col(Objective.cycle_id) == cycle_id,
        col(Objective.state) == "active",
        col(KeyResult.state) == "active",
    )
    for chunk in chunks(sorted(person_ids)):
        query = (
            select(owner)
            .select_from(KeyResult)
            .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
            .where(*live, owner.in_(list(chunk)))
            .distinct()
        )
        found.update(pid for pid in session.exec(query) if pid is not None)
        leads = (
            select(TeamMember.person_id)
            .select_from(KeyResult)
            .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
            .join(TeamMember, col(TeamMember.team_id) == col(Objective.owner_team_id))
            .where(*live, col(KeyResult.owner_person_id).is_(None), col(TeamMember.is_lead),
                   col(TeamMember.person_id).in_(list(chunk)))
            .distinct()
        )
        found.update(session.exec(leads))
    return found
