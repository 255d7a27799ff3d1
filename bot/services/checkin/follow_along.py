"""A team that follows along (its schedule's `follow_along`, off by default) sees each check-in
as it comes in: one post per check-in round (the ISO week of the check-ins, `period_key`) in the
team's channel, and one reply per person in its thread. Both go through the outbox
(`checkin_round`, `checkin_round_reply`); the reply is rendered when it is sent, from the
person's check-ins of that round on the team's KRs, so answering page after page or editing
before it is posted shows in it, and a person appears once per round.

Whose words: a KR belongs to the teams of its Objective (`bot.domain.visibility.word_teams`:
the team owning it, or its owner's teams) — the teams that may read its notes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from bot.domain import local_dates
from bot.domain.visibility import word_teams
from bot.services.checkin.summary import CheckinSummary, summary_of
from bot.services.people import PersonView
from storage.models import CheckIn, Objective, Person
from storage.queries import checkins as checkin_queries
from storage.queries import schedules as schedule_queries
from storage.queries import teams as team_queries
from storage.queries.outbox import enqueue, enqueue_reply

ROUND = "checkin_round"
REPLY = "checkin_round_reply"


def round_key(team_id: int, period: str) -> str:
    """The dedupe key of a team's round post; a person's reply adds `:{person id}`."""
    return f"{ROUND}:{team_id}:{period}"


def post(session: Session, person: PersonView, now: datetime,
         answered: Sequence[tuple[Objective, CheckIn]]) -> int:
    """Queue the round post (once) and `person`'s reply (once) in the thread of each following
    team the answered KRs belong to; how many replies were new."""
    if not answered:
        return 0
    period = answered[0][1].period_key
    objectives = [o for o, _ in answered]
    following = schedule_queries.following_teams(
        owner_teams={o.owner_team_id for o in objectives if o.owner_team_id is not None},
        owner_people={o.owner_person_id for o in objectives
                      if o.owner_team_id is None and o.owner_person_id is not None},
        session=session)
    added = 0
    for team_id, channel_id in sorted(following.items()):
        key = round_key(team_id, period)
        enqueue(session, kind=ROUND, dedupe_key=key, due_at=now, team_id=team_id,
                channel_id=channel_id, payload={"period": period})
        added += enqueue_reply(session, parent_key=key, kind=REPLY,
                               dedupe_key=f"{key}:{person.id}",
                               payload={"person_id": person.id, "period": period},
                               created_at=now)
    return added


@dataclass(frozen=True)
class RoundReply:
    """A person's answers of one round on one team's KRs, as the thread shows them."""

    name: str
    summary: CheckinSummary


def reply_of(session: Session, team_id: int, person_id: int, period: str) -> RoundReply | None:
    """`person_id`'s check-ins of the round on the KRs that belong to `team_id`, as they stand
    now; None when there is none (all archived since, say)."""
    person = session.get(Person, person_id)
    found = checkin_queries.checkins_of_round(person_id, period, session=session)
    owners = sorted({o.owner_person_id for _, _, o in found if o.owner_person_id is not None})
    teams_of = team_queries.team_ids_by_person(owners, session=session)
    mine = [(kr, row) for row, kr, o in found
            if team_id in word_teams(o.owner_team_id, o.owner_person_id, teams_of)]
    if person is None or not mine:
        return None
    latest = max(row.updated_at for _, row in mine)
    return RoundReply(person.name, summary_of(mine, local_dates.local(latest, person.tz)))
