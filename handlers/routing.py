"""How the routing page (handlers/__init__.py) binds module-level listeners to Bolt.

A listener is a plain function of the feature's module whose first parameter is `deps`; the
rest are Bolt's arguments by name (`ack`, `body`, `respond`, `event`…). `Routes` gives each the
app's `Deps` (functools.partial, whose signature Bolt reads without `deps`), so tests can import
and call a listener with whatever `Deps` they build.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from slack_bolt import App

from bot.deps import Deps
from handlers.command import CommandContext, CommandTable

Listener = Callable[..., None]
Matcher = str | re.Pattern[str]


@dataclass(frozen=True)
class Route:
    kind: str  # "action", "view" or "event"
    matcher: Matcher
    listener: Listener

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

    def action(self, matcher: Matcher, listener: Listener) -> None:
        self.app.action(matcher)(self._bind("action", matcher, listener))

    def view(self, callback_id: Matcher, listener: Listener) -> None:
        self.app.view(callback_id)(self._bind("view", callback_id, listener))

    def event(self, name: str, listener: Listener) -> None:
        self.app.event(name)(self._bind("event", name, listener))

    def _bind(self, kind: str, matcher: Matcher, listener: Listener) -> Any:
        self.routes.append(Route(kind, matcher, listener))
        bound = partial(listener, self.deps)
        bound.__name__ = listener.__name__  # type: ignore[attr-defined]  # Bolt logs it
        return bound
