"""Closing the loop: `/okr review [CYCLE]` (复盘) and the prompt's button open review/modal,
saved page by page by bot.services.review.answers; `/okr carry` (延续) lists unfinished Objectives
(review/carry) whose buttons carry one forward; `/okr cycle new|close|list` (周期) for admins."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.deps import Deps
from bot.domain import local_dates
from bot.domain.review_rules import ReviewError
from bot.services.cycles import lifecycle as cycles
from bot.services.people import PersonView
from bot.services.review import answers as review
from bot.services.review import carry
from handlers.command import CommandContext
from handlers.people import ensure_person
from handlers.review_payloads import (
    error_block,
    metadata,
    parse_click,
    parse_cycle,
    parse_submission,
)

logger = logging.getLogger(__name__)


def on_open(deps: Deps, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    """The prompt's "Start the review" (value = cycle id) → review/modal."""
    click = parse_click(body)
    person = ensure_person(deps, click.user_id)
    if person is None or click.value is None:
        ack()
        return
    form = review.load_form(deps.db, person, today=_today(deps, person),
                            cycle_id=click.value)
    problem = _open(deps, person, click.trigger_id, form)
    ack()
    if problem is not None and click.response_url:
        cycle = form.cycle if isinstance(form, review.NoReview) else ""
        respond(_notice(deps, person, problem, cycle=cycle))


