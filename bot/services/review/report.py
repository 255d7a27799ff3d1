"""The review of a cycle as plain data: per Objective its score (mean of its KRs' final
scores), colour, verdict by type, causes and lessons. Shared by the review form, the team
channel summary and `okr-bot export`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session

from bot.domain.formatting import format_score
from bot.domain.review_rules import under_bar
from bot.domain.scoring import kr_score, objective_score, verdict, verdict_colour
from bot.domain.visibility import word_teams
from bot.domain.vocabulary import ObjectiveType
from bot.services.okrs.forecasts import kr_state
from storage.models import Cycle, KeyResult, KRReview, Objective, ObjectiveReview
from storage.queries import okrs as okr_queries
from storage.queries import people as people_queries
from storage.queries import reviews as review_queries
from storage.queries import teams as team_queries


@dataclass(frozen=True)
class KRReport:
    id: int
    title: str
    measured: float  # from its values (scoring.kr_score)
    final: float  # the reviewed score, else the measured one
    reviewed: bool
    under_bar: bool
    cause_kind: str  # "objective" | "subjective" | ""
    cause_note: str

    @property
    def final_text(self) -> str:
        return format_score(self.final)

    @property
    def measured_text(self) -> str:
        return format_score(self.measured)


@dataclass(frozen=True)
class ObjectiveReport:
    id: int
    title: str
    type: str
    owner: str  # a person's or a team's name
    krs: tuple[KRReport, ...]
    score: float | None
    colour: str  # "red" | "yellow" | "green" | "" (no KR)
    verdict: str
    reviewed: bool  # the owner saved a review of this Objective
    what_worked: str
    keep: str
    avoid: str
    learned: str

    @property
    def score_text(self) -> str:
        return "–" if self.score is None else format_score(self.score)

    @property
    def causes(self) -> tuple[KRReport, ...]:
        return tuple(kr for kr in self.krs if kr.cause_kind or kr.cause_note)

    @property
    def has_lessons(self) -> bool:
        return any((self.what_worked, self.keep, self.avoid, self.learned))


@dataclass(frozen=True)
class TeamReport:
    name: str  # "" for Objectives of people in no team
    objectives: tuple[ObjectiveReport, ...]


@dataclass(frozen=True)
class CycleReport:
    name: str
    start: str
    end: str
    state: str
    teams: tuple[TeamReport, ...]


def measured_score(kr: KeyResult) -> float:
    """A KR's score from its stored values."""
    return kr_score(kr_state(kr))


def objective_reports(session: Session, objectives: Sequence[Objective]) -> list[ObjectiveReport]:
    """Reports of `objectives`, in their order (five statements whatever their number)."""
    ids = [o.id or 0 for o in objectives]
    krs = okr_queries.live_key_results(ids, session=session)
    kr_reviews = review_queries.kr_reviews([kr.id or 0 for kr in krs], session=session)
    reviews = review_queries.objective_reviews(ids, session=session)
    owners = people_queries.people_by_ids(
        {o.owner_person_id for o in objectives if o.owner_person_id}, session=session)
    team_names = {t.id: t.name for t in team_queries.all_teams(session=session)}
    by_objective: dict[int, list[KeyResult]] = {}
    for kr in krs:
        by_objective.setdefault(kr.objective_id, []).append(kr)
    reports = []
    for objective in objectives:
        owner = (owners[objective.owner_person_id].name
                 if objective.owner_person_id in owners
                 else team_names.get(objective.owner_team_id, ""))
        kind = ObjectiveType(objective.type)
        kr_rows = tuple(_kr_report(kind, kr, kr_reviews.get(kr.id or 0))
                        for kr in by_objective.get(objective.id or 0, []))
        reports.append(_objective_report(objective, owner, kr_rows, reviews.get(objective.id or 0)))
    return reports


def _kr_report(kind: ObjectiveType, kr: KeyResult, review: KRReview | None) -> KRReport:
    measured = measured_score(kr)
    final = review.final_score if review is not None else measured
    return KRReport(kr.id or 0, kr.title, measured, final, review is not None,
                    under_bar(kind, final), (review.cause_kind or "") if review else "",
                    review.cause_note if review else "")


def _objective_report(objective: Objective, owner: str, krs: tuple[KRReport, ...],
                      review: ObjectiveReview | None) -> ObjectiveReport:
    kind = ObjectiveType(objective.type)
    score = objective_score(kr.final for kr in krs)
    learned = review.learned if review else ""
    outcome = verdict(kind, score, learned)
    return ObjectiveReport(
        objective.id or 0, objective.title, objective.type, owner, krs, score,
        verdict_colour(outcome, score).value if score is not None else "",
        outcome.value, review is not None,
        review.what_worked if review else "", review.keep if review else "",
        review.avoid if review else "", learned)


def team_objectives(session: Session, cycle_id: int, team_id: int) -> list[Objective]:
    """The team's Objectives of the cycle: its own and its members' (`word_teams`)."""
    teams_of = team_queries.team_ids_by_person(None, session=session)
    return [o for o in review_queries.objectives_to_review(cycle_id, session=session)
            if team_id in word_teams(o.owner_team_id, o.owner_person_id, teams_of)]


def cycle_report(session: Session, cycle: Cycle) -> CycleReport:
    """Every team's Objectives; a person's Objective goes under their first team by name."""
    objectives = review_queries.objectives_to_review(cycle.id or 0, session=session)
    teams = team_queries.all_teams(session=session)
    first_team: dict[int, int] = {}
    order = {t.id: i for i, t in enumerate(teams)}
    for member in sorted(team_queries.all_memberships(session=session),
                         key=lambda m: order.get(m.team_id, 0)):
        first_team.setdefault(member.person_id, member.team_id)
    reports = {r.id: r for r in objective_reports(session, objectives)}
    grouped: dict[int | None, list[ObjectiveReport]] = {}
    for objective in objectives:
        team_id = objective.owner_team_id or first_team.get(objective.owner_person_id or 0)
        grouped.setdefault(team_id, []).append(reports[objective.id or 0])
    team_reports = [TeamReport(t.name, tuple(grouped[t.id])) for t in teams if t.id in grouped]
    if None in grouped:
        team_reports.append(TeamReport("", tuple(grouped[None])))
    return CycleReport(cycle.name, cycle.start_date.isoformat(), cycle.end_date.isoformat(),
                       cycle.state, tuple(team_reports))
