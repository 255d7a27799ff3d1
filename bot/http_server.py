"""Serve the WSGI app on waitress, with the limits that let it face the open internet alone.

Why waitress and not gunicorn's gthread worker: a gthread worker reads a request inside one of
its threads, so a handful of clients sending a header line every few seconds hold every thread
and `/healthz` stops answering. Waitress reads and buffers whole requests in one event loop
(`poll`, so well over 1,024 sockets) and hands only complete requests to its threads: an idle or
slow connection costs a socket and its buffers, never a thread. What bounds it:

- `max_request_header_size` and `max_request_body_size`: a request larger than either is
  answered 431/413 by waitress without being read further (a Content-Length over the cap is
  refused before one byte of the body is read);
- `inbuf_overflow`: a body beyond it is spooled to a temporary file, not held in memory;
- `connection_limit`: at most that many sockets (further clients wait in the listen backlog);
- `channel_timeout`: a connection idle that long is closed; and `REQUEST_DEADLINE_S` here: a
  request whose bytes are still arriving that long after its first one is closed, however
  slowly it trickles (waitress alone only times out silence).

Memory held by connections is therefore at most about `connection_limit` × (header cap +
`inbuf_overflow` + receive buffer); bench/slow_clients.py measures it (README: Serving).
"""

from __future__ import annotations

import ctypes
import gc
import logging
import os
import resource
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import TYPE_CHECKING, Any

from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher, WSGITask

if TYPE_CHECKING:  # bot.turns loads slack_sdk, which `okr-bot --help` does without
    from bot.turns import Turn

logger = logging.getLogger(__name__)

TurnFor = Callable[[str, str], "Turn | None"]
"""(method, path) → the turn a request is served in (`OkrWsgiApp.turn_for`)."""

MAX_BODY_BYTES = 1024 * 1024
"""Slack's largest payloads (a 250 kB view, form-encoded) fit; nothing bigger is read."""
MAX_HEADER_BYTES = 8 * 1024
REQUEST_DEADLINE_S = 10.0
"""A whole request must arrive within this; Slack waits only 3 s for the answer anyway."""


@dataclass(frozen=True)
class ServerLimits:
    """What one `serve` process accepts; the defaults are what the README states."""

    threads: int = 8  # listeners run on these; more only queue (bot/turns.py) and hold memory
    connection_limit: int = 2000
    channel_timeout_s: int = 20
    request_deadline_s: float = REQUEST_DEADLINE_S
    max_body_bytes: int = MAX_BODY_BYTES
    max_header_bytes: int = MAX_HEADER_BYTES
    inbuf_overflow_bytes: int = 64 * 1024


class _TimedParser(HTTPRequestParser):  # type: ignore[misc]
    """Waitress's request parser, remembering when the request's first bytes arrived."""

    def __init__(self, adj: Adjustments) -> None:
        super().__init__(adj)
        self.started = time.monotonic()


class _Task(WSGITask):  # type: ignore[misc]
    """Waitress's task for one request, run in the turn its server's `turn_for` names: the
    environ built, the app called and the response written by one thread at a time, so the
    threads waiting for the turn take no share of the interpreter meanwhile (bot/turns.py)."""

    def service(self) -> None:
        turn_for: TurnFor | None = self.channel.server.turn_for
        turn = turn_for(self.request.command, self.request.path) if turn_for else None
        if turn is None:
            super().service()
            return
        with turn.taken():
            super().service()


class _Channel(HTTPChannel):  # type: ignore[misc]
    """Waitress's connection, not polled for writing while its task writes the response.

    Waitress's task thread sends what it writes itself, holding the output buffer's lock;
    meanwhile the buffer is not empty, so the event loop found the socket writable, failed to
    take the lock and polled again, about 90 times a request: spinning, it held the interpreter
    each time the task thread let go of it around a send or a row SQLite stepped, and the task
    thread waited the interpreter's switch interval (5 ms) to get it back. At 10 concurrent
    look-ups on SQLite that made p99 89-106 ms, with all 10 requests stalled together; with the
    loop waiting instead, 36-37 ms (bench/README.md, fifteenth run). Above the high watermark
    the loop is let in, as waitress's task then waits for it to send."""

    parser_class = _TimedParser
    task_class = _Task
    writing = False  # a task thread is in `write_soon`

    def writable(self) -> bool:
        if self.writing and self.total_outbufs_len <= self.adj.outbuf_high_watermark:
            return False
        return bool(super().writable())

    def write_soon(self, data: bytes) -> int:
        self.writing = True
        try:
            return int(super().write_soon(data))
        finally:
            self.writing = False
            if super().writable():  # what the task could not send, or a close, is the loop's
                self.server.pull_trigger()


