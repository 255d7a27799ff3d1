"""`okr-bot worker`: plan and send scheduled messages in the foreground, without serving HTTP."""

from __future__ import annotations

import argparse
import logging
import signal
from typing import Any

from bot.settings import load_settings
from bot.wiring import PendingMigrationsError, build_deps, prepare_database

logger = logging.getLogger(__name__)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "worker", help="run the planner and the outbox sender until SIGTERM or Ctrl-C"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    settings.require("slack_bot_token")
    try:
        prepare_database(settings.database_url)
    except PendingMigrationsError as exc:
        print(f"okr-bot: {exc}")
        return 2
    from bot.scheduler import start_scheduler

    # Block the stop signals in every thread (the scheduler's threads inherit the mask) and
    # wait for them here: a handler could run in another thread and never wake this one.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    deps = build_deps(settings)
    scheduler = start_scheduler(deps)
    try:
        received = signal.sigwait(stop_signals)
        logger.info("received %s, stopping", signal.Signals(received).name)
    finally:
        scheduler.shutdown(wait=True)
        deps.db.dispose()
    return 0
