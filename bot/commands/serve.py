"""`okr-bot serve`: the Slack app, health checks, metrics and API on waitress, with the
scheduler, in one process (bot/http_server.py says why waitress)."""

from __future__ import annotations

import argparse
import logging

from bot.commands.bootstrap import Context
from bot.http_server import ServerLimits, serve, tune_malloc
from bot.wiring import build_wsgi_app

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace, ctx: Context) -> int:
    """One process: its engine, Slack client and scheduler live beside the server's threads
    (SQLite has one writer, queued fairly only inside one process; on PostgreSQL, more
    capacity is more `serve` processes or replicas)."""
    tune_malloc()
    deps = ctx.deps
    heartbeat = None
    if not args.no_scheduler:
        from bot.scheduler import start_heartbeat

        heartbeat = start_heartbeat(deps)
    limits = ServerLimits(threads=args.threads, connection_limit=args.connection_limit)
    try:
        wsgi = build_wsgi_app(deps)
        serve(wsgi, host=args.host, port=args.port, limits=limits, turn_for=wsgi.turn_for)
    finally:
        if heartbeat is not None:
            heartbeat.shutdown(wait=False)
    return 0
