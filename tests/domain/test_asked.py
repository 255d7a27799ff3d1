"""Every KR is asked of someone: its owner, its Objective's owner, or the owning team's leads."""

from __future__ import annotations

from bot.domain.asked import Asked, AskedBecause, asked_of


def test_an_owned_kr_is_asked_of_its_owner_only() -> None:
    assert asked_of(7, 3, [1, 2]) == Asked(frozenset({7}), AskedBecause.OWNER)


def test_an_unowned_kr_of_a_personal_objective_is_asked_of_the_objective_owner() -> None:
    assert asked_of(None, 3, []) == Asked(frozenset({3}), AskedBecause.OBJECTIVE_OWNER)


def test_an_unowned_kr_of_a_team_objective_is_asked_of_every_lead() -> None:
    assert asked_of(None, None, [1, 2]) == Asked(frozenset({1, 2}), AskedBecause.TEAM_LEADS)


def test_a_team_without_leads_leaves_the_kr_asked_of_nobody() -> None:
    assert asked_of(None, None, []) == Asked(frozenset(), AskedBecause.NOBODY)
