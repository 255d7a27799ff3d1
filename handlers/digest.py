"""`/okr digest [team]` (also `/okr 周报`): an ephemeral preview of a team's digest; and the
channel digest's "Read in my language" button: the same digest, ephemeral, in the reader's
language.

The caller's first team (one they lead, else one they belong to), or the team named. Naming
no known team is answered in the ack (digest/notice). Otherwise the ack is empty, because
building a big team's digest may take longer than Slack's 3 seconds; the preview follows after
the answer (bot/follow_ups.py) through the command's response_url: digest/digest, then the
thread replies the channel would get as digest/digest_continued.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from bot.deps import Deps
from bot.digest_render import render_digest
from bot.domain.row_ids import row_id
from bot.services import visibility
from bot.services.digest.builder import TeamNotFoundError, digest_of
from bot.services.digest.on_demand import NotInTeam, TeamRef, digest_now, resolve_team
from bot.services.people import PersonView
from bot.services.team_names import TeamNotFound
from bot.turns import TurnGivingWebhookClient
from handlers.command import CommandContext
from handlers.payloads import user_id
from handlers.people import ensure_person

logger = logging.getLogger(__name__)
MAX_MESSAGES = 5  # a response_url takes five messages


def on_read_mine(deps: Deps, body: dict[str, Any]) -> None:
    """"Read in my language" (after the ack) → the clicked digest (team and period from the
    button), rebuilt as of its period's end, through the response_url, only for the reader and
    in their stored Slack language."""
    window = _window(str((body.get("actions") or [{}])[0].get("value") or ""))
    response_url = body.get("response_url")
    person = ensure_person(deps, user_id(body))
    if window is None or not response_url or person is None:
        logger.warning("digest button without a readable value, response_url or person")
        return
    team_id, start, end = window
    try:
        with deps.db.read() as session:
            view = digest_of(session, team_id, period_start=start, period_end=end, now=end)
    except (TeamNotFoundError, ValueError):
        logger.warning("digest button for a team or period that no longer exists")
        return
    client = TurnGivingWebhookClient(str(response_url))
    for payload in render_digest(deps.renderer, view, person.locale, mine=True)[:MAX_MESSAGES]:
        client.send_dict(payload)


def _window(value: str) -> tuple[int, datetime, datetime] | None:
    parts = [row_id(p) for p in value.split(":")]  # ASCII digits only: "²" is no number
    if len(parts) != 3 or any(p is None for p in parts):
        return None
    team_id, start, end = (p or 0 for p in parts)
    return team_id, datetime.fromtimestamp(start, UTC), datetime.fromtimestamp(end, UTC)


def preview(ctx: CommandContext) -> None:
    """`/okr digest [team]` → digest/digest (+ digest/digest_continued) after the answer, or
    digest/notice."""
    found = resolve_team(ctx.deps.db, name=ctx.command.rest, person_id=ctx.person.id)
    if isinstance(found, NotInTeam):
        ctx.reply("digest/notice", notice="no_team")
        return
    if isinstance(found, TeamNotFound):
        ctx.reply("digest/notice", notice="unknown_team", missing=found)
        return
    ctx.ack()
    response_url = ctx.command.response_url
    if not response_url:
        logger.warning("/okr digest without a response_url: no preview sent")
        return
    deps, person = ctx.deps, ctx.person
    deps.follow_ups.submit(f"digest:{person.id}:{found.id}",
                           lambda: _send_preview(deps, person, found, response_url))


def _send_preview(deps: Deps, person: PersonView, team: TeamRef, response_url: str) -> None:
    digest = digest_now(deps.db, deps.clock, team)
    view = visibility.digest_for(digest.view, visibility.reader_of(deps.db, person))
    client = TurnGivingWebhookClient(response_url)
    for payload in render_digest(deps.renderer, view, person.locale, preview=True)[:MAX_MESSAGES]:
        client.send_dict(payload)
