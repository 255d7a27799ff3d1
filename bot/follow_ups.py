"""Work Slack does not wait for, done after the answer: the refreshed App Home after a check-in
or an edit, the prompt turned into the check-in's summary, the `/okr digest` preview.

One thread of its own, in order, so that under load the answers Slack waits 3 s for get the
processor first and a burst of check-ins cannot fill Bolt's listener pool with refreshes (at
10 concurrent check-ins they did: answers queued behind them past the 3 s; bench/README.md).
Work already waiting under the same key is not queued twice (the App Home refreshed once
reads everything saved before it ran). The check-in is stored before any of this is queued,
so what is lost if the process dies is only how it looks: the App Home is rebuilt from the
database each time it is opened, and a prompt not turned into its summary keeps its "Check in"
button, which opens the form with the answers saved. A preview lost is asked for again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any

from bot.turns import Turn, in_turn

logger = logging.getLogger(__name__)


class RunNow(Executor):
    """Runs each piece of work at once in the caller's thread (the local shell: everything a
    request causes has happened when its reply is printed)."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as error:  # handed back in the future, as any executor does
            future.set_exception(error)
        return future


class FollowUps:
    """A queue of keyed work run after the answer on one thread of its own (`inline`: at once,
    in the caller's thread), each piece in `turn` (bot/turns.py) when given."""

    def __init__(self, *, inline: bool = False, turn: Turn | None = None) -> None:
        self._executor: Executor = (RunNow() if inline
                                    else ThreadPoolExecutor(1, thread_name_prefix="follow-up"))
        self._waiting: set[str] = set()
        self._lock = threading.Lock()
        self.turn = turn

    def submit(self, key: str, work: Callable[[], object]) -> None:
        """Run `work` later unless work under `key` is waiting to start; a failure is logged."""
        with self._lock:
            if key in self._waiting:
                return
            self._waiting.add(key)
        self._executor.submit(self._run, key, work)

    def flush(self) -> None:
        """Return once everything submitted before has run (tests, shutdown)."""
        self._executor.submit(lambda: None).result()

    def close(self) -> None:
        self._executor.shutdown(wait=True)

    def _run(self, key: str, work: Callable[[], object]) -> None:
        with self._lock:
            self._waiting.discard(key)
        try:
            with in_turn(self.turn):
                work()
        except Exception:
            logger.exception("follow-up %s failed", key)
