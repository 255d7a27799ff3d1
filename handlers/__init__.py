"""The routing table: every Slack listener of okr-bot is registered here, nothing else."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import lookup
from handlers.command import CommandTable


def register_all(app: App, deps: Deps) -> None:
    commands = CommandTable()
    lookup.register(app, deps, commands)
    commands.register(app, deps)
