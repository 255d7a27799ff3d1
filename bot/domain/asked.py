"""Who is asked about a Key Result in check-ins: every active KR is asked of someone.

Pure: the caller loads the facts. The rule, in order:
1. the KR's owner, when it has one;
2. else the owner of its Objective, when a person owns it;
3. else (a team's Objective) the leads of the owning team.

A team Objective's unowned KR with a team that has no lead is asked of nobody: the import and
`/okr new` say so, so that someone gives it an owner.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from enum import StrEnum


class AskedBecause(StrEnum):
    """Why those people are asked about the KR (shown by the import and `/okr new`)."""

    OWNER = "owner"
    OBJECTIVE_OWNER = "objective_owner"
    TEAM_LEADS = "team_leads"
    NOBODY = "nobody"


@dataclass(frozen=True)
class Asked:
    people: frozenset[int]
    because: AskedBecause


def asked_of(
    kr_owner: int | None, objective_owner: int | None, team_leads: Collection[int]
) -> Asked:
    """Who is asked about a KR held by `kr_owner` (None: unowned) of an Objective owned by the
    person `objective_owner` (None: a team's), whose owning team has `team_leads`."""
    if kr_owner is not None:
        return Asked(frozenset({kr_owner}), AskedBecause.OWNER)
    if objective_owner is not None:
        return Asked(frozenset({objective_owner}), AskedBecause.OBJECTIVE_OWNER)
    if team_leads:
        return Asked(frozenset(team_leads), AskedBecause.TEAM_LEADS)
    return Asked(frozenset(), AskedBecause.NOBODY)


def help_alert_leads(
    asker: int,
    teams: Collection[int],
    leads: Mapping[int, Collection[int]],
    parents: Mapping[int, int | None],
    admins: Collection[int],
) -> frozenset[int]:
    """Who hears of `asker`'s help request besides the named helper: the leads of `teams` (the
    asker's and the Objective's owning team). When the asker is the only lead there, the leads
    of the parent teams, and so on up; above the top team, the admins. Never the asker."""
    level, seen = set(teams), set()
    while level:
        found = {lead for team in level for lead in leads.get(team, ())} - {asker}
        if found:
            return frozenset(found)
        seen |= level
        level = {p for team in level if (p := parents.get(team)) is not None} - seen
    return frozenset(admins) - {asker}
