"""`okr-bot worker`: plan and send scheduled messages in the foreground, without serving HTTP."""

from __future__ import annotations

import argparse
import logging
import signal

from bot.commands.bootstrap import Context
from bot.scheduler import start_heartbeat

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace, ctx: Context) -> int:
    # Block the stop signals in every thread (the heartbeat's threads inherit the mask) and
    # wait for them here: a handler could run in another thread and never wake this one.
    stop_signals = {signal.SIGTERM, signal.SIGINT}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    heartbeat = start_heartbeat(ctx.deps)
    try:
        received = signal.sigwait(stop_signals)
        logger.info("received %s, stopping", signal.Signals(received).name)
    finally:
        heartbeat.shutdown(wait=True)
    return 0
