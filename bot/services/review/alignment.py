"""The monthly alignment check (guide 三.2): which of a team's KRs are red, forecast to miss
(before they turn red), stalled (no value change for three weeks or more) or losing
confidence, and which of its Objectives align to nothing above them, so its lead can decide
to adjust."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.domain.cycle_rules import KRSignals, alignment_flags, unaligned_team_objectives
from bot.domain.formatting import format_score
from bot.domain.review_rules import under_bar
from bot.domain.vocabulary import ObjectiveType
from bot.services.okrs.forecasts import forecast_of, history_by_kr
from bot.services.review.report import measured_score, team_objectives
from storage.models import Cycle
from storage.queries import checkins as checkin_queries
from storage.queries import okrs as okr_queries
from storage.queries import reviews as review_queries
from storage.queries import teams as team_queries

CONFIDENCE_LOOKBACK = timedelta(days=62)
MAX_ITEMS = 20


@dataclass(frozen=True)
class AlignmentItem:
    objective_id: int
    objective: str
    kr: str
    score: str
    flags: tuple[str, ...]
    forecast: str = ""  # the projected end score when there is a forecast

    def as_payload(self) -> dict[str, Any]:
        return {"objective_id": self.objective_id, "objective": self.objective, "kr": self.kr,
                "score": self.score, "flags": list(self.flags), "forecast": self.forecast}


def flagged_krs(session: Session, team_id: int, cycle_id: int,
                now: datetime) -> list[AlignmentItem]:
    """The team's flagged KRs of the cycle, by Objective position (at most MAX_ITEMS)."""
    objectives = team_objectives(session, cycle_id, team_id)
    titles = {o.id or 0: o.title for o in objectives}
    every = review_queries.objectives_to_review(cycle_id, session=session)
    loose = unaligned_team_objectives(
        [(o.id or 0, o.owner_team_id, o.parent_id) for o in every],
        team_queries.team_parents(session=session))
    unaligned = [AlignmentItem(o.id or 0, o.title, "", "", ("unaligned",)) for o in objectives
                 if o.id in loose]
    types = {o.id or 0: o.type for o in objectives}
    cycle = session.get(Cycle, cycle_id)
    krs = okr_queries.live_key_results(list(titles), session=session)
    kr_ids = [kr.id or 0 for kr in krs]
    changes = review_queries.last_value_changes(kr_ids, session=session)
    confidences = review_queries.recent_confidences(kr_ids, now - CONFIDENCE_LOOKBACK,
                                                    session=session)
    history = history_by_kr(checkin_queries.value_history(session=session, kr_ids=kr_ids))
    items: list[AlignmentItem] = []
    for kr in krs:
        score = measured_score(kr)
        forecast = None
        if cycle is not None:
            forecast = forecast_of(kr, history.get(kr.id or 0, []), types[kr.objective_id],
                                   now=now, end_date=cycle.end_date).score
        miss = forecast is not None and under_bar(ObjectiveType(types[kr.objective_id]), forecast)
        signals = KRSignals(score, changes.get(kr.id or 0, kr.created_at),
                            confidences.get(kr.id or 0, []), heading_for_miss=miss)
        flags = alignment_flags(signals, now)
        if flags:
            items.append(AlignmentItem(
                kr.objective_id, titles[kr.objective_id], kr.title, format_score(score),
                tuple(f.value for f in flags),
                format_score(forecast) if forecast is not None else ""))
    return (unaligned + items)[:MAX_ITEMS]
