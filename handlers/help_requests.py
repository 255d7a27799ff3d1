"""Help requests: the named helper's "I can help" / "Not now" (value = the check-in id) and
`/okr help-wanted` (求助): the open requests of my teams and those naming me."""

from __future__ import annotations

from typing import Any

from slack_bolt import Respond

from bot import ids
from bot.deps import Deps
from bot.services.checkin import help_requests
from handlers.command import CommandContext
from handlers.people import ensure_person
from handlers.review_payloads import parse_click

ANSWERS = {ids.HELP_CAN_HELP: "can_help", ids.HELP_NOT_NOW: "not_now"}


def on_answer(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    """The helper's answer (after the ack) → stored, the asker told; the DM says what was
    answered."""
    click = parse_click(body)
    action = str(((body.get("actions") or [{}])[0]).get("action_id", ""))
    person = ensure_person(deps, click.user_id)
    if person is None or click.value is None:
        return
    result = help_requests.answer(deps.db, deps.clock, person, click.value,
                                  ANSWERS.get(action, ""))
    context: dict[str, Any] = {"not_yours": True}
    if isinstance(result, help_requests.Answered):
        context = {"not_yours": False, "answer": result.answer,
                   "asker_name": result.asker_name, "kr_title": result.kr_title}
    message = deps.renderer.render("checkin/help_answered", person.locale, **context)
    if click.response_url:
        respond(replace_original=not context["not_yours"], **message)


def show_wanted(ctx: CommandContext) -> None:
    """`/okr help-wanted` → checkin/help_wanted (ephemeral)."""
    wanted = help_requests.help_wanted(ctx.deps.db, ctx.deps.clock, ctx.person)
    ctx.reply("checkin/help_wanted", wanted=wanted)
