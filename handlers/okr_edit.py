"""Writing OKRs in Slack: `/okr new` (新建) and its modal, a card's Edit button and modal,
Archive (with Slack's confirm dialog). Templates: okr_edit/*.

Every change refreshes the App Home of the owner and of whoever made it. Refusals are
answered politely where the click came from: the modal, the message (response_url), the
channel (chat.postEphemeral) or, from the App Home, a small modal.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

from slack_bolt import Ack
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.domain.okr_draft import OWNER_ME, EditForm, ObjectiveForm
from bot.domain.row_ids import row_id
from bot.domain.vocabulary import ObjectiveType
from bot.services.okr_edit.access import Duplicate, Gone, Refused
from bot.services.okr_edit.changes import (
    Archived,
    CreateResult,
    Invalid,
    Saved,
    Warned,
    archive_objective,
    create_objective,
    update_objective,
)
from bot.services.okr_edit.forms import EditFormView, edit_form, new_form
from bot.services.people import unknown_people
from bot.turns import TurnGivingWebhookClient
from handlers import okr_edit_payloads as payloads
from handlers.command import CommandContext
from handlers.home import refresh_home
from handlers.okr_edit_views import (
    edit_context,
    edit_kr_numbers,
    field_errors,
    filled_slots,
    new_context,
    warning_lines,
)
from handlers.people import ensure_person

logger = logging.getLogger(__name__)
TITLE_CHARS = 500  # the title input's max_length
MAX_OWNER_LOOKUPS = 2  # new KR owners looked up per submission: Slack waits 3 s for the ack


def on_new_button(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """A "New Objective" button (e.g. on the App Home) → okr_edit/new_modal."""
    click = payloads.parse_click(body)
    problem = _open_new_modal(deps, click.user_id, click.trigger_id)
    ack()
    if problem is not None:
        _notify(deps, click, _locale(deps, click.user_id), problem)


def on_new_submit(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """New-Objective modal submitted → errors, coach warnings, or saved."""
    sub = payloads.parse_submission(body)
    locale = _locale(deps, sub.user_id)
    form = payloads.new_form(sub.state)
    result = create_objective(deps.db, deps.clock, actor=sub.user_id, form=form,
                              confirmed=sub.confirmed, inbox_key=sub.inbox_key)
    if isinstance(result, Warned):
        typed = [form.title, *(kr.title for kr in form.krs)]
        view = new_form(deps.db, deps.clock, actor=sub.user_id, titles=typed,
                        cycle_id=row_id(form.cycle))
        if not isinstance(view, Gone):
            _warn(deps, ack, locale, result, filled_slots(form), "okr_edit/new_modal",
                  partial(new_context, view, form))
            return
        result = view
    _finish_submission(deps, ack, locale, result, updated=False)


def on_new_form_changed(deps: Deps, body: dict[str, Any]) -> None:
    """Enter pressed in a title of the new-Objective modal, or another cycle picked →
    views.update with the reviewed KRs like what was typed and the chosen cycle's parents,
    everything typed kept. A person typing on in the meantime changes the view's hash: Slack
    refuses the update and nothing is lost. Runs after the ack."""
    typed = payloads.parse_submission(body)
    form = payloads.new_form(typed.state)
    view = new_form(deps.db, deps.clock, actor=typed.user_id,
                    titles=[form.title, *(kr.title for kr in form.krs)],
                    cycle_id=row_id(form.cycle))
    if isinstance(view, Gone):
        return
    modal = deps.renderer.render("okr_edit/new_modal", _locale(deps, typed.user_id),
                                 **new_context(view, form))
    try:
        deps.slack.views_update(view_id=typed.view_id, hash=typed.view_hash, view=modal)
    except SlackApiError as error:
        logger.info("views.update of the new-Objective form: %s", error.response.get("error"))


def on_edit(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """A card's Edit button → okr_edit/edit_modal, or a polite refusal."""
    click = payloads.parse_click(body)
    if click.objective_id is None:
        ack()
        return
    locale = _locale(deps, click.user_id)
    view = edit_form(deps.db, deps.clock, actor=click.user_id, objective_id=click.objective_id)
    if isinstance(view, EditFormView):
        modal = deps.renderer.render("okr_edit/edit_modal", locale, **edit_context(view))
        _show_modal(deps, click, modal)  # the trigger lives 3 s: open first, then ack
        ack()
        return
    ack()
    _notify(deps, click, locale, "refused" if isinstance(view, Refused) else view.reason)


