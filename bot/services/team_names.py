"""What to answer when a typed name matches no team, in one place for `/okr team`,
`/okr digest`, `/okr schedule` and `okr-bot send-digest`: close matches first (compared as a
team name is matched, `storage.queries.teams.name_key`), else some of the teams there are."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from sqlmodel import Session

from storage.queries import teams as team_queries
from storage.queries.teams import name_key

MAX_SUGGESTIONS = 5
MAX_KNOWN_TEAMS = 20


@dataclass(frozen=True)
class TeamNotFound:
    """`query` names no team: close matches, else (some of) the known names."""

    query: str
    suggestions: tuple[str, ...]
    known: tuple[str, ...]
    more_known: int


def team_not_found(query: str, *, session: Session) -> TeamNotFound:
    """The answer to `query` matching no team: the names it is close to or part of, and the
    first MAX_KNOWN_TEAMS names there are."""
    names = team_queries.team_names(session=session)
    wanted = name_key(query)
    by_key = {name_key(n): n for n in names}
    close = difflib.get_close_matches(wanted, list(by_key), n=MAX_SUGGESTIONS, cutoff=0.6)
    partial = [key for key in by_key if wanted and (wanted in key or key in wanted)]
    suggestions = list(dict.fromkeys([*close, *partial]))[:MAX_SUGGESTIONS]
    known = names[:MAX_KNOWN_TEAMS]
    return TeamNotFound(query=query, suggestions=tuple(by_key[k] for k in suggestions),
                        known=tuple(known), more_known=len(names) - len(known))
