"""Alignment parents: which Objectives a form offers, and whether a chosen one is allowed."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from sqlmodel import Session

from bot.domain.okr_draft import FieldError
from bot.domain.text import clip
from bot.services.okr_edit.access import team_ranks
from storage.models import Objective
from storage.queries.okrs import cycle_parent_links, team_objectives
from storage.queries.teams import all_teams

MAX_OPTIONS = 100  # Slack's limit for a static select
OPTION_TEXT = 75  # Slack's limit for an option's text


@dataclass(frozen=True)
class Option:
    value: str
    text: str  # plain text, already clipped to what Slack shows


def parent_problem(
    parent_id: int | None, cycle_id: int, objective_id: int | None, *, session: Session
) -> FieldError | None:
    """Why `parent_id` cannot be the parent (of `objective_id`, when editing), or None.

    The parent must be a live Objective of the same cycle, and never the Objective itself
    or one aligned below it (the tree stays a tree).
    """
    if parent_id is None:
        return None
    parent = session.get(Objective, parent_id)
    if parent is None or parent.state == "archived" or parent.cycle_id != cycle_id:
        return FieldError("parent", "parent_gone")
    if objective_id is not None:
        links = cycle_parent_links(cycle_id, session=session)
        seen: set[int] = set()
        node: int | None = parent_id
        while node is not None and node not in seen:
            if node == objective_id:
                return FieldError("parent", "parent_cycle")
            seen.add(node)
            node = links.get(node)
    return None


def parent_options(
    cycle_id: int, start_teams: Collection[int], *, session: Session,
    exclude: int | None = None, current: int | None = None,
) -> list[Option]:
    """The cycle's Objectives of `start_teams`, the teams above them and the company (the
    top-level teams), nearest first.

    At most 100; the `current` parent (when editing) is always offered; `exclude` (the
    Objective being edited) and everything aligned below it never are.
    """
    every = all_teams(session=session)
    ranks = team_ranks(start_teams, every)
    top = max(ranks.values(), default=-1) + 1
    ranks |= {t.id: top for t in every
              if t.id is not None and t.parent_id is None and t.id not in ranks}
    names = {t.id: t.name for t in every}
    candidates = team_objectives(cycle_id, list(ranks), session=session)
    below = _aligned_below(exclude, cycle_id, session=session)
    candidates = [o for o in candidates if o.id not in below]
    candidates.sort(key=lambda o: (ranks.get(o.owner_team_id or 0, 99), names.get(o.owner_team_id)
                                   or "", o.position, o.id or 0))
    if current is not None and current not in {o.id for o in candidates}:
        parent = session.get(Objective, current)
        if parent is not None:
            candidates.insert(0, parent)
    return [_option(o, names) for o in candidates[:MAX_OPTIONS]]


def _aligned_below(objective_id: int | None, cycle_id: int, *, session: Session) -> set[int]:
    if objective_id is None:
        return set()
    links = cycle_parent_links(cycle_id, session=session)
    below = {objective_id}
    changed = True
    while changed:
        grown = below | {child for child, parent in links.items() if parent in below}
        changed, below = grown != below, grown
    return below


def _option(objective: Objective, names: dict[int | None, str]) -> Option:
    owner = names.get(objective.owner_team_id, "")
    text = f"{owner} · {objective.title}" if owner else objective.title
    return Option(str(objective.id), clip(" ".join(text.split()), OPTION_TEXT))
