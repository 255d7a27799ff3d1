"""The Bolt app factory: settings and dependencies in, a wired `App` out."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltResponse

from bot.deps import Deps
from handlers import register_all

logger = logging.getLogger(__name__)


def create_app(
    deps: Deps, *, process_before_response: bool = False, executor: Executor | None = None
) -> App:
    """Build the Bolt app. Token and secret are passed explicitly, so Bolt never reads env.

    `process_before_response=True` answers only after the listener finished (the local shell
    uses it so that everything a request causes has happened when its reply is printed).
    `executor` runs listeners after their ack (default: Bolt's own pool); tests pass one they
    can drain before closing the database.
    """
    deps.settings.require("slack_bot_token", "slack_signing_secret")
    assert deps.settings.slack_signing_secret is not None
    app = App(
        client=deps.slack,
        signing_secret=deps.settings.slack_signing_secret.get_secret_value(),
        token_verification_enabled=False,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
        logger=logging.getLogger("slack_bolt"),
        listener_executor=executor,
    )
    register_all(app, deps)

    @app.error
    def on_error(error: Exception, body: dict[str, Any]) -> BoltResponse:
        """The one place unexpected errors are logged; the person gets a polite 'try again'."""
        logger.exception("unhandled error in a Slack listener", exc_info=error)
        locale = deps.settings.default_locale
        text = deps.renderer.text("common.errors.try_again", locale)
        if body.get("type") == "view_submission":
            # An empty ack would close the form as if it had been saved. Pushed on top, the
            # notice goes back to the form, with what the person typed, when closed.
            view = deps.renderer.render("common/try_again_modal", locale)
            return BoltResponse(status=200, body={"response_action": "push", "view": view})
        return BoltResponse(
            status=200,
            body={"response_type": "ephemeral", "text": text},
        )

    return app
