"""Many senders, many processes, a killed worker: every recipient is prompted exactly once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.delivery import claims
from bot.delivery.sender import Sender
from storage.db import Database
from storage.models import Person
from storage.queries.outbox import enqueue
from tests.delivery.conftest import MakeSender
from tests.delivery.world import World, make_world, rows
from tests.fakes.slack_api import Call, SlackStandIn
from tests.fakes.subprocess_clock import env_at
from tests.scenarios.seed import Seed

# The moment the subprocesses' clocks start at: a Monday morning, inside everyone's hours.
WORKDAY = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def accepted_posts(standin: SlackStandIn) -> Counter[str]:
    """Posts Slack accepted, per channel (a post whose answer was lost still counts)."""
    return Counter(str(c.args["channel"]) for c in standin.calls_to("chat.postMessage") if c.ok)


def prompt_everyone(db: Database, people: list[Person], due: datetime) -> None:
    with db.write() as session:
        for person in people:
            enqueue(session, kind="checkin", dedupe_key=f"checkin:{person.id}:2026-11-30",
                    due_at=due, person_id=person.id, slot_key="2026-11-30", payload={})


@pytest.fixture
def crowd(seed: Seed) -> World:
    return make_world(seed, [(f"U{n:04d}", "UTC") for n in range(24)], scheduled=False,
                      cycle=seed.make_cycle("always", start=date(2020, 1, 1),
                                            end=date(2035, 12, 31)))


def test_four_senders_in_threads_never_send_the_same_row(
    db: Database, clock: FakeClock, crowd: World, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    prompt_everyone(db, crowd.people, clock.now())
    senders = [make_sender(per_minute=6000, max_batch=2) for _ in range(4)]
    barrier = threading.Barrier(len(senders))
    errors: list[BaseException] = []

    def run(sender: Sender) -> None:
        try:
            barrier.wait()
            for _ in range(100):
                if sender.tick().claimed == 0 and not _unsent(db):
                    return
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert {r.status for r in rows(db)} == {"sent"}
    posts = accepted_posts(standin)
    assert len(posts) == len(crowd.people)
    assert set(posts.values()) == {1}
    owners = {r.lease_owner for r in rows(db)}
    assert len(owners) > 1  # the work really was shared


def _unsent(db: Database) -> bool:
    return any(r.status in ("pending", "sending", "ambiguous") for r in rows(db))


def _env(database_url: str, standin: SlackStandIn) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    env.update(DATABASE_URL=database_url, SLACK_API_URL=standin.url, SLACK_BOT_TOKEN="xoxb-t",
               SLACK_POST_RATE_PER_MINUTE="3000")
    return env_at(WORKDAY, env)


def okr_bot(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot.cli", *args]


def test_two_send_checkins_processes_at_once_prompt_everyone_once(
    database_url: str, db: Database, crowd: World, standin: SlackStandIn, tmp_path: Path
) -> None:
    env = _env(database_url, standin)
    processes = [subprocess.Popen(okr_bot("send-checkins", "--team", "Growth"), env=env,
                                  cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True) for _ in range(2)]
    try:
        outputs = [p.communicate(timeout=120) for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.communicate()
    assert [p.returncode for p in processes] == [0, 0], outputs
    posts = accepted_posts(standin)
    assert len(posts) == len(crowd.people)
    assert set(posts.values()) == {1}
    assert sorted(r.status for r in rows(db)) == ["sent"] * len(crowd.people)
    planned = sorted(int(out.split()[1]) for out, _ in outputs)
    assert sum(planned) == len(crowd.people)  # the dedupe key let one of them plan each row
    again = subprocess.run(okr_bot("send-checkins", "--team", "Growth"), env=env, cwd=tmp_path,
                           capture_output=True, text=True, timeout=120, check=False)
    assert again.returncode == 0, again.stderr
    assert again.stdout.startswith("planned 0 prompts")
    assert accepted_posts(standin) == posts


def test_send_checkins_names_an_unknown_team(
    database_url: str, crowd: World, standin: SlackStandIn, tmp_path: Path
) -> None:
    done = subprocess.run(okr_bot("send-checkins", "--team", "Nope"),
                          env=_env(database_url, standin), cwd=tmp_path, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 2
    assert "no team named Nope" in done.stderr
    assert standin.calls_to("chat.postMessage") == []


class KillAt:
    """Kill process `pid` with SIGKILL when the stand-in receives the n-th `method` call —
    before it answers, so Slack has accepted that call but the sender never hears back."""

    def __init__(self, method: str, n: int) -> None:
        self.method, self.n, self.seen, self.pid = method, n, 0, 0
        self.fired = threading.Event()

    def __call__(self, call: Call) -> None:
        if call.method != self.method or self.fired.is_set():
            return
        self.seen += 1
        if self.seen == self.n and self.pid:
            os.kill(self.pid, signal.SIGKILL)
            self.fired.set()


@pytest.fixture
def quiet_standin_errors() -> Iterator[None]:
    """The killed worker leaves a half-answered request: silence the server's traceback."""
    import socketserver

    original = socketserver.BaseServer.handle_error
    socketserver.BaseServer.handle_error = lambda self, request, address: None  # type: ignore[method-assign]
    yield
    socketserver.BaseServer.handle_error = original  # type: ignore[method-assign]


@pytest.mark.parametrize(("method", "n"), [("conversations.open", 3), ("chat.postMessage", 5)],
                         ids=["after-claim-before-post", "after-slack-accepted-before-sent"])
def test_a_worker_killed_mid_fan_out_is_resumed_with_everyone_prompted_once(
    database_url: str, db: Database, crowd: World, standin: SlackStandIn, tmp_path: Path,
    method: str, n: int, quiet_standin_errors: None,
) -> None:
    real_now = WORKDAY  # the worker's clock starts there (tests/fakes/subprocess_clock.py)
    assert crowd.cycle.start_date <= real_now.date() <= crowd.cycle.end_date
    prompt_everyone(db, crowd.people, real_now)
    kill = KillAt(method, n)
    standin.listeners.append(kill)
    worker = subprocess.Popen(okr_bot("worker"), env=_env(database_url, standin), cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    kill.pid = worker.pid
    try:
        _, stderr = worker.communicate(timeout=120)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == -signal.SIGKILL, stderr
    assert kill.fired.is_set()
    left = [r for r in rows(db) if r.status == "sending"]
    assert left, "the worker died holding leases"

    clock = FakeClock(real_now + claims.LEASE + timedelta(seconds=1))
    from bot.deps import make_web_client
    from bot.rendering import Renderer
    from bot.settings import load_settings

    settings = load_settings(slack_bot_token="xoxb-t", slack_api_url=standin.url,
                             _env_file=None)
    fresh = Sender(db, clock, make_web_client(settings, retries=False), Renderer(),
                   grace=timedelta(hours=6), pacing=claims.Pacing(per_minute=3000))
    for _ in range(20):
        fresh.tick()
        if not _unsent(db):
            break
        clock.advance(timedelta(minutes=1))
    assert {r.status for r in rows(db)} == {"sent"}
    posts = accepted_posts(standin)
    assert len(posts) == len(crowd.people)
    assert set(posts.values()) == {1}, posts
    assert all(len(standin.workspace.messages[ch]) == 1 for ch in posts)

