"""Meeting people: a person the bot has not met is created from `users.info`."""

from __future__ import annotations

from collections.abc import Callable

from slack_sdk.errors import SlackApiError, SlackClientError

from bot.deps import Deps, make_web_client
from bot.log_sampling import sampled_logger
from bot.services.people import (
    Answer,
    Found,
    NotMet,
    PersonView,
    SlackProfile,
    find_person,
    save_profile,
)

logger = sampled_logger(__name__)

LOOKUP_TIMEOUT_S = 1
"""users.info runs before the ack (Slack waits 3 s): a slow answer is no answer."""


def ensure_person(deps: Deps, slack_user_id: str) -> PersonView | None:
    """The stored person, or a new one from Slack's profile; None if Slack does not know them."""
    known = find_person(deps.db, slack_user_id)
    if known is not None:
        return known
    lookup = make_web_client(deps.settings, retries=False, timeout=LOOKUP_TIMEOUT_S)
    try:
        response = lookup.users_info(user=slack_user_id, include_locale=True)
    except SlackApiError as error:
        logger.warning("users.info failed for a user: %s", error.response.get("error"))
        return None
    except (SlackClientError, OSError) as error:  # slow or unreachable: not before the ack
        logger.warning("users.info did not answer in %s s: %s", LOOKUP_TIMEOUT_S,
                       type(error).__name__)
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


def as_met(deps: Deps, slack_user_id: str,
           attempt: Callable[[str], Answer[Found] | NotMet]) -> Answer[Found] | None:
    """`attempt` as the person with `slack_user_id`, who is found in its own session; someone
    okr-bot has not met is met first (`ensure_person`), then it is attempted again. None: Slack
    does not know them either."""
    answer = attempt(slack_user_id)
    if isinstance(answer, NotMet):
        if ensure_person(deps, slack_user_id) is None:
            return None
        answer = attempt(slack_user_id)
    return None if isinstance(answer, NotMet) else answer
