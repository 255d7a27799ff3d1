"""The workspace's pace, shared by every sender through the database (bot/delivery/pace.py):
posts go out one interval apart, never more than the budget in any minute, and a 429 costs
only its own row."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta

import pytest
from sqlmodel import select

from bot.clock import FakeClock
from bot.delivery import claims
from bot.delivery.pace import WORKSPACE, Pacing
from bot.delivery.sender import REFUSALS_TO_HOLD, Sender
from storage.db import Database
from storage.models import SendPace
from tests.delivery.conftest import MakeSender
from tests.delivery.test_sender import prompt
from tests.delivery.world import World, make_world, rows
from tests.fakes.slack_api import Call, Fault, SlackStandIn
from tests.scenarios.seed import Seed


@pytest.fixture
def crowd(seed: Seed, db: Database, clock: FakeClock) -> World:
    world = make_world(seed, [(f"U{n:03d}", "UTC") for n in range(40)])
    for person in world.people:
        prompt(db, clock, person)
    return world


def post_times(standin: SlackStandIn, clock: FakeClock) -> list[datetime]:
    """The (fake) time of every accepted post, as the stand-in receives it."""
    times: list[datetime] = []

    def on_call(call: Call) -> None:
        if call.method == "chat.postMessage" and call.ok:
            times.append(clock.now())

    standin.listeners.append(on_call)
    return times


def run(senders: list[Sender], clock: FakeClock, seconds: float) -> None:
    """Tick the senders in turn, a tick's length apart, for `seconds` of fake time."""
    end = clock.now() + timedelta(seconds=seconds)
    while clock.now() < end:
        for sender in senders:
            started = clock.now()
            sender.tick()
            clock.advance_to(started + sender.pacing.tick / len(senders))


def mark(db: Database) -> datetime:
    with db.read() as session:
        return session.exec(select(SendPace.next_slot_at).where(
            SendPace.workspace == WORKSPACE)).one()


def test_the_interval_and_the_slots_a_claim_may_hand_out() -> None:
    pacing = Pacing(per_minute=600, headroom=0.01)
    assert pacing.interval() == timedelta(seconds=0.101)
    start = datetime(2026, 11, 30, 9, 0)
    assert pacing.slots(start, start + timedelta(seconds=1.8)) == 18
    assert pacing.slots(start, start - timedelta(seconds=1)) == 0
    assert Pacing(per_minute=6000, max_batch=50).per_tick() == 50
    assert Pacing(per_minute=4).per_tick() == 1


def test_posts_go_out_evenly_and_never_beyond_the_budget_of_a_minute(
    db: Database, clock: FakeClock, crowd: World, standin: SlackStandIn,
    make_sender: MakeSender
) -> None:
    times = post_times(standin, clock)
    sender = make_sender(per_minute=30)  # a slot every 2.02 s
    run([sender], clock, 70)
    slots = sorted(r.next_attempt_at for r in rows(db) if r.status == "sent")
    assert len(slots) == len(times) == 35  # 70 s at 30/min, less the headroom
    assert {later - earlier for earlier, later in itertools.pairwise(slots)} == {
        sender.pacing.interval()}
    # A post goes at its slot, or at the start of the tick after it (a slot may lie that far
    # back when the last tick left it unused): never a burst of saved-up slots.
    lateness = [posted - slot for posted, slot in zip(times, slots, strict=True)]
    assert all(timedelta(0) <= late <= sender.pacing.catch_up() for late in lateness)
    assert max(in_a_minute(times, start) for start in times) == 30


def in_a_minute(times: list[datetime], start: datetime) -> int:
    return sum(1 for t in times if start <= t < start + timedelta(seconds=60))


def test_senders_in_turn_share_one_pace(
    db: Database, clock: FakeClock, crowd: World, standin: SlackStandIn,
    make_sender: MakeSender
) -> None:
    times = post_times(standin, clock)
    senders = [make_sender(per_minute=60) for _ in range(3)]
    run(senders, clock, 30)
    slots = sorted(r.next_attempt_at for r in rows(db) if r.status == "sent")
    assert 28 <= len(slots) == len(times) <= 32
    assert min(later - earlier for earlier, later in itertools.pairwise(slots)) == (
        senders[0].pacing.interval())
    owners = {r.lease_owner for r in rows(db) if r.status == "sent"}
    assert len(owners) == 3


def test_a_429_sends_the_rest_of_the_batch_and_gives_its_slot_back(
    db: Database, clock: FakeClock, crowd: World, standin: SlackStandIn,
    make_sender: MakeSender
) -> None:
    sender = make_sender(per_minute=600)  # 0.101 s apart: 21 slots from 0.25 s ago to 1.8 s
    standin.fail("chat.postMessage", Fault("429", retry_after=1))
    refused_at = clock.now()
    report = sender.tick()
    assert (report.claimed, report.sent, report.rate_limited) == (21, 20, 1)
    assert sender.paused_until is None
    [refused] = [r for r in rows(db) if r.status == "pending" and r.last_error]
    assert (refused.last_error, refused.attempts) == ("ratelimited", 0)
    assert timedelta(seconds=1) <= refused.next_attempt_at - refused_at <= timedelta(seconds=2)
    last_slot = max(r.next_attempt_at for r in rows(db) if r.status == "sent")
    assert mark(db) == last_slot  # one interval after it, less the slot given back


def test_a_run_of_429s_holds_every_sender_until_retry_after(
    db: Database, clock: FakeClock, crowd: World, standin: SlackStandIn,
    make_sender: MakeSender
) -> None:
    first, second = make_sender(per_minute=600), make_sender(per_minute=600)
    standin.fail("chat.postMessage", Fault("429", retry_after=5, times=REFUSALS_TO_HOLD))
    report = first.tick()
    assert (report.sent, report.rate_limited) == (0, REFUSALS_TO_HOLD)
    assert {r.status for r in rows(db)} == {"pending"}  # the rest of the batch given back
    assert second.tick().claimed == 0  # the hold is shared through the database
    clock.advance(timedelta(seconds=6))
    assert first.tick().sent + second.tick().sent > 0


def test_sent_rows_are_recorded_together_only_under_our_lease(
    db: Database, clock: FakeClock, crowd: World
) -> None:
    mine = claims.claim(db, owner="me", now=clock.now(), pacing=Pacing(per_minute=600))[:2]
    kept, lost = mine
    claims.finish(db, lost.id or 0, "me", status="pending")  # as if our lease had run out
    recorded = claims.finish_sent(db, "me", [(kept.id or 0, "DKEPT", "1.1"),
                                             (lost.id or 0, "DLOST", "1.2")], clock.now())
    assert recorded == {kept.id}
    after = {r.id: r for r in rows(db)}
    assert (after[kept.id].status, after[kept.id].channel_id, after[kept.id].ts,
            after[kept.id].attempts) == ("sent", "DKEPT", "1.1", 1)
    assert (after[lost.id].status, after[lost.id].ts) == ("pending", None)
