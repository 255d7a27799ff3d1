"""What each kind of outbox row posts: `RENDERERS[kind](session, delivery, renderer)`.

A renderer returns the row's Slack calls as payload dicts, in order:
- a payload with `ts` (and `channel`) is a `chat.update` of that message (idempotent);
- the first other payload is the row's message, posted with metadata naming the row (a payload
  with `thread_ts` is posted in that thread);
- any further payloads are replies in the thread of the row's message.
A renderer raises `NothingToSend` when the message is no longer needed; the row is skipped.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlmodel import Session

from bot import ids
from bot.delivery import review_renderers as review_messages
from bot.delivery import round_renderers
from bot.delivery.chart_upload import chart_payload
from bot.delivery.rows import NothingToSend, Payload, Render, payload_of, recipient_of
from bot.digest_render import render_digest, render_headline
from bot.domain import local_dates, slots
from bot.domain.formatting import format_value
from bot.rendering import Renderer
from bot.services.checkin.follow_along import REPLY, ROUND
from bot.services.digest.builder import digest_of
from bot.services.digest.view import DigestView
from bot.services.schedules.planner import checked_in_since
from storage.models import Delivery, Person
from storage.queries import checkins as checkin_queries
from storage.queries import cycles as cycle_queries
from storage.queries import outbox as outbox_queries
from storage.queries import schedules as schedule_queries

MAX_LISTED_KRS = 10


@dataclass(frozen=True)
class PromptKR:
    title: str
    milestone: bool
    done: bool
    value: str
    target: str


@dataclass(frozen=True)
class PromptView:
    """The check-in prompt of one person."""

    name: str
    cycle: str
    krs: tuple[PromptKR, ...]
    more: int
    reminder: bool
    button_value: str


def prompt_view(
    session: Session, person: Person, prompt: Delivery, *, today: datetime, reminder: bool
) -> PromptView:
    """The person's KRs of the current cycle, as the prompt lists them."""
    local_today = local_dates.local(today, person.tz).date()
    cycle = cycle_queries.current_cycle(session=session, today=local_today)
    if cycle is None or cycle.id is None:
        raise NothingToSend("no key results")
    rows = checkin_queries.checkin_key_results(session=session, cycle_id=cycle.id,
                                               person_id=person.id or 0)
    if not rows:
        raise NothingToSend("no key results")
    krs = tuple(
        PromptKR(kr.title, kr.kind == "milestone", kr.current_value >= 1,
                 format_value(kr.current_value, kr.unit), format_value(kr.target_value, kr.unit))
        for _, kr in rows[:MAX_LISTED_KRS]
    )
    return PromptView(person.name, cycle.name, krs, max(len(rows) - MAX_LISTED_KRS, 0), reminder,
                      str(prompt.id))


def _not_away(session: Session, person: Person, delivery: Delivery) -> None:
    """NothingToSend when the person is away on the slot's date or today (their dates)."""
    days = {local_dates.local(delivery.due_at, person.tz).date()}
    with contextlib.suppress(ValueError):  # a slot key is a local date for these kinds
        days.add(date.fromisoformat(delivery.slot_key))
    found = schedule_queries.absences_by_person(session=session, person_ids=[person.id or 0],
                                                first=min(days),
                                 last=max(days)).get(person.id or 0, [])
    if any(slots.is_away(day, found) for day in days):
        raise NothingToSend("away")


def render_checkin(session: Session, delivery: Delivery, renderer: Renderer) -> list[Payload]:
    """The prompt DM with its "Check in" button (none for someone away since it was planned)."""
    person = recipient_of(session, delivery)
    _not_away(session, person, delivery)
    view = prompt_view(session, person, delivery, today=delivery.due_at, reminder=False)
    return [renderer.render("delivery/checkin_prompt", person.locale, view=view,
                            ids=ids.TEMPLATE_IDS)]


