"""End-of-cycle review rules (guide 三.3): reading a final score, when a KR needs a cause,
and what a review entry must hold. Pure: no Slack, SQL or templates."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.scoring import Verdict, verdict
from bot.domain.vocabulary import ObjectiveType

MAX_NOTE = 2000
_SCORE = re.compile(r"^\s*([0-9]+(?:[.,][0-9]+)?|[.,][0-9]+)\s*(%|％)?\s*$")


class CauseKind(StrEnum):
    """Why a KR fell short: outside the team's control, or inside it."""

    OBJECTIVE = "objective"  # external: the market changed, a supplier failed
    SUBJECTIVE = "subjective"  # internal: target set too high, execution fell short


class ReviewError(StrEnum):
    """Every problem a review field can have; each has a text per locale."""

    NOT_A_SCORE = "not_a_score"
    OUT_OF_RANGE = "out_of_range"
    CAUSE_REQUIRED = "cause_required"
    NOT_A_CHOICE = "not_a_choice"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class KRReviewInput:
    """One KR's fields as typed: the score text, the cause chosen and its note."""

    score: str
    cause_kind: str = ""
    cause_note: str = ""


@dataclass(frozen=True)
class KRReviewAnswer:
    score: float
    cause_kind: CauseKind | None
    cause_note: str


def parse_score(text: str) -> float | ReviewError:
    """A final score: `0.7`, `0,7`, `.7` or `70%`, within 0..1."""
    match = _SCORE.match(text)
    if match is None:
        return ReviewError.NOT_A_SCORE
    value = float(match.group(1).replace(",", "."))
    if match.group(2):
        value /= 100
    if math.isnan(value) or value < 0 or value > 1:
        return ReviewError.OUT_OF_RANGE
    return value


def under_bar(objective_type: ObjectiveType, score: float) -> bool:
    """Whether a KR's score falls short of its Objective type's bar, read as `verdict` reads an
    Objective: committed below 1.0, aspirational below 0.6. A learning KR has no bar (a
    learning Objective is judged by what was learned)."""
    if objective_type is ObjectiveType.LEARNING:
        return False
    return verdict(objective_type, score) in (Verdict.MISSED, Verdict.PARTIAL)


def read_kr_review(
    objective_type: ObjectiveType, typed: KRReviewInput
) -> KRReviewAnswer | dict[str, ReviewError]:
    """The answer, or the field errors by field name ("score", "cause", "note")."""
    errors: dict[str, ReviewError] = {}
    score = parse_score(typed.score)
    if isinstance(score, ReviewError):
        errors["score"] = score
    cause: CauseKind | None = None
    if typed.cause_kind:
        try:
            cause = CauseKind(typed.cause_kind)
        except ValueError:
            errors["cause"] = ReviewError.NOT_A_CHOICE
    note = typed.cause_note.strip()
    if len(note) > MAX_NOTE:
        errors["note"] = ReviewError.TOO_LONG
    if isinstance(score, float) and under_bar(objective_type, score) and cause is None \
            and "cause" not in errors:
        errors["cause"] = ReviewError.CAUSE_REQUIRED
    if errors or isinstance(score, ReviewError):
        return errors
    return KRReviewAnswer(score, cause, note)


def text_problem(text: str) -> ReviewError | None:
    """A lesson or note longer than the review keeps."""
    return ReviewError.TOO_LONG if len(text.strip()) > MAX_NOTE else None
