"""A following team's check-in round in its channel (bot.services.checkin.follow_along): the
round's post, and each person's reply in its thread, in the language the channel reads."""

from __future__ import annotations

from sqlmodel import Session

from bot.delivery.review_renderers import team_locale
from bot.delivery.rows import NothingToSend, Payload, payload_of
from bot.domain import local_dates
from bot.domain.checkin_input import period_monday
from bot.rendering import Renderer
from bot.services.checkin.follow_along import reply_of
from storage.models import Delivery, Team


def render_round(session: Session, delivery: Delivery, renderer: Renderer) -> list[Payload]:
    """The round's post: "Check-ins, week of Nov 30", the replies follow in its thread."""
    team = _team(session, delivery)
    locale = team_locale(session, team, renderer)
    monday = period_monday(str(payload_of(delivery)["period"]))
    week = local_dates.format_date(monday, locale, today=delivery.due_at.date())
    return [renderer.render("checkin/round", locale, week=week)]


def render_round_reply(session: Session, delivery: Delivery,
                       renderer: Renderer) -> list[Payload]:
    """One person's answers of the round on the team's KRs, as they stand when posted."""
    team = _team(session, delivery)
    payload = payload_of(delivery)
    reply = reply_of(session, team.id or 0, int(payload["person_id"]), str(payload["period"]))
    if reply is None:
        raise NothingToSend("no check-in of the team's KRs left")
    return [renderer.render("checkin/round_reply", team_locale(session, team, renderer),
                            reply=reply)]


def _team(session: Session, delivery: Delivery) -> Team:
    team = session.get(Team, delivery.team_id) if delivery.team_id else None
    if team is None:
        raise NothingToSend("no team")
    return team
