"""`/okr`: one Slack command, many verbs. Features add their verbs to the table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.deps import Deps
from bot.services.people import PersonView
from handlers.payloads import SlashCommand, parse_command
from handlers.people import ensure_person


class UnknownAsker(Exception):
    """Slack does not know the person who typed the command (`users.info` refused them)."""


@dataclass
class CommandContext:
    """One `/okr` command. `person`, who typed it, is met on first use (`ensure_person`):
    a verb that reads in a session of its own may find them there and say so (`seen_as`),
    so that the request reads in one session."""

    command: SlashCommand
    ack: Ack
    deps: Deps
    verbs: tuple[str, ...] = ()  # every /okr verb, in every language (for "did you mean")
    _person: PersonView | None = field(default=None, repr=False)

    @property
    def person(self) -> PersonView:
        if self._person is None:
            self._person = ensure_person(self.deps, self.command.user_id)
            if self._person is None:
                raise UnknownAsker(self.command.user_id)
        return self._person

    def seen_as(self, person: PersonView) -> None:
        """Who typed the command, as a verb's own session found them."""
        self._person = person

    @property
    def locale(self) -> str:
        return self.person.locale

    def reply(self, template: str, **context: Any) -> None:
        """Answer with an ephemeral message rendered from `template`, in the HTTP ack."""
        self.ack(self.deps.renderer.render(template, self.locale, ids=ids.TEMPLATE_IDS,
                                           **context))


Verb = Callable[[CommandContext], None]


@dataclass
class CommandTable:
    """Verbs (in every language they are typed in) to functions; `fallback` takes the rest."""

    verbs: dict[str, Verb] = field(default_factory=dict)
    fallback: Verb | None = None

    def add(self, names: tuple[str, ...], verb: Verb) -> None:
        for name in names:
            if name in self.verbs:
                raise ValueError(f"/okr {name} registered twice")
            self.verbs[name] = verb

    def register(self, app: App, deps: Deps) -> None:
        @app.command(ids.COMMAND)
        def on_okr(ack: Ack, body: dict[str, Any]) -> None:
            """`/okr …` → the verb's function; it acks with its reply."""
            command = parse_command(body)
            verb = self.verbs.get(command.verb, self.fallback)
            if verb is None:
                raise LookupError("no fallback for /okr")
            try:
                verb(CommandContext(command, ack, deps, tuple(self.verbs)))
            except UnknownAsker:
                ack(deps.renderer.render("lookup/help", deps.settings.default_locale,
                                         unknown_word=""))
