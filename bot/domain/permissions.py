"""Who may change which OKRs (RELIABILITY.md §21). Pure: the caller loads the facts.

Authorization is decided from the acting person's database id and admin flag, never from
anything a Slack payload carries besides the signed user.
"""

from __future__ import annotations

from collections.abc import Collection


def can_edit(
    actor: int, objective_owner: int | None, team_leads: Collection[int], is_admin: bool
) -> bool:
    """May `actor` edit or archive an Objective?

    `objective_owner` is the owning person's id (None for a team's Objective); `team_leads`
    are the ids of the leads of the owner's teams (the owning team, or the teams a personal
    owner belongs to). Owners, their leads and admins may; nobody else.
    """
    return is_admin or actor == objective_owner or actor in team_leads


def can_own_for_team(team_id: int, my_team_ids: Collection[int], is_admin: bool) -> bool:
    """May someone create an Objective owned by team `team_id`?

    Members and leads of the team may, and admins for any team.
    """
    return is_admin or team_id in my_team_ids
