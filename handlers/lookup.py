"""`/okr`, `/okr @someone`, `/okr team <name>`, `/okr #channel`, `/okr tree`, `/okr help`."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from handlers.command import CommandContext, CommandTable


def register(app: App, deps: Deps, commands: CommandTable) -> None:
    commands.add(("help", "帮助", "?"), show_help)
    commands.fallback = lookup


def show_help(ctx: CommandContext) -> None:
    """`/okr help` → lookup/help."""
    ctx.reply("lookup/help", unknown_word="")


def lookup(ctx: CommandContext) -> None:
    """Anything else: for now, help naming the unknown word."""
    ctx.reply("lookup/help", unknown_word=ctx.command.verb)
