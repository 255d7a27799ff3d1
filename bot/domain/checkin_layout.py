"""How a check-in is laid out in modals of at most 100 blocks (Block Kit's limit per view).

The method's maximum is 5 Objectives × 4 KRs. Asking progress, blockers, help and whom for
every KR would take 20 × 7 = 140 blocks, so the form asks per KR what is per KR and per
Objective what people write about an Objective:

- one context line at the top (cycle, week, "you are editing", page);
- per Objective: a header, and after its KRs four inputs: progress, blockers, help needed,
  whom to ask (`OBJECTIVE_BLOCKS` = 5);
- per KR: a section (title, "last: 40 → now?", a "no change" checkbox as accessory), the new
  value (a number, or done / not done for a milestone) and confidence (`KR_BLOCKS` = 3).

5 × 4 takes 1 + 5 × 5 + 20 × 3 = 86 blocks: one modal. Beyond the method's maximum (the coach
warns, it does not refuse) the form is split into pages, each ≤ 100 blocks, never splitting
an Objective unless it alone does not fit; a continuation repeats the header, and the notes
stay with the Objective's first page. Each page is saved on its own and the next replaces it
(`response_action: update`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MODAL_BLOCKS = 100
INTRO_BLOCKS = 1
HEADER_BLOCKS = 1
NOTE_BLOCKS = 4
KR_BLOCKS = 3


@dataclass(frozen=True)
class Chunk:
    """KRs `start:stop` of Objective `objective`, with its notes inputs or without."""

    objective: int
    start: int
    stop: int
    with_notes: bool

    @property
    def blocks(self) -> int:
        return (
            HEADER_BLOCKS
            + KR_BLOCKS * (self.stop - self.start)
            + (NOTE_BLOCKS if self.with_notes else 0)
        )


def paginate(kr_counts: Sequence[int], budget: int = MODAL_BLOCKS) -> list[list[Chunk]]:
    """Pages of chunks for Objectives with `kr_counts[i]` KRs each, every page ≤ `budget`."""
    if budget < INTRO_BLOCKS + HEADER_BLOCKS + NOTE_BLOCKS + KR_BLOCKS:
        raise ValueError("budget too small for one KR")
    pages: list[list[Chunk]] = []
    page: list[Chunk] = []
    used = INTRO_BLOCKS
    for objective, count in enumerate(kr_counts):
        start, with_notes = 0, True
        while start < count:
            whole = Chunk(objective, start, count, with_notes)
            if used + whole.blocks <= budget:
                page.append(whole)
                used += whole.blocks
                break
            if page:
                pages.append(page)
                page, used = [], INTRO_BLOCKS
                continue
            room = budget - used - HEADER_BLOCKS - (NOTE_BLOCKS if with_notes else 0)
            part = Chunk(objective, start, start + room // KR_BLOCKS, with_notes)
            pages.append([part])
            start, with_notes = part.stop, False
    if page or not pages:
        pages.append(page)
    return pages


def page_blocks(page: Sequence[Chunk]) -> int:
    """Blocks of one page, the intro line included."""
    return INTRO_BLOCKS + sum(chunk.blocks for chunk in page)
