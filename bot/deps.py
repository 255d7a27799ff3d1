"""What handlers and jobs need, wired once by the composition root and passed in."""

from __future__ import annotations

from dataclasses import dataclass, field

from slack_sdk import WebClient

from bot.clock import Clock
from bot.follow_ups import FollowUps
from bot.metrics import Metrics
from bot.rendering import Renderer
from bot.settings import Settings
from bot.turns import TurnGivingWebClient, Turns
from storage.db import Database


@dataclass(frozen=True)
class Deps:
    settings: Settings
    db: Database
    clock: Clock
    renderer: Renderer
    slack: WebClient
    metrics: Metrics = field(default_factory=Metrics)
    follow_ups: FollowUps = field(default_factory=FollowUps)  # work done after the answer
    turns: Turns = field(default_factory=Turns)  # who takes turns at the interpreter


def make_web_client(settings: Settings, *, retries: bool = True, timeout: int = 10) -> WebClient:
    """A WebClient for `SLACK_API_URL`.

    `retries=False` gives the outbox sender's client: no retry handlers, because the outbox
    owns retries and must never sleep in a request thread (RELIABILITY.md §8). Its calls wait
    outside the caller's turn (bot/turns.py).
    """
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    client = TurnGivingWebClient(token=token, base_url=settings.slack_api_url, timeout=timeout)
    if not retries:
        client.retry_handlers = []
    return client
