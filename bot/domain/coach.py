"""The OKR coach: the pitfalls of guide section 五 (and the rules of 一, 三) that text and
counts can reveal. It warns, it never refuses; the edge words each finding
from `locales/*/coach.yaml`.

Detection does not depend on the reader's locale: Chinese and English patterns run on
every text. What text cannot show (an OKR never adjusted, only numbers and no qualitative
balance) is left to the review.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from bot.domain import coach_patterns as patterns
from bot.domain.formatting import format_number
from bot.domain.vocabulary import KRKind, ObjectiveType

MIN_KRS = 2  # 一.2: 2-4 KRs per Objective
MAX_KRS = 4
MAX_OBJECTIVES = 5  # 三.1: at most 5 Objectives per owner per cycle


class Severity(StrEnum):
    WARNING = "warning"
    INFO = "info"


class FindingCode(StrEnum):
    """Every pitfall the coach knows; message_templates/locales/*/coach.yaml words each."""

    KR_IS_TASK = "kr_is_task"  # an activity without an outcome metric (五.1)
    KR_NOT_MEASURABLE = "kr_not_measurable"  # a metric KR without any number (一.2)
    KR_TARGET_EQUALS_START = "kr_target_equals_start"  # nothing to move
    OBJECTIVE_VAGUE = "objective_vague"  # "成为行业领导者" (五.2)
    OBJECTIVE_IS_TASK = "objective_is_task"  # "完成3场线上活动" (一.1)
    EXTREME_TARGET = "extreme_target"  # "一年营收翻10倍" (五.2)
    TIED_TO_PAY = "tied_to_pay"  # bonus / performance review (五.3)
    TOO_FEW_KRS = "too_few_krs"  # fewer than 2 (一.2)
    TOO_MANY_KRS = "too_many_krs"  # more than 4 (一.2, 三.1)
    TOO_MANY_OBJECTIVES = "too_many_objectives"  # more than 5 per owner per cycle (三.1)
    PERSONAL_UNALIGNED = "personal_unaligned"  # personal OKR without a parent (五.5)


@dataclass(frozen=True)
class Finding:
    """One pitfall found in one part of a draft.

    `subject` is "objective" or "key_results[i]" (i is the 0-based index into `krs`);
    `params` fill the placeholders of the finding's text (see `locales/*/coach.yaml`).
    """

    code: FindingCode
    severity: Severity
    subject: str
    params: Mapping[str, str | int] = field(default_factory=dict)


@dataclass(frozen=True)
class KRDraft:
    """A Key Result as typed: start and target may be missing while drafting."""

    title: str
    kind: KRKind = KRKind.METRIC
    start: float | None = None
    target: float | None = None
    unit: str = ""


@dataclass(frozen=True)
class ObjectiveDraft:
    """An Objective as typed, with its KRs."""

    title: str
    description: str = ""
    type: ObjectiveType = ObjectiveType.COMMITTED
    owner_is_person: bool = False
    has_parent: bool = False
    krs: Sequence[KRDraft] = ()


OBJECTIVE = "objective"


def kr_subject(index: int) -> str:
    """The subject of the KR at 0-based `index`: "key_results[index]"."""
    return f"key_results[{index}]"


def check_key_result(
    kr: KRDraft, *, index: int = 0, objective_type: ObjectiveType = ObjectiveType.COMMITTED
) -> list[Finding]:
    """Findings about one KR on its own.

    A task-like KR is a warning, but only info for a milestone (done / not done is a
    deliverable by nature) or under a learning Objective (gaining knowledge is the point).
    """
    subject = kr_subject(index)
    title = kr.title
    found: list[Finding] = []
    is_task = patterns.is_task_like(title) and not patterns.has_outcome(title)
    if is_task:
        lenient = kr.kind is KRKind.MILESTONE or objective_type is ObjectiveType.LEARNING
        severity = Severity.INFO if lenient else Severity.WARNING
        found.append(Finding(FindingCode.KR_IS_TASK, severity, subject, {"text": title}))
    if kr.kind is KRKind.METRIC:
        if not is_task and kr.target is None and not patterns.has_number(title):
            found.append(
                Finding(FindingCode.KR_NOT_MEASURABLE, Severity.WARNING, subject, {"text": title})
            )
        if kr.start is not None and kr.target is not None and kr.start == kr.target:
            found.append(
                Finding(
                    FindingCode.KR_TARGET_EQUALS_START,
                    Severity.WARNING,
                    subject,
                    {"text": title, "value": format_number(kr.target)},
                )
            )
    found.extend(_text_findings(title, subject, objective_type))
    return found


def check_objective(draft: ObjectiveDraft, *, owner_objective_count: int = 1) -> list[Finding]:
    """Every finding for a draft Objective and its KRs, Objective first, then KRs in order.

    `owner_objective_count` is how many Objectives the owner has in the cycle, this one
    included.
    """
    title = draft.title
    found: list[Finding] = []
    phrase = patterns.vague_phrase(title)
    if phrase is not None:
        found.append(
            Finding(FindingCode.OBJECTIVE_VAGUE, Severity.WARNING, OBJECTIVE, {"phrase": phrase})
        )
    if patterns.counts_deliverables(title) and not patterns.has_outcome(title):
        found.append(
            Finding(FindingCode.OBJECTIVE_IS_TASK, Severity.WARNING, OBJECTIVE, {"text": title})
        )
    found.extend(_text_findings(f"{title}\n{draft.description}", OBJECTIVE, draft.type))
    found.extend(_count_findings(draft, owner_objective_count))
    for index, kr in enumerate(draft.krs):
        found.extend(check_key_result(kr, index=index, objective_type=draft.type))
    return found


def _text_findings(text: str, subject: str, objective_type: ObjectiveType) -> list[Finding]:
    """Pitfalls any part of an OKR can show: extreme targets, ties to pay."""
    found: list[Finding] = []
    extreme = patterns.extreme_phrase(text)
    if extreme is not None:
        # A moonshot is meant to stretch (三.1): tell, do not warn.
        moonshot = objective_type is ObjectiveType.ASPIRATIONAL
        severity = Severity.INFO if moonshot else Severity.WARNING
        found.append(Finding(FindingCode.EXTREME_TARGET, severity, subject, {"phrase": extreme}))
    pay = patterns.pay_phrase(text)
    if pay is not None:
        found.append(Finding(FindingCode.TIED_TO_PAY, Severity.WARNING, subject, {"phrase": pay}))
    return found


def _count_findings(draft: ObjectiveDraft, owner_objective_count: int) -> list[Finding]:
    found: list[Finding] = []
    count = len(draft.krs)
    if count < MIN_KRS:
        found.append(
            Finding(
                FindingCode.TOO_FEW_KRS,
                Severity.WARNING,
                OBJECTIVE,
                {"count": count, "min": MIN_KRS, "max": MAX_KRS},
            )
        )
    elif count > MAX_KRS:
        found.append(
            Finding(
                FindingCode.TOO_MANY_KRS,
                Severity.WARNING,
                OBJECTIVE,
                {"count": count, "max": MAX_KRS},
            )
        )
    if owner_objective_count > MAX_OBJECTIVES:
        params: dict[str, str | int] = {"count": owner_objective_count, "max": MAX_OBJECTIVES}
        found.append(Finding(FindingCode.TOO_MANY_OBJECTIVES, Severity.WARNING, OBJECTIVE, params))
    if draft.owner_is_person and not draft.has_parent:
        found.append(Finding(FindingCode.PERSONAL_UNALIGNED, Severity.WARNING, OBJECTIVE, {}))
    return found
