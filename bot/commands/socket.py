"""`okr-bot socket`: the same app over Socket Mode, for development without a public URL."""

from __future__ import annotations

import argparse
from typing import Any

from slack_bolt.adapter.socket_mode import SocketModeHandler

from bot.app import create_app
from bot.settings import load_settings
from bot.wiring import build_deps, prepare_database


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "socket", help="run the app over Socket Mode (needs SLACK_APP_TOKEN; no public URL)"
    )
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not plan or send scheduled messages in this process")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    settings.require("slack_bot_token", "slack_signing_secret", "slack_app_token")
    assert settings.slack_app_token is not None
    prepare_database(settings.database_url)
    deps = build_deps(settings)
    if not args.no_scheduler:
        from bot.scheduler import start_scheduler

        start_scheduler(deps)
    handler = SocketModeHandler(create_app(deps), settings.slack_app_token.get_secret_value())
    handler.start()  # type: ignore[no-untyped-call]
    return 0
