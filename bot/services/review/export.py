"""A cycle's review for the review meeting (`okr-bot export --review`, `--format md`): per team
and Objective its score, colour, verdict, each KR's measured and final score, the causes of
shortfalls and the lessons, as CSV, YAML or readable Markdown."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

from bot.services.okr_file.exporter import ExportError, safe_cell
from bot.services.okr_file.yaml_io import dump_yaml
from bot.services.review.calibration import team_calibrations
from bot.services.review.report import CycleReport, ObjectiveReport, cycle_report
from storage.db import Database
from storage.queries import reviews as q

FORMATS = ("csv", "yaml", "md")
NO_TEAM = "(no team)"
CSV_COLUMNS = (
    "cycle", "team", "objective", "type", "owner", "objective_score", "colour", "verdict",
    "key_result", "measured_score", "final_score", "reviewed", "cause", "cause_note",
    "what_worked", "keep", "avoid", "learned",
)


def export_review(db: Database, *, cycle: str, fmt: str) -> str:
    """The review of cycle `cycle` in format `fmt` ("csv", "yaml" or "md")."""
    with db.read() as session:
        found = q.cycle_named(cycle, session=session)
        if found is None:
            raise ExportError(f"no cycle is called {cycle!r}")
        report = cycle_report(session, found)
    if fmt == "csv":
        return _csv(report)
    if fmt == "yaml":
        return dump_yaml(_document(report))
    return _markdown(report)


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


def _cell(text: str) -> str:
    """Text inside a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def _markdown(report: CycleReport) -> str:
    lines = [f"# Review of {report.name} ({report.start} – {report.end}, {report.state})", ""]
    if not report.teams:
        lines += ["No Objectives in this cycle.", ""]
    for team in report.teams:
        lines += [f"## {team.name or NO_TEAM}", ""]
        for o in team.objectives:
            lines += [f"### {_cell(o.title)}", "",
                      f"- Owner: {_cell(o.owner)}", f"- Type: {o.type}",
                      f"- Score: {_score(o.score) or '–'} ({o.colour or 'unscored'})",
                      f"- Verdict: {o.verdict}" + ("" if o.reviewed else " (not reviewed yet)"),
                      ""]
            if o.krs:
                lines += ["| Key Result | Measured | Final | Cause | Note |",
                          "|---|---|---|---|---|"]
                lines += [f"| {_cell(kr.title)} | {_score(kr.measured)} | {_score(kr.final)} "
                          f"| {kr.cause_kind or ''} | {_cell(kr.cause_note)} |" for kr in o.krs]
                lines.append("")
            for label, text in (("What worked", o.what_worked), ("Keep", o.keep),
                                ("Avoid", o.avoid), ("Learned", o.learned)):
                if text:
                    lines.append(f"**{label}:** {_cell(text)}  ")
            if o.has_lessons:
                lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def calibration_markdown(db: Database, *, cycle: str, text: Callable[[str], str]) -> str:
    """The Markdown review's calibration section: per team, one row per stored cycle up to
    `cycle` (bot/services/review/calibration.py); `text` gives the words (`review.calibration.*`
    of the reader's catalogue)."""
    with db.read() as session:
        found = q.cycle_named(cycle, session=session)
        if found is None:
            raise ExportError(f"no cycle is called {cycle!r}")
        teams = team_calibrations(session, found)
    if not teams:
        return ""
    lines = ["", f"## {text('review.calibration.md_title')}", "",
             text("review.calibration.md_note"), ""]
    for team in teams:
        lines += [f"### {_cell(team.team) or NO_TEAM}", "",
                  text("review.calibration.md_header"), "|---|---|---|---|---|---|"]
        lines += [f"| {_cell(c.cycle)} | {c.committed_met}/{c.committed} "
                  f"| {c.aspirational_sweet}/{c.aspirational} | {c.aspirational_above} "
                  f"| {c.on_track_below}/{c.on_track_answers} | {c.late_cuts} |"
                  for c in team.cycles]
        lines.append("")
    return "\n".join(lines)
