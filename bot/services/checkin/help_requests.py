"""Help requests of check-ins: who hears of one, the named helper's answer, what is open.

A check-in asking for help on a KR, with whom to ask, makes:
- one DM to the named helper, "X asks for your help on KR …" with "I can help" / "Not now"
  (outbox kind `help_ask`, `helpask:{checkin}:{helper}`);
- one alert to each lead of the asker's teams and of the team owning the Objective; when the
  asker is the only lead there, to the parent team's leads, or the admins at the top
  (bot.domain.asked.help_alert_leads; kind `help`, `help:{checkin}:{lead}`).
The helper's answer is stored on the check-in (audited) and goes back to the asker (kind
`help_answer`, `helpanswer:{checkin}:{answer}`). Every message goes through the outbox, so
when it may reach the person is the sender's and the person's calendar's decision.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlmodel import Session

from bot.clock import Clock
from bot.domain import local_dates
from bot.domain.asked import help_alert_leads
from bot.services.people import PersonView
from bot.services.schedules.calendars import enqueue_for
from storage.db import Database
from storage.models import CheckIn, KeyResult, Objective, Person
from storage.queries import audit as audit_queries
from storage.queries import checkins as checkin_queries
from storage.queries import cycles as cycle_queries
from storage.queries import people as people_queries
from storage.queries import teams as team_queries

HelpAnswer = Literal["can_help", "not_now"]
ANSWERS: tuple[HelpAnswer, ...] = ("can_help", "not_now")


@dataclass(frozen=True)
class HelpAsked:
    """One check-in asking for help, as saved."""

    objective: Objective
    kr: KeyResult
    checkin: CheckIn
    helper_slack_id: str  # "" when nobody was named


def announce(session: Session, asker: PersonView, now: datetime,
             asked: Sequence[HelpAsked]) -> None:
    """Queue the helper's DM and the leads' alerts of every request in `asked` (once each)."""
    if not asked:
        return
    my_teams = {m.team_id for m in team_queries.memberships_of([asker.id], session=session)}
    owning = {team for item in asked if (team := item.objective.owner_team_id) is not None}
    parents = team_queries.parents_up_from(my_teams | owning, session=session)
    leads = {team: [p.id for p in people if p.id is not None] for team, people in
             team_queries.leads_by_team(session=session, team_ids=list(parents)).items()}
    admins = people_queries.admin_ids(session=session)
    for item in asked:
        row = item.checkin
        teams = my_teams | ({item.objective.owner_team_id} - {None})
        helper = row.help_from_person_id
        alerted = help_alert_leads(asker.id, [t for t in teams if t is not None], leads,
                                   parents, admins) - {helper}
        payload = {
            "asker_slack_id": asker.slack_user_id,
            "asker_name": asker.name,
            "objective_title": item.objective.title,
            "kr_title": item.kr.title,
            "help_text": row.help_needed,
            "helper_slack_id": item.helper_slack_id,
            "checkin_id": row.id,
        }
        for lead in sorted(alerted):
            enqueue_for(session, kind="help", dedupe_key=f"help:{row.id}:{lead}", due_at=now,
                        person_id=lead, payload=payload, created_at=now)
        if helper is not None and helper != asker.id:
            enqueue_for(session, kind="help_ask", dedupe_key=f"helpask:{row.id}:{helper}",
                        due_at=now, person_id=helper, payload=payload, created_at=now)


@dataclass(frozen=True)
class Answered:
    """The helper's answer is stored; `first` is False when this very answer was given."""

    answer: HelpAnswer
    asker_name: str
    kr_title: str
    first: bool


@dataclass(frozen=True)
class NotYours:
    """The click came from someone the request does not name, or the request is gone."""


def answer(db: Database, clock: Clock, helper: PersonView, checkin_id: int,
           choice: str) -> Answered | NotYours:
    """Store `helper`'s answer to the help request of check-in `checkin_id` and tell the
    asker; only the person the request names may answer, and only while it asks."""
    if choice not in ANSWERS:
        return NotYours()
    given: HelpAnswer = "can_help" if choice == "can_help" else "not_now"
    now = clock.now()
    with db.write() as session:
        row = session.get(CheckIn, checkin_id)
        if row is None or row.help_from_person_id != helper.id or not row.help_needed:
            audit_queries.add_audit(
                session=session, at=now, actor=helper.slack_user_id, action="refused",
                entity="checkin", entity_id=str(checkin_id),
                after=json.dumps({"attempt": "help_answer"}))
            return NotYours()
        kr = session.get(KeyResult, row.key_result_id)
        asker = session.get(Person, row.author_id) if row.author_id else None
        first = row.help_answer != given
        if first:
            before = json.dumps({"help_answer": row.help_answer})
            row.help_answer, row.help_answered_at = given, now
            session.add(row)
            audit_queries.add_audit(
                session=session, at=now, actor=helper.slack_user_id, action="help.answer",
                entity="checkin", entity_id=str(checkin_id), before=before,
                after=json.dumps({"help_answer": given}))
            if asker is not None and asker.id is not None:
                enqueue_for(session, kind="help_answer",
                            dedupe_key=f"helpanswer:{checkin_id}:{given}", due_at=now,
                            person_id=asker.id, created_at=now,
                            payload={"helper_slack_id": helper.slack_user_id,
                                     "helper_name": helper.name, "answer": given,
                                     "kr_title": kr.title if kr else "",
                                     "help_text": row.help_needed})
        return Answered(given, asker.name if asker else "", kr.title if kr else "", first)


@dataclass(frozen=True)
class WantedLine:
    """One open help request, ready to print."""

    kr_title: str
    objective_title: str
    asker_slack_id: str
    text: str
    helper_slack_id: str  # "" when nobody was named
    answer: str  # "", "can_help" or "not_now"
    names_me: bool


@dataclass(frozen=True)
class HelpWanted:
    cycle_name: str
    lines: tuple[WantedLine, ...]


def help_wanted(db: Database, clock: Clock, person: PersonView) -> HelpWanted:
    """`/okr help-wanted`: the open help requests of the current cycle asked by members of
    `person`'s teams, about their teams' Objectives, or naming `person`, newest first."""
    today = local_dates.local(clock.now(), person.tz).date()
    with db.read() as session:
        cycle = cycle_queries.current_cycle(session=session, today=today)
        if cycle is None or cycle.id is None:
            return HelpWanted("", ())
        teams = {m.team_id for m in team_queries.memberships_of([person.id], session=session)}
        members = {p.id for people in team_queries.members_by_team(
            session=session, team_ids=teams).values() for p in people}
        found = checkin_queries.open_help_requests(session=session, cycle_id=cycle.id)
        mine = [(c, kr, o) for c, kr, o in found
                if c.help_from_person_id == person.id or c.author_id in members
                or o.owner_team_id in teams]
        ids = {c.author_id for c, _, _ in mine} | {c.help_from_person_id for c, _, _ in mine}
        people = people_queries.people_by_ids(session=session, ids=[i for i in ids if i])
        lines = tuple(
            WantedLine(kr.title, o.title, _slack_id(people, c.author_id), c.help_needed,
                       _slack_id(people, c.help_from_person_id), c.help_answer or "",
                       c.help_from_person_id == person.id)
            for c, kr, o in reversed(mine))
        return HelpWanted(cycle.name, lines)


def _slack_id(people: dict[int, Person], person_id: int | None) -> str:
    found = people.get(person_id or 0)
    return found.slack_user_id if found else ""
