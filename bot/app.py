"""The Bolt app factory: settings and dependencies in, a wired `App` out."""

from __future__ import annotations

import logging
from concurrent.futures import Executor
from typing import Any

from slack_bolt import App, BoltResponse

from bot.deps import Deps
from bot.log_sampling import sampled_logger
from handlers import register_all

logger = logging.getLogger(__name__)


class _NoTokenNotice(logging.Filter):
    """Drops Bolt's notice that SLACK_BOT_TOKEN in the environment is unused: the app is given
    its client (and token) explicitly, on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


def create_app(
    deps: Deps,
    *,
    process_before_response: bool = True,
    executor: Executor | None = None,
    socket_mode: bool = False,
) -> App:
    """Build the Bolt app. Token and secret are passed explicitly, so Bolt never reads env.

    `process_before_response=True` (the default) runs each listener on the request's own thread
    and answers when it returns: no hand-off to Bolt's pool and no polling for the ack, which
    cost every request CPU and up to 10 ms (bench/README.md). Listeners whose work may outlast
    Slack's 3 s are routed `after_ack` (handlers/routing.py) or leave it to bot/follow_ups.py.
    `executor` runs those lazy listeners (default: Bolt's own pool); tests pass one they can
    drain before closing the database. `socket_mode=True` builds the app for a Socket Mode
    connection: requests come over Slack's authenticated WebSocket, so there is no signature
    to check and no signing secret is needed (such an app must never be served over HTTP).
    """
    if socket_mode:
        verification: dict[str, Any] = {"signing_secret": "", "request_verification_enabled": False}
    else:
        deps.settings.require("slack_bot_token", "slack_signing_secret")
        assert deps.settings.slack_signing_secret is not None
        verification = {"signing_secret": deps.settings.slack_signing_secret.get_secret_value()}
    app = App(
        client=deps.slack,
        token_verification_enabled=False,
        process_before_response=process_before_response,
        raise_error_for_unhandled_request=False,
        logger=_bolt_logger(),
        listener_executor=executor,
        **verification,
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


def _bolt_logger() -> logging.Logger:
    """Bolt's logger, its repeated warnings (e.g. "Unhandled request") sampled once a minute."""
    bolt = sampled_logger("slack_bolt")
    if not any(isinstance(f, _NoTokenNotice) for f in bolt.filters):
        bolt.addFilter(_NoTokenNotice())
    return bolt