def render_reminder(session: Session, delivery: Delivery, renderer: Renderer) -> list[Payload]:
    """Mark the prompt "Reminder" in place, and reply in its thread so the person is notified."""
    person = recipient_of(session, delivery)
    prompt = outbox_queries.prompt_of(session=session, person_id=person.id or 0,
                                      slot_key=delivery.slot_key)
    if prompt is None or prompt.ts is None or prompt.channel_id is None:
        raise NothingToSend("prompt not sent")
    _not_away(session, person, delivery)
    if checked_in_since(session, person.id or 0, prompt, delivery.due_at):
        raise NothingToSend("checked in")
    view = prompt_view(session, person, prompt, today=delivery.due_at, reminder=True)
    update = renderer.render("delivery/checkin_prompt", person.locale, view=view,
                             ids=ids.TEMPLATE_IDS)
    reply = renderer.render("delivery/reminder_reply", person.locale, name=person.name)
    return [{**update, "channel": prompt.channel_id, "ts": prompt.ts},
            {**reply, "thread_ts": prompt.ts}]


HELP_TEMPLATES = {
    "help": "checkin/help_alert",  # to a lead
    "help_ask": "checkin/help_ask",  # to the named helper, with "I can help" / "Not now"
    "help_answer": "checkin/help_answer",  # the helper's answer, to the asker
}


def render_help(session: Session, delivery: Delivery, renderer: Renderer) -> list[Payload]:
    """A help request of a check-in or its answer, rendered from the payload stored with it."""
    payload = payload_of(delivery)
    recipient = session.get(Person, delivery.person_id) if delivery.person_id else None
    locale = payload.pop("locale", None) or (recipient.locale if recipient else None)
    return [renderer.render(HELP_TEMPLATES[delivery.kind], locale, ids=ids.TEMPLATE_IDS,
                            **payload)]


def _digest_of(session: Session, digest_row: Delivery) -> DigestView:
    """The digest a `digest` row stands for, built as of its own period end (so a retry, and
    each reply in its thread, renders the same digest)."""
    payload = payload_of(digest_row)
    if digest_row.team_id is None:
        raise NothingToSend("no team")
    start = datetime.fromisoformat(payload["period_start"])
    end = datetime.fromisoformat(payload["period_end"])
    return digest_of(session, digest_row.team_id, period_start=start, period_end=end, now=end)


def render_digest_row(session: Session, delivery: Delivery, renderer: Renderer) -> list[Payload]:
    """The team's digest in the channel: its headline (the details follow in its thread)."""
    view = _digest_of(session, delivery)
    return [render_headline(renderer, view, view.locale(renderer.default_locale))]


def _digest_details(view: DigestView, renderer: Renderer) -> list[Payload]:
    """The digest's details, then its chart as the last reply in the thread."""
    locale = view.locale(renderer.default_locale)
    chart = chart_payload(renderer, view, locale)
    return [*render_digest(renderer, view, locale), *([chart] if chart else [])]


# What each section of a digest's thread posts (bot.services.digest_view.DIGEST_THREAD).
DIGEST_REPLIES: dict[str, Callable[[DigestView, Renderer], list[Payload]]] = {
    "details": _digest_details,
}


def render_digest_reply(session: Session, delivery: Delivery,
                        renderer: Renderer) -> list[Payload]:
    """One reply in a digest's thread (its section), from the same digest as the headline."""
    parent = session.get(Delivery, delivery.parent_id) if delivery.parent_id else None
    if parent is None:
        raise NothingToSend("no digest to reply to")
    section = DIGEST_REPLIES.get(str(payload_of(delivery).get("section")))
    if section is None:
        raise NothingToSend("unknown digest section")
    return section(_digest_of(session, parent), renderer)


RENDERERS: dict[str, Render] = {
    "checkin": render_checkin,
    "reminder": render_reminder,
    "help": render_help,
    "help_ask": render_help,
    "help_answer": render_help,
    "digest": render_digest_row,
    "digest_reply": render_digest_reply,
    "review": review_messages.render_review,
    "review_summary": review_messages.render_review_summary,
    "review_summary_reply": review_messages.render_review_summary_details,
    "alignment": review_messages.render_alignment,
    "carry": review_messages.render_carry,
    ROUND: round_renderers.render_round,
    REPLY: round_renderers.render_round_reply,
}
