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


@dataclass(frozen=True)
class CommandContext:
    command: SlashCommand
    person: PersonView
    ack: Ack
    deps: Deps
    verbs: tuple[str, ...] = ()  # every /okr verb, in every language (for "did you mean")

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
            person = ensure_person(deps, command.user_id)
            if person is None:
                ack(deps.renderer.render("lookup/help", deps.settings.default_locale,
                                         unknown_word=""))
                return
            verb = self.verbs.get(command.verb, self.fallback)
            if verb is None:
                raise LookupError("no fallback for /okr")
            verb(CommandContext(command, person, ack, deps, tuple(self.verbs)))