def on_edit_submit(deps: Deps, ack: Ack, body: dict[str, Any]) -> None:
    """Edit modal submitted → errors, coach warnings, or saved (target history kept)."""
    sub = payloads.parse_submission(body)
    if sub.objective_id is None:
        ack()
        return
    locale = _locale(deps, sub.user_id)
    form = payloads.edit_form(sub.state, sub.kr_ids)
    _meet_new_owners(deps, form)
    result = update_objective(deps.db, deps.clock, actor=sub.user_id,
                              objective_id=sub.objective_id, form=form,
                              confirmed=sub.confirmed, inbox_key=sub.inbox_key)
    if isinstance(result, Warned):
        view = edit_form(deps.db, deps.clock, actor=sub.user_id,
                         objective_id=sub.objective_id)
        if isinstance(view, EditFormView):
            _warn(deps, ack, locale, result, edit_kr_numbers(view, form), "okr_edit/edit_modal",
                  partial(edit_context, view, form))
            return
        result = view
    _finish_submission(deps, ack, locale, result, updated=True)


def _warn(
    deps: Deps, ack: Ack, locale: str, warned: Warned, kr_numbers: Sequence[int],
    template: str, context: Callable[..., dict[str, Any]],
) -> None:
    """Show the form again as typed, with the coach's warnings: saving it unchanged confirms."""
    lines, more = warning_lines(warned.findings, deps.renderer.catalogue(locale), kr_numbers)
    modal = deps.renderer.render(
        template, locale, **context(warnings=lines, more_warnings=more, confirmed=warned.marker)
    )
    ack(response_action="update", view=modal)


def _meet_new_owners(deps: Deps, form: EditForm) -> None:
    """Store the people picked as KR owners that okr-bot has not met yet (users.info, 1 s
    each, at most MAX_OWNER_LOOKUPS before the ack; anyone beyond is refused by the form)."""
    picked = sorted({kr.owner for kr in form.krs if kr.owner})
    for slack_user_id in unknown_people(deps.db, picked)[:MAX_OWNER_LOOKUPS]:
        ensure_person(deps, slack_user_id)


def on_archive(deps: Deps, body: dict[str, Any]) -> None:
    """Archive (after Slack's confirm dialog; run after the ack) → archived, and a note where
    it was clicked."""
    click = payloads.parse_click(body)
    locale = _locale(deps, click.user_id)
    if click.objective_id is None:
        return
    result = archive_objective(deps.db, deps.clock, actor=click.user_id,
                               objective_id=click.objective_id, inbox_key=click.inbox_key)
    if isinstance(result, Duplicate):
        return
    if isinstance(result, Archived):
        _notify(deps, click, locale, "archive_done", title=result.title)
        _refresh_homes(deps, result.refresh)
        return
    _notify(deps, click, locale, "refused" if isinstance(result, Refused) else result.reason)


def open_new(ctx: CommandContext) -> None:
    """`/okr new [draft title]` → views.open okr_edit/new_modal (the title filled in, and
    reviewed KRs like it beside the form), or an ephemeral note (no cycle, too slow)."""
    deps = ctx.deps
    title = ctx.command.rest.strip()[:TITLE_CHARS]
    problem = _open_new_modal(deps, ctx.person.slack_user_id, ctx.command.trigger_id, title)
    if problem is None:
        ctx.ack()
    else:
        ctx.reply("okr_edit/notice", key=problem, title="", as_modal=False)


