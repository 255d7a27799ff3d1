"""What people wrote never reaches the log, even when storing it fails.

A check-in whose insert fails (here: a constraint or trigger the test adds, refusing any row;
in the wild a statement timeout or a NUL on PostgreSQL) used to print the person's progress and
blockers in the traceback, as SQL parameters and as PostgreSQL's "Failing row contains (…)".
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from sqlalchemy import text
from sqlmodel import select

from storage.db import Database
from storage.models import CheckIn
from tests.scenarios.checkin_forms import answer_kr, notes
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed

NOTE = "RECOGNISABLE-progress-4711"
BLOCKER = "RECOGNISABLE-blocker-4711"


@pytest.fixture
def failing_checkin_inserts(harness: Harness) -> Iterator[None]:
    """Every insert into `checkin` fails inside the database, as a real fault would."""
    db = harness.deps.db
    with db.engine.begin() as conn:
        if db.is_postgres:
            conn.execute(text("ALTER TABLE checkin ADD CONSTRAINT forced_failure "
                              "CHECK (progress NOT LIKE '%RECOGNISABLE%')"))
        else:
            conn.execute(text("CREATE TRIGGER forced_failure BEFORE INSERT ON checkin "
                              "BEGIN SELECT RAISE(ABORT, 'forced failure'); END"))
    yield
    with db.engine.begin() as conn:
        if db.is_postgres:
            conn.execute(text("ALTER TABLE checkin DROP CONSTRAINT forced_failure"))
        else:
            conn.execute(text("DROP TRIGGER forced_failure"))


def _submission(harness: Harness) -> dict[str, Any]:
    seed = Seed(harness.deps.db, harness.deps.clock)
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    seed.make_team("Growth", channel_id="CGROWTH", members=[ana], leads=[ana])
    objective = seed.make_objective("Win the market", owner=ana, cycle=seed.make_cycle())
    kr = seed.make_kr(objective, "Leads", target=600, unit="leads", owner=ana)
    assert harness.sender.command("checkin", user_id="UANA").status == 200
    raw = harness.slack.wait_for("views.open")[0].args["view"]
    view = {**(json.loads(raw) if isinstance(raw, str) else raw), "id": "V1", "hash": "h1"}
    state = answer_kr({}, kr.id or 0, "150", confidence="at_risk", note=NOTE)
    notes(state, blockers=BLOCKER)
    return {"type": "view_submission", "team": {"id": "T0001"},
            "user": {"id": "UANA", "team_id": "T0001"}, "api_app_id": "A0001",
            "trigger_id": "trig.1", "view": {**view, "state": {"values": state}}}


def test_a_failing_checkin_insert_logs_no_words(
    harness: Harness, caplog: pytest.LogCaptureFixture, failing_checkin_inserts: None
) -> None:
    payload = _submission(harness)
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.WARNING, logger="sqlalchemy")  # as `okr-bot` configures it
    body = urlencode({"payload": json.dumps(payload)})
    reply = harness.sender.post(body, "application/x-www-form-urlencoded")
    assert reply.status == 200
    assert reply.json()["response_action"] == "push"  # the polite "try again" notice
    failures = [r for r in caplog.records if r.exc_info]
    assert failures, "the failure itself is logged"
    assert "RECOGNISABLE" not in caplog.text
    assert "4711" not in caplog.text
    _nothing_stored(harness.deps.db)


def _nothing_stored(db: Database) -> None:
    with db.read() as session:
        assert session.exec(select(CheckIn)).all() == []
