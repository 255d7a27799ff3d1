"""Scenario fixtures: the real app served over HTTP, a Slack stand-in, a signed sender."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest

from bot.blockkit import violations
from bot.clock import FakeClock
from bot.deps import Deps, make_web_client
from bot.follow_ups import FollowUps
from bot.rendering import Renderer
from bot.server import OkrWsgiApp
from bot.settings import load_settings
from bot.wiring import build_wsgi_app, serving_turns
from storage.db import Database
from tests.fakes.slack_api import SlackStandIn
from tests.fakes.slack_requests import SIGNING_SECRET, SlackSender
from tests.scenarios.seed import Seed

LISTENER_THREADS = 10


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        return


@dataclass
class Harness:
    """Everything a scenario test touches."""

    slack: SlackStandIn
    sender: SlackSender
    deps: Deps
    wsgi: OkrWsgiApp
    base_url: str
    listeners: ThreadPoolExecutor

    def ask(self, text: str, user_id: str = "UBEN") -> dict[str, Any]:
        """`/okr <text>` from `user_id`: its answer, private and valid Block Kit."""
        result = self.sender.command(text, user_id=user_id)
        assert result.status == 200
        reply: dict[str, Any] = result.json()
        assert reply["response_type"] == "ephemeral"
        assert violations(reply, "message") == []
        return reply

    def drain(self, *, follow_ups: bool = True) -> None:
        """Wait until every listener that went on after its ack has finished (once all the
        pool's threads hold a barrier task queued now, none runs anything queued before), then
        (unless told not to) until the work they left for after the answer has."""
        workers = LISTENER_THREADS
        barrier = threading.Barrier(workers + 1)
        for _ in range(workers):
            self.listeners.submit(barrier.wait, 10)
        barrier.wait(10)
        if follow_ups:
            self.deps.follow_ups.flush()


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    fake = SlackStandIn().start()
    fake.workspace.add_user("UANA", "Ana", tz="Asia/Shanghai", locale="zh-CN")
    fake.workspace.add_user("UBEN", "Ben", tz="America/New_York", locale="en-US")
    yield fake
    fake.stop()


@pytest.fixture
def harness(
    standin: SlackStandIn, database_url: str, db: Database, clock: FakeClock
) -> Iterator[Harness]:
    settings = load_settings(
        slack_bot_token="xoxb-test",
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=standin.url,
        database_url=database_url,
        _env_file=None,
    )
    turns = serving_turns()  # as `serve` takes them
    deps = Deps(settings=settings, db=db, clock=clock, renderer=Renderer(),
                slack=make_web_client(settings), turns=turns,
                follow_ups=FollowUps(turn=turns.after_answer))
    listeners = ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="bolt-listener")
    wsgi = build_wsgi_app(deps, executor=listeners)
    server = make_server("127.0.0.1", 0, wsgi, server_class=_ThreadingServer,
                         handler_class=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    base_url = f"http://127.0.0.1:{server.server_port}"
    yield Harness(standin, SlackSender(base_url, standin.response_url()), deps, wsgi, base_url,
                  listeners)
    server.shutdown()
    server.server_close()
    listeners.shutdown(wait=True)  # work after an ack finishes before the database closes
    deps.follow_ups.close()


@pytest.fixture
def seed(harness: Harness, clock: FakeClock) -> Seed:
    """Rows written straight into the harness's database, stamped with the test's clock."""
    return Seed(harness.deps.db, clock)
