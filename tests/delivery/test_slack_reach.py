"""Slack made unreachable and brought back, as `okr-bot status` tells it."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.clock import FakeClock
from bot.commands.status import report
from bot.delivery.claims import Pacing
from bot.delivery.reach import UNREACHABLE_AFTER, slack_reach
from bot.delivery.sender import Sender
from bot.deps import make_web_client
from bot.rendering import Renderer
from bot.settings import load_settings
from storage.db import Database
from storage.queries.outbox import enqueue
from tests.delivery.conftest import GRACE, MakeSender
from tests.delivery.world import make_world, rows
from tests.fakes.slack_api import Fault, SlackStandIn
from tests.fakes.subprocess_clock import env_at
from tests.fakes.unreachable import closed_port_url
from tests.scenarios.seed import Seed

ROOT = Path(__file__).resolve().parents[2]
REFUSED = "connection failed: [Errno 111] Connection refused"


def sender_without_slack(db: Database, clock: FakeClock) -> Sender:
    """A sender whose Slack refuses every connection (nothing listens on its port)."""
    settings = load_settings(slack_bot_token="xoxb-test", slack_api_url=closed_port_url(),
                             _env_file=None)
    return Sender(db, clock, make_web_client(settings, retries=False, timeout=2), Renderer(),
                  grace=GRACE, pacing=Pacing(per_minute=600))


def prompt(db: Database, seed: Seed, clock: FakeClock) -> None:
    world = make_world(seed, [("UANA", "UTC"), ("UBEN", "UTC")])
    with db.write() as session:
        for person in world.people:
            enqueue(session, kind="checkin", dedupe_key=f"checkin:{person.id}:2026-11-30",
                    due_at=clock.now(), person_id=person.id, slot_key="2026-11-30", payload={})


def section(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title) + 1
    end = next((i for i in range(start, len(lines)) if not lines[i].startswith("  ")),
               len(lines))
    return lines[start:end]


def test_status_shows_rows_waiting_to_retry_and_says_plainly_when_slack_is_unreachable(
    db: Database, clock: FakeClock, seed: Seed, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    prompt(db, seed, clock)
    assert report(db, clock).splitlines()[0] == "Slack: reachable (no post accepted yet)"

    down = sender_without_slack(db, clock)
    down.tick()
    text = report(db, clock)
    assert text.splitlines()[0].startswith("Slack: 2 message(s) failed to reach it lately")
    waiting = section(text, "Waiting to retry")
    assert len(waiting) == 2
    assert all("(pending) due 0 min ago, 1 attempt(s)" in line and line.endswith(REFUSED)
               for line in waiting), waiting

    clock.advance(UNREACHABLE_AFTER + timedelta(minutes=1))
    down.tick()
    text = report(db, clock)
    assert text.splitlines()[0] == (
        f"Slack: NOT REACHABLE for 11 min (no post accepted yet); 2 message(s) waiting, last "
        f"error: {REFUSED}. Check the network, a proxy (HTTPS_PROXY) or SLACK_API_URL; the "
        "outbox retries by itself.")
    assert all("due 11 min ago, 2 attempt(s)" in line for line in section(text, "Waiting to retry"))

    clock.advance(timedelta(minutes=5))  # past the backoff; Slack is back
    make_sender().tick()
    text = report(db, clock)
    assert text.splitlines()[0] == "Slack: reachable (last post accepted 0 min ago)"
    assert section(text, "Waiting to retry") == ["  none"]
    assert {r.status for r in rows(db)} == {"sent"}


def test_a_post_accepted_since_the_failures_began_means_slack_is_reachable(
    db: Database, clock: FakeClock, seed: Seed, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    prompt(db, seed, clock)
    make_sender(max_batch=1).tick()  # one prompt goes out
    sender_without_slack(db, clock).tick()  # the other cannot
    clock.advance(timedelta(minutes=5))
    reach = slack_reach(db, clock.now())
    assert reach.failing_rows == 1 and reach.last_error == REFUSED
    assert not reach.unreachable
    clock.advance(UNREACHABLE_AFTER)
    assert slack_reach(db, clock.now()).unreachable_for == timedelta(minutes=15)


def test_a_refusal_by_slack_is_not_unreachability(
    db: Database, clock: FakeClock, seed: Seed, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    prompt(db, seed, clock)
    standin.fail("chat.postMessage", Fault("error", error="channel_not_found", times=2))
    make_sender().tick()
    clock.advance(timedelta(hours=1))
    reach = slack_reach(db, clock.now())
    assert (reach.failing_rows, reach.unreachable) == (0, False)
    assert "Failed (not retried)" in report(db, clock)
    assert "channel_not_found" in "\n".join(section(report(db, clock), "Failed (not retried)"))


def test_send_checkins_exits_1_when_slack_cannot_be_reached(
    database_url: str, db: Database, seed: Seed, tmp_path: Path
) -> None:
    make_world(seed, [("UANA", "UTC"), ("UBEN", "UTC")])
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env.update(DATABASE_URL=database_url, SLACK_API_URL=closed_port_url(),
               SLACK_BOT_TOKEN="xoxb-test")
    monday_morning = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)  # inside everyone's hours
    done = subprocess.run([sys.executable, "-m", "bot.cli", "send-checkins", "--wait", "0"],
                          env=env_at(monday_morning, env), cwd=tmp_path, capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines()[-1] == "sent 0, failed 0, skipped 0, waiting to retry 2"
    assert done.stderr.strip().endswith(
        f"0 failed and 2 not sent yet (last error: {REFUSED}); the worker retries what waits, "
        "`okr-bot status` shows both")
