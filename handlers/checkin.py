"""The check-in conversation: `/okr checkin` (打卡, 更新) and the "Check in" button of a prompt or
the App Home open checkin/modal; its submission is saved by bot.services.checkin.save, the
prompt becomes checkin/summary and the App Home is refreshed."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.deps import Deps
from bot.domain import local_dates
from bot.domain.checkin_input import FieldError
from bot.domain.local_dates import format_date
from bot.services.checkin import form as checkin
from bot.services.checkin import save as checkin_save
from bot.services.checkin.later import remind_later
from bot.services.people import Answer, PersonView
from bot.services.schedules.availability import skip_week
from handlers.checkin_payloads import (
    error_block,
    metadata,
    opened_from_home,
    parse_open,
    parse_submission,
)
from handlers.command import CommandContext
from handlers.home import refresh_home
from handlers.people import as_met, ensure_person

logger = logging.getLogger(__name__)

EXPIRED_TRIGGER = ("expired_trigger_id", "trigger_expired")
NO_CHANGE_ACTION = re.compile(rf"^{re.escape(ids.CHECKIN_NO_CHANGE)}\.\d+$")


def on_open(deps: Deps, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    """The "Check in" button (prompt: value = delivery id; App Home) → checkin/modal."""
    request = parse_open(body)
    person = ensure_person(deps, request.user_id)
    if person is None:
        ack()
        return
    form = checkin.load_form(deps.db, deps.clock, person, delivery_id=request.delivery_id)
    opened = open_modal(deps, person, request.trigger_id, form, from_home=request.from_home)
    ack()
    if not opened and request.response_url:
        respond(_expired(deps, person))


def on_later(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    """A prompt's "Remind me in 2 hours" (after the ack) → one more reminder then (within the
    person's working hours), and a note under the prompt saying when."""
    request = parse_open(body)
    person = ensure_person(deps, request.user_id)
    if person is None or request.delivery_id is None:
        return
    due = remind_later(deps.db, deps.clock, person, request.delivery_id)
    if due is None:
        _answer(deps, person, respond, outcome="later_refused")
        return
    when = local_dates.format_day_time(local_dates.local(due, person.tz), person.locale,
                                       today=local_dates.local(deps.clock.now(), person.tz).date())
    _answer(deps, person, respond, outcome="later_set", when=when)


def on_skip_week(deps: Deps, body: dict[str, Any], respond: Respond) -> None:
    """A prompt's "Skip this week" (after the ack) → away to the end of the week (no reminder,
    listed as away in the digest), and a note under the prompt."""
    request = parse_open(body)
    person = ensure_person(deps, request.user_id)
    if person is None:
        return
    saved = skip_week(deps.db, deps.clock, person.id)
    _answer(deps, person, respond, outcome="skipped_week",
            end=format_date(saved.end, person.locale, today=saved.today))


def _answer(deps: Deps, person: PersonView, respond: Respond, **context: Any) -> None:
    respond(deps.renderer.render("checkin/prompt_choice", person.locale, **context))


def on_no_change(deps: Deps, ack: Ack) -> None:
    """Ticking "no change" inside the modal: nothing to do until the form is submitted."""
    ack()


