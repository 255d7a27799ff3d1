"""`/okr away` (skip the next check-in), `/okr pause DATE` (也 `/okr 请假` / `/okr 暂停`),
`/okr resume`: absences, answered with availability/reply in the person's language; `/okr hours`
(`/okr 工作时间`): the person's own working hours, availability/hours."""

from __future__ import annotations

from bot.domain.local_dates import format_date
from bot.domain.schedule_input import InputError, parse_date, parse_own_hours
from bot.services.schedules.availability import AwayView, pause_until, resume, skip_next
from bot.services.schedules.hours import hours_of, set_hours
from handlers.command import CommandContext


def away(ctx: CommandContext) -> None:
    """`/okr away` → availability/reply (away until the next check-in, inclusive)."""
    saved = skip_next(ctx.deps.db, ctx.deps.clock, ctx.person.id)
    _reply_saved(ctx, saved, "away")


def pause(ctx: CommandContext) -> None:
    """`/okr pause YYYY-MM-DD` → availability/reply; a bad date changes nothing."""
    words = ctx.command.rest.split()
    if len(words) != 1:
        ctx.reply("availability/reply", outcome="usage")
        return
    try:
        saved = pause_until(ctx.deps.db, ctx.deps.clock, ctx.person.id, parse_date(words[0]))
    except InputError as error:
        ctx.reply("availability/reply", outcome="error",
                  error_key=f"availability.errors.{error.code}", text=error.params["text"])
        return
    _reply_saved(ctx, saved, "pause")


def come_back(ctx: CommandContext) -> None:
    """`/okr resume` → availability/reply."""
    done = resume(ctx.deps.db, ctx.deps.clock, ctx.person.id)
    ctx.reply("availability/reply", outcome="resume" if done.ended else "resume_nothing")


def _reply_saved(ctx: CommandContext, saved: AwayView, outcome: str) -> None:
    end = format_date(saved.end, ctx.locale, today=saved.today)
    ctx.reply("availability/reply", outcome="away_already" if saved.already else outcome,
              end=end)


def hours(ctx: CommandContext) -> None:
    """`/okr hours [10:00-19:00 | reset]` → availability/hours: the hours in which messages may
    reach the person, set or shown; bad input changes nothing."""
    deps, text = ctx.deps, ctx.command.rest.strip()
    if not text:
        ctx.reply("availability/hours", outcome="shown", hours=hours_of(deps.db, deps.clock,
                                                                         ctx.person.id))
        return
    try:
        wanted = parse_own_hours(text)
    except InputError as error:
        ctx.reply("availability/hours", outcome="error",
                  error_key=f"availability.errors.{error.code}", text=error.params["text"])
        return
    saved = set_hours(deps.db, deps.clock, ctx.person.id, wanted)
    ctx.reply("availability/hours", outcome="saved" if wanted else "reset", hours=saved)
