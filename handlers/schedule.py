"""`/okr schedule [team <name> …]` (admins): show every team's schedule, or change one;
answered with schedule/reply. Bad input gets a clear message and changes nothing."""

from __future__ import annotations

from bot.domain.schedule_input import InputError, parse_schedule_command
from bot.services.schedules.admin import (
    MAX_LISTED,
    Refused,
    change_schedule,
    list_schedules,
)
from bot.services.team_names import TeamNotFound
from handlers.command import CommandContext


def schedule(ctx: CommandContext) -> None:
    """`/okr schedule` lists; `/okr schedule team <name> …` changes one team's schedule."""
    if not ctx.command.rest.strip():
        found = list_schedules(ctx.deps.db, ctx.deps.clock, ctx.person.id)
        if isinstance(found, Refused):
            ctx.reply("schedule/reply", outcome="refused")
            return
        ctx.reply("schedule/reply", outcome="list", lines=found.lines,
                  more=len(found.lines) >= MAX_LISTED, unscheduled=found.unscheduled)
        return
    try:
        change = parse_schedule_command(ctx.command.rest)
        saved = change_schedule(ctx.deps.db, ctx.deps.clock, ctx.person.id, change)
    except InputError as error:
        ctx.reply("schedule/reply", outcome="error", error_key=f"schedule.errors.{error.code}",
                  params=error.params)
        return
    if isinstance(saved, Refused):
        ctx.reply("schedule/reply", outcome="refused")
    elif isinstance(saved, TeamNotFound):
        ctx.reply("schedule/reply", outcome="unknown_team", missing=saved)
    else:
        ctx.reply("schedule/reply", outcome="saved", lines=[saved], more=False)
