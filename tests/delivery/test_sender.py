"""The sender: claim, post with metadata, record; every failure class; reconciliation."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from sqlmodel import col, select, update

from bot import ids
from bot.clock import FakeClock
from bot.delivery import claims
from bot.delivery.renderers import RENDERERS
from bot.delivery.sender import MAX_ATTEMPTS, METADATA_TYPE, RECONCILE_AFTER
from bot.deps import make_web_client
from bot.settings import load_settings
from storage.db import Database
from storage.models import Absence, Delivery, KeyResult, Person
from storage.queries.outbox import enqueue
from tests.delivery.conftest import MakeSender
from tests.delivery.world import World, make_world, row
from tests.fakes.slack_api import Call, Fault, PostLimits, SlackStandIn
from tests.scenarios.seed import Seed


@pytest.fixture
def world(seed: Seed) -> World:
    return make_world(seed, [("UANA", "UTC"), ("UBEN", "Asia/Shanghai")])


def prompt(db: Database, clock: FakeClock, person: Person, *, slot: str = "2026-11-30") -> str:
    key = f"checkin:{person.id}:{slot}"
    with db.write() as session:
        enqueue(session, kind="checkin", dedupe_key=key, due_at=clock.now(),
                person_id=person.id, team_id=None, slot_key=slot, payload={})
    return key


def posts(standin: SlackStandIn, channel: str | None = None) -> list[Call]:
    """chat.postMessage calls that Slack accepted (a dropped answer was still accepted)."""
    return [c for c in standin.calls_to("chat.postMessage")
            if c.ok and (channel is None or c.args.get("channel") == channel)]


def stored(standin: SlackStandIn, channel: str) -> list[dict[str, Any]]:
    return standin.workspace.messages.get(channel, [])


def test_a_prompt_is_posted_to_the_persons_dm_with_its_row_in_metadata(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    ana = world.people[0]
    key = prompt(db, clock, ana)
    report = make_sender().tick()
    assert (report.claimed, report.sent) == (1, 1)
    sent = row(db, key)
    assert (sent.status, sent.channel_id, sent.attempts) == ("sent", "DANA", 1)
    [call] = posts(standin)
    assert call.args["channel"] == "DANA"
    assert call.args["metadata"] == {"event_type": METADATA_TYPE, "event_payload": {
        "delivery_id": sent.id, "dedupe_key": key, "part": 0}}
    assert sent.ts == stored(standin, "DANA")[0]["ts"]
    button = call.args["blocks"][-2]["elements"][0]
    assert (button["action_id"], button["value"]) == (ids.CHECKIN_OPEN, str(sent.id))
    assert "Leads" in str(call.args["blocks"])
    assert standin.invalid == []
    with db.read() as session:
        assert session.get(Person, ana.id).dm_channel_id == "DANA"  # type: ignore[union-attr]


def test_the_dm_channel_is_opened_once_and_cached(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    ana = world.people[0]
    prompt(db, clock, ana, slot="2026-11-30")
    sender = make_sender()
    sender.tick()
    prompt(db, clock, ana, slot="2026-12-07")
    clock.advance(timedelta(seconds=2))
    sender.tick()
    assert len(standin.calls_to("conversations.open")) == 1
    assert len(posts(standin, "DANA")) == 2


def test_a_prompt_in_chinese_for_a_chinese_reader(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    with db.write() as session:
        session.exec(update(Person).where(col(Person.id) == world.people[1].id)
                     .values(locale="zh"))
    prompt(db, clock, world.people[1])
    make_sender().tick()
    [call] = posts(standin)
    assert "打卡" in call.args["text"]


def test_429_goes_back_to_pending_at_retry_after_without_counting_an_attempt(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    key = prompt(db, clock, world.people[0])
    standin.fail("chat.postMessage", Fault("429", retry_after=30))
    sender = make_sender()
    report = sender.tick()
    waiting = row(db, key)
    assert report.rate_limited == 1
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 0, "ratelimited")
    delay = waiting.next_attempt_at - clock.now()
    assert timedelta(seconds=30) <= delay <= timedelta(seconds=31)
    clock.advance(timedelta(seconds=29))
    assert sender.tick().claimed == 0
    clock.advance(timedelta(seconds=2))
    assert sender.tick().sent == 1
    assert (row(db, key).status, row(db, key).attempts) == ("sent", 1)


@pytest.mark.parametrize("error", ["channel_not_found", "is_archived", "invalid_blocks",
                                   "account_inactive", "missing_scope"])
def test_a_definite_error_fails_the_row_and_is_never_retried(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender,
    error: str,
) -> None:
    key = prompt(db, clock, world.people[0])
    standin.fail("chat.postMessage", Fault("error", error=error))
    sender = make_sender()
    assert sender.tick().failed == 1
    failed = row(db, key)
    assert (failed.status, failed.last_error, failed.attempts) == ("failed", error, 1)
    clock.advance(timedelta(hours=1))
    assert sender.tick().claimed == 0
    assert len(standin.calls_to("chat.postMessage")) == 1


def test_an_unknown_user_fails_when_the_dm_cannot_be_opened(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    key = prompt(db, clock, world.people[0])
    standin.fail("conversations.open", Fault("error", error="user_not_found"))
    make_sender().tick()
    assert (row(db, key).status, row(db, key).last_error) == ("failed", "user_not_found")
    assert standin.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("fault", [Fault("500"), Fault("error", error="fatal_error"),
                                   Fault("hang", hang_seconds=3)],
                         ids=["500", "fatal_error", "hang"])
def test_an_unknown_outcome_that_never_posted_is_reconciled_and_sent_once(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender,
    fault: Fault,
) -> None:
    key = prompt(db, clock, world.people[0])
    standin.fail("chat.postMessage", fault)
    sender = make_sender(timeout=1)
    assert sender.tick().ambiguous == 1
    assert (row(db, key).status, row(db, key).attempts) == ("ambiguous", 1)
    assert sender.tick().reconciled_pending == 0  # the history is read a little later
    clock.advance(RECONCILE_AFTER)
    report = sender.tick()
    assert report.reconciled_pending == 1
    history = standin.calls_to("conversations.history")
    assert history[-1].args["channel"] == "DANA"
    assert str(history[-1].args["include_all_metadata"]).lower() in ("1", "true")
    waiting = row(db, key)
    assert waiting.status == "pending"
    clock.advance(waiting.next_attempt_at - clock.now())
    assert sender.tick().sent == 1
    assert len(stored(standin, "DANA")) == 1
    assert (row(db, key).status, row(db, key).attempts) == ("sent", 2)


def test_a_post_accepted_but_whose_answer_was_lost_is_found_and_not_sent_again(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    key = prompt(db, clock, world.people[0])
    standin.fail("chat.postMessage", Fault("drop"))
    sender = make_sender()
    assert sender.tick().ambiguous == 1
    clock.advance(RECONCILE_AFTER)
    assert sender.tick().reconciled_sent == 1
    done = row(db, key)
    assert (done.status, done.ts) == ("sent", stored(standin, "DANA")[0]["ts"])
    clock.advance(timedelta(hours=1))
    sender.tick()
    assert len(standin.calls_to("chat.postMessage")) == 1
    assert len(stored(standin, "DANA")) == 1


def test_every_attempt_unknown_ends_failed_with_the_last_error(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    key = prompt(db, clock, world.people[0])
    standin.fail("chat.postMessage", Fault("500", times=100))
    sender = make_sender()
    for _ in range(MAX_ATTEMPTS * 3):
        sender.tick()
        current = row(db, key)
        if current.status == "failed":
            break
        clock.advance(max(current.next_attempt_at - clock.now(), timedelta(seconds=1)))
    failed = row(db, key)
    assert (failed.status, failed.attempts, failed.last_error) == (
        "failed", MAX_ATTEMPTS, "http_500")
    assert len(standin.calls_to("chat.postMessage")) == MAX_ATTEMPTS
    assert len(standin.calls_to("conversations.history")) == MAX_ATTEMPTS


def test_backoff_grows_and_is_capped(make_sender: MakeSender) -> None:
    sender = make_sender()
    steps = [sender.backoff(n) for n in range(1, 12)]
    assert timedelta(seconds=1) <= steps[0] <= timedelta(seconds=2)
    assert timedelta(seconds=4) <= steps[2] <= timedelta(seconds=8)
    patience = sum((sender.backoff(n) for n in range(1, MAX_ATTEMPTS)), timedelta())
    assert patience >= timedelta(minutes=8)  # a Slack outage of minutes fails nothing
    assert all(step <= timedelta(minutes=30) for step in steps)
    assert steps[-1] >= timedelta(minutes=15)


def test_an_expired_lease_is_reconciled_from_the_channel_history(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    """A sender claimed two rows and died: one after Slack accepted it, one before posting."""
    ana, ben = world.people
    posted, lost = prompt(db, clock, ana), prompt(db, clock, ben)
    dead = claims.claim(db, owner="dead-sender", now=clock.now(), pacing=claims.Pacing())
    assert sorted(r.dedupe_key for r in dead) == sorted([posted, lost])
    with db.write() as session:
        session.exec(update(Person).values(dm_channel_id=None))
        session.exec(update(Person).where(col(Person.id) == ana.id).values(dm_channel_id="DANA"))
    accepted = standin.handle("chat.postMessage", {
        "channel": "DANA", "text": "prompt",
        "metadata": {"event_type": METADATA_TYPE,
                     "event_payload": {"delivery_id": row(db, posted).id, "part": 0}}})
    sender = make_sender()
    assert sender.tick().claimed == 0  # leased rows are not touched
    clock.advance(claims.LEASE + timedelta(seconds=1))
    report = sender.tick()
    assert report.expired == 2
    assert report.reconciled_sent == 1 and report.reconciled_pending == 1
    assert (row(db, posted).status, row(db, posted).ts) == ("sent", accepted[1]["ts"])
    assert row(db, lost).status == "pending"
    clock.advance(row(db, lost).next_attempt_at - clock.now())
    assert sender.tick().sent == 1
    assert len(stored(standin, "DANA")) == 1
    assert len(stored(standin, "DBEN")) == 1


def test_a_sender_whose_lease_was_taken_cannot_record_the_outcome(
    db: Database, clock: FakeClock, world: World
) -> None:
    key = prompt(db, clock, world.people[0])
    [mine] = claims.claim(db, owner="slow", now=clock.now(), pacing=claims.Pacing())
    clock.advance(claims.LEASE + timedelta(seconds=1))
    assert claims.expire_leases(db, now=clock.now(), reconcile_at=clock.now()) == 1
    assert claims.finish(db, mine.id or 0, "slow", status="sent", ts="1.2") is False
    assert row(db, key).status == "ambiguous"
    # ... but proof that its post went out settles the row (nobody else has posted it)
    assert claims.adopt_sent(db, mine.id or 0, channel="DANA", ts="1.2", now=clock.now())
    assert (row(db, key).status, row(db, key).ts) == ("sent", "1.2")


def test_rows_older_than_the_grace_window_are_skipped_by_the_sender(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    key = prompt(db, clock, world.people[0])
    clock.advance(timedelta(hours=6, minutes=1))
    report = make_sender().tick()
    assert (report.late, report.claimed) == (1, 0)
    assert row(db, key).status == "skipped"
    assert standin.calls_to("chat.postMessage") == []


def test_one_channel_gets_at_most_one_post_a_second(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    with db.write() as session:
        for n in range(3):
            enqueue(session, kind="note", dedupe_key=f"note:{n}", due_at=clock.now(),
                    channel_id="CGROWTH", payload={"n": n})
    sender = make_sender(renderers={"note": lambda s, d, r: [{"text": d.payload}]})
    assert sender.tick().sent == 1
    assert sender.tick().sent == 0  # same instant: the channel is still busy
    clock.advance(timedelta(seconds=1, milliseconds=1))
    assert sender.tick().sent == 1
    clock.advance(timedelta(seconds=1, milliseconds=1))
    assert sender.tick().sent == 1
    assert [m["text"] for m in stored(standin, "CGROWTH")] == [
        '{"n": 0}', '{"n": 1}', '{"n": 2}']


def test_a_reminder_updates_the_prompt_in_place_and_replies_in_its_thread(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    ana = world.people[0]
    key = prompt(db, clock, ana)
    sender = make_sender()
    sender.tick()
    prompt_ts = row(db, key).ts
    clock.advance(timedelta(hours=24))
    with db.write() as session:
        enqueue(session, kind="reminder", dedupe_key=f"reminder:{ana.id}:2026-11-30",
                due_at=clock.now(), person_id=ana.id, slot_key="2026-11-30", payload={})
    assert sender.tick().sent == 1
    [edit] = standin.calls_to("chat.update")
    assert (edit.args["channel"], edit.args["ts"]) == ("DANA", prompt_ts)
    assert "Reminder" in str(edit.args["blocks"][0])
    replies = [c for c in posts(standin) if c.args.get("thread_ts") == prompt_ts]
    assert len(replies) == 1
    assert len(stored(standin, "DANA")) == 2  # the prompt (edited) and one reply
    reminder = row(db, f"reminder:{ana.id}:2026-11-30")
    assert (reminder.status, reminder.channel_id) == ("sent", "DANA")


def test_a_reminder_whose_person_checked_in_meanwhile_is_skipped(
    db: Database, clock: FakeClock, world: World, seed: Seed, standin: SlackStandIn,
    make_sender: MakeSender,
) -> None:
    ana = world.people[0]
    prompt(db, clock, ana)
    sender = make_sender()
    sender.tick()
    clock.advance(timedelta(hours=3))
    with db.read() as session:
        kr = session.exec(select(KeyResult).where(col(KeyResult.owner_person_id) == ana.id)).one()
    seed.make_checkin(kr, author=ana, value=50)
    clock.advance(timedelta(hours=21))
    with db.write() as session:
        enqueue(session, kind="reminder", dedupe_key=f"reminder:{ana.id}:2026-11-30",
                due_at=clock.now(), person_id=ana.id, slot_key="2026-11-30", payload={})
    assert sender.tick().skipped == 1
    assert row(db, f"reminder:{ana.id}:2026-11-30").last_error == "checked in"
    assert standin.calls_to("chat.update") == []


def _three_parts(session: Any, delivery: Delivery, renderer: Any) -> list[dict[str, Any]]:
    return [{"text": f"part {n}"} for n in range(3)]


def test_a_threaded_post_is_a_channel_post_with_replies_in_its_thread(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    with db.write() as session:
        enqueue(session, kind="digest", dedupe_key="digest:test:1", due_at=clock.now(),
                team_id=world.team.id, channel_id="CGROWTH", payload={})
    make_sender(renderers={"digest": _three_parts}).tick()
    digest = row(db, "digest:test:1")
    messages = stored(standin, "CGROWTH")
    assert [m["text"] for m in messages] == ["part 0", "part 1", "part 2"]
    assert (digest.status, digest.ts) == ("sent", messages[0]["ts"])
    assert [m.get("thread_ts") for m in messages] == [None, digest.ts, digest.ts]


def test_a_lost_reply_is_found_in_the_thread_and_not_posted_twice(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    with db.write() as session:
        enqueue(session, kind="digest", dedupe_key="digest:test:2", due_at=clock.now(),
                team_id=world.team.id, channel_id="CGROWTH", payload={})
    sender = make_sender(renderers={"digest": _three_parts})
    standin.fail("chat.postMessage", Fault("ok"))  # the channel post goes through
    standin.fail("chat.postMessage", Fault("drop"))  # the first reply: accepted, answer lost
    assert sender.tick().ambiguous == 1
    assert row(db, "digest:test:2").ts is not None
    clock.advance(RECONCILE_AFTER)
    sender.tick()  # back to pending, then resumed within the same tick or the next
    clock.advance(timedelta(seconds=2))
    sender.tick()
    assert row(db, "digest:test:2").status == "sent"
    assert [m["text"] for m in stored(standin, "CGROWTH")] == ["part 0", "part 1", "part 2"]
    assert standin.calls_to("conversations.replies") != []


def test_a_prompt_for_someone_who_went_away_after_it_was_planned_is_skipped(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    ana = world.people[0]
    key = prompt(db, clock, ana)
    with db.write() as session:
        session.add(Absence(person_id=ana.id, start_date=date(2026, 11, 30),
                            end_date=date(2026, 11, 30), reason="away"))
    assert make_sender().tick().skipped == 1
    assert (row(db, key).status, row(db, key).last_error) == ("skipped", "away")
    assert standin.calls_to("chat.postMessage") == []


def test_a_help_request_goes_to_the_leads_dm_rendered_from_its_payload(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    lead, asker = world.people
    with db.write() as session:
        enqueue(session, kind="help", dedupe_key="help:1:1", due_at=clock.now(),
                person_id=lead.id, payload={
                    "asker_slack_id": asker.slack_user_id, "asker_name": "Ben <!channel>",
                    "objective_title": "Grow", "kr_title": "Leads", "help_text": "A & <b>",
                    "helper_slack_id": "", "checkin_id": 1, "locale": "zh"})
    assert make_sender().tick().sent == 1
    [call] = posts(standin)
    assert call.args["channel"] == "DANA"
    assert "<!channel>" not in str(call.args) and "A &amp; &lt;b&gt;" in str(call.args)
    assert standin.invalid == []


def test_a_digest_row_posts_the_teams_digest_to_its_channel(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    end = clock.now()
    with db.write() as session:
        enqueue(session, kind="digest", dedupe_key=f"digest:{world.team.id}:23",
                due_at=end, team_id=world.team.id, slot_key="23", channel_id="CGROWTH",
                payload={"period": 23, "period_start": (end - timedelta(days=14)).isoformat(),
                         "period_end": end.isoformat()})
    assert make_sender().tick().sent == 1
    messages = stored(standin, "CGROWTH")
    assert messages and "Growth" in messages[0]["text"]
    assert row(db, f"digest:{world.team.id}:23").ts == messages[0]["ts"]
    assert standin.invalid == []


def test_two_messages_to_one_persons_dm_are_a_second_apart(
    db: Database, clock: FakeClock, world: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    ana = world.people[0]
    prompt(db, clock, ana)
    with db.write() as session:
        enqueue(session, kind="note", dedupe_key="note:ana", due_at=clock.now(),
                person_id=ana.id, payload={})
    sender = make_sender(renderers={**RENDERERS, "note": lambda s, d, r: [{"text": "hi"}]})
    assert sender.tick().sent == 1
    assert sender.tick().sent == 0
    clock.advance(timedelta(seconds=1, milliseconds=1))
    assert sender.tick().sent == 1
    assert len(stored(standin, "DANA")) == 2


def test_the_stand_in_can_enforce_slacks_pace(standin: SlackStandIn) -> None:
    settings = load_settings(slack_bot_token="xoxb-x", slack_api_url=standin.url, _env_file=None)
    client = make_web_client(settings, retries=False)
    standin.limit_posts(PostLimits(per_channel_per_second=0.1, workspace_per_minute=2))
    client.chat_postMessage(channel="C1", text="one")
    with pytest.raises(SlackApiError) as same_channel:
        client.chat_postMessage(channel="C1", text="two")
    assert same_channel.value.response.status_code == 429
    assert int(same_channel.value.response.headers["Retry-After"]) >= 1
    client.chat_postMessage(channel="C2", text="three")
    with pytest.raises(SlackApiError) as workspace:
        client.chat_postMessage(channel="C3", text="four")
    assert workspace.value.response.status_code == 429
    assert [c.error for c in standin.calls_to("chat.postMessage")] == [
        None, "ratelimited", None, "ratelimited"]