def on_submit(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """Submission → field errors, or save and close (or the next page); after the answer
    (bot/follow_ups.py) the prompt becomes checkin/summary and, when the form was opened from
    the App Home (still on screen under it), the Home is refreshed. A Home not on screen is
    not: Slack sends `app_home_opened` each time it is opened, and it is published then."""
    slack_user_id, submission = parse_submission(body)
    from_home = opened_from_home(body)
    answer = _submitted(deps, slack_user_id, submission)
    if answer is None:
        ack()
        return
    person, result = answer.viewer, answer.found
    if isinstance(result, checkin_save.Rejected):
        errors = error_texts(deps, person, result.errors)
        if errors:
            ack(response_action="errors", errors=errors)
        else:  # a form without KRs (never rendered with a submit button): nothing to do
            ack()
        return
    if result.next_form is not None:
        ack(response_action="update",
            view=render_form(deps, person, result.next_form, from_home=from_home))
    else:
        ack(response_action="clear")
    if isinstance(result, checkin_save.Saved):
        saved = result
        if saved.prompt is not None:
            deps.follow_ups.submit(f"prompt:{submission.view_key}",
                                   lambda: update_prompt(deps, person, saved))
        if from_home:  # any other Home is published afresh when it is opened
            refresh_home(deps, person.slack_user_id)


def open_from_command(ctx: CommandContext) -> None:
    """`/okr checkin` → checkin/modal (opened before the ack: the trigger lives 3 s)."""
    deps = ctx.deps
    form = checkin.load_form(deps.db, deps.clock, ctx.person, delivery_id=None)
    if open_modal(deps, ctx.person, ctx.command.trigger_id, form):
        ctx.ack()
    else:
        ctx.ack(_expired(deps, ctx.person))


def render_form(deps: Deps, person: PersonView, form: checkin.CheckinForm, *,
                from_home: bool) -> dict[str, Any]:
    return deps.renderer.render("checkin/modal", person.locale, form=form, ids=ids.TEMPLATE_IDS,
                                metadata=metadata(form.delivery_id, form.page, from_home))


def open_modal(deps: Deps, person: PersonView, trigger_id: str,
               form: checkin.CheckinForm, *, from_home: bool = False) -> bool:
    """views.open; False when the trigger expired (Slack took or we took too long)."""
    try:
        deps.slack.views_open(trigger_id=trigger_id,
                              view=render_form(deps, person, form, from_home=from_home))
    except SlackApiError as error:
        if error.response.get("error") not in EXPIRED_TRIGGER:
            raise
        logger.warning("check-in modal not opened: %s", error.response.get("error"))
        return False
    return True


def _submitted(deps: Deps, slack_user_id: str, submission: checkin_save.Submission
               ) -> Answer[checkin_save.Outcome] | None:
    """`submission` stored (or refused) as the person with `slack_user_id`, found in its
    transaction (`as_met`); None: Slack does not know them."""
    helpers = meet_helpers(deps, slack_user_id, submission)
    return as_met(deps, slack_user_id, lambda asker: checkin_save.submit(
        deps.db, deps.clock, asker, submission, helpers))


def meet_helpers(deps: Deps, asker: str, submission: checkin_save.Submission) -> dict[str, int]:
    """The people chosen as "who could help" by the person with Slack id `asker`, met through
    users.info if new: Slack id → id."""
    chosen = {submission.notes.help_from} - {"", asker}
    met = {slack_id: ensure_person(deps, slack_id) for slack_id in sorted(chosen)}
    return {slack_id: helper.id for slack_id, helper in met.items() if helper is not None}


def error_texts(deps: Deps, person: PersonView,
                errors: Mapping[checkin_save.FieldRef, FieldError]) -> dict[str, str]:
    """`response_action: errors` keyed by block id, in the person's language."""
    return {error_block(ref): deps.renderer.text(f"checkin.errors.{e.code.value}", person.locale,
                                                 **e.params)
            for ref, e in errors.items()}


def update_prompt(deps: Deps, person: PersonView, saved: checkin_save.Saved) -> None:
    """Turn the prompt message (if the form came from one) into the summary of the check-in."""
    if saved.prompt is None:
        return
    message = deps.renderer.render("checkin/summary", person.locale, summary=saved.summary)
    try:
        deps.slack.chat_update(channel=saved.prompt.channel_id, ts=saved.prompt.ts, **message)
    except SlackApiError as error:
        logger.warning("check-in prompt not updated: %s", error.response.get("error"))


def _expired(deps: Deps, person: PersonView) -> dict[str, Any]:
    return deps.renderer.render("checkin/expired", person.locale)
