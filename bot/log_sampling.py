"""A log filter that lets a repeated warning through once per interval, with a count.

Anyone on the internet can send a bad request as often as they like; each one is worth knowing
about, but not a line each. The filter keys records by logger and message template (not the
arguments, which vary per request): the first passes, repeats within `interval_s` are counted
and dropped, and the first after the interval passes with "(N similar suppressed)" appended.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class RepeatSampler(logging.Filter):
    """Pass one record per (logger, template) per `interval_s`; count the rest."""

    def __init__(self, interval_s: float = 60.0, *,
                 monotonic: Callable[[], float] = time.monotonic, max_keys: int = 256) -> None:
        super().__init__()
        self.interval_s = interval_s
        self._monotonic = monotonic
        self._max_keys = max_keys
        self._lock = threading.Lock()
        self._next: dict[tuple[str, str], float] = {}
        self._dropped: dict[tuple[str, str], int] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        key = (record.name, str(record.msg))
        now = self._monotonic()
        with self._lock:
            if now < self._next.get(key, float("-inf")):
                self._dropped[key] = self._dropped.get(key, 0) + 1
                return False
            if len(self._next) >= self._max_keys and key not in self._next:
                self._next.clear()  # templates are few; this only bounds a misuse
                self._dropped.clear()
            self._next[key] = now + self.interval_s
            dropped = self._dropped.pop(key, 0)
        if dropped:
            record.msg = f"{record.msg} ({dropped} similar suppressed)"
        return True

    def reset(self) -> None:
        """Forget what was seen: the next record of every kind passes."""
        with self._lock:
            self._next.clear()
            self._dropped.clear()


def sampled_logger(name: str, interval_s: float = 60.0) -> logging.Logger:
    """The logger `name` with a `RepeatSampler` on it (added once)."""
    logger = logging.getLogger(name)
    if not any(isinstance(f, RepeatSampler) for f in logger.filters):
        logger.addFilter(RepeatSampler(interval_s))
    return logger
