"""What every renderer shares: its signature, the payloads it returns, how it reads its row.

A renderer raises `NothingToSend` when the row's message is no longer needed; the sender then
skips the row and stores the reason as its last error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from bot.rendering import Renderer
from storage.models import Delivery, Person

Payload = dict[str, Any]
Render = Callable[[Session, Delivery, Renderer], list[Payload]]


class NothingToSend(Exception):
    """The row's message is no longer needed (its reason is stored as the row's last error)."""


def payload_of(delivery: Delivery) -> dict[str, Any]:
    """The JSON payload the planner stored on the row."""
    loaded: dict[str, Any] = json.loads(delivery.payload or "{}")
    return loaded


def recipient_of(session: Session, delivery: Delivery) -> Person:
    """The person the row is for; `NothingToSend` when they are gone."""
    person = session.get(Person, delivery.person_id) if delivery.person_id else None
    if person is None:
        raise NothingToSend("person gone")
    return person
