"""Whom check-ins ask about given KRs, by name (bot.domain.asked.asked_of): what the import and
`/okr new` tell the person who wrote the KRs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.domain.asked import AskedBecause, asked_of
from storage.models import KeyResult, Objective
from storage.queries import okrs as okr_queries
from storage.queries import people as people_queries
from storage.queries import teams as team_queries


@dataclass(frozen=True)
class AskedAbout:
    """Who answers for one KR in check-ins, and why them."""

    kr_id: int
    kr_title: str
    kr_key: str | None
    because: AskedBecause
    names: tuple[str, ...]


def asked_about(
    session: Session, pairs: Sequence[tuple[Objective, KeyResult]]
) -> list[AskedAbout]:
    """Who is asked about each KR of `pairs` (three statements at most)."""
    team_ids = {o.owner_team_id for o, kr in pairs
                if o.owner_team_id is not None and kr.owner_person_id is None}
    leads = team_queries.leads_by_team(session=session, team_ids=team_ids)
    person_ids = {kr.owner_person_id or o.owner_person_id for o, kr in pairs} - {None}
    people = people_queries.people_by_ids(session=session, ids=[p for p in person_ids if p])
    for members in leads.values():
        people.update({p.id: p for p in members if p.id is not None})
    found = []
    for objective, kr in pairs:
        assert kr.id is not None
        lead_ids = [p.id for p in leads.get(objective.owner_team_id or 0, []) if p.id]
        asked = asked_of(kr.owner_person_id, objective.owner_person_id, lead_ids)
        names = tuple(sorted(people[pid].name for pid in asked.people if pid in people))
        found.append(AskedAbout(kr.id, kr.title, kr.key, asked.because, names))
    return found


def unowned(session: Session) -> list[AskedAbout]:
    """Who is asked about every active KR without an owner of the active cycles."""
    return asked_about(session, okr_queries.unowned_key_results(session=session))
