"""Threads of a serving process that take turns at the interpreter, one at a time per lane.

CPython runs one thread's Python at a time anyway; what more threads wanting it add is
handoffs. The sqlite3 module lets go of the interpreter around every row it steps, psycopg2
around every round trip, and with other threads waiting, each time costs a futex wake, a context
switch and a wait to get it back: at 10 concurrent `/okr @colleague` on SQLite, strace counted
about 2,800 futex calls a request, and the server's CPU a request went from 4.7 ms (one client)
to 8.4 ms, 2.9 ms of it in the kernel (bench/README.md, eighth run). So the answers Slack waits
for take turns, one thread at a time (`Turns.answers`), and the work done after an answer takes
turns in a lane of its own (`Turns.after_answer`): two threads of request work at most want the
interpreter at once (with the scheduler's, when it runs in the process), and an ack never waits
for a refreshed App Home. Under `serve` the turn covers waitress's whole task (the environ built,
the app called, the response written: bot/http_server.py); taken only around the app, eight
threads building environs and writing responses beside it still cost 1.2-1.7 ms a request at
10 clients (bench/README.md, fifteenth run). Turns are taken in the order asked for (`Turn`).

A thread gives its turn up while it waits on Slack (the Web API, a `response_url`, Bolt's
`respond`: `TurnGivingWebClient`, `TurnGivingWebhookClient`, `outside_turn`; seconds at worst),
but never while it holds a database connection (`Turn.may_give_up`): every thread holding one
then either holds its turn or takes none (the scheduler), so no thread waits in its turn for
a connection, a lock or a row that a thread waiting for the turn holds. A wait on a lock held by
another process (a `worker` sending) happens in the turn and is bounded by SQLite's busy timeout
or PostgreSQL's statement timeout (1 s for a serving process). On PostgreSQL the turn also holds
through each statement's round trip, where another thread could have run: at 10 and 50 clients
that cost less than the handoffs it saves (bench/README.md, fifteenth run).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient, WebhookResponse

_holding = threading.local()  # .turn: the Turn this thread is in, if any


class Turn:
    """One thread at a time runs inside `taken()`; `given_up()` lets another in meanwhile.

    Threads get the turn in the order they asked for it: the one leaving hands it to the
    longest waiting, so no request is overtaken again and again by later ones (a plain lock
    lets a thread that just arrived barge in: at 10 concurrent look-ups p99 was 5-6 times the
    median, bench/README.md fifteenth run)."""

    def __init__(self, may_give_up: Callable[[], bool] = lambda: True) -> None:
        self._guard = threading.Lock()  # over `_taken` and `_waiting`
        self._taken = False
        self._waiting: deque[threading.Lock] = deque()  # each held until its thread's turn
        self.may_give_up = may_give_up

    @contextmanager
    def taken(self) -> Iterator[None]:
        """Run the block in this turn (at once when this thread is already in a turn)."""
        if current() is not None:
            yield
            return
        self._take()
        _holding.turn = self
        try:
            yield
        finally:
            _holding.turn = None
            self._leave()

    def _take(self) -> None:
        with self._guard:
            if not self._taken:
                self._taken = True
                return
            waiting = threading.Lock()
            waiting.acquire()
            self._waiting.append(waiting)
        waiting.acquire()  # released by `_leave`, which handed this thread the turn

    def _leave(self) -> None:
        with self._guard:
            if self._waiting:
                self._waiting.popleft().release()  # the turn passes on, still taken
            else:
                self._taken = False


def current() -> Turn | None:
    """The turn this thread is in."""
    turn: Turn | None = getattr(_holding, "turn", None)
    return turn


@contextmanager
def given_up() -> Iterator[None]:
    """Wait outside this thread's turn (if it is in one and may give it up), then take it back."""
    turn = current()
    if turn is None or not turn.may_give_up():
        yield
        return
    _holding.turn = None
    turn._leave()
    try:
        yield
    finally:
        turn._take()
        _holding.turn = turn


def in_turn(turn: Turn | None) -> AbstractContextManager[None]:
    """`turn.taken()`, or nothing to take."""
    return turn.taken() if turn is not None else nullcontext()


@dataclass(frozen=True)
class Turns:
    """A serving process's two lanes (None where threads take no turns)."""

    answers: Turn | None = None
    after_answer: Turn | None = None


class TurnGivingWebClient(WebClient):
    """A WebClient whose calls wait on Slack outside the caller's turn."""

    def api_call(self, *args: Any, **kwargs: Any) -> Any:
        with given_up():
            return super().api_call(*args, **kwargs)


class TurnGivingWebhookClient(WebhookClient):
    """A WebhookClient (a `response_url`) whose posts wait on Slack outside the caller's turn."""

    def send_dict(self, body: dict[str, Any],
                  headers: dict[str, str] | None = None) -> WebhookResponse:
        with given_up():
            return super().send_dict(body, headers)


def outside_turn(call: Callable[..., Any]) -> Callable[..., Any]:
    """`call`, made to wait outside the caller's turn (Bolt's `respond`, which posts to Slack)."""

    def waiting(*args: Any, **kwargs: Any) -> Any:
        with given_up():
            return call(*args, **kwargs)

    return waiting


class TurnTakingExecutor(Executor):
    """Runs what is submitted on `inner`, each piece in `turn`."""

    def __init__(self, inner: Executor, turn: Turn) -> None:
        self.inner, self.turn = inner, turn

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.inner.submit(self._run, fn, *args, **kwargs)

    def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with self.turn.taken():
            return fn(*args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)
