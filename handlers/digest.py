"""`/okr digest [team]` (also `/okr 周报`): an ephemeral preview of a team's digest.

The caller's first team (one they lead, else one they belong to), or the team named. Naming
no known team is answered in the ack (digest/notice). Otherwise the ack is empty, because
building a big team's digest may take longer than Slack's 3 seconds; the preview follows
through the command's response_url: digest/digest, then the thread replies the channel would
get as digest/digest_continued.
"""

from __future__ import annotations

import logging

from slack_bolt import App
from slack_sdk.webhook import WebhookClient

from bot.deps import Deps
from bot.digest_render import render_digest
from bot.services.digest.on_demand import NotInTeam, UnknownTeam, digest_now, resolve_team
from handlers.command import CommandContext, CommandTable

logger = logging.getLogger(__name__)
MAX_MESSAGES = 5  # a response_url takes five messages


def register(app: App, deps: Deps, commands: CommandTable) -> None:
    commands.add(("digest", "周报"), preview)


def preview(ctx: CommandContext) -> None:
    """`/okr digest [team]` → digest/digest (+ digest/digest_continued), or digest/notice."""
    found = resolve_team(ctx.deps.db, name=ctx.command.rest, person_id=ctx.person.id)
    if isinstance(found, NotInTeam):
        ctx.reply("digest/notice", notice="no_team", query="", known=())
        return
    if isinstance(found, UnknownTeam):
        ctx.reply("digest/notice", notice="unknown_team", query=found.query, known=found.known)
        return
    ctx.ack()
    if not ctx.command.response_url:
        logger.warning("/okr digest without a response_url: no preview sent")
        return
    digest = digest_now(ctx.deps.db, ctx.deps.clock, found)
    client = WebhookClient(ctx.command.response_url)
    for payload in render_digest(ctx.deps.renderer, digest.view, ctx.locale,
                                 preview=True)[:MAX_MESSAGES]:
        client.send_dict(payload)
