"""How alike two titles are, in English and Chinese, without any external service: the overlap
of their words (Latin letters and digits, lower-cased, common words left out) and of their
Chinese character pairs ("销售线索" → 销售, 售线, 线索). Used to find reviewed Key Results
like the one being written, so their lessons can be shown beside the form."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

MIN_SIMILARITY = 0.25
_WORD = re.compile(r"[a-z0-9]+")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_STOP = frozenset(("and", "for", "from", "into", "our", "the", "with", "per", "more", "than",
                   "least", "most", "new"))  # words under 3 letters are left out anyway


def terms(text: str) -> frozenset[str]:
    """The words (3+ letters, or numbers, not common words) and Chinese character pairs of
    `text`; a lone Chinese character counts as itself."""
    lowered = text.lower()
    words = {w for w in _WORD.findall(lowered)
             if w not in _STOP and (len(w) >= 3 or w.isdigit())}
    pairs: set[str] = set()
    for run in _CJK_RUN.findall(text):
        pairs |= {run[i : i + 2] for i in range(len(run) - 1)} if len(run) > 1 else {run}
    return frozenset(words | pairs)


def similarity(a: str, b: str) -> float:
    """Overlap of the two titles' terms, 0..1: shared terms over the smaller title's terms
    (so a short title fully inside a longer one scores 1)."""
    left, right = terms(a), terms(b)
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))


@dataclass(frozen=True)
class Match(Generic[T]):
    item: T
    score: float


def most_similar(
    titles: Sequence[str], candidates: Iterable[tuple[str, T]], *, limit: int = 3,
    threshold: float = MIN_SIMILARITY,
) -> list[Match[T]]:
    """The candidates (title, item) most like any of `titles`, best first, at least
    `threshold` alike, at most `limit`."""
    wanted = [t for t in titles if t.strip()]
    found = []
    for title, item in candidates:
        score = max((similarity(title, w) for w in wanted), default=0.0)
        if score >= threshold:
            found.append(Match(item, score))
    found.sort(key=lambda m: -m.score)
    return found[:limit]
