"""The coach never raises, whatever people type."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain import coach_patterns
from bot.domain.coach import KRDraft, ObjectiveDraft, check_objective
from bot.domain.vocabulary import KRKind, ObjectiveType
from bot.rendering import load_catalogue
from handlers.okr_edit_views import describe

# Fragments the patterns react to, so random text reaches their branches.
FRAGMENTS = [
    "写",
    "做",
    "完成",
    "10",
    "两",
    "十",
    "篇",
    "场",
    "倍",
    "翻",
    "%",
    "超",
    "成为",
    "领导者",
    "奖金",
    "阅读量",
    "write",
    " ",
    "10x",
    "leader",
    "be the",
    ",",
    ",",
    "\n",
    "Q3",
    "2025年",
    "at least",
    "from",
    "to",
    "1,000",
    ".",
    "articles",
    "readers",
    "tenfold",
    "by half",
]
texts = st.one_of(st.text(), st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
numbers = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))
kr_drafts = st.builds(
    KRDraft, title=texts, kind=st.sampled_from(KRKind), start=numbers, target=numbers, unit=texts
)
drafts = st.builds(
    ObjectiveDraft,
    title=texts,
    description=texts,
    type=st.sampled_from(ObjectiveType),
    owner_is_person=st.booleans(),
    has_parent=st.booleans(),
    krs=st.lists(kr_drafts, max_size=6),
)
SUBJECT = re.compile(r"objective|key_results\[\d+\]")


@settings(max_examples=400, deadline=None)
@given(draft=drafts, count=st.integers(min_value=0, max_value=50))
def test_coach_never_raises_and_every_finding_is_describable(
    draft: ObjectiveDraft, count: int
) -> None:
    findings = check_objective(draft, owner_objective_count=count)
    for finding in findings:
        assert SUBJECT.fullmatch(finding.subject)
        if finding.subject != "objective":
            assert int(finding.subject[12:-1]) < len(draft.krs)
        for locale in ("en", "zh"):
            message, suggestion = describe(finding, load_catalogue(locale))
            assert message
            assert suggestion


@settings(max_examples=400, deadline=None)
@given(text=texts)
def test_patterns_never_raise(text: str) -> None:
    coach_patterns.is_task_like(text)
    coach_patterns.has_outcome(text)
    coach_patterns.has_number(text)
    coach_patterns.counts_deliverables(text)
    phrase = coach_patterns.vague_phrase(text)
    assert phrase is None or phrase.strip()
    coach_patterns.extreme_phrase(text)
    coach_patterns.pay_phrase(text)
