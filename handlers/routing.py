"""How the routing page (handlers/__init__.py) binds module-level listeners to Bolt.

A listener is a plain function of the feature's module whose first parameter is `deps`; the
rest are Bolt's arguments by name (`ack`, `body`, `respond`, `event`…). `Routes` gives each the
app's `Deps` (functools.partial, whose signature Bolt reads without `deps`), so tests can import
and call a listener with whatever `Deps` they build.

The app answers Slack when its listener returns (`process_before_response`, bot/app.py), so a
listener whose work may outlast the answer is routed `after_ack`: Bolt acks at once and runs it
as a lazy listener on its listener pool; such a listener takes no `ack`. The event is always
routed so (Slack waits for no reply to it, only for the 200).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from inspect import signature
from typing import Any

from slack_bolt import Ack, App

from bot.deps import Deps
from bot.turns import outside_turn
from handlers.command import CommandContext, CommandTable

logger = logging.getLogger(__name__)

Listener = Callable[..., None]
Matcher = str | re.Pattern[str]


@dataclass(frozen=True)
class Route:
    kind: str  # "action", "view" or "event"
    matcher: Matcher
    listener: Listener
    after_ack: bool = False  # acked at once, run after the answer

    def matches(self, value: str) -> bool:
        if isinstance(self.matcher, re.Pattern):
            return self.matcher.fullmatch(value) is not None
        return self.matcher == value


def per_card(action_id: str) -> re.Pattern[str]:
    """`okr.edit` or `okr.edit.<id>`: per-card action ids stay unique within a message."""
    return re.compile(rf"^{re.escape(action_id)}(\.\d+)?$")


class Routes:
    """Registers listeners on `app` with `deps`, and the `/okr` verbs in one CommandTable."""

    def __init__(self, app: App, deps: Deps) -> None:
        self.app, self.deps = app, deps
        self.commands = CommandTable()
        self.routes: list[Route] = []
        self.verbs: list[tuple[str, ...]] = []
        # Bolt tries listeners in the order they were registered, building each one's
        # arguments to match it: `/okr`, the most frequent request, comes first. Its verbs are
        # looked up when a command arrives, so they may be added after.
        self.commands.register(app, deps)

    def verb(self, names: tuple[str, ...], handle: Callable[[CommandContext], None]) -> None:
        self.commands.add(names, handle)
        self.verbs.append(names)

    def fallback(self, handle: Callable[[CommandContext], None]) -> None:
        self.commands.fallback = handle

    def action(self, matcher: Matcher, listener: Listener, *, after_ack: bool = False) -> None:
        self._register(self.app.action(matcher), Route("action", matcher, listener, after_ack))

    def view(self, callback_id: Matcher, listener: Listener) -> None:
        self._register(self.app.view(callback_id), Route("view", callback_id, listener))

    def event(self, name: str, listener: Listener) -> None:
        self._register(self.app.event(name), Route("event", name, listener, after_ack=True))

    def _register(self, decorator: Callable[..., Any], route: Route) -> None:
        self.routes.append(route)
        with_deps = partial(route.listener, self.deps)
        with_deps.__name__ = route.listener.__name__  # type: ignore[attr-defined]  # Bolt logs it
        bound: Listener = with_deps
        if "respond" in signature(with_deps).parameters:
            bound = responding_outside_turn(with_deps)
        if route.after_ack:
            decorator(ack=ack_at_once, lazy=[logging_failures(bound)])
        else:
            decorator(bound)


def ack_at_once(ack: Ack) -> None:
    """The answer of a listener routed `after_ack`: an empty 200 now."""
    ack()


def responding_outside_turn(listener: Listener) -> Listener:
    """`listener` given a `respond` that waits on Slack outside the thread's turn (bot/turns.py);
    Bolt still reads the listener's parameters through `__wrapped__`."""

    @wraps(listener)
    def responding(**kwargs: Any) -> None:
        listener(**{**kwargs, "respond": outside_turn(kwargs["respond"])})

    return responding


def logging_failures(listener: Listener) -> Listener:
    """`listener` with its failure logged in full (Bolt logs a lazy listener's in one line);
    Bolt still reads the listener's parameters through `__wrapped__`."""

    @wraps(listener)
    def after_ack(**kwargs: Any) -> None:
        try:
            listener(**kwargs)
        except Exception:
            logger.exception("listener %s failed after its ack", listener.__name__)

    return after_ack
