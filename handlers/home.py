"""The App Home tab: published on `app_home_opened`, on its Refresh button, and by
`refresh_home` after another feature changes what it shows (template home/home)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError

from bot import ids
from bot.deps import Deps
from bot.services.home import home_of_slack_user
from handlers.payloads import home_tab_user, user_id
from handlers.people import as_met

logger = logging.getLogger(__name__)


def on_home_opened(deps: Deps, event: dict[str, Any]) -> None:
    """`app_home_opened` on the Home tab → views.publish (a retry just publishes again)."""
    slack_user_id = home_tab_user(event)
    if slack_user_id is not None:
        publish_home(deps, slack_user_id)


def on_refresh(deps: Deps, body: dict[str, Any]) -> None:
    """The Home's Refresh button (after the ack) → views.publish."""
    publish_home(deps, user_id(body))


def publish_home(deps: Deps, slack_user_id: str) -> bool:
    """Render and publish `slack_user_id`'s Home tab; False when Slack refused or the person is
    unknown to Slack. Safe to call after any change (publishing is idempotent)."""
    found = as_met(deps, slack_user_id,
                   lambda asker: home_of_slack_user(deps.db, deps.clock, asker))
    if found is None:
        return False
    person, home = found.viewer, found.found
    view = deps.renderer.render("home/home", person.locale, home=home, ids=ids.TEMPLATE_IDS)
    try:
        deps.slack.views_publish(user_id=slack_user_id, view=view)
    except SlackApiError as error:
        logger.warning("views.publish failed: %s", error.response.get("error"))
        return False
    return True


def refresh_home(deps: Deps, slack_user_id: str) -> None:
    """Publish `slack_user_id`'s Home again after a change, once the answer is sent
    (bot/follow_ups.py; a refresh already waiting for them is not queued twice)."""
    deps.follow_ups.submit(f"home:{slack_user_id}", lambda: publish_home(deps, slack_user_id))