def _open_new_modal(
    deps: Deps, slack_user_id: str, trigger_id: str, title: str = ""
) -> str | None:
    """Open the new-Objective modal; the notice key when it cannot be opened."""
    locale = _locale(deps, slack_user_id)
    form = new_form(deps.db, deps.clock, actor=slack_user_id, titles=[title] if title else [])
    if isinstance(form, Gone):
        return form.reason
    typed = ObjectiveForm(title=title, type=ObjectiveType.COMMITTED.value, owner=OWNER_ME)
    view = deps.renderer.render("okr_edit/new_modal", locale, **new_context(form, typed))
    try:
        deps.slack.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError as error:
        logger.warning("views.open failed: %s", error.response.get("error"))
        return "trigger_expired"
    return None


def _finish_submission(
    deps: Deps, ack: Ack, locale: str, result: CreateResult | Refused | Gone, *, updated: bool
) -> None:
    """Answer a modal submission in its ack: field errors, a notice, or the saved summary."""
    catalogue = deps.renderer.catalogue(locale)
    if isinstance(result, Invalid):
        ack(response_action="errors", errors=field_errors(result.errors, catalogue))
    elif isinstance(result, Refused) and not updated:
        ack(response_action="errors",
            errors={"owner": catalogue.text("okr_edit.errors.owner_refused")})
    elif isinstance(result, Refused | Gone):
        key = "refused" if isinstance(result, Refused) else result.reason
        ack(response_action="update",
            view=_notice(deps, locale, key, as_modal=True))
    elif isinstance(result, Saved):
        ack(response_action="update",
            view=deps.renderer.render("okr_edit/saved_modal", locale, saved=result,
                                      updated=updated))
        _refresh_homes(deps, result.refresh)
    else:  # Duplicate: handled already, close quietly (RELIABILITY.md §13)
        ack()


def _show_modal(deps: Deps, click: payloads.ButtonClick, view: dict[str, Any]) -> None:
    try:
        if click.in_modal:
            deps.slack.views_push(trigger_id=click.trigger_id, view=view)
        else:
            deps.slack.views_open(trigger_id=click.trigger_id, view=view)
    except SlackApiError as error:
        logger.warning("opening the edit modal failed: %s", error.response.get("error"))


def _notice(deps: Deps, locale: str, key: str, *, title: str = "",
            as_modal: bool) -> dict[str, Any]:
    return deps.renderer.render("okr_edit/notice", locale, key=key, title=title,
                                as_modal=as_modal)


def _notify(
    deps: Deps, click: payloads.ButtonClick, locale: str, key: str, *, title: str = ""
) -> None:
    """A short note where the click happened (ephemeral, or a modal on the Home tab)."""
    try:
        if click.in_modal and click.view_id:
            view = _notice(deps, locale, key, title=title, as_modal=True)
            deps.slack.views_update(view_id=click.view_id, view=view)
        elif click.response_url or click.channel_id:
            message = _notice(deps, locale, key, title=title, as_modal=False)
            if click.response_url:
                TurnGivingWebhookClient(click.response_url).send_dict(message)
            else:
                deps.slack.chat_postEphemeral(channel=click.channel_id or "", user=click.user_id,
                                              text=message["text"], blocks=message["blocks"])
        else:
            view = _notice(deps, locale, key, title=title, as_modal=True)
            deps.slack.views_open(trigger_id=click.trigger_id, view=view)
    except (SlackApiError, OSError) as error:
        logger.warning("a notice could not be shown: %s", type(error).__name__)


def _refresh_homes(deps: Deps, slack_user_ids: tuple[str, ...]) -> None:
    for slack_user_id in slack_user_ids:
        refresh_home(deps, slack_user_id)


def _locale(deps: Deps, slack_user_id: str) -> str:
    person = ensure_person(deps, slack_user_id)
    return person.locale if person else deps.settings.default_locale
