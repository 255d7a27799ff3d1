"""The shell's Slack stand-in (bot/shell/slack_standin.py) made to misbehave, for tests and
benchmarks: it can be told to fail (429 with Retry-After, 5xx, a definite error, a hang past the
client's timeout, accepting a post and then dropping the connection), to enforce Slack's pace in
real time, to fail at random from a seeded RNG, and it can be waited on.
"""

from __future__ import annotations

import collections
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.shell.slack_standin import Call, Reply, Workspace
from bot.shell.slack_standin import SlackStandIn as ShellStandIn

__all__ = ["Call", "Fault", "PostLimits", "RandomFaults", "SlackStandIn", "Workspace"]


@dataclass
class Fault:
    """What to do instead of answering normally: `kind` is 429, 500, error, hang or drop
    (or ok: answer normally, so that a fault queued after it hits a later call)."""

    kind: str
    times: int = 1
    retry_after: int = 1
    error: str = "fatal_error"
    hang_seconds: float = 5.0


@dataclass
class PostLimits:
    """Slack's pace for chat.postMessage, enforced in real time with 429 + Retry-After."""

    per_channel_per_second: float | None = 1.0
    workspace_per_minute: int | None = None
    conversations_open_per_minute: int | None = None  # tier 3: 50+/min


@dataclass
class RandomFaults:
    """Random failures of `methods` drawn from a seeded RNG (load benchmarks): 429 with
    Retry-After, a 5xx that never reached the workspace, and a 5xx after the post was accepted
    (the duplicate maker)."""

    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_accepted_5xx: float = 0.0
    seed: int = 1
    retry_after: int = 1
    methods: tuple[str, ...] = ("chat.postMessage",)


