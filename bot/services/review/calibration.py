"""A team's calibration across its stored cycles (guide 五.3), for the review summary and the
review export: per cycle, committed Objectives that reached 1.0, aspirational ones in 0.6-0.7,
"on track" said of KRs that ended below 0.7, targets cut late — oldest cycle first, so the
trend reads left to right. Twelve statements, whatever the number of cycles."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlmodel import Session

from bot.domain.calibration import CycleCalibration, KROutcome, ObjectiveOutcome, calibrate
from bot.domain.digest_rules import KRFacts, ValuePoint, target_changes
from bot.domain.vocabulary import Confidence, Direction, KRKind, ObjectiveType
from bot.services.okrs.forecasts import history_by_kr
from bot.services.review.report import objective_reports
from storage.models import Cycle, KeyResult, Objective
from storage.queries import checkins as checkin_queries
from storage.queries import cycles as cycle_queries
from storage.queries import okrs as okr_queries
from storage.queries import reviews as review_queries
from storage.queries import teams as team_queries

MAX_CYCLES = 6


@dataclass(frozen=True)
class TeamCalibration:
    team: str
    cycles: tuple[CycleCalibration, ...]  # oldest first, ending with the cycle asked about


def team_calibrations(
    session: Session, cycle: Cycle, team_ids: list[int] | None = None
) -> list[TeamCalibration]:
    """Calibration of each team (all, or `team_ids`) over the cycles that started up to
    `cycle`'s start (at most MAX_CYCLES); a team with no Objective in them is left out."""
    cycles = [c for c in reversed(cycle_queries.all_cycles(session=session))
              if c.start_date <= cycle.start_date][:MAX_CYCLES][::-1]
    teams = [t for t in team_queries.all_teams(session=session)
             if team_ids is None or t.id in team_ids]
    members: dict[int, set[int]] = defaultdict(set)
    for member in team_queries.all_memberships(session=session):
        members[member.team_id].add(member.person_id)
    objectives = okr_queries.objectives_of_cycles([c.id or 0 for c in cycles], session=session)
    outcomes = _outcomes(session, objectives, cycles[0].start_date if cycles else cycle.start_date)
    found = []
    for team in teams:
        mine = [o for o in objectives
                if o.owner_team_id == team.id or o.owner_person_id in members[team.id or 0]]
        if not mine:
            continue
        counted = tuple(
            calibrate(c.name, c.start_date, c.end_date,
                      [outcomes[o.id or 0] for o in mine if o.cycle_id == c.id])
            for c in cycles)
        found.append(TeamCalibration(team.name, counted))
    return found


def _outcomes(
    session: Session, objectives: list[Objective], since: date
) -> dict[int, ObjectiveOutcome]:
    reports = objective_reports(session, objectives)
    krs = {kr.id: kr for kr in okr_queries.live_key_results([o.id or 0 for o in objectives],
                                                            session=session)}
    kr_ids = [kr_id for kr_id in krs if kr_id is not None]
    said = review_queries.recent_confidences(kr_ids, _midnight(since), session=session)
    history = history_by_kr(checkin_queries.value_history(session=session, kr_ids=kr_ids))
    outcomes = {}
    for report in reports:
        kr_outcomes = []
        for kr in report.krs:
            stored = krs[kr.id]
            on_track = sum(c == Confidence.ON_TRACK for c in said.get(kr.id, []))
            kr_outcomes.append(KROutcome(kr.final, on_track,
                                         _target_changes(stored, history.get(kr.id, [])),
                                         stored.start_value))
        outcomes[report.id] = ObjectiveOutcome(ObjectiveType(report.type), report.score,
                                               kr_outcomes)
    return outcomes


def _target_changes(kr: KeyResult, history: list[ValuePoint]) -> list[tuple[date, float, float]]:
    """(day, old, new) of every recorded change of the KR's target (digest_rules reads them)."""
    facts = KRFacts(KRKind(kr.kind), kr.start_value, kr.target_value, kr.current_value,
                    Direction(kr.direction), kr.created_at, tuple(history))
    forever = datetime.max.replace(tzinfo=UTC)
    return [(c.at.date(), c.old, c.new) for c in target_changes(facts, kr.created_at, forever)
            if c.old is not None]


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)
