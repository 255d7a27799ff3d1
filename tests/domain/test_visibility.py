"""The visibility policy, as the README's table states it."""

from __future__ import annotations

import pytest

from bot.domain.visibility import OPERATOR, Reader, may_read_words, word_teams

GROWTH, SUPPORT = 1, 2
MEMBER = Reader(10, teams=frozenset({GROWTH}))
LEAD = Reader(11, teams=frozenset({GROWTH}))  # leads are members with is_lead
OUTSIDER = Reader(12, teams=frozenset({SUPPORT}))
NOBODY = Reader(13)
ADMIN = Reader(14, is_admin=True)


@pytest.mark.parametrize(("reader", "author", "asked", "expected"), [
    (MEMBER, 20, None, True),
    (LEAD, 20, None, True),
    (ADMIN, 20, None, True),
    (OPERATOR, 20, None, True),
    (OUTSIDER, 20, None, False),
    (NOBODY, 20, None, False),
    (OUTSIDER, 20, OUTSIDER.person_id, True),  # the person a help request names
    (NOBODY, NOBODY.person_id, None, True),  # what they wrote themselves
])
def test_who_reads_a_teams_words(
    reader: Reader, author: int, asked: int | None, expected: bool
) -> None:
    assert may_read_words(reader, {GROWTH}, author_id=author, asked_id=asked) is expected


def test_words_of_no_team_are_for_their_author_and_admins_only() -> None:
    assert not may_read_words(MEMBER, set(), author_id=20)
    assert may_read_words(ADMIN, set(), author_id=20)


def test_an_objectives_words_belong_to_its_team_or_its_owners_teams() -> None:
    teams_of = {7: {1, 2}}
    assert word_teams(3, None, teams_of) == {3}  # a team's Objective
    assert word_teams(None, 7, teams_of) == {1, 2}  # a person's: each of their teams
    assert word_teams(None, 8, teams_of) == set()  # someone in no team
    assert word_teams(None, None, teams_of) == set()