def on_submit(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """A page submitted → field errors, the next page, or review/done_modal."""
    slack_user_id, submission = parse_submission(body)
    person = ensure_person(deps, slack_user_id)
    if person is None or submission is None:
        ack()
        return
    result = review.submit(deps.db, deps.clock, person, submission)
    if isinstance(result, review.Rejected):
        ack(response_action="errors", errors=_errors(deps, person, result.errors))
    elif isinstance(result, review.NoReview):
        ack(response_action="update",
            view=_notice_modal(deps, person, result.reason, cycle=result.cycle))
    elif result.next_form is not None:
        ack(response_action="update", view=_modal(deps, person, result.next_form))
    elif isinstance(result, review.Saved):
        ack(response_action="update", view=deps.renderer.render(
            "review/done_modal", person.locale, cycle=result.cycle,
            objective=result.objective))
    else:
        ack()


def on_carry(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    """"Carry forward" (value = Objective id; after the ack) → a draft in the new cycle, once."""
    click = parse_click(body)
    person = ensure_person(deps, click.user_id)
    if person is None or click.value is None:
        return
    result = carry.carry(deps.db, deps.clock, person, click.value)
    if isinstance(result, carry.NoCarry):
        key, title, cycle = result.reason, "", ""
    else:
        key = "carried" if result.created else "carried_before"
        title, cycle = result.title, result.to_cycle
    if click.response_url:
        respond(_notice(deps, person, key, title=title, cycle=cycle))


def open_from_command(ctx: CommandContext) -> None:
    """`/okr review [CYCLE]` → views.open review/modal, or an ephemeral note."""
    deps = ctx.deps
    form = review.load_form(deps.db, ctx.person, today=_today(deps, ctx.person),
                            cycle_name=ctx.command.rest.strip()[:64])
    problem = _open(deps, ctx.person, ctx.command.trigger_id, form)
    if problem is None:
        ctx.ack()
    else:
        cycle = form.cycle if isinstance(form, review.NoReview) else ""
        ctx.reply("review/notice", key=problem, title="", cycle=cycle, as_modal=False)


def carry_from_command(ctx: CommandContext) -> None:
    """`/okr carry` → review/carry (ephemeral), or a note."""
    deps = ctx.deps
    found = carry.carry_list(deps.db, ctx.person, today=_today(deps, ctx.person),
                             review_days=deps.settings.cycle_review_days)
    if isinstance(found, carry.NoCarry):
        ctx.reply("review/notice", key=found.reason, title="", cycle=found.cycle, as_modal=False)
    else:
        ctx.reply("review/carry", view=found, reply=True)


def cycle_command(ctx: CommandContext) -> None:
    """`/okr cycle new NAME START END | close NAME | list` → review/cycle_reply."""
    deps = ctx.deps
    catalogue = deps.renderer.catalogue(ctx.locale)
    command = parse_cycle(ctx.command.rest)
    actor = ctx.person.slack_user_id
    lines: list[str]
    try:
        if command.action == "list":
            rows = cycles.list_cycles(deps.db)
            states = {s: catalogue.text(f"review.cycle.state_{s}")
                      for s in ("active", "closed", "planning")}
            lines = [catalogue.mrkdwn("review.cycle.list_item", name=r.name,
                                      start=r.start.isoformat(), end=r.end.isoformat(),
                                      state=states.get(r.state, r.state)) for r in rows[:40]]
            lines = lines or [catalogue.mrkdwn("review.cycle.none")]
        elif command.action == "close":
            closed = cycles.close_cycle(deps.db, deps.clock, actor=actor, name=command.name)
            lines = [catalogue.mrkdwn("review.cycle.closed", name=closed.name)]
        elif command.action == "new" and command.bad_date:
            lines = [catalogue.mrkdwn("review.cycle.bad_date", text=command.bad_date)]
        elif command.action == "new" and command.start and command.end:
            opened = cycles.new_cycle(deps.db, deps.clock, actor=actor, name=command.name,
                                      start=command.start, end=command.end)
            lines = [catalogue.mrkdwn("review.cycle.opened", name=opened.cycle.name,
                                      start=opened.cycle.start.isoformat(),
                                      end=opened.cycle.end.isoformat())]
            if opened.offered:
                lines.append(catalogue.mrkdwn("review.cycle.offered",
                                              names=", ".join(opened.offered),
                                              days=deps.settings.cycle_review_days))
        else:
            lines = [catalogue.mrkdwn("review.cycle.usage")]
    except cycles.CycleError as error:
        key = "already_closed" if error.code == "closed" else error.code
        lines = [catalogue.mrkdwn(f"review.cycle.{key}", **error.params)]
    ctx.reply("review/cycle_reply", lines=lines)


def _open(deps: Deps, person: PersonView, trigger_id: str,
          form: review.ReviewForm | review.NoReview) -> str | None:
    """Open the modal; the notice key when it cannot be opened."""
    if isinstance(form, review.NoReview):
        return form.reason
    try:
        deps.slack.views_open(trigger_id=trigger_id, view=_modal(deps, person, form))
    except SlackApiError as error:
        logger.warning("review modal not opened: %s", error.response.get("error"))
        return "trigger_expired"
    return None


def _modal(deps: Deps, person: PersonView, form: review.ReviewForm) -> dict[str, Any]:
    return deps.renderer.render("review/modal", person.locale, form=form, ids=ids.TEMPLATE_IDS,
                                metadata=metadata(form.cycle_id, form.page, form.objective.id))


def _errors(deps: Deps, person: PersonView,
            errors: Mapping[review.FieldRef, ReviewError]) -> dict[str, str]:
    """`response_action: errors` keyed by block id, in the person's language."""
    return {error_block(ref): deps.renderer.text(f"review.errors.{code.value}", person.locale)
            for ref, code in errors.items()}


def _notice(deps: Deps, person: PersonView, key: str, *, title: str = "",
            cycle: str = "") -> dict[str, Any]:
    return deps.renderer.render("review/notice", person.locale, key=key, title=title,
                                cycle=cycle, as_modal=False)


def _notice_modal(deps: Deps, person: PersonView, key: str, *,
                  cycle: str = "") -> dict[str, Any]:
    return deps.renderer.render("review/notice", person.locale, key=key, title="", cycle=cycle,
                                as_modal=True)


def _today(deps: Deps, person: PersonView) -> date:
    return local_dates.local(deps.clock.now(), person.tz).date()
