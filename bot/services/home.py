"""The App Home of one person: their OKRs, their teams' OKRs, when their next check-in is due.

The view is sized here to stay under Slack's 100 blocks for a Home tab.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.clock import Clock
from bot.domain import local_dates
from bot.services.okrs.cards import (
    CardQuery,
    ObjectiveCard,
    Viewer,
    card_blocks,
    fit_cards,
    load_card_lists,
)
from bot.services.people import Answer, NotMet, PersonView, view_of
from bot.services.schedules.hours import HoursView, hours_in
from bot.services.schedules.planner import checkin_outlook
from storage.db import Database
from storage.models import Person
from storage.queries import cycles as cycle_queries
from storage.queries import people as people_queries
from storage.queries import schedules as schedule_queries

HOME_BLOCKS = 100
# home/home.json.j2 outside the card lists: header, next check-in, actions, "your OKRs"
# header, an empty-or-more line, the footer.
FRAME_BLOCKS = 6
TEAM_FRAME_BLOCKS = 2  # a team's header and its empty-or-more line
MAX_TEAMS = 3
MINE_BLOCKS = 60  # leaves the teams room even when someone holds many Objectives
MAX_KRS_PER_CARD = 6
PLANNING_BLOCKS = 20  # the next cycle's drafts, below the person's own Objectives
LOOKAHEAD = timedelta(days=15)  # covers a biweekly rhythm from any day


@dataclass(frozen=True)
class TeamGroup:
    """One of the person's teams and the Objectives of it that fit."""

    name: str
    cards: tuple[ObjectiveCard, ...]
    hidden: int
    shown_above: int = 0  # the team's Objectives already under "Your OKRs" (its lead's)


@dataclass(frozen=True)
class PlanningGroup:
    """The person's Objectives (drafts included) in the cycle being planned next."""

    cycle_name: str
    cards: tuple[ObjectiveCard, ...]
    hidden: int


@dataclass(frozen=True)
class HomeView:
    cycle_name: str | None
    next_due: str | None  # in the person's zone and language
    mine: tuple[ObjectiveCard, ...]
    mine_hidden: int
    teams: tuple[TeamGroup, ...]
    hidden_teams: int
    hours: HoursView  # when messages may reach the person (`/okr hours`)
    planning: PlanningGroup | None = None  # the next cycle, while it is being planned
    away_until: str | None = None  # no check-in due because of `/okr away` / `pause`: until


def home_of_slack_user(db: Database, clock: Clock, slack_user_id: str
                       ) -> Answer[HomeView] | NotMet:
    """Everything `home/home.json.j2` shows for the person with `slack_user_id`, fitted to a
    Home tab, and who they are, read in one session (one session for an opened Home, not one to
    find them and one to build it)."""
    with db.read() as session:
        row = people_queries.person_by_slack_id(slack_user_id, session=session)
        if row is None:
            return NotMet(slack_user_id)
        person = view_of(row)
        return Answer(person, _home(session, clock.now(), person, row))


def _home(session: Session, now: datetime, person: PersonView, row: Person) -> HomeView:
    eyes = Viewer.at(now, person.tz, person.locale)
    outlook = checkin_outlook(session, row, now, within=LOOKAHEAD)
    hours = hours_in(outlook.calendar, row)
    due = outlook.next_due
    next_due = away_until = None
    if due is not None:
        next_due = local_dates.format_day_time(
            local_dates.local(due, person.tz), person.locale, today=eyes.today)
    else:
        away_until = _away_until(session, person, eyes.today)
    cycles = cycle_queries.plannable_cycles(eyes.today, session=session)
    cycle = cycles[0] if cycles else None
    if cycle is None or cycle.id is None:
        return HomeView(None, next_due, (), 0, (), 0, hours, away_until=away_until)
    teams = outlook.teams
    team_ids = [t.id for t in teams if t.id is not None]
    mine, team_cards, *next_cards = load_card_lists(session, [
        CardQuery(cycle.id, [person.id], include_held_krs=True),
        CardQuery(cycle.id, team_ids=team_ids),
        *[CardQuery(c.id or 0, [person.id]) for c in cycles[1:2]],
    ], viewer=eyes, max_krs=MAX_KRS_PER_CARD, cycles=cycles[:2])
    planned = list(zip(cycles[1:2], next_cards, strict=True))
    budget = HOME_BLOCKS - FRAME_BLOCKS - TEAM_FRAME_BLOCKS * min(len(teams), MAX_TEAMS)
    shown, hidden = fit_cards(mine, min(budget, MINE_BLOCKS))
    budget -= sum(card_blocks(c) for c in shown)
    planning = None
    for next_cycle, cards in planned:
        next_shown, next_hidden = fit_cards(cards, PLANNING_BLOCKS - TEAM_FRAME_BLOCKS)
        budget -= TEAM_FRAME_BLOCKS + sum(card_blocks(c) for c in next_shown)
        planning = PlanningGroup(next_cycle.name, tuple(next_shown), next_hidden)
    groups: list[TeamGroup] = []
    mine_ids = {c.id for c in mine}
    for team in teams[:MAX_TEAMS]:
        cards = [c for c in team_cards if c.owner_id == team.id and c.id not in mine_ids]
        team_shown, team_hidden = fit_cards(cards, budget)
        budget -= sum(card_blocks(c) for c in team_shown)
        above = sum(c.owner_kind == "team" and c.owner_id == team.id for c in shown)
        groups.append(TeamGroup(team.name, team_shown, team_hidden, above))
    return HomeView(cycle.name, next_due, shown, hidden, tuple(groups),
                    len(teams) - len(groups), hours, planning, away_until)


def _away_until(session: Session, person: PersonView, today: date) -> str | None:
    """The last day of the absence (`/okr away`, `/okr pause`) the person is in today, in their
    words; None when they are not away."""
    spans = schedule_queries.absences_by_person(
        session=session, person_ids=[person.id], first=today, last=today).get(person.id, [])
    if not spans:
        return None
    return local_dates.format_date(max(end for _, end in spans), person.locale, today=today)

