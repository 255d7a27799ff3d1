"""Delivery, availability and schedule templates: golden shapes, limits, hostile text, en + zh."""

from __future__ import annotations

from typing import Any

import pytest

from bot import ids
from bot.blockkit import violations
from bot.delivery.renderers import PromptKR, PromptView
from bot.domain.schedule_input import InputError, parse_schedule_command
from bot.rendering import Renderer, load_catalogue
from bot.services.schedules.admin import ScheduleLine
from bot.services.team_names import TeamNotFound
from tests.slack_text import ESCAPED, HOSTILE, mrkdwn_objects

LOCALES = ("en", "zh")

renderer = Renderer()



def prompt(locale: str, *, reminder: bool = False, more: int = 0) -> dict[str, Any]:
    view = PromptView(
        name=HOSTILE, cycle=HOSTILE,
        krs=(PromptKR(HOSTILE, False, False, "120 leads", "600 leads"),
             PromptKR("Runbook", True, True, "1", "1"),
             PromptKR("Launch", True, False, "0", "1")),
        more=more, reminder=reminder, button_value="42")
    return renderer.render("delivery/checkin_prompt", locale, view=view, ids=ids.TEMPLATE_IDS)


@pytest.mark.parametrize("locale", LOCALES)
def test_the_prompt_lists_krs_and_carries_the_button_with_the_row_id(locale: str) -> None:
    payload = prompt(locale)
    assert violations(payload, "message") == []
    actions = [b for b in payload["blocks"] if b["type"] == "actions"]
    buttons = [(b["action_id"], b["value"]) for b in actions[0]["elements"]]
    assert buttons == [("checkin.open", "42"), ("checkin.later", "42"), ("checkin.skip_week", "42")]
    body = "\n".join(mrkdwn_objects(payload))
    assert "120 leads" in body and "600 leads" in body
    assert ("done" in body) if locale == "en" else ("已完成" in body)
    assert "⏰" not in body


@pytest.mark.parametrize("locale", LOCALES)
def test_the_prompt_escapes_what_people_typed(locale: str) -> None:
    payload = prompt(locale)
    body = "\n".join(mrkdwn_objects(payload))
    assert ESCAPED in body
    assert "<!channel>" not in body and "<@U123>" not in body
    assert "<!channel>" not in payload["text"]  # the fallback text is mrkdwn too


@pytest.mark.parametrize("locale", LOCALES)
def test_the_reminder_marks_the_prompt_and_says_how_many_more(locale: str) -> None:
    payload = prompt(locale, reminder=True, more=7)
    body = "\n".join(mrkdwn_objects(payload))
    assert body.startswith("⏰")
    assert "7" in body
    assert violations(payload, "message") == []


@pytest.mark.parametrize("locale", LOCALES)
def test_the_reminder_reply_escapes_the_name(locale: str) -> None:
    payload = renderer.render("delivery/reminder_reply", locale, name=HOSTILE)
    assert "&lt;!channel&gt;" in payload["text"] and "<!channel>" not in payload["text"]


AVAILABILITY = [
    {"outcome": "away", "end": "Dec 3"},
    {"outcome": "away_already", "end": "Dec 3"},
    {"outcome": "pause", "end": "Dec 10"},
    {"outcome": "resume"},
    {"outcome": "resume_nothing"},
    {"outcome": "usage"},
    *({"outcome": "error", "error_key": f"availability.errors.{code}", "text": HOSTILE}
      for code in ("bad_date", "past_date", "too_far")),
]


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("context", AVAILABILITY, ids=lambda c: c.get("error_key", c["outcome"]))
def test_every_availability_reply_renders_and_escapes(locale: str, context: dict[str, Any]) -> None:
    payload = renderer.render("availability/reply", locale, **context)
    assert payload["response_type"] == "ephemeral"
    assert violations(payload, "message") == []
    assert "<!channel>" not in payload["text"]


def line(team: str = "Growth", **changes: Any) -> ScheduleLine:
    values: dict[str, Any] = {
        "team": team, "timezone": "Europe/Berlin", "checkin_cadence": "weekdays",
        "checkin_days": ("mon", "thu"), "checkin_time": "09:30", "reminder_hours": 24,
        "digest_cadence": "biweekly", "digest_day": "fri", "digest_time": "16:00",
        "work_hours": "09:00–18:00", "channel_id": "CGROWTH"}
    return ScheduleLine(**{**values, **changes})


@pytest.mark.parametrize("locale", LOCALES)
def test_the_schedule_list_describes_each_team(locale: str) -> None:
    payload = renderer.render("schedule/reply", locale, outcome="list", more=False, lines=[
        line(HOSTILE), line("Ops", reminder_hours=None, digest_cadence="off", channel_id=None)])
    assert violations(payload, "message") == []
    body = "\n".join(mrkdwn_objects(payload))
    assert ESCAPED in body and "<!channel>" not in body
    assert "<#CGROWTH>" in body
    assert ("Mon, Thu at 09:30" in body) if locale == "en" else ("周一, 周四 09:30" in body)
    assert ("Reminder: off" in body) if locale == "en" else ("提醒：关闭" in body)


def schedule_error_codes() -> list[str]:
    known = load_catalogue("en").keys()
    return sorted(k.removeprefix("schedule.errors.") for k in known
                  if k.startswith("schedule.errors."))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("code", schedule_error_codes())
def test_every_schedule_error_renders_in_both_languages(locale: str, code: str) -> None:
    params = {"text": HOSTILE, "word": "checkin", "cadence": "weekly", "reason": HOSTILE}
    payload = renderer.render("schedule/reply", locale, outcome="error",
                              error_key=f"schedule.errors.{code}", params=params)
    assert violations(payload, "message") == []
    assert "<!channel>" not in "\n".join(mrkdwn_objects(payload))


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("outcome", ["refused", "usage", "unknown_team"])
def test_schedule_refusals_and_usage_render(locale: str, outcome: str) -> None:
    payload = renderer.render("schedule/reply", locale, outcome=outcome,
                              missing=TeamNotFound(HOSTILE, (), (HOSTILE, "Ops"), 0))
    assert violations(payload, "message") == []
    assert "<!channel>" not in "\n".join(mrkdwn_objects(payload))


@pytest.mark.parametrize("text", [
    "", "team", "team G checkin", "team G checkin xx 10:00", "team G checkin mon 9",
    "team G reminder", "team G digest", "team G tz",
    "team G tz Nowhere/City", "team G hours 9", "team G hours 10:00-09:00", "team G channel",
    "team G reminder 1 reminder 2",
])
def test_every_error_the_schedule_parser_raises_has_words(text: str) -> None:
    with pytest.raises(InputError) as raised:
        parse_schedule_command(text)
    key = f"schedule.errors.{raised.value.code}"
    for locale in LOCALES:
        words = load_catalogue(locale).keys()
        assert key in words
