"""The alignment tree of a cycle (`/okr tree`): Objectives nested by `parent_id`, company first.

Lines are clipped and packed into sections here (measured as they will be once escaped), so
the template only prints them and a big company still fits one message.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from sqlmodel import Session

from bot.domain.cycle_rules import unaligned_team_objectives
from bot.domain.formatting import format_score
from bot.domain.scoring import elapsed_fraction, objective_score, shown_score
from bot.domain.text import clip, escape_mrkdwn
from bot.services.okrs.cards import kr_score_of, objective_colour, owner_name
from storage.models import Cycle, KeyResult, Objective, Team
from storage.queries import okrs as okr_queries
from storage.queries import people as people_queries
from storage.queries import teams as team_queries

MAX_LINES = 150
MAX_SECTIONS = 40
SECTION_CHARS = 2800  # under Slack's 3000 per section, with room for the line format
LINE_OVERHEAD = 24  # what `cards.tree.line` adds around the values, plus the newline
TITLE_CHARS = 120
OWNER_CHARS = 60
INDENT = "\u2003\u2003"
CHILD_MARK = "↳ "
_PERSON_RANK = 1_000
UNALIGNED_CHARS = 40  # what `lookup.tree.unaligned` adds to a line, in either language


@dataclass(frozen=True)
class TreeLine:
    """One Objective in the tree; `title` and `owner` are already clipped."""

    prefix: str
    emoji: str
    score_text: str
    title: str
    owner: str
    unaligned: bool = False  # aligns to nothing above it (unaligned_team_objectives)


@dataclass(frozen=True)
class TreeView:
    cycle_name: str
    sections: tuple[tuple[TreeLine, ...], ...]
    shown: int
    hidden: int


def alignment_tree(session: Session, *, cycle: Cycle, today: date | None = None) -> TreeView:
    """The tree of `cycle` in four statements: Objectives, KRs, people, teams.

    Colours judge each score against the share of the cycle gone on the reader's `today`
    (`time_colour`, without forecasts: the tree reads no value history); without `today`,
    the guide's bands."""
    assert cycle.id is not None
    objectives = okr_queries.cycle_objectives(session=session, cycle_id=cycle.id)
    ids = [o.id for o in objectives if o.id is not None]
    krs = okr_queries.live_key_results(session=session, objective_ids=ids) if ids else []
    person_ids = {o.owner_person_id for o in objectives if o.owner_person_id is not None}
    names = people_queries.names_by_ids(session=session, ids=person_ids) if person_ids else {}
    teams = {t.id: t for t in team_queries.all_teams(session=session) if t.id is not None}
    team_names = {team_id: team.name for team_id, team in teams.items()}
    scores = _scores(krs)
    checked = {kr.objective_id for kr in krs if kr.last_checkin_at is not None}
    elapsed = 1.0 if today is None else elapsed_fraction(cycle.start_date, cycle.end_date, today)
    loose = unaligned_team_objectives(
        [(o.id or 0, o.owner_team_id, o.parent_id) for o in objectives],
        {team_id: team.parent_id for team_id, team in teams.items()})
    lines: list[TreeLine] = []
    total = 0
    for depth, objective in _walk(objectives, teams):
        total += 1
        if len(lines) >= MAX_LINES:
            continue
        score = shown_score(objective_score(scores.get(objective.id or 0, [])),
                            checked_in=objective.id in checked,
                            age=(today - objective.created_at.date()) if today else timedelta.max)
        _, emoji = objective_colour(score, elapsed)
        lines.append(TreeLine(
            prefix=INDENT * depth + (CHILD_MARK if depth else ""),
            emoji=emoji,
            score_text=format_score(score),
            title=clip(objective.title, TITLE_CHARS),
            owner=clip(owner_name(objective, names, team_names), OWNER_CHARS),
            unaligned=objective.id in loose,
        ))
    sections = pack_sections(lines)
    shown = sum(len(s) for s in sections)
    return TreeView(cycle.name, sections, shown, total - shown)


def _scores(krs: list[KeyResult]) -> dict[int, list[float]]:
    scores: dict[int, list[float]] = {}
    for kr in krs:
        scores.setdefault(kr.objective_id, []).append(kr_score_of(kr))
    return scores


def _walk(objectives: list[Objective], teams: dict[int, Team]) -> Iterator[tuple[int, Objective]]:
    """Depth-first from the roots (no parent, or a parent outside the cycle), company first.

    Objectives caught in a parent loop (bad data) are shown as roots rather than lost.
    """
    known = {o.id for o in objectives}
    children: dict[int, list[Objective]] = {}
    roots: list[Objective] = []
    for objective in objectives:
        if objective.parent_id is not None and objective.parent_id in known:
            children.setdefault(objective.parent_id, []).append(objective)
        else:
            roots.append(objective)
    roots.sort(key=lambda o: (_owner_rank(o, teams), o.position, o.id or 0))
    seen: set[int] = set()
    for root in [*roots, *objectives]:
        stack = [(0, root)]
        while stack:
            depth, objective = stack.pop()
            if objective.id is None or objective.id in seen:
                continue
            seen.add(objective.id)
            yield depth, objective
            stack.extend((depth + 1, c) for c in reversed(children.get(objective.id, [])))


def _owner_rank(objective: Objective, teams: dict[int, Team]) -> int:
    """0 for the top team (the company), its depth for other teams, last for people."""
    if objective.owner_team_id is None:
        return _PERSON_RANK
    depth, team = 0, teams.get(objective.owner_team_id)
    visited: set[int] = set()
    while team is not None and team.parent_id is not None and team.parent_id not in visited:
        visited.add(team.parent_id)
        depth += 1
        team = teams.get(team.parent_id)
    return depth


def pack_sections(lines: list[TreeLine]) -> tuple[tuple[TreeLine, ...], ...]:
    """Lines into sections of at most SECTION_CHARS once escaped; at most MAX_SECTIONS."""
    sections: list[tuple[TreeLine, ...]] = []
    current: list[TreeLine] = []
    size = 0
    for line in lines:
        cost = _escaped_length(line)
        if current and size + cost > SECTION_CHARS:
            sections.append(tuple(current))
            current, size = [], 0
            if len(sections) == MAX_SECTIONS:
                break
        current.append(line)
        size += cost
    else:
        if current:
            sections.append(tuple(current))
    return tuple(sections)


def _escaped_length(line: TreeLine) -> int:
    values = (line.prefix, line.emoji, line.score_text, line.title, line.owner)
    flag = UNALIGNED_CHARS if line.unaligned else 0
    return sum(len(escape_mrkdwn(v)) for v in values) + LINE_OVERHEAD + flag
