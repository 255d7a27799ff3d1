"""A cycle's review (bot/services/review/report.py) as Markdown for the review meeting, in the
admin's language: per team and Objective its owner, type, score, colour and verdict in words,
each KR's measured and final score with the cause of a shortfall, then the lessons.

Everything people or files wrote — cycle, team, Objective, KR and owner names, notes — is
escaped for Markdown and HTML wherever it lands, headings and table cells included: a viewer
shows it as text and never as a tag, an image or a link.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.rendering import Catalogue
from bot.services.review.calibration import TeamCalibration
from bot.services.review.report import CycleReport, ObjectiveReport

# Characters that start Markdown constructs (emphasis, code, links and images, headings'
# closing run, tables, strikethrough) are escaped with a backslash; `<`, `>` and an `&` that
# would start a character reference become HTML entities, so no tag, comment, autolink or
# entity can form.
_MARKDOWN = re.compile(r"([\\`*_\[\]{}#!|~])")
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")  # an `&` that would start a character reference


def escape_markdown(text: str) -> str:
    """`text` on one line, shown as written by any Markdown viewer (CommonMark, GFM)."""
    one_line = " ".join(str(text).split())
    html_safe = _ENTITY.sub("&amp;", one_line).replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN.sub(r"\\\1", html_safe)


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def review_markdown(report: CycleReport, words: Catalogue,
                    calibrations: Sequence[TeamCalibration] = ()) -> str:
    """The whole report, closed by each team's calibration across cycles; `words` is the
    admin's catalogue."""
    esc = escape_markdown
    state = words.text(f"review.cycle.state_{report.state}")
    lines = ["# " + esc(words.text("review_export.heading", cycle=report.name,
                                   start=report.start, end=report.end, state=state)), ""]
    if not report.teams:
        lines += [esc(words.text("review_export.no_objectives")), ""]
    for team in report.teams:
        lines += ["## " + esc(team.name or words.text("review_export.no_team")), ""]
        for objective in team.objectives:
            lines += _objective(objective, words)
    text = "\n".join(lines).rstrip("\n") + "\n"
    return text + calibration_markdown(calibrations, words)


def _objective(o: ObjectiveReport, words: Catalogue) -> list[str]:
    esc = escape_markdown
    colour = words.text(f"review.colour.{o.colour or 'none'}")
    verdict = words.text(f"review.verdict.{o.verdict}")
    if not o.reviewed:
        verdict += words.text("review_export.not_reviewed")
    lines = ["### " + esc(o.title), ""] + [
        "- " + esc(words.text(f"review_export.{key}", **params)) for key, params in (
            ("owner", {"owner": o.owner}),
            ("type", {"type": words.text(f"review.type.{o.type}")}),
            ("score", {"score": _score(o.score), "colour": colour}),
            ("verdict", {"verdict": verdict}))
    ] + [""]
    if o.krs:
        columns = [esc(words.text(f"review_export.column.{c}"))
                   for c in ("kr", "measured", "final", "cause", "note")]
        lines += ["| " + " | ".join(columns) + " |", "|---|---|---|---|---|"]
        for kr in o.krs:
            cause = words.text(f"review.cause.{kr.cause_kind}") if kr.cause_kind else ""
            lines.append(f"| {esc(kr.title)} | {_score(kr.measured)} | {_score(kr.final)} "
                         f"| {esc(cause)} | {esc(kr.cause_note)} |")
        lines.append("")
    for label, text in (("worked", o.what_worked), ("keep", o.keep), ("avoid", o.avoid),
                        ("learned", o.learned)):
        if text:
            name = words.text("review_export.lesson",
                              label=words.text(f"review.modal.{label}_label"))
            lines.append(f"**{esc(name)}** {esc(text)}  ")
    if o.has_lessons:
        lines.append("")
    return lines


def calibration_markdown(teams: Sequence[TeamCalibration], words: Catalogue) -> str:
    """The closing section: per team, one row per cycle up to this one (to set better OKRs,
    never to rate people); "" without teams."""
    if not teams:
        return ""
    esc = escape_markdown
    lines = ["", "## " + esc(words.text("review.calibration.md_title")), "",
             esc(words.text("review.calibration.md_note")), ""]
    for team in teams:
        lines += ["### " + esc(team.team or words.text("review_export.no_team")), "",
                  words.text("review.calibration.md_header"), "|---|---|---|---|---|---|"]
        lines += [f"| {esc(c.cycle)} | {c.committed_met}/{c.committed} "
                  f"| {c.aspirational_sweet}/{c.aspirational} | {c.aspirational_above} "
                  f"| {c.on_track_below}/{c.on_track_answers} | {c.late_cuts} |"
                  for c in team.cycles]
        lines.append("")
    return "\n".join(lines)
