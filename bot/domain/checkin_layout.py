"""How a check-in is laid out in modals of at most 100 blocks (Block Kit's limit per view).

Answers are per Key Result. The method's maximum is 5 Objectives × 4 KRs; asking progress,
blockers, help and whom for every KR would take 20 × 7 = 140 blocks, and typing them would
take far longer than the minute a check-in should take. So each KR gets a compact block and
each page one place for a blocker and one for a help request, each with a KR picker:

- one context line at the top (cycle, week, "you are editing", page);
- per Objective: a header (`HEADER_BLOCKS`);
- per KR (`KR_BLOCKS` = 4): a section (title, "last: 40 → now?", a "no change" checkbox as
  accessory), the new value (a number, or done / not done for a milestone), confidence and one
  optional note about the KR;
- per page (`FOOTER_BLOCKS` = 5): a blocker and the KRs it blocks, help needed, the KR it is
  for and whom to ask.

5 × 4 takes 1 + 5 × 1 + 20 × 4 + 5 = 91 blocks: one modal. Beyond the method's maximum (the
coach warns, it does not refuse) the form is split into pages, each ≤ 100 blocks, never
splitting an Objective unless it alone does not fit; a continuation repeats the header. Each
page is saved on its own and the next replaces it (`response_action: update`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MODAL_BLOCKS = 100
INTRO_BLOCKS = 1
HEADER_BLOCKS = 1
KR_BLOCKS = 4
FOOTER_BLOCKS = 5


@dataclass(frozen=True)
class Chunk:
    """KRs `start:stop` of Objective `objective`, under the Objective's header."""

    objective: int
    start: int
    stop: int

    @property
    def blocks(self) -> int:
        return HEADER_BLOCKS + KR_BLOCKS * (self.stop - self.start)


def paginate(kr_counts: Sequence[int], budget: int = MODAL_BLOCKS) -> list[list[Chunk]]:
    """Pages of chunks for Objectives with `kr_counts[i]` KRs each, every page ≤ `budget`."""
    fixed = INTRO_BLOCKS + FOOTER_BLOCKS
    if budget < fixed + HEADER_BLOCKS + KR_BLOCKS:
        raise ValueError("budget too small for one KR")
    pages: list[list[Chunk]] = []
    page: list[Chunk] = []
    used = fixed
    for objective, count in enumerate(kr_counts):
        start = 0
        while start < count:
            whole = Chunk(objective, start, count)
            if used + whole.blocks <= budget:
                page.append(whole)
                used += whole.blocks
                break
            if page:
                pages.append(page)
                page, used = [], fixed
                continue
            room = budget - used - HEADER_BLOCKS
            part = Chunk(objective, start, start + room // KR_BLOCKS)
            pages.append([part])
            start = part.stop
    if page or not pages:
        pages.append(page)
    return pages


def page_blocks(page: Sequence[Chunk]) -> int:
    """Blocks of one page: the intro line, its chunks and (when it has KRs) the footer."""
    footer = FOOTER_BLOCKS if page else 0
    return INTRO_BLOCKS + sum(chunk.blocks for chunk in page) + footer
