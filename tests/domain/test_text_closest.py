"""How close a typed word is to a known one (bot.domain.text.closest): `/okr teem` → team."""

from __future__ import annotations

import pytest

from bot.domain.text import closest, edit_distance

VERBS = ("help", "team", "tree", "checkin", "schedule", "digest", "review", "carry")


@pytest.mark.parametrize(("a", "b", "distance"), [
    ("teem", "team", 1), ("teem", "tree", 2), ("", "abc", 3), ("chekin", "checkin", 1),
    ("团对", "团队", 1), ("same", "same", 0),
])
def test_edit_distance(a: str, b: str, distance: int) -> None:
    assert edit_distance(a, b) == distance == edit_distance(b, a)


@pytest.mark.parametrize(("word", "meant"), [
    ("teem", "team"), ("chekin", "checkin"), ("shedule", "schedule"), ("reveiw", "review"),
    ("bananas", None), ("tea", "team"), ("xyzw", None), ("team", None),
])
def test_closest_suggests_only_a_near_typo(word: str, meant: str | None) -> None:
    assert closest(word, VERBS) == meant
