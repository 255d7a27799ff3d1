"""`okr-bot serve`: the Slack app, health check and API on gunicorn, with the scheduler."""

from __future__ import annotations

import argparse
import logging
from typing import Any

from bot.gunicorn_app import default_shape, serve
from bot.server import OkrWsgiApp
from bot.settings import Settings, load_settings
from bot.wiring import build_deps, build_wsgi_app, prepare_database

logger = logging.getLogger(__name__)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "serve", help="serve Slack requests over HTTP (POST /slack/events) on gunicorn"
    )
    parser.add_argument("--host", default="0.0.0.0", help="address to bind (default 0.0.0.0)")  # noqa: S104
    parser.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    parser.add_argument("--workers", type=int, default=None,
                        help="gunicorn worker processes (default: one per core on PostgreSQL, "
                             "one on SQLite)")
    parser.add_argument("--threads", type=int, default=None,
                        help="threads per worker (default: 8 on PostgreSQL, 16 on SQLite)")
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not plan or send scheduled messages in this process")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    settings.require("slack_bot_token", "slack_signing_secret")
    prepare_database(settings.database_url)
    workers, threads = default_shape(settings.database_url)
    serve(lambda: load_worker_app(settings, scheduler=not args.no_scheduler),
          host=args.host, port=args.port, workers=args.workers or workers,
          threads=args.threads or threads)
    return 0


def load_worker_app(settings: Settings, *, scheduler: bool) -> OkrWsgiApp:
    """Runs in each gunicorn worker after the fork."""
    deps = build_deps(settings)
    if scheduler:
        from bot.scheduler import start_scheduler

        start_scheduler(deps)
    return build_wsgi_app(deps)