class SlackStandIn(ShellStandIn):
    """The stand-in with faults, pacing, listeners and `wait_for`."""

    def __init__(self, *, bot_user_id: str = "UBOT") -> None:
        super().__init__(bot_user_id=bot_user_id)
        self._faults: dict[str, list[Fault]] = {}
        self.listeners: list[Callable[[Call], None]] = []
        self.post_limits: PostLimits | None = None
        self._last_post: dict[str, float] = {}
        self._recent_posts: collections.deque[float] = collections.deque()
        self._recent_opens: collections.deque[float] = collections.deque()
        self.random_faults: RandomFaults | None = None
        self._rng = random.Random(0)
        self.socket_url: str | None = None  # tests/fakes/socket_mode.py, for `okr-bot socket`

    # ---- inspection ---------------------------------------------------------------------
    def _apps_connections_open(self, _: dict[str, Any]) -> dict[str, Any]:
        """Socket Mode's WebSocket URL: `socket_url` when a test serves one."""
        if self.socket_url is None:
            return {"ok": False, "error": "unknown_method"}
        return {"ok": True, "url": self.socket_url}

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls of `method` arrived (work that runs after Bolt's ack)."""
        with self._lock:
            self._lock.wait_for(
                lambda: len([c for c in self.calls if c.method == method]) >= count, timeout
            )
            found = [c for c in self.calls if c.method == method]
        if len(found) < count:
            raise AssertionError(f"expected {count} {method} calls, got {len(found)}")
        return found

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.invalid.clear()
            self._faults.clear()

    def _record(self, call: Call) -> None:
        super()._record(call)
        for listener in list(self.listeners):
            listener(call)

    # ---- misbehaviour -------------------------------------------------------------------
    def fail(self, method: str, fault: Fault) -> None:
        """Make the next `fault.times` calls of `method` fail as `fault` says."""
        with self._lock:
            self._faults.setdefault(method, []).append(fault)

    def limit_posts(self, limits: PostLimits | None) -> None:
        """Answer chat.postMessage with 429 beyond `limits` (None: no limits, the default)."""
        with self._lock:
            self.post_limits = limits
            self._last_post.clear()
            self._recent_posts.clear()
            self._recent_opens.clear()

    def inject(self, faults: RandomFaults | None) -> None:
        """Fail calls at random as `faults` says (None: never, the default)."""
        with self._lock:
            self.random_faults = faults
            self._rng = random.Random(faults.seed if faults else 0)

    def answer(self, method: str, args: dict[str, Any]) -> Reply:
        """A queued fault, else a random one, else Slack's pace, else the normal answer."""
        fault = self._take_fault(method)
        if fault is not None and fault.kind != "ok":
            return self._fault(method, args, fault)
        rolled = self._roll(method)
        if rolled is not None:
            reply = self._random_fault(method, args, rolled)
            if reply is not None:
                return reply
        retry_after = self._throttle(method, args)
        if retry_after is not None:
            return self._fault(method, args, Fault("429", retry_after=retry_after))
        return super().answer(method, args)

    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method) or []
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def _fault(self, method: str, args: dict[str, Any], fault: Fault) -> Reply:
        if fault.kind == "429":
            self._record(Call(method, args, False, "ratelimited"))
            return Reply(429, {"ok": False, "error": "ratelimited"},
                         {"Retry-After": str(fault.retry_after)})
        if fault.kind == "500":
            self._record(Call(method, args, False, "http_500"))
            return Reply(500, None)
        if fault.kind == "error":
            self._record(Call(method, args, False, fault.error))
            return Reply(200, {"ok": False, "error": fault.error})
        if fault.kind == "hang":
            self._record(Call(method, args, False, "hang"))
            threading.Event().wait(fault.hang_seconds)
            return Reply(0, None, answer=False)
        if fault.kind == "drop":
            self.handle(method, args)  # accepted by "Slack" ...
            self._record(Call(method, args, True, "dropped"))
            return Reply(0, None, answer=False)  # ... but the answer never arrives
        raise ValueError(f"unknown fault kind {fault.kind!r}")

    def _roll(self, method: str) -> str | None:
        """The random fault this call gets: "429", "500", "accepted_500" or None."""
        faults = self.random_faults
        if faults is None or method not in faults.methods:
            return None
        with self._lock:
            draw = self._rng.random()
        for kind, rate in (("429", faults.rate_429), ("500", faults.rate_5xx),
                           ("accepted_500", faults.rate_accepted_5xx)):
            if draw < rate:
                return kind
            draw -= rate
        return None

    def _random_fault(self, method: str, args: dict[str, Any], kind: str) -> Reply | None:
        faults = self.random_faults
        if kind == "429" and faults is not None:  # recorded apart from the pace's
            self._record(Call(method, args, False, "injected_429"))
            return Reply(429, {"ok": False, "error": "ratelimited"},
                         {"Retry-After": str(faults.retry_after)})
        if kind == "500":
            return self._fault(method, args, Fault("500"))
        if self._throttle(method, args) is not None:
            return None  # refused by the pace anyway: answered as a plain 429
        _, body = self.handle(method, args)  # accepted by "Slack" ...
        self._record(Call(method, args, bool(body.get("ok")), "accepted_500"))
        return Reply(500, None)  # ... but the answer is a server error

    def _throttle(self, method: str, args: dict[str, Any]) -> int | None:
        """Seconds to wait when this post breaks the pace (and is refused), else None."""
        limits = self.post_limits
        if limits is not None and method == "conversations.open":
            return self._throttle_opens(limits.conversations_open_per_minute)
        if limits is None or method != "chat.postMessage":
            return None
        now, channel = time.monotonic(), str(args.get("channel"))
        with self._lock:
            while self._recent_posts and self._recent_posts[0] <= now - 60:
                self._recent_posts.popleft()
            waits = []
            if limits.per_channel_per_second and channel in self._last_post:
                gap = 1 / limits.per_channel_per_second
                waits.append(self._last_post[channel] + gap - now)
            if limits.workspace_per_minute and (
                len(self._recent_posts) >= limits.workspace_per_minute
            ):
                waits.append(self._recent_posts[0] + 60 - now)
            wait = max(waits, default=0.0)
            if wait > 0:
                return max(1, math.ceil(wait))
            self._last_post[channel] = now
            self._recent_posts.append(now)
        return None

    def _throttle_opens(self, per_minute: int | None) -> int | None:
        if not per_minute:
            return None
        now = time.monotonic()
        with self._lock:
            while self._recent_opens and self._recent_opens[0] <= now - 60:
                self._recent_opens.popleft()
            if len(self._recent_opens) >= per_minute:
                return max(1, math.ceil(self._recent_opens[0] + 60 - now))
            self._recent_opens.append(now)
        return None
