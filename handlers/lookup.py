"""`/okr`, `/okr @someone`, `/okr team <name>`, `/okr #channel`, `/okr tree`, `/okr help`.

Every answer is an ephemeral message in the ack: lookup/okrs, lookup/tree, lookup/notice
(nothing to show, and why) or lookup/help.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.domain.text import closest
from bot.services.lookup import lists as service
from bot.services.lookup.lists import ChannelNotLinked, NoCycle, OkrList
from bot.services.people import Answer, Found, NotMet
from bot.services.team_names import TeamNotFound
from handlers.command import CommandContext, UnknownAsker
from handlers.lookup_payloads import parse_lookup, parse_target
from handlers.people import as_met, ensure_person


def show_help(ctx: CommandContext) -> None:
    """`/okr help` → lookup/help."""
    ctx.reply("lookup/help", unknown_word="")


def show_mine(ctx: CommandContext) -> None:
    """`/okr` or `/okr me` → lookup/okrs (or lookup/notice)."""
    _answer(ctx, _asked(ctx, lambda asker: service.own_okrs(ctx.deps.db, ctx.deps.clock, asker)))


def show_team(ctx: CommandContext) -> None:
    """`/okr team <name>` (or `/okr team #channel`) → lookup/okrs (or lookup/notice)."""
    target = parse_target(ctx.command.rest.split(" ")[0]) if ctx.command.rest else None
    if target is not None and target.kind == "channel":
        _show_channel(ctx, target.slack_id, target.label)
        return
    _answer(ctx, _asked(ctx, lambda asker: service.team_okrs(
        ctx.deps.db, ctx.deps.clock, asker, ctx.command.rest)))


def show_tree(ctx: CommandContext) -> None:
    """`/okr tree` → lookup/tree (or lookup/notice)."""
    tree = service.okr_tree(ctx.deps.db, ctx.deps.clock, ctx.person)
    if isinstance(tree, NoCycle):
        ctx.reply("lookup/notice", notice="no_cycle")
        return
    ctx.reply("lookup/tree", tree=tree)


def lookup(ctx: CommandContext) -> None:
    """`/okr`, `/okr <@U…>`, `/okr <#C…>`; anything else gets help naming the word."""
    query = parse_lookup(ctx.command)
    if query.kind == "me":
        show_mine(ctx)
    elif query.kind == "person":
        _show_person(ctx, query.slack_id, query.label)
    elif query.kind == "channel":
        _show_channel(ctx, query.slack_id, query.label)
    elif close := closest_verb(ctx.command.verb, ctx.verbs):
        ctx.reply("lookup/notice", notice="did_you_mean", word=ctx.command.verb, verb=close)
    else:
        ctx.reply("lookup/help", unknown_word=ctx.command.raw_text)


def closest_verb(word: str, verbs: Sequence[str]) -> str | None:
    """The verb `word` was probably meant to be (`teem` → `team`), if one is that close."""
    return closest(word, [v for v in verbs if len(v) > 2]) if len(word) > 2 else None


def _asked(ctx: CommandContext, look: Callable[[str], Answer[Found] | NotMet]) -> Found:
    """What `look` finds for the person who typed the command, found in its session; someone
    okr-bot has not met is met first (`users.info`), then it looks again."""
    answer = as_met(ctx.deps, ctx.command.user_id, look)
    if answer is None:  # the help, in the default language
        raise UnknownAsker(ctx.command.user_id)
    ctx.seen_as(answer.viewer)
    return answer.found


def _show_person(ctx: CommandContext, slack_id: str, label: str) -> None:
    """`/okr @someone`: their OKRs; someone okr-bot has not met is met first (`users.info`)."""
    deps = ctx.deps
    found = _asked(ctx, lambda asker: service.okrs_of_slack_user(
        deps.db, deps.clock, asker, slack_id))
    if isinstance(found, NotMet):
        person = ensure_person(deps, slack_id)
        if person is None:
            ctx.reply("lookup/notice", notice="unknown_person", label=label)
            return
        found = service.person_okrs(deps.db, deps.clock, ctx.person, person)
    _answer(ctx, found)


def _show_channel(ctx: CommandContext, channel_id: str, label: str) -> None:
    found = _asked(ctx, lambda asker: service.channel_okrs(
        ctx.deps.db, ctx.deps.clock, asker, channel_id))
    if isinstance(found, ChannelNotLinked):
        ctx.reply("lookup/notice", notice="channel_not_linked", label=label,
                  channel_id=channel_id)
        return
    _answer(ctx, found)


def _answer(ctx: CommandContext, found: OkrList | NoCycle | TeamNotFound) -> None:
    if isinstance(found, NoCycle):
        ctx.reply("lookup/notice", notice="no_cycle")
    elif isinstance(found, TeamNotFound):
        ctx.reply("lookup/notice", notice="unknown_team", missing=found)
    else:
        ctx.reply("lookup/okrs", view=found)
