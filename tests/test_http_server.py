"""Waitress as `serve` runs it (bot/http_server.py): each request in the turn the app names for
it (bot/turns.py), environ, app and response, the operator's paths without one; and an event
loop that waits, rather than spins, while a task writes its response."""

from __future__ import annotations

import gc
import socket
import threading
import urllib.request
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from waitress import wasyncore

from bot import http_server
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


def _sized(size: int, chunks: int = 1) -> Any:
    """A WSGI app answering `chunks` chunks of `size` bytes."""
    body = b"x" * size

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(size * chunks))])
        return [body] * chunks

    return app


def test_the_event_loop_is_woken_for_what_a_task_left_unsent_once_the_task_is_out() -> None:
    server = make_servers(_sized(1), host="127.0.0.1", port=0)[0]
    ours, theirs = socket.socketpair()
    channel = http_server._Channel(server, ours, ("127.0.0.1", 1), server.adj, map={})
    woken_while_writing: list[bool] = []  # at each wake, whether the task was still writing
    server.pull_trigger = lambda: woken_while_writing.append(channel.writing)
    try:
        channel.write_soon(b"x" * 100)  # sent at once: nothing for the loop
        assert not channel.writable() and woken_while_writing == []
        channel.write_soon(b"x" * 8 * 1024 * 1024)  # more than the socket takes unread
        # a wake while the task still wrote finds nothing writable: the last one came after
        assert channel.writable() and woken_while_writing[-1] is False
        channel.writing = True  # as while a task thread is in write_soon
        assert not channel.writable()
    finally:
        channel.handle_close()
        theirs.close()
        server.close()


def test_a_response_beyond_the_output_high_watermark_goes_out_whole() -> None:
    # The client reads only once the task has written more than 16 MiB it could not send;
    # waitress's task then waits for the loop to send it: the loop must be let in.
    size = 12 * 1024 * 1024
    with running(_sized(size, chunks=3), lambda method, path: None) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=WAIT_S) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
            threading.Event().wait(0.5)
            received = b"".join(iter(lambda: client.recv(1 << 20), b""))
    head, body = received.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 200") and body == b"x" * (3 * size)


def test_serving_puts_what_was_loaded_before_it_out_of_the_collectors_sight() -> None:
    try:
        frozen = http_server.freeze_heap()
        assert frozen == gc.get_freeze_count() > 10_000  # this test process's modules at least
    finally:
        gc.unfreeze()
