"""The HTTP face of okr-bot: one WSGI app for `okr-bot serve`, `socket` and `worker --port`.

Routes: `POST /slack/events` (every Slack request: size, signature and shape checked by
`SlackGate` before Bolt parses anything; absent in Socket Mode, where requests come over Slack's
WebSocket), the operator's `/livez`, `/readyz`,
`/healthz` and `/metrics` (bot.monitoring), and the KR value API under `/api/`. Every request
is counted and timed by route for `/metrics`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App

from bot.deps import Deps
from bot.slack_gate import SlackGate
from bot.turns import Turn, in_turn

StartResponse = Callable[..., Any]
Environ = dict[str, Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]
SLACK_PATH = "/slack/events"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def json_response(
    start_response: StartResponse,
    status: str,
    body: object,
    headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    start_response(
        status,
        [("Content-Type", "application/json; charset=utf-8"), ("Content-Length", str(len(data))),
         *headers],
    )
    return [data]


class OkrWsgiApp:
    """Routes requests to Bolt (when `app` is given), to the `paths` answered for GET (exact
    paths) and to the `routes` mounted under a prefix (the API)."""

    def __init__(
        self,
        app: App | None,
        deps: Deps,
        routes: dict[str, WsgiApp] | None = None,
        paths: dict[str, WsgiApp] | None = None,
    ) -> None:
        self.deps = deps
        secret = deps.settings.slack_signing_secret
        self.slack = (SlackGate(app, secret.get_secret_value())
                      if app is not None and secret is not None else None)
        self.routes = routes or {}
        self.paths = paths or {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        started = time.perf_counter()
        codes: list[str] = []

        def recorded(status: str, headers: Any, exc_info: Any = None) -> Any:
            codes.append(status[:3])
            return start_response(status, headers, exc_info)

        route = self._route(path)
        try:
            return self._answer(route, method, path, environ, recorded)
        finally:
            metrics = self.deps.metrics
            metrics.http_requests.labels(route, method if method in METHODS else "other",
                                         codes[-1] if codes else "500").inc()
            metrics.http_seconds.labels(route).observe(time.perf_counter() - started)

    def _route(self, path: str) -> str:
        """The route's name for metrics: a known path or mount point, else "other"."""
        if (path == SLACK_PATH and self.slack is not None) or path in self.paths:
            return path
        return next((prefix for prefix in self.routes if path.startswith(prefix)), "other")

    def turn_for(self, method: str, path: str) -> Turn | None:
        """The turn a request is answered in (bot/turns.py): none for the operator's GET paths,
        which answer even when every thread is busy. `serve` takes it around waitress's whole
        task, environ and response included; `__call__` takes it again (at no cost) for hosts
        that do not."""
        if path in self.paths and method in ("GET", "HEAD"):
            return None
        return self.deps.turns.answers

    def _answer(self, route: str, method: str, path: str, environ: Environ,
                start_response: StartResponse) -> Iterable[bytes]:
        with in_turn(self.turn_for(method, path)):
            if route in self.paths and method in ("GET", "HEAD"):
                return self.paths[route](environ, start_response)
            if route == SLACK_PATH and self.slack is not None:
                return self.slack(environ, start_response)
            if route in self.routes:
                return self.routes[route](environ, start_response)
        return json_response(start_response, "404 Not Found", {"error": "not found"})