class _Server(TcpWSGIServer):  # type: ignore[misc]
    """Waitress's TCP server, also closing connections whose request arrives too slowly."""

    channel_class = _Channel
    request_deadline_s = REQUEST_DEADLINE_S
    turn_for: TurnFor | None = None

    def maintenance(self, now: float) -> None:
        super().maintenance(now)
        cutoff = time.monotonic() - self.request_deadline_s
        for channel in list(self.active_channels.values()):
            request = channel.request
            if request is not None and not request.completed and request.started < cutoff:
                channel.will_close = True


def raise_open_file_limit(wanted: int) -> int:
    """Raise this process's soft RLIMIT_NOFILE towards `wanted` (up to the hard limit)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


# glibc's mallopt() parameters and the values `serve` sets, each named as the environment
# variable an operator would set instead (theirs stands).
MALLOC_SETTINGS = {
    "MALLOC_ARENA_MAX": (-8, 2),  # M_ARENA_MAX: arenas shared by all threads
    "MALLOC_MMAP_THRESHOLD_": (-3, 128 * 1024),  # M_MMAP_THRESHOLD: bigger blocks are mmap()ed
    "MALLOC_TRIM_THRESHOLD_": (-1, 128 * 1024),  # M_TRIM_THRESHOLD: free heap top given back
}


def tune_malloc() -> list[str]:
    """Set glibc's malloc for a long-lived threaded server (the names of the settings set).

    By default glibc gives threads up to 8 arenas per core, each keeping what was freed in it:
    under bench/latency.py that was 33 MiB of `serve`'s peak RSS (156 → 123 MiB, SQLite) for no
    measurable speed. And each large block freed raises the size below which blocks come from
    the heap rather than mmap() (up to 32 MiB), so the heap keeps what a large request freed:
    fixed thresholds took `serve`'s peak on PostgreSQL from 105 to 101-102 MiB. Call before the
    server's threads start. Nothing is set where the C library is not glibc."""
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):
        return []
    return [name for name, (parameter, value) in MALLOC_SETTINGS.items()
            if name not in os.environ and mallopt(parameter, value)]


def freeze_heap() -> int:
    """Put every object alive now out of the garbage collector's sight (`gc.freeze`); the
    objects frozen. A serving process keeps its modules, templates and engines for life, yet
    each full collection scanned them all (50,000-107,000 objects): 9 and 23 ms in six runs of
    look-ups, each stalling every request in line; after it, a full collection took 1.5 ms
    (bench/README.md, fifteenth run)."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


def _stop_on_sigterm(_signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(0)


def make_servers(app: Any, *, host: str, port: int, limits: ServerLimits | None = None,
                 turn_for: TurnFor | None = None) -> list[_Server]:
    """Waitress's servers for `app` on `host`:`port` (one per address the host resolves to),
    sharing one socket map and one pool of threads, not yet running.
    `turn_for(method, path)`: the turn each request is served in, if any."""
    limits = limits or ServerLimits()
    # Each connection is a socket; leave room for the database, Slack client and log files.
    files = raise_open_file_limit(limits.connection_limit + 256)
    connection_limit = min(limits.connection_limit, max(files - 256, 64))
    adj = Adjustments(
        host=host, port=port, threads=limits.threads, connection_limit=connection_limit,
        channel_timeout=limits.channel_timeout_s, cleanup_interval=1,
        max_request_body_size=limits.max_body_bytes,
        max_request_header_size=limits.max_header_bytes,
        inbuf_overflow=limits.inbuf_overflow_bytes, asyncore_use_poll=True,
        ident="okr-bot", expose_tracebacks=False, log_untrusted_proxy_headers=False,
        clear_untrusted_proxy_headers=True,
    )
    dispatcher = ThreadedTaskDispatcher()
    dispatcher.set_thread_count(adj.threads)
    sockets: dict[int, Any] = {}
    servers = [
        _Server(app, sockets, True, None, dispatcher=dispatcher, adj=adj, sockinfo=info)
        for info in adj.listen
    ]
    for server in servers:
        server.request_deadline_s = limits.request_deadline_s
        server.turn_for = turn_for
        logger.info("listening on http://%s:%s (%d threads, at most %d connections)",
                    server.effective_host, server.effective_port, adj.threads, connection_limit)
    return servers


def serve(app: Any, *, host: str, port: int, limits: ServerLimits | None = None,
          turn_for: TurnFor | None = None) -> None:
    """Serve `app` until SIGTERM or Ctrl-C (`make_servers`); returns after the worker threads
    stopped."""
    servers = make_servers(app, host=host, port=port, limits=limits, turn_for=turn_for)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    freeze_heap()
    servers[-1].run()
