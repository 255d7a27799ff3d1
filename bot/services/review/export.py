"""A cycle's review for the review meeting (`okr-bot export --review`): per team and Objective
its score, colour, verdict, each KR's measured and final score, the causes of shortfalls and
the lessons, as CSV or YAML; `review_report` is what bot/review_markdown.py writes as Markdown
in the admin's language."""

from __future__ import annotations

import csv
import io
from typing import Any

from sqlmodel import Session

from bot.services.okr_file.exporter import ExportError, safe_cell
from bot.services.okr_file.messages import message
from bot.services.okr_file.yaml_io import dump_yaml
from bot.services.review.calibration import TeamCalibration, team_calibrations
from bot.services.review.report import CycleReport, ObjectiveReport, cycle_report
from storage.db import Database
from storage.models import Cycle
from storage.queries import cycles as cycle_queries

NO_TEAM = "(no team)"
CSV_COLUMNS = (
    "cycle", "team", "objective", "type", "owner", "objective_score", "colour", "verdict",
    "key_result", "measured_score", "final_score", "reviewed", "cause", "cause_note",
    "what_worked", "keep", "avoid", "learned",
)


def review_report(db: Database, *, cycle: str) -> CycleReport:
    """The review of the cycle named `cycle`."""
    with db.read() as session:
        return cycle_report(session, _named(session, cycle))


def review_calibrations(db: Database, *, cycle: str) -> list[TeamCalibration]:
    """Each team's calibration over the cycles up to `cycle` (bot/services/review/calibration.py),
    the closing section of the Markdown review."""
    with db.read() as session:
        return team_calibrations(session, _named(session, cycle))


def _named(session: Session, cycle: str) -> Cycle:
    found = cycle_queries.cycle_named(cycle, session=session)
    if found is None:
        raise ExportError(message("no_such_cycle", name=cycle))
    return found


def export_review(db: Database, *, cycle: str, fmt: str) -> str:
    """The review of cycle `cycle` as "csv" or "yaml"."""
    report = review_report(db, cycle=cycle)
    return _csv(report) if fmt == "csv" else dump_yaml(_document(report))


def _score(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def _csv(report: CycleReport) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for team in report.teams:
        for o in team.objectives:
            head = [report.name, team.name or NO_TEAM, o.title, o.type, o.owner,
                    _score(o.score), o.colour, o.verdict]
            tail = [o.what_worked, o.keep, o.avoid, o.learned]
            for kr in o.krs or ():
                writer.writerow([safe_cell(str(v)) for v in [
                    *head, kr.title, _score(kr.measured), _score(kr.final),
                    "yes" if kr.reviewed else "no", kr.cause_kind, kr.cause_note, *tail]])
            if not o.krs:
                writer.writerow([safe_cell(str(v)) for v in [*head, "", "", "", "no", "", "",
                                                             *tail]])
    return out.getvalue()


def _document(report: CycleReport) -> dict[str, Any]:
    return {
        "cycle": report.name, "start": report.start, "end": report.end, "state": report.state,
        "teams": [{"team": team.name or NO_TEAM,
                   "objectives": [_objective(o) for o in team.objectives]}
                  for team in report.teams],
    }


def _objective(o: ObjectiveReport) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "title": o.title, "type": o.type, "owner": o.owner,
        "score": None if o.score is None else round(o.score, 4), "colour": o.colour or None,
        "verdict": o.verdict, "reviewed": o.reviewed,
        "key_results": [{"title": kr.title, "measured": round(kr.measured, 4),
                         "final": round(kr.final, 4), "reviewed": kr.reviewed,
                         "cause": kr.cause_kind or None, "cause_note": kr.cause_note}
                        for kr in o.krs],
        "what_worked": o.what_worked, "keep": o.keep, "avoid": o.avoid, "learned": o.learned,
    }
    return entry
