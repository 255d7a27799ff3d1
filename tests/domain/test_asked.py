"""Every KR is asked of someone: its owner, its Objective's owner, or the owning team's leads."""

from __future__ import annotations

from bot.domain.asked import Asked, AskedBecause, asked_of, help_alert_leads


def test_an_owned_kr_is_asked_of_its_owner_only() -> None:
    assert asked_of(7, 3, [1, 2]) == Asked(frozenset({7}), AskedBecause.OWNER)


def test_an_unowned_kr_of_a_personal_objective_is_asked_of_the_objective_owner() -> None:
    assert asked_of(None, 3, []) == Asked(frozenset({3}), AskedBecause.OBJECTIVE_OWNER)


def test_an_unowned_kr_of_a_team_objective_is_asked_of_every_lead() -> None:
    assert asked_of(None, None, [1, 2]) == Asked(frozenset({1, 2}), AskedBecause.TEAM_LEADS)


def test_a_team_without_leads_leaves_the_kr_asked_of_nobody() -> None:
    assert asked_of(None, None, []) == Asked(frozenset(), AskedBecause.NOBODY)


LEADS = {1: {10, 11}, 2: {20}, 3: {30}, 4: set()}
PARENTS = {1: None, 2: 1, 3: 2, 4: 3}


def test_help_reaches_the_leads_of_the_askers_teams_but_not_the_asker() -> None:
    assert help_alert_leads(10, [1], LEADS, PARENTS, [99]) == {11}
    assert help_alert_leads(7, [2, 3], LEADS, PARENTS, [99]) == {20, 30}


def test_a_teams_only_lead_is_escalated_to_the_parent_teams_leads() -> None:
    assert help_alert_leads(30, [3], LEADS, PARENTS, [99]) == {20}
    assert help_alert_leads(7, [4], LEADS, PARENTS, [99]) == {30}  # a team without a lead


def test_above_the_top_team_the_admins_hear_of_it() -> None:
    assert help_alert_leads(10, [1], {1: {10}}, PARENTS, [99, 10]) == {99}
    assert help_alert_leads(10, [], LEADS, PARENTS, [99]) == {99}  # in no team at all


def test_a_loop_of_parents_ends() -> None:
    assert help_alert_leads(5, [1], {1: {5}, 2: {5}}, {1: 2, 2: 1}, [99]) == {99}
