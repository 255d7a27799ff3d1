"""The app over HTTP: signatures, health, the first /okr replies."""

from __future__ import annotations

import time
import urllib.request

from sqlmodel import select

from storage.models import Person
from tests.fakes.slack_requests import sign
from tests.scenarios.conftest import Harness


def test_health_check_answers_when_database_answers(harness: Harness) -> None:
    with urllib.request.urlopen(harness.base_url + "/healthz", timeout=5) as response:  # noqa: S310
        assert response.status == 200
        assert b'"ok"' in response.read()


def test_forged_signature_is_refused_and_writes_nothing(harness: Harness) -> None:
    result = harness.sender.post("text=help&user_id=UANA&command=%2Fokr",
                                 "application/x-www-form-urlencoded", signature="v0=deadbeef")
    assert result.status == 401
    with harness.deps.db.read() as session:
        assert session.exec(select(Person)).all() == []
    assert harness.slack.calls == []


def test_stale_timestamp_is_refused_even_when_signed(harness: Harness) -> None:
    stale = int(time.time()) - 6 * 60
    body = "text=help&user_id=UANA&command=%2Fokr"
    result = harness.sender.post(body, "application/x-www-form-urlencoded", timestamp=stale,
                                 signature=sign(body, stale))
    assert result.status == 401
    assert harness.slack.calls == []


def test_help_is_answered_in_the_persons_language(harness: Harness) -> None:
    result = harness.sender.command("help", user_id="UANA")
    assert result.status == 200
    reply = result.json()
    assert reply["response_type"] == "ephemeral"
    assert "使用说明" in reply["text"]
    english = harness.sender.command("help", user_id="UBEN").json()
    assert "How to use" in english["text"]


def test_first_contact_creates_the_person_from_users_info(harness: Harness) -> None:
    harness.sender.command("help", user_id="UBEN")
    harness.sender.command("help", user_id="UBEN")
    assert len(harness.slack.calls_to("users.info")) == 1
    with harness.deps.db.read() as session:
        ben = session.exec(select(Person).where(Person.slack_user_id == "UBEN")).one()
    assert (ben.name, ben.tz, ben.locale) == ("Ben", "America/New_York", "en")


def test_unknown_word_gets_help_with_the_word_escaped(harness: Harness) -> None:
    reply = harness.sender.command("<!channel>zap", user_id="UBEN").json()
    text = reply["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt;zap" in text
    assert "<!channel>" not in str(reply)
