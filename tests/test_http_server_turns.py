"""Waitress serves each request in the turn the app names for it (bot/http_server.py,
bot/turns.py): environ, app and response in the turn; the operator's paths without one."""

from __future__ import annotations

import threading
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from waitress import wasyncore

from bot.http_server import ServerLimits, make_servers
from bot.turns import Turn, current

WAIT_S = 10


@contextmanager
def running(app: Any, turn_for: Any) -> Iterator[str]:
    """`app` on real waitress servers (`make_servers`) on a free port; their URL."""
    server = make_servers(app, host="127.0.0.1", port=0, limits=ServerLimits(threads=2),
                          turn_for=turn_for)[0]
    loop = threading.Thread(target=server.run, daemon=True)
    loop.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"
    finally:
        server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        loop.join(WAIT_S)
        server.task_dispatcher.shutdown()


def fetch(url: str, body: bytes | None = None) -> bytes:
    with urllib.request.urlopen(url, data=body, timeout=WAIT_S) as answer:  # noqa: S310
        data: bytes = answer.read()
        return data


def test_a_request_is_served_in_its_turn_and_a_health_check_without_one() -> None:
    turn = Turn()
    served_in: list[tuple[str, Turn | None]] = []

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        served_in.append((environ["PATH_INFO"], current()))
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]

    def turn_for(method: str, path: str) -> Turn | None:
        return None if (method, path) == ("GET", "/healthz") else turn

    with running(app, turn_for) as url, ThreadPoolExecutor(1) as client:
        with turn.taken():  # every thread busy elsewhere, as it were
            answer = client.submit(fetch, f"{url}/slack/events", b"payload")
            assert fetch(f"{url}/healthz") == b"ok"  # answered meanwhile
            assert not threading.Event().wait(0.3) and not answer.done()
        assert answer.result(WAIT_S) == b"ok"
    assert served_in == [("/healthz", None), ("/slack/events", turn)]
