"""Meeting people: a person the bot has not met is created from `users.info`."""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.services.people import PersonView, SlackProfile, find_person, save_profile

logger = logging.getLogger(__name__)


def ensure_person(deps: Deps, slack_user_id: str) -> PersonView | None:
    """The stored person, or a new one from Slack's profile; None if Slack does not know them."""
    known = find_person(deps.db, slack_user_id)
    if known is not None:
        return known
    try:
        response = deps.slack.users_info(user=slack_user_id, include_locale=True)
    except SlackApiError as error:
        logger.warning("users.info failed for a user: %s", error.response.get("error"))
        return None
    user = response["user"]
    profile = SlackProfile(
        slack_user_id=slack_user_id,
        name=str(user.get("real_name") or user.get("name") or slack_user_id),
        tz=user.get("tz"),
        locale=user.get("locale"),
    )
    return save_profile(
        deps.db, deps.clock, profile,
        default_tz=deps.settings.default_timezone, default_locale=deps.settings.default_locale,
    )
