"""What the close-of-cycle outbox rows post (listed in bot.delivery.renderers.RENDERERS):
the review prompt DM, the team channel's review summary, the monthly alignment check DM and
the offer to carry unfinished Objectives forward. Each renders from the tables as they are when
sent, so a summary includes every review saved until then."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from bot import ids
from bot.delivery.rows import NothingToSend, Payload, payload_of, recipient_of
from bot.domain import local_dates
from bot.domain.calibration import CycleCalibration
from bot.domain.formatting import format_score
from bot.domain.scoring import objective_score
from bot.rendering import Renderer
from bot.services.people import view_of
from bot.services.review.calibration import team_calibrations
from bot.services.review.carry import NoCarry, carry_list_in
from bot.services.review.report import ObjectiveReport, objective_reports, team_objectives
from storage.models import Cycle, Delivery, Team
from storage.queries import people as people_queries
from storage.queries import reviews as review_queries
from storage.queries import teams as team_queries

MAX_SUMMARY_OBJECTIVES = 45  # a message holds 50 blocks


@dataclass(frozen=True)
class PromptView:
    name: str
    cycle: str
    end: str
    objectives: tuple[ObjectiveReport, ...]
    button_value: str


@dataclass(frozen=True)
class SummaryView:
    cycle: str
    team: str
    objectives: tuple[ObjectiveReport, ...]
    more: int
    calibration: tuple[CycleCalibration, ...] = ()  # the team's cycles, oldest first

    def count(self, colour: str) -> int:
        """How many of the team's Objectives ended in `colour` (the headline's counts)."""
        return sum(1 for o in self.objectives if o.colour == colour)

    @property
    def score(self) -> str:
        """The team's score: the mean of its Objectives' scores."""
        return format_score(objective_score(o.score for o in self.objectives
                                            if o.score is not None))


@dataclass(frozen=True)
class AlignmentGroup:
    objective_id: int
    title: str
    items: tuple[dict[str, Any], ...]


@dataclass(frozen=True)
class AlignmentView:
    team: str
    cycle: str
    groups: tuple[AlignmentGroup, ...]


def _cycle(session: Session, delivery: Delivery) -> Cycle:
    cycle = session.get(Cycle, payload_of(delivery).get("cycle_id"))
    if cycle is None:
        raise NothingToSend("cycle gone")
    return cycle


def render_review(session: Session, delivery: Delivery, renderer: Renderer) -> list[Payload]:
    """The review prompt: the person's Objectives of the cycle and the "Start" button."""
    person, cycle = recipient_of(session, delivery), _cycle(session, delivery)
    leads = team_queries.lead_team_ids(person.id or 0, session=session)
    objectives = review_queries.reviewable_objectives(cycle.id or 0, person.id or 0, leads,
                                                      session=session)
    if not objectives:
        raise NothingToSend("nothing to review")
    end = local_dates.format_date(cycle.end_date, person.locale,
                                  today=local_dates.local(delivery.due_at, person.tz).date())
    view = PromptView(person.name, cycle.name, end,
                      tuple(objective_reports(session, objectives)), str(cycle.id))
    return [renderer.render("review/prompt", person.locale, view=view, ids=ids.TEMPLATE_IDS)]


def _summary(session: Session, delivery: Delivery) -> tuple[SummaryView, Team]:
    team = session.get(Team, delivery.team_id) if delivery.team_id else None
    if team is None:
        raise NothingToSend("team gone")
    cycle = _cycle(session, delivery)
    reports = objective_reports(session, team_objectives(session, cycle.id or 0, team.id or 0))
    if not reports:
        raise NothingToSend("nothing reviewed")
    calibrated = team_calibrations(session, cycle, [team.id or 0])
    return SummaryView(cycle.name, team.name, tuple(reports[:MAX_SUMMARY_OBJECTIVES]),
                       max(len(reports) - MAX_SUMMARY_OBJECTIVES, 0),
                       calibrated[0].cycles if calibrated else ()), team


def render_review_summary(session: Session, delivery: Delivery,
                          renderer: Renderer) -> list[Payload]:
    """The team's review summary headline in the channel, in its lead's language: Objectives
    by colour and the mean score; the details follow in its thread."""
    view, team = _summary(session, delivery)
    return [renderer.render("review/summary_headline", team_locale(session, team, renderer),
                            view=view)]


def render_review_summary_details(session: Session, delivery: Delivery,
                                  renderer: Renderer) -> list[Payload]:
    """The review summary's details, a reply in the headline's thread (`review_summary_reply`:
    the payload of the headline row says which cycle)."""
    parent = session.get(Delivery, delivery.parent_id) if delivery.parent_id else None
    if parent is None:
        raise NothingToSend("no summary to reply to")
    view, team = _summary(session, parent)
    return [renderer.render("review/summary", team_locale(session, team, renderer), view=view)]


def team_locale(session: Session, team: Team, renderer: Renderer) -> str:
    leads = sorted(m.person_id for m in team_queries.all_memberships(session=session)
                   if m.team_id == team.id and m.is_lead)
    people = people_queries.people_by_ids(leads, session=session)
    return people[leads[0]].locale if leads and leads[0] in people else renderer.default_locale


def render_alignment(session: Session, delivery: Delivery, renderer: Renderer) -> list[Payload]:
    """The monthly alignment check, as planned (the flagged KRs are in the row's payload)."""
    person = recipient_of(session, delivery)
    payload = payload_of(delivery)
    groups: dict[int, AlignmentGroup] = {}
    for item in payload.get("items", []):
        key = int(item["objective_id"])
        group = groups.get(key) or AlignmentGroup(key, str(item["objective"]), ())
        groups[key] = AlignmentGroup(key, group.title, (*group.items, item))
    if not groups:
        raise NothingToSend("nothing flagged")
    view = AlignmentView(str(payload.get("team", "")), str(payload.get("cycle", "")),
                         tuple(groups.values()))
    return [renderer.render("review/alignment", person.locale, view=view, ids=ids.TEMPLATE_IDS)]


def render_carry(session: Session, delivery: Delivery, renderer: Renderer) -> list[Payload]:
    """The offer to carry the person's unfinished Objectives into the new cycle."""
    person = recipient_of(session, delivery)
    cycle = _cycle(session, delivery)
    found = carry_list_in(session, view_of(person), to_cycle_id=cycle.id)
    if isinstance(found, NoCarry) or all(item.carried for item in found.items):
        raise NothingToSend("nothing to carry")
    return [renderer.render("review/carry", person.locale, view=found, reply=False,
                            ids=ids.TEMPLATE_IDS)]
