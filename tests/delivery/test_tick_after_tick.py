"""The sender's loop: a tick that overran its interval is followed at once, a short one waits
for the rest of the interval (bot/scheduler.py)."""

from __future__ import annotations

import threading
from datetime import timedelta

from bot.scheduler import tick_after_tick


class _Stopwatch(threading.Event):
    """A monotonic clock that only moves when a tick takes time or the loop waits; the waits
    it was asked for are kept, and it stops the loop after the last planned tick."""

    def __init__(self, durations: list[float]) -> None:
        super().__init__()
        self.now = 0.0
        self.durations = durations
        self.waits: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def tick(self) -> None:
        self.now += self.durations.pop(0)
        if not self.durations:
            self.set()

    def wait(self, timeout: float | None = None) -> bool:
        assert timeout is not None
        self.waits.append(timeout)
        self.now += timeout
        return self.is_set()


def test_a_long_tick_is_followed_at_once_and_a_short_one_waits_out_the_interval() -> None:
    watch = _Stopwatch([0.5, 3.0, 2.0, 1.5])
    tick_after_tick(watch.tick, watch, interval=timedelta(seconds=2), monotonic=watch.monotonic)
    assert watch.waits == [1.5, 0.0, 0.0, 0.5]
    assert watch.now == 9.0  # 7 s of ticks, 2 s of waits: none after the ones that overran


def test_a_stop_during_a_tick_ends_the_loop_after_it() -> None:
    watch = _Stopwatch([0.1])
    tick_after_tick(watch.tick, watch, interval=timedelta(seconds=2), monotonic=watch.monotonic)
    assert watch.waits == [1.9]
