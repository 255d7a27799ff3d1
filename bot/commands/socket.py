"""`okr-bot socket`: the app over Socket Mode (no public URL), with the scheduler, and the
operator's routes — `/livez`, `/readyz`, `/healthz`, `/metrics` — and the KR value API served
on a local port (127.0.0.1:3000 unless told otherwise), as `serve` serves them.

Socket Mode needs the bot token and an app-level token (`xapp-…`, `connections:write`); no
signing secret: requests arrive over Slack's authenticated WebSocket, so the HTTP server has no
`/slack/events`.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_app
from bot.commands.bootstrap import Context
from bot.http_server import ServerLimits, serve, tune_malloc
from bot.scheduler import start_heartbeat
from bot.wiring import build_wsgi_app

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
    tune_malloc()
    deps = ctx.deps
    token = ctx.settings.slack_app_token
    assert token is not None  # required by the command's declaration
    handler = SocketModeHandler(create_app(deps, socket_mode=True), token.get_secret_value())
    with _quiet("slack_sdk", "slack_bolt"):  # a failure is reported once, by bot.cli
        handler.connect()  # type: ignore[no-untyped-call]
    heartbeat = None if args.no_scheduler else start_heartbeat(deps)
    logger.info("connected to Slack over Socket Mode")
    limits = ServerLimits(threads=args.threads, connection_limit=args.connection_limit)
    try:  # until Ctrl-C or SIGTERM
        wsgi = build_wsgi_app(deps, slack_over_http=False)
        serve(wsgi, host=args.host, port=args.port, limits=limits, turn_for=wsgi.turn_for)
    finally:
        if heartbeat is not None:
            heartbeat.shutdown(wait=False)
        handler.close()  # type: ignore[no-untyped-call]
    return 0
