"""The composition root: settings in, a ready Deps and WSGI app out."""

from __future__ import annotations

from concurrent.futures import Executor, ThreadPoolExecutor

from bot.api.app import ApiApp
from bot.app import create_app
from bot.clock import Clock, SystemClock
from bot.deps import Deps, make_web_client
from bot.follow_ups import FollowUps
from bot.monitoring import monitoring_routes
from bot.rendering import Renderer
from bot.server import OkrWsgiApp
from bot.settings import Settings
from bot.turns import Turn, Turns, TurnTakingExecutor
from storage.db import Database, connections_held, make_engine

REQUEST_STATEMENT_TIMEOUT_MS = 1000


def build_deps(settings: Settings, *, clock: Clock | None = None) -> Deps:
    """Wire the dependencies of one process (call after any fork: engines don't cross forks)."""
    engine = make_engine(settings.database_url, statement_timeout_ms=REQUEST_STATEMENT_TIMEOUT_MS)
    db = Database(engine)
    turns = serving_turns()
    return Deps(
        settings=settings,
        db=db,
        clock=clock or SystemClock(),
        renderer=Renderer(default_locale=settings.default_locale),
        slack=make_web_client(settings),
        follow_ups=FollowUps(turn=turns.after_answer),
        turns=turns,
    )


def serving_turns() -> Turns:
    """The lanes in which a serving process's threads take turns: answers and the work after
    them (bot/turns.py says why)."""

    def holds_no_connection() -> bool:
        return connections_held() == 0

    return Turns(answers=Turn(holds_no_connection), after_answer=Turn(holds_no_connection))


def build_wsgi_app(
    deps: Deps, *, executor: Executor | None = None, slack_over_http: bool = True
) -> OkrWsgiApp:
    """The HTTP app: Slack's requests (unless they come over Socket Mode), the operator's
    health and metrics routes, and the KR value API."""
    lane = deps.turns.after_answer
    if lane is not None:  # Bolt's own pool (5 threads) unless one is given
        executor = TurnTakingExecutor(executor or ThreadPoolExecutor(5), lane)
    app = create_app(deps, executor=executor) if slack_over_http else None
    return OkrWsgiApp(app, deps, routes={"/api/": ApiApp(deps)}, paths=monitoring_routes(deps))
