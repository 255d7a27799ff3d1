"""Serve the WSGI app on gunicorn (gthread workers), configured from code.

`load()` runs in each worker after the fork, so every worker builds its own engine, Slack
client and (unless disabled) scheduler: nothing with a connection crosses a fork.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication
from sqlalchemy.engine import make_url

from storage.db import normalise_url

logger = logging.getLogger(__name__)


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(self, load_app: Callable[[], Any], options: dict[str, Any]) -> None:
        self._load_app = load_app
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self._load_app()


def default_shape(database_url: str) -> tuple[int, int]:
    """(workers, threads per worker): one gthread worker per core (RELIABILITY.md §25), but a
    single one with twice the threads on SQLite. SQLite has one writer: a process queues its own
    writers fairly, but across processes SQLite's busy wait lets one process keep the lock while
    the other's writers time out (bench/latency.py: 15 check-ins of 200 refused at 10 concurrent
    submissions with two workers, none at 50 with one)."""
    if make_url(normalise_url(database_url)).get_backend_name() == "sqlite":
        return 1, 16
    return max(os.cpu_count() or 1, 1), 8


def serve(load_app: Callable[[], Any], *, host: str, port: int, workers: int, threads: int) -> None:
    options = {
        "bind": f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        "timeout": 30,
        "graceful_timeout": 10,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        "preload_app": False,
    }
    logger.info("serving on http://%s:%s with %d workers × %d threads", host, port, workers,
                threads)
    GunicornServer(load_app, options).run()
