"""A real `okr-bot serve` facing clients that never finish, and bodies nobody should read.

On gunicorn's gthread worker, 16 connections sending half a header each took every thread and
`/healthz` stopped answering; an unsigned 256 MB body was read and decoded before the signature
was checked. These run the same attacks (smaller, so the suite stays quick: bench/hostile.py
runs 1,000 connections and reports memory) and require the server to keep answering.
"""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from bot.http_server import MAX_BODY_BYTES
from tests.fakes.slack_api import SlackStandIn
from tests.fakes.slack_requests import SlackSender
from tests.fakes.wire import read_head
from tests.scenarios.serve_process import Served, run_serve

IDLE = 300
SLOW = 50
ANSWER_TIMEOUT_S = 5  # what "still answers" allows on a busy test machine; bench reports latency


@pytest.fixture
def served(tmp_path: Path, standin: SlackStandIn) -> Iterator[Served]:
    with run_serve(tmp_path, standin) as running:
        yield running


@contextmanager
def _connections(port: int, count: int, first_bytes: bytes = b"") -> Iterator[list[socket.socket]]:
    with ExitStack() as stack:
        sockets = []
        for _ in range(count):
            sock = stack.enter_context(socket.create_connection(("127.0.0.1", port), timeout=5))
            if first_bytes:
                sock.sendall(first_bytes)
            sockets.append(sock)
        yield sockets


def _still_answers(served: Served, standin: SlackStandIn) -> None:
    with urllib.request.urlopen(served.url + "/healthz", timeout=ANSWER_TIMEOUT_S) as health:  # noqa: S310
        assert health.status == 200
    reply = SlackSender(served.url, standin.response_url()).command("help", user_id="UBEN")
    assert reply.status == 200
    assert "How to use" in reply.json()["text"]


def _answer(sock: socket.socket) -> bytes:
    sock.settimeout(ANSWER_TIMEOUT_S)
    return read_head(sock)


def test_idle_and_half_sent_requests_do_not_stop_health_or_signed_requests(
    served: Served, standin: SlackStandIn
) -> None:
    half_header = b"POST /slack/events HTTP/1.1\r\nHost: okr\r\nX-Slack-Signature: v0="
    with _connections(served.port, IDLE), \
            _connections(served.port, SLOW, half_header) as slow:
        for sock in slow:  # a second trickle, as a slow client does
            sock.sendall(b"00")
        _still_answers(served, standin)
        _still_answers(served, standin)


def test_oversized_unsigned_bodies_are_refused_before_they_are_read(
    served: Served, standin: SlackStandIn
) -> None:
    huge = 256 * 1024 * 1024
    head = (f"POST /slack/events HTTP/1.1\r\nHost: okr\r\nContent-Type: application/json\r\n"
            f"Content-Length: {huge}\r\n\r\n").encode()
    with _connections(served.port, 3, head + b"{" + b" " * 65536) as senders:
        _still_answers(served, standin)
        for sock in senders:
            assert _answer(sock).startswith(b"HTTP/1.1 413")


def test_a_chunked_body_is_cut_off_at_the_cap(served: Served, standin: SlackStandIn) -> None:
    head = b"POST /slack/events HTTP/1.1\r\nHost: okr\r\nTransfer-Encoding: chunked\r\n\r\n"
    chunk = b"%x\r\n%s\r\n" % (65536, b"a" * 65536)
    with _connections(served.port, 1, head) as (sock,):
        try:
            for _ in range(MAX_BODY_BYTES // 65536 + 2):
                sock.sendall(chunk)
        except OSError:  # the server may close the connection as soon as it answered
            pass
        assert _answer(sock).startswith(b"HTTP/1.1 413")
        _still_answers(served, standin)


def test_the_log_holds_one_line_per_kind_of_refusal_and_no_traceback(
    served: Served, standin: SlackStandIn
) -> None:
    sender = SlackSender(served.url, standin.response_url())
    for _ in range(20):
        assert sender.post("[1, 2]", "application/json", signature="v0=00").status == 401
    log = served.log_text()
    assert log.count("unsigned or stale request refused") == 1
    assert "Traceback" not in log
