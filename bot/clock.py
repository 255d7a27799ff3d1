"""The clock is injected everywhere time matters, so tests and the shell can move it."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told to (tests, `okr-bot shell`)."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta) -> datetime:
        with self._lock:
            self._now += delta
            return self._now

    def set(self, when: datetime) -> None:
        with self._lock:
            self._now = when.astimezone(UTC)

    def advance_to(self, when: datetime) -> None:
        """Move forward to `when` (never back)."""
        with self._lock:
            self._now = max(self._now, when.astimezone(UTC))


def sleep_until(clock: Clock, when: datetime) -> None:
    """Wait until `clock` reads `when`: a FakeClock moves there (the wait passes in its time,
    at once), a real clock is slept on."""
    if isinstance(clock, FakeClock):
        clock.advance_to(when)
        return
    delay = (when - clock.now()).total_seconds()
    if delay > 0:
        time.sleep(delay)
