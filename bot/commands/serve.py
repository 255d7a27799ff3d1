"""`okr-bot serve`: the Slack app, health check and API on gunicorn, with the scheduler."""

from __future__ import annotations

import argparse
import logging

from bot.commands.bootstrap import Context
from bot.gunicorn_app import default_shape, serve
from bot.server import OkrWsgiApp
from bot.settings import Settings
from bot.wiring import build_deps, build_wsgi_app

logger = logging.getLogger(__name__)


def run(args: argparse.Namespace, ctx: Context) -> int:
    settings = ctx.settings
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
