"""Title similarity by words and Chinese character pairs."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.similarity import most_similar, similarity, terms


def test_terms_are_words_and_chinese_pairs() -> None:
    assert terms("Generate 600 qualified Leads for the sales team") == {
        "generate", "600", "qualified", "leads", "sales", "team"}
    assert terms("产生有效销售线索") == {"产生", "生有", "有效", "效销", "销售", "售线", "线索"}
    assert terms("官网 A/B 测") == {"官网", "测"}


@pytest.mark.parametrize(("a", "b", "alike"), [
    ("Qualified leads per month", "Generate 600 qualified leads", True),
    ("产生不少于600条有效销售线索", "有效销售线索达到800条", True),
    ("Launch the new website", "官网改版上线", False),  # no shared terms: no translation
    ("Reduce response time to 24 h", "Qualified leads per month", False),
    ("", "anything", False),
])
def test_alike_titles(a: str, b: str, alike: bool) -> None:
    assert (similarity(a, b) >= 0.25) is alike


def test_most_similar_ranks_and_cuts() -> None:
    candidates = [("Qualified leads from webinars", 1), ("NPS from 35 to 60", 2),
                  ("Leads per month", 3), ("有效销售线索", 4)]
    found = most_similar(["More qualified leads", "销售线索翻倍"], candidates, limit=3)
    assert [m.item for m in found] == [1, 4, 3]


@given(st.text(max_size=40), st.text(max_size=40))
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0
