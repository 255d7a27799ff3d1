"""Who may edit an Objective: owner, the owner's team leads, admins; nobody else."""

from __future__ import annotations

import pytest

from bot.domain.permissions import can_edit, can_own_for_team

OWNER, LEAD, ADMIN, STRANGER = 1, 2, 3, 4


@pytest.mark.parametrize(
    ("actor", "owner", "leads", "is_admin", "allowed"),
    [
        (OWNER, OWNER, set(), False, True),  # the owner of a personal Objective
        (LEAD, OWNER, {LEAD}, False, True),  # the owner's team lead
        (ADMIN, OWNER, {LEAD}, True, True),  # an admin, whatever the Objective
        (STRANGER, OWNER, {LEAD}, False, False),  # anyone else
        (LEAD, None, {LEAD}, False, True),  # a lead of the owning team
        (STRANGER, None, {LEAD}, False, False),  # a member who does not lead the team
        (ADMIN, None, set(), True, True),
        (STRANGER, None, set(), False, False),  # a team without leads: admins only
    ],
)
def test_can_edit(actor: int, owner: int | None, leads: set[int], is_admin: bool,
                  allowed: bool) -> None:
    assert can_edit(actor, owner, leads, is_admin) is allowed


@pytest.mark.parametrize(
    ("team", "mine", "is_admin", "allowed"),
    [(7, {7, 8}, False, True), (9, {7, 8}, False, False), (9, set(), True, True)],
)
def test_can_own_for_team(team: int, mine: set[int], is_admin: bool, allowed: bool) -> None:
    assert can_own_for_team(team, mine, is_admin) is allowed
