"""The composition root: settings in, a ready Deps and WSGI app out."""

from __future__ import annotations

from concurrent.futures import Executor

from sqlalchemy.engine import make_url

from bot.api.app import ApiApp
from bot.app import create_app
from bot.clock import Clock, SystemClock
from bot.deps import Deps, make_web_client
from bot.rendering import Renderer
from bot.server import OkrWsgiApp
from bot.settings import Settings
from storage.db import Database, make_engine
from storage.migrate import pending, upgrade

REQUEST_STATEMENT_TIMEOUT_MS = 1000


def build_deps(settings: Settings, *, clock: Clock | None = None) -> Deps:
    """Wire the dependencies of one process (call after any fork: engines don't cross forks)."""
    engine = make_engine(settings.database_url, statement_timeout_ms=REQUEST_STATEMENT_TIMEOUT_MS)
    return Deps(
        settings=settings,
        db=Database(engine),
        clock=clock or SystemClock(),
        renderer=Renderer(default_locale=settings.default_locale),
        slack=make_web_client(settings),
    )


def build_wsgi_app(deps: Deps, *, executor: Executor | None = None) -> OkrWsgiApp:
    app = create_app(deps, executor=executor)
    return OkrWsgiApp(app, deps, routes={"/api/": ApiApp(deps)})


class PendingMigrationsError(RuntimeError):
    """PostgreSQL is behind the code's schema; an admin runs `okr-bot db upgrade` once."""


def prepare_database(database_url: str) -> None:
    """Apply pending migrations on SQLite (one host); on PostgreSQL, refuse to start behind.

    Replicas starting at once must not race schema changes on a shared server, so there the
    upgrade is an explicit step.
    """
    if make_url(database_url).get_backend_name() == "sqlite":
        upgrade(database_url)
    elif pending(database_url):
        raise PendingMigrationsError(
            "the database schema is behind this version: run `okr-bot db upgrade` first"
        )
