"""Outbox fixtures: a Slack stand-in on a real port, senders wired to it, seeded teams."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.delivery.claims import Pacing
from bot.delivery.sender import Sender
from bot.deps import make_web_client
from bot.rendering import Renderer
from bot.settings import load_settings
from storage.db import Database
from tests.fakes.slack_api import SlackStandIn
from tests.scenarios.seed import Seed

GRACE = timedelta(hours=6)
MakeSender = Callable[..., Sender]


@pytest.fixture
def standin() -> Iterator[SlackStandIn]:
    fake = SlackStandIn().start()
    yield fake
    fake.stop()


@pytest.fixture
def seed(db: Database, clock: FakeClock) -> Seed:
    return Seed(db, clock)


@pytest.fixture
def make_sender(db: Database, clock: FakeClock, standin: SlackStandIn) -> MakeSender:
    """`make_sender(timeout=1, per_minute=…, max_batch=…, owner=…)`: a Sender posting to the
    stand-in (each call a new sender with its own lease owner id)."""

    def make(*, timeout: int = 5, per_minute: int = 600, max_batch: int = 50,
             **kw: Any) -> Sender:
        settings = load_settings(slack_bot_token="xoxb-test", slack_api_url=standin.url,
                                 _env_file=None)
        client = make_web_client(settings, retries=False, timeout=timeout)
        return Sender(db, clock, client, Renderer(), grace=GRACE,
                      pacing=Pacing(per_minute=per_minute, max_batch=max_batch), **kw)

    return make
