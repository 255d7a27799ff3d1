"""A Hypothesis state machine over the outbox: enqueue, fault, tick (two senders), crash, time.

Invariants: Slack never holds two messages of one row; a row is `sent` only with the ts of its
one message; nothing stays `sending` past its lease once a sender ticked; and after the
faults stop, every row ends sent, failed or skipped — failed and skipped rows with no message.
"""

from __future__ import annotations

import random
import shutil
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test
from sqlalchemy import text
from sqlmodel import select

from bot.clock import FakeClock
from bot.delivery import claims
from bot.delivery.sender import METADATA_TYPE, Sender
from bot.deps import make_web_client
from bot.rendering import Renderer
from bot.settings import load_settings
from storage import models
from storage.db import Database, make_engine
from storage.models import Delivery, Person
from storage.queries.outbox import enqueue
from tests.fakes.slack_api import Fault, SlackStandIn, Workspace

FAULTS = [Fault("ok"), Fault("429", retry_after=3), Fault("500"), Fault("drop"),
          Fault("error", error="fatal_error"), Fault("error", error="channel_not_found")]
PEOPLE = 4
START = datetime(2026, 11, 30, 9, tzinfo=UTC)


def _note(session: object, delivery: Delivery, renderer: object) -> list[dict[str, str]]:
    return [{"text": f"row {delivery.id}"}]


class OutboxMachine(RuleBasedStateMachine):
    def __init__(self, database_url: str, standin: SlackStandIn, tmp: Path) -> None:
        super().__init__()
        self.db = Database(make_engine(database_url))
        self.standin = standin
        standin.reset()
        standin.workspace = Workspace()
        self.clock = FakeClock(START)
        config = load_settings(slack_bot_token="xoxb-x", slack_api_url=standin.url, _env_file=None)
        self.senders = [
            Sender(self.db, self.clock, make_web_client(config, retries=False, timeout=2),
                   Renderer(), grace=timedelta(hours=6), renderers={"note": _note},
                   pacing=claims.Pacing(per_minute=600), rng=random.Random(n))
            for n in range(2)
        ]
        self.people: list[int] = []
        with self.db.write() as session:
            for n in range(PEOPLE):
                person = Person(slack_user_id=f"UM{n}", name=f"M{n}", dm_channel_id=f"DM{n}",
                                created_at=self.clock.now(), updated_at=self.clock.now())
                session.add(person)
                session.flush()
                self.people.append(person.id or 0)
        self.serial = 0

    # ---- rules -------------------------------------------------------------------------------
    @rule(who=st.integers(0, PEOPLE - 1))
    def enqueue_message(self, who: int) -> None:
        self.serial += 1
        with self.db.write() as session:
            enqueue(session, kind="note", dedupe_key=f"note:{self.serial}", due_at=self.clock.now(),
                    person_id=self.people[who], payload={})

    @rule(fault=st.sampled_from(FAULTS))
    def slack_misbehaves(self, fault: Fault) -> None:
        self.standin.fail("chat.postMessage", Fault(fault.kind, retry_after=fault.retry_after,
                                                    error=fault.error))

    @rule(which=st.integers(0, 1))
    def tick(self, which: int) -> None:
        self.senders[which].tick()
        now = self.clock.now()
        stuck = [r for r in self._rows() if r.status == "sending"
                 and r.lease_expires_at is not None and r.lease_expires_at < now]
        assert stuck == [], "a row stayed sending past its lease"

    @rule(accepted=st.booleans())
    def a_sender_crashes(self, accepted: bool) -> None:
        """A third sender claims what is due and dies; maybe Slack got one of its posts."""
        taken = claims.claim(self.db, owner=f"dead-{uuid.uuid4().hex[:6]}",
                             now=self.clock.now(), pacing=claims.Pacing(per_minute=600))
        if accepted and taken:
            row = taken[0]
            self.standin.handle("chat.postMessage", {
                "channel": f"DM{self.people.index(row.person_id or 0)}", "text": "lost",
                "metadata": {"event_type": METADATA_TYPE,
                             "event_payload": {"delivery_id": row.id, "part": 0}}})

    @rule(seconds=st.sampled_from([1, 5, 31, 130, 900]))
    def time_passes(self, seconds: int) -> None:
        self.clock.advance(timedelta(seconds=seconds))

    # ---- invariants ----------------------------------------------------------------------------
    def _rows(self) -> list[Delivery]:
        with self.db.read() as session:
            return list(session.exec(select(Delivery)))

    def _messages(self) -> Counter[int]:
        tagged: Counter[int] = Counter()
        for messages in self.standin.workspace.messages.values():
            for message in messages:
                payload = (message.get("metadata") or {}).get("event_payload") or {}
                tagged[int(payload["delivery_id"])] += 1
        return tagged

    @invariant()
    def never_two_messages_for_one_row(self) -> None:
        assert all(n == 1 for n in self._messages().values())

    @invariant()
    def a_sent_row_names_its_message(self) -> None:
        stored = {m["ts"]: m for ms in self.standin.workspace.messages.values() for m in ms}
        for row in self._rows():
            if row.status == "sent":
                assert row.ts in stored
                assert stored[row.ts]["metadata"]["event_payload"]["delivery_id"] == row.id

    def teardown(self) -> None:
        try:
            self.standin.reset()  # the faults stop; Slack answers normally from now on
            for _ in range(60):
                if all(r.status in ("sent", "failed", "skipped") for r in self._rows()):
                    break
                self.clock.advance(timedelta(minutes=3))
                self.senders[0].tick()
            rows, messages = self._rows(), self._messages()
            assert all(r.status in ("sent", "failed", "skipped") for r in rows)
            for row in rows:
                assert messages[row.id or 0] == (1 if row.status == "sent" else 0), row
        finally:
            self.db.dispose()


MACHINE_SETTINGS = settings(
    max_examples=20, stateful_step_count=20, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def test_outbox_state_machine(
    database_url: str, standin: SlackStandIn, tmp_path: Path, _sqlite_schema: Path
) -> None:
    def fresh() -> OutboxMachine:
        if database_url.startswith("sqlite"):
            path = tmp_path / f"{uuid.uuid4().hex}.db"
            shutil.copyfile(_sqlite_schema, path)
            url = f"sqlite:///{path}"
        else:
            url = database_url
            engine = make_engine(url)
            tables = ", ".join(f'"{t.name}"' for t in models.metadata.sorted_tables)
            with engine.begin() as conn:
                conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            engine.dispose()
        return OutboxMachine(url, standin, tmp_path)

    run_state_machine_as_test(fresh, settings=MACHINE_SETTINGS)
