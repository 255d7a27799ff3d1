"""`/okr` look-ups: a person's, a team's or a channel's OKRs, and the alignment tree.

Each function reads in one session (a session costs a connection check-out, BEGIN and
ROLLBACK, and on PostgreSQL a ping) and returns a view model sized to fit one Slack message,
or a small value saying why there is nothing to show. The look-ups find who is asking in that
same session, from their Slack id (NotMet: okr-bot has not met them yet).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot.clock import Clock
from bot.services.lookup.tree import TreeView, alignment_tree
from bot.services.okrs.cards import ObjectiveCard, Viewer, fit_cards, load_cards
from bot.services.people import Answer, Found, NotMet, PersonView, people_in, person_in
from bot.services.team_names import TeamNotFound, team_not_found
from storage.db import Database
from storage.models import Team
from storage.queries import cycles as cycle_queries
from storage.queries import teams as team_queries

MESSAGE_BLOCKS = 50
FRAME_BLOCKS = 4  # lookup/okrs.json.j2 around the cards: header, empty or more, context, spare
MAX_KRS_PER_CARD = 8


@dataclass(frozen=True)
class OkrList:
    """A person's or a team's cards in the current cycle (`hidden` did not fit)."""

    cycle_name: str
    subject: str
    is_self: bool
    is_team: bool
    cards: tuple[ObjectiveCard, ...]
    hidden: int


@dataclass(frozen=True)
class NoCycle:
    """No cycle is active: nothing to look up yet."""


@dataclass(frozen=True)
class ChannelNotLinked:
    """No team has this channel as its own."""

    channel_id: str


def own_okrs(db: Database, clock: Clock, asker: str) -> Answer[OkrList | NoCycle] | NotMet:
    """`/okr`: the OKRs of the person with Slack id `asker` (NotMet: not met yet)."""
    return _asked_by(db, asker, lambda session, viewer: _person_listing(
        session, clock, viewer, viewer))


def okrs_of_slack_user(db: Database, clock: Clock, asker: str, slack_user_id: str
                       ) -> Answer[OkrList | NoCycle | NotMet] | NotMet:
    """`/okr @someone`: `person_okrs` of the person with `slack_user_id` (NotMet: not met
    yet), asked by `asker`, both found in the same session as the listing."""
    with db.read() as session:
        met = people_in(session, {asker, slack_user_id})
        viewer, person = met.get(asker), met.get(slack_user_id)
        if viewer is None:
            return NotMet(asker)
        if person is None:
            return Answer(viewer, NotMet(slack_user_id))
        return Answer(viewer, _person_listing(session, clock, viewer, person))


def person_okrs(db: Database, clock: Clock, viewer: PersonView, person: PersonView
                ) -> OkrList | NoCycle:
    """`person`'s Objectives, those of the teams they lead, and those in which they hold a
    KR (a lead of two teams is not shown "no OKRs")."""
    with db.read() as session:
        return _person_listing(session, clock, viewer, person)


def _person_listing(session: Session, clock: Clock, viewer: PersonView, person: PersonView
                    ) -> OkrList | NoCycle:
    return _listing(session, clock, viewer, person.name, is_self=person.id == viewer.id,
                    is_team=False, person_ids=[person.id], include_held_krs=True,
                    teams_led_by=[person.id])


def team_okrs(db: Database, clock: Clock, asker: str, name: str
              ) -> Answer[OkrList | NoCycle | TeamNotFound] | NotMet:
    """`/okr team <name>`: the Objectives of the team called `name` (matched by
    `team_named`), asked by `asker`."""

    def listing(session: Session, viewer: PersonView) -> OkrList | NoCycle | TeamNotFound:
        team = team_queries.team_named(name.strip(), session=session)
        if team is None or team.id is None:
            return team_not_found(name, session=session)
        return _team(session, clock, viewer, team.id, team.name)

    return _asked_by(db, asker, listing)


def channel_okrs(db: Database, clock: Clock, asker: str, channel_id: str
                 ) -> Answer[OkrList | NoCycle | ChannelNotLinked] | NotMet:
    """`/okr #channel`: the Objectives of the team whose channel is `channel_id`, asked by
    `asker`."""

    def listing(session: Session, viewer: PersonView) -> OkrList | NoCycle | ChannelNotLinked:
        team: Team | None = team_queries.team_by_channel(session=session, channel_id=channel_id)
        if team is None or team.id is None:
            return ChannelNotLinked(channel_id)
        return _team(session, clock, viewer, team.id, team.name)

    return _asked_by(db, asker, listing)


def _asked_by(db: Database, asker: str, look: Callable[[Session, PersonView], Found]
              ) -> Answer[Found] | NotMet:
    """`look` in one session, as the person with Slack id `asker` found there (NotMet: okr-bot
    has not met them yet)."""
    with db.read() as session:
        viewer = person_in(session, asker)
        if viewer is None:
            return NotMet(asker)
        return Answer(viewer, look(session, viewer))


def okr_tree(db: Database, clock: Clock, viewer: PersonView) -> TreeView | NoCycle:
    """The alignment tree of the current cycle."""
    eyes = Viewer.at(clock.now(), viewer.tz, viewer.locale)
    with db.read() as session:
        cycle = cycle_queries.current_cycle(session=session, today=eyes.today)
        if cycle is None:
            return NoCycle()
        return alignment_tree(session, cycle=cycle, today=eyes.today)


def _team(session: Session, clock: Clock, viewer: PersonView, team_id: int, name: str
          ) -> OkrList | NoCycle:
    return _listing(session, clock, viewer, name, is_self=False, is_team=True,
                    team_ids=[team_id])


def _listing(session: Session, clock: Clock, viewer: PersonView, subject: str, *,
             is_self: bool, is_team: bool, **which: Any) -> OkrList | NoCycle:
    """The cards of the current cycle (as `viewer` sees it) chosen by `which` (load_cards'
    person_ids / team_ids / include_held_krs / teams_led_by), fitted into one message."""
    eyes = Viewer.at(clock.now(), viewer.tz, viewer.locale)
    cycle = cycle_queries.current_cycle(session=session, today=eyes.today)
    if cycle is None or cycle.id is None:
        return NoCycle()
    cards = load_cards(session, cycle_id=cycle.id, viewer=eyes, max_krs=MAX_KRS_PER_CARD,
                       cycles=[cycle], **which)
    shown, hidden = fit_cards(cards, MESSAGE_BLOCKS - FRAME_BLOCKS)
    return OkrList(cycle.name, subject, is_self, is_team, shown, hidden)
