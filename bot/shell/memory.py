"""Where the shell left off, kept in its own database: the clock and who was typing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database
from storage.models import ShellState

ROW_ID = 1


@dataclass(frozen=True)
class LeftOff:
    clock: datetime
    slack_user_id: str


def recall(db: Database) -> LeftOff | None:
    """What `remember` last kept, or None in a database the shell has not used yet."""
    with db.read() as session:
        row = session.get(ShellState, ROW_ID)
        return LeftOff(row.clock, row.slack_user_id) if row else None


def remember(db: Database, clock: datetime, slack_user_id: str) -> None:
    with db.write() as session:
        row = session.get(ShellState, ROW_ID) or ShellState(id=ROW_ID)
        row.clock = clock
        row.slack_user_id = slack_user_id
        session.add(row)
