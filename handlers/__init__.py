"""The routing table: every Slack listener of okr-bot is registered here, nothing else."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers import (
    availability,
    checkin,
    digest,
    help_requests,
    home,
    lookup,
    okr_edit,
    review,
    schedule,
)
from handlers.command import CommandTable


def register_all(app: App, deps: Deps) -> None:
    commands = CommandTable()
    lookup.register(app, deps, commands)
    home.register(app, deps, commands)
    okr_edit.register(app, deps, commands)
    checkin.register(app, deps, commands)
    help_requests.register(app, deps, commands)
    digest.register(app, deps, commands)
    availability.register(app, deps, commands)
    schedule.register(app, deps, commands)
    review.register(app, deps, commands)
    commands.register(app, deps)
