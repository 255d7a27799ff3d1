"""The HTTP face of okr-bot: a WSGI app served by gunicorn (`okr-bot serve`).

Routes: `POST /slack/events` (every Slack request, signature-checked by Bolt),
`GET /healthz` (200 when the database answers), and the KR value API under `/api/`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler

from bot.deps import Deps

StartResponse = Callable[..., Any]
Environ = dict[str, Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


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
    """Routes requests to Bolt, the health check and the API (mounted by `routes`)."""

    def __init__(self, app: App, deps: Deps, routes: dict[str, WsgiApp] | None = None) -> None:
        self.deps = deps
        self.slack = SlackRequestHandler(app, path="/slack/events")
        self.routes = routes or {}

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD", "GET")
        if path == "/slack/events":
            return self.slack(environ, start_response)
        if path == "/healthz" and method == "GET":
            healthy = self.deps.db.ping()
            status = "200 OK" if healthy else "503 Service Unavailable"
            return json_response(start_response, status, {"database": "ok" if healthy else "down"})
        for prefix, route in self.routes.items():
            if path.startswith(prefix):
                return route(environ, start_response)
        return json_response(start_response, "404 Not Found", {"error": "not found"})
