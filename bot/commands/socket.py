"""`okr-bot socket`: the app over Socket Mode (no public URL), with the scheduler.

Socket Mode needs the bot token and an app-level token (`xapp-…`, `connections:write`); no
signing secret: requests arrive over Slack's authenticated WebSocket.
"""

from __future__ import annotations

import argparse
import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_app
from bot.commands.bootstrap import Context
from bot.scheduler import start_scheduler

logger = logging.getLogger(__name__)


@contextmanager
def _quiet(*names: str) -> Iterator[None]:
    """Silence these loggers for a moment (their errors would repeat what bot.cli says)."""
    loggers = [logging.getLogger(name) for name in names]
    levels = [each.level for each in loggers]
    for each in loggers:
        each.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        for each, level in zip(loggers, levels, strict=True):
            each.setLevel(level)


def run(args: argparse.Namespace, ctx: Context) -> int:
    deps = ctx.deps
    token = ctx.settings.slack_app_token
    assert token is not None  # required by the command's declaration
    handler = SocketModeHandler(create_app(deps, socket_mode=True), token.get_secret_value())
    with _quiet("slack_sdk", "slack_bolt"):  # a failure is reported once, by bot.cli
        handler.connect()  # type: ignore[no-untyped-call]
    if not args.no_scheduler:
        start_scheduler(deps)
    logger.info("connected to Slack over Socket Mode")
    threading.Event().wait()  # until Ctrl-C or SIGTERM
    return 0
