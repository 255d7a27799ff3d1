"""Requests Slack did not sign, signed too long ago, replayed, retried or doubled: none is
accepted twice and none writes a row it should not.

A replay is the exact bytes and headers of a request the app accepted. Replayed more than five
minutes later it is refused by the signature check (time-machine moves the clock Bolt reads);
replayed within the window it is accepted, as Slack's design allows, and the inbox key of the
submission makes it change nothing.
"""

from __future__ import annotations

import json
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import pytest
import time_machine
from sqlalchemy import func
from sqlmodel import col, select

from storage import models
from storage.db import Database
from storage.models import AuditLog, CheckIn, InboxEntry, KeyResult, Person
from tests.fakes.slack_requests import SlackSender, sign
from tests.scenarios.checkin_forms import answer_kr, notes
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed

FORM = "application/x-www-form-urlencoded"


@dataclass
class World:
    kr: KeyResult
    view: dict[str, Any]


@pytest.fixture
def world(harness: Harness) -> World:
    seed = Seed(harness.deps.db, harness.deps.clock)
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    lead = seed.make_person("ULEE", name="Lee")
    seed.make_team("Growth", channel_id="CGROWTH", members=[ana, lead], leads=[lead])
    objective = seed.make_objective("Win the market", owner=ana, cycle=seed.make_cycle())
    kr = seed.make_kr(objective, "Leads", target=600, unit="leads", owner=ana)
    assert harness.sender.command("checkin", user_id="UANA").status == 200
    raw = harness.slack.wait_for("views.open")[0].args["view"]
    view = {**(json.loads(raw) if isinstance(raw, str) else raw), "id": "V1", "hash": "h1"}
    harness.slack.reset()
    return World(kr, view)


def row_counts(db: Database) -> dict[str, int]:
    """Rows in every table of okr-bot."""
    with db.read() as session:
        return {table.name: int(session.exec(select(func.count()).select_from(table)).one())
                for table in models.metadata.sorted_tables}


def submission(world: World, value: str = "150") -> str:
    """The body of a check-in submission that asks the team lead for help."""
    state = answer_kr({}, world.kr.id or 0, value, confidence="at_risk")
    notes(state, help_needed="Need a budget call")
    payload = {
        "type": "view_submission", "team": {"id": "T0001", "domain": "acme"},
        "user": {"id": "UANA", "username": "uana", "team_id": "T0001"},
        "api_app_id": "A0001", "token": "legacy", "trigger_id": "trig.1",
        "view": {**world.view, "state": {"values": state}}, "response_urls": [],
    }
    return urlencode({"payload": json.dumps(payload)})


def event_body(user: str, event_id: str) -> str:
    return json.dumps({
        "token": "legacy", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
        "event_id": event_id, "event_time": int(time.time()),
        "event": {"type": "app_home_opened", "user": user, "tab": "home", "channel": "D1"},
    })


def command_body(text: str, user: str) -> str:
    return urlencode({"token": "legacy", "team_id": "T0001", "channel_id": "C1", "user_id": user,
                      "command": "/okr", "text": text, "api_app_id": "A0001",
                      "response_url": "http://127.0.0.1:9/r", "trigger_id": "trig.2"})


def action_body(user: str) -> str:
    return urlencode({"payload": json.dumps({
        "type": "block_actions", "team": {"id": "T0001"}, "user": {"id": user},
        "api_app_id": "A0001", "trigger_id": "trig.3", "container": {"type": "message"},
        "actions": [{"type": "button", "action_id": "checkin.open", "block_id": "b",
                     "value": "", "action_ts": "1"}]})})


def every_kind(world: World) -> list[tuple[str, str]]:
    """One request of each kind that would write or call Slack if it were accepted."""
    return [(command_body("checkin", "UANA"), FORM), (action_body("UANA"), FORM),
            (submission(world), FORM), (event_body("UBEN", "EvNew"), "application/json")]


def test_forged_signatures_are_refused_and_nothing_is_written_or_sent(
    harness: Harness, world: World
) -> None:
    before = row_counts(harness.deps.db)
    forger = SlackSender(harness.base_url, harness.slack.response_url(), secret="not-the-secret")
    now = int(time.time())
    for body, content_type in every_kind(world):
        assert forger.post(body, content_type).status == 401
        tampered = harness.sender.post(body, content_type, timestamp=now,
                                       signature=sign(body + " ", now))
        assert tampered.status == 401
        assert harness.sender.post(body, content_type, signature="v0=").status == 401
    assert row_counts(harness.deps.db) == before
    assert harness.slack.calls == []


