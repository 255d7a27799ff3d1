"""Applying the visibility policy (bot.domain.visibility) to what services return."""

from __future__ import annotations

import dataclasses

from bot.domain.visibility import Reader, may_read_words
from bot.services.digest.view import DigestView
from bot.services.people import PersonView
from storage.db import Database
from storage.queries.teams import teams_of_person


def reader_of(db: Database, person: PersonView) -> Reader:
    """`person` as a reader: admin or not, and the teams they belong to (leads included)."""
    with db.read() as session:
        teams = frozenset(t.id for t in teams_of_person(person.id, session=session) if t.id)
    return Reader(person.id, person.is_admin, teams)


def digest_for(view: DigestView, reader: Reader) -> DigestView:
    """The team's digest as `reader` may see it: progress notes, blockers and help requests only
    where the policy lets them read the words (numbers, scores and names stay)."""
    teams = {view.team_id}

    def readable(author_id: int | None, asked_id: int | None) -> bool:
        return may_read_words(reader, teams, author_id=author_id, asked_id=asked_id)

    return dataclasses.replace(
        view,
        blockers=tuple(a for a in view.blockers
                       if readable(a.person.id if a.person else None, None)),
        progress=tuple(a for a in view.progress
                       if readable(a.person.id if a.person else None, None)),
        help_requests=tuple(a for a in view.help_requests
                            if readable(a.person.id if a.person else None,
                                        a.asks.id if a.asks else None)),
    )
