"""Reply rows: posted in their parent's thread once the parent is out, never lost or doubled."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import update

from bot.clock import FakeClock
from bot.delivery import claims
from bot.delivery.sender import RECONCILE_AFTER
from storage.db import Database
from storage.models import Delivery
from storage.queries.outbox import enqueue, enqueue_thread
from tests.delivery.conftest import MakeSender
from tests.delivery.world import World, make_world, row
from tests.fakes.slack_api import Fault, SlackStandIn
from tests.scenarios.seed import Seed

HEAD = "digest:test:7"


@pytest.fixture
def world(seed: Seed) -> World:
    return make_world(seed, [("UANA", "UTC")])


def _head(session: Any, delivery: Delivery, renderer: Any) -> list[dict[str, Any]]:
    return [{"text": "headline"}]


def _section(session: Any, delivery: Delivery, renderer: Any) -> list[dict[str, Any]]:
    name = delivery.dedupe_key.rsplit(":", 1)[1]
    return [{"text": f"{name} 1"}, {"text": f"{name} 2"}]


RENDER = {"digest": _head, "digest_reply": _section}


def plan(db: Database, clock: FakeClock, world: World, *sections: str) -> None:
    with db.write() as session:
        enqueue(session, kind="digest", dedupe_key=HEAD, due_at=clock.now(),
                team_id=world.team.id, channel_id="CGROWTH", payload={})
        enqueue_thread(session, parent_key=HEAD, kind="digest_reply", sections=sections,
                       created_at=clock.now())


def texts(standin: SlackStandIn) -> list[tuple[str, str | None]]:
    return [(m["text"], m.get("thread_ts")) for m in standin.workspace.messages["CGROWTH"]]


def test_replies_follow_the_headline_in_its_thread_in_order(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    plan(db, clock, world, "details", "chart")
    sender = make_sender(renderers=RENDER)
    assert sender.tick().sent == 1  # the headline: its replies wait for its ts
    for _ in range(4):
        clock.advance(timedelta(seconds=2))
        sender.tick()
    ts = row(db, HEAD).ts
    assert ts is not None
    assert texts(standin) == [("headline", None), ("details 1", ts), ("details 2", ts),
                              ("chart 1", ts), ("chart 2", ts)]
    replies = [row(db, f"{HEAD}:details"), row(db, f"{HEAD}:chart")]
    assert [(r.status, r.parent_id, r.channel_id) for r in replies] == [
        ("sent", row(db, HEAD).id, "CGROWTH")] * 2
    assert standin.invalid == []


def test_a_reply_is_not_claimed_before_its_parent_has_a_ts(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    plan(db, clock, world, "details")
    with db.write() as session:  # the headline is still in flight (another sender holds it)
        session.exec(update(Delivery).where(Delivery.dedupe_key == HEAD)  # type: ignore[arg-type]
                     .values(status="sending", lease_owner="elsewhere",
                             lease_expires_at=clock.now() + timedelta(minutes=2)))
    clock.advance(timedelta(seconds=5))
    assert make_sender(renderers=RENDER).tick().claimed == 0
    assert standin.calls_to("chat.postMessage") == []


def test_replies_of_a_parent_that_is_never_posted_are_skipped(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    plan(db, clock, world, "details")
    standin.fail("chat.postMessage", Fault("error", error="channel_not_found"))
    sender = make_sender(renderers=RENDER)
    assert sender.tick().failed == 1
    sender.tick()
    reply = row(db, f"{HEAD}:details")
    assert (reply.status, reply.last_error) == ("skipped", "its thread was never posted")
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_a_reply_left_behind_by_a_crash_is_posted_by_a_later_tick(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    plan(db, clock, world, "details")
    # the headline went out, then the sender died before claiming its replies
    sender = make_sender(renderers={"digest": _head})
    [head] = claims.claim(db, owner=sender.owner, now=clock.now(), pacing=sender.pacing)
    ts = sender._post(head, "CGROWTH", {"text": "headline"}, part=0)
    claims.finish(db, head.id or 0, sender.owner, status="sent", channel_id="CGROWTH", ts=ts,
                  sent_at=clock.now())
    clock.advance(timedelta(seconds=2))
    assert make_sender(renderers=RENDER).tick().sent == 1
    assert texts(standin) == [("headline", None), ("details 1", ts), ("details 2", ts)]


def test_a_lost_reply_is_found_in_the_thread_and_not_posted_twice(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    plan(db, clock, world, "details")
    sender = make_sender(renderers=RENDER)
    standin.fail("chat.postMessage", Fault("ok"))  # the headline
    standin.fail("chat.postMessage", Fault("drop"))  # the reply: accepted, answer lost
    assert sender.tick().sent == 1
    clock.advance(timedelta(seconds=2))
    assert sender.tick().ambiguous == 1
    clock.advance(RECONCILE_AFTER)
    sender.tick()
    clock.advance(timedelta(seconds=2))
    sender.tick()
    ts = row(db, HEAD).ts
    assert row(db, f"{HEAD}:details").status == "sent"
    assert texts(standin) == [("headline", None), ("details 1", ts), ("details 2", ts)]
    assert standin.calls_to("conversations.replies") != []


def test_a_reply_for_an_unknown_parent_is_not_added(db: Database, clock: FakeClock) -> None:
    with db.write() as session:
        assert enqueue_thread(session, parent_key="digest:none:1", kind="digest_reply",
                              sections=("details",), created_at=clock.now()) == 0