# +305, not +301: the whole-second timestamp and the time the request takes both shrink a
# future skew, and at 301 the check saw under 300 s now and then.
@pytest.mark.parametrize("skew", [-301, -3600, 305])
def test_signed_requests_with_a_timestamp_over_five_minutes_off_are_refused(
    harness: Harness, world: World, skew: int
) -> None:
    before = row_counts(harness.deps.db)
    ts = int(time.time()) + skew
    for body, content_type in every_kind(world):
        answer = harness.sender.post(body, content_type, timestamp=ts, signature=sign(body, ts))
        assert answer.status == 401
    assert row_counts(harness.deps.db) == before
    assert harness.slack.calls == []


def test_a_submission_replayed_after_five_minutes_is_refused_and_changes_nothing(
    harness: Harness, world: World
) -> None:
    body, ts = submission(world), int(time.time())
    first = harness.sender.post(body, FORM, timestamp=ts, signature=sign(body, ts))
    assert first.json() == {"response_action": "clear"}
    after_first = row_counts(harness.deps.db)
    with time_machine.travel(datetime.fromtimestamp(ts + 301, UTC), tick=True):
        replay = harness.sender.post(body, FORM, timestamp=ts, signature=sign(body, ts))
    assert replay.status == 401
    assert row_counts(harness.deps.db) == after_first


def test_a_submission_replayed_within_the_window_is_accepted_but_stored_once(
    harness: Harness, world: World
) -> None:
    body, ts = submission(world), int(time.time())
    first = harness.sender.post(body, FORM, timestamp=ts, signature=sign(body, ts))
    after_first = row_counts(harness.deps.db)
    with time_machine.travel(datetime.fromtimestamp(ts + 240, UTC), tick=True):
        replays = [harness.sender.post(body, FORM, timestamp=ts, signature=sign(body, ts))
                   for _ in range(3)]
    assert [r.status for r in [first, *replays]] == [200] * 4
    assert row_counts(harness.deps.db) == after_first
    with harness.deps.db.read() as session:
        checkins = list(session.exec(select(CheckIn)))
        audits = session.exec(select(func.count()).select_from(AuditLog)).one()
        inbox = list(session.exec(select(InboxEntry.key)))
    assert [(c.value, c.version, c.help_needed) for c in checkins] == [
        (150.0, 1, "Need a budget call")]
    assert (audits, inbox) == (1, ["view:V1:h1"])
    assert after_first["delivery"] == 1  # one help alert for the lead, not one per replay


def test_the_same_submission_ten_times_at_once_with_one_signature_is_stored_once(
    harness: Harness, world: World
) -> None:
    body, ts = submission(world, "175"), int(time.time())
    with ThreadPoolExecutor(10) as pool:
        answers = list(pool.map(
            lambda _: harness.sender.post(body, FORM, timestamp=ts, signature=sign(body, ts)),
            range(10)))
    assert {a.status for a in answers} == {200}
    with harness.deps.db.read() as session:
        rows = list(session.exec(select(CheckIn.value, CheckIn.version)))
        alerts = session.exec(select(func.count()).select_from(models.Delivery)).one()
    assert (rows, alerts) == ([(175.0, 1)], 1)


def _people_named(db: Database, slack_user_id: str) -> int:
    with db.read() as session:
        return int(session.exec(select(func.count()).select_from(Person).where(
            col(Person.slack_user_id) == slack_user_id)).one())


def test_event_retries_meet_a_new_person_once(harness: Harness, world: World) -> None:
    body = event_body("UBEN", "EvHome1")
    assert harness.sender.post(body, "application/json").status == 200
    for retry in (1, 2):
        retried = harness.sender.post(body, "application/json", headers={
            "X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"})
        assert retried.status == 200
    published = harness.slack.wait_for("views.publish", 3)
    assert {call.args["user_id"] for call in published} == {"UBEN"}
    assert _people_named(harness.deps.db, "UBEN") == 1


def test_the_same_event_delivered_five_times_at_once_meets_the_person_once(
    harness: Harness, world: World
) -> None:
    body = event_body("UBEN", "EvHome2")
    with ThreadPoolExecutor(5) as pool:
        statuses = list(pool.map(lambda n: harness.sender.post(
            body, "application/json",
            headers={"X-Slack-Retry-Num": str(n)} if n else None).status, range(5)))
    assert statuses == [200] * 5
    harness.slack.wait_for("views.publish", 5)
    assert _people_named(harness.deps.db, "UBEN") == 1
    assert harness.slack.calls_to("users.info")  # met through Slack's profile
