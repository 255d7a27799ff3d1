"""Who may read what: the one visibility policy (README "Who sees what").

OKRs, scores and check-in values are public inside the workspace (the OKR guide's
transparency). What people wrote in a check-in — progress, blockers, help requests — is read by
the team the words belong to (its members, leads included), the admins, the author, and the
person a help request names. `/okr digest`, look-ups, exports and the API ask `may_read_words`;
nothing else decides it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Reader:
    """Someone about to be shown a team's words: their id, admin flag and teams."""

    person_id: int | None
    is_admin: bool = False
    teams: frozenset[int] = field(default_factory=frozenset)


OPERATOR = Reader(person_id=None, is_admin=True)
"""The operator at the command line (`okr-bot export`): holds the database itself."""


def word_teams(owner_team_id: int | None, owner_person_id: int | None,
               teams_of: Mapping[int, Collection[int]]) -> frozenset[int]:
    """The teams an Objective (and what is written on its KRs) belongs to: the team owning it,
    else its owner's teams (`teams_of`: person id → their team ids). A team's digest, review
    summary and follow-along thread read these."""
    if owner_team_id is not None:
        return frozenset({owner_team_id})
    return frozenset(teams_of.get(owner_person_id, ())) if owner_person_id is not None \
        else frozenset()


def may_read_words(reader: Reader, teams: Collection[int], *, author_id: int | None = None,
                   asked_id: int | None = None) -> bool:
    """Whether `reader` may read free text written about the KRs of `teams` by `author_id`
    (a help request naming `asked_id`)."""
    if reader.is_admin:
        return True
    if reader.person_id is not None and reader.person_id in (author_id, asked_id):
        return True
    return not reader.teams.isdisjoint(teams)
