"""Slowing down a client that keeps failing to authenticate (429 with Retry-After).

In memory and per process: each `serve` process counts on its own, so N processes allow N times
`limit` failures per window — still far from a useful guessing rate against 256-bit tokens; the
point is to stop a flood from costing a database look-up and a log line per try. Clients are
told apart by the connecting address (REMOTE_ADDR); behind a reverse proxy that is the proxy,
so a proxy should do its own limiting per client.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Window:
    started: float
    failures: int


class FailureThrottle:
    """At most `limit` failed authentications per client per `window_s` seconds."""

    def __init__(self, limit: int = 10, window_s: float = 60.0, *, max_clients: int = 10_000,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.limit = limit
        self.window_s = window_s
        self.max_clients = max_clients
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._windows: OrderedDict[str, _Window] = OrderedDict()

    def retry_after(self, client: str) -> int | None:
        """Whole seconds until `client` may try again, or None when it may now."""
        now = self._monotonic()
        with self._lock:
            window = self._windows.get(client)
            if window is None or window.failures < self.limit:
                return None
            left = window.started + self.window_s - now
            if left <= 0:
                del self._windows[client]
                return None
            return max(1, math.ceil(left))

    def failed(self, client: str) -> None:
        """Count one failed authentication of `client`."""
        now = self._monotonic()
        with self._lock:
            window = self._windows.get(client)
            if window is None or now - window.started >= self.window_s:
                window = _Window(now, 0)
            window.failures += 1
            self._windows[client] = window
            self._windows.move_to_end(client)
            while len(self._windows) > self.max_clients:  # memory stays bounded under a spray
                self._windows.popitem(last=False)
