"""Lessons beside the new-Objective form (guide 三.3 step 3, 五.3): what the person's teams
chose to keep and to avoid in past reviews, and reviewed Key Results whose titles look like
the ones being written (bot/domain/similarity.py: words and Chinese character pairs)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.domain.formatting import format_score
from bot.domain.similarity import most_similar
from bot.domain.text import clip
from storage.queries import reviews as review_queries

MAX_LESSONS = 4  # of each kind
MAX_SIMILAR = 3
CANDIDATES = 500  # reviewed KRs compared, newest cycles first
TEXT_CHARS = 200


@dataclass(frozen=True)
class Lesson:
    objective: str
    cycle: str
    text: str


@dataclass(frozen=True)
class SimilarKR:
    title: str
    cycle: str
    final: str  # "0.45"
    cause_kind: str  # "objective" | "subjective" | ""
    note: str


@dataclass(frozen=True)
class Lessons:
    keep: tuple[Lesson, ...] = ()
    avoid: tuple[Lesson, ...] = ()
    similar: tuple[SimilarKR, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.keep or self.avoid or self.similar)


def lessons_for(
    session: Session, *, team_ids: Sequence[int], person_id: int, before: date,
    titles: Sequence[str] = (),
) -> Lessons:
    """Lessons of cycles that started before `before`: the teams' and the person's own, and
    reviewed KRs like `titles` (the Objective and KR titles typed so far, if any)."""
    members = [person_id]
    reviews = review_queries.team_lessons(team_ids, members, before, MAX_LESSONS * 2,
                                          session=session)
    keep = [Lesson(clip(o.title, TEXT_CHARS), c.name, clip(r.keep, TEXT_CHARS))
            for o, r, c in reviews if r.keep.strip()]
    avoid = [Lesson(clip(o.title, TEXT_CHARS), c.name, clip(r.avoid, TEXT_CHARS))
             for o, r, c in reviews if r.avoid.strip()]
    similar: tuple[SimilarKR, ...] = ()
    if any(t.strip() for t in titles):
        similar = similar_reviewed(reviewed_before(session, before), titles)
    return Lessons(tuple(keep[:MAX_LESSONS]), tuple(avoid[:MAX_LESSONS]), similar)


def reviewed_before(session: Session, before: date) -> list[review_queries.ReviewedKR]:
    """The reviewed KRs of cycles that started before `before` (the newest CANDIDATES)."""
    return review_queries.reviewed_krs(before, CANDIDATES, session=session)


def similar_reviewed(
    rows: Sequence[review_queries.ReviewedKR], titles: Sequence[str], *,
    skip_objective: int | None = None,
) -> tuple[SimilarKR, ...]:
    """The reviewed KRs among `rows` most like `titles` (not those of `skip_objective`)."""
    found = most_similar(titles, ((kr.title, (kr, review, cycle))
                                  for kr, review, objective, cycle in rows
                                  if objective.id != skip_objective), limit=MAX_SIMILAR)
    return tuple(SimilarKR(clip(kr.title, TEXT_CHARS), cycle.name,
                           format_score(review.final_score), review.cause_kind or "",
                           clip(review.cause_note, TEXT_CHARS))
                 for kr, review, cycle in (m.item for m in found))
