"""Whether Slack has been reachable lately, read from the outbox (one answer for every process).

The evidence is what senders recorded: when Slack last accepted a post, and which rows wait to
be sent again after failing to reach it (connection refused, timeouts, 5xx). Slack counts as
unreachable when such rows have been waiting for `UNREACHABLE_AFTER` with no post accepted in
that time. A quiet outbox (nothing to send) is not evidence of anything: it stays "reachable".
`okr-bot status`, `/readyz` and `/metrics` all read this.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.delivery.failures import means_unreachable
from storage.db import Database
from storage.queries import outbox as outbox_queries

UNREACHABLE_AFTER = timedelta(minutes=10)
RECENT = timedelta(days=7)  # a last post older than this is looked up without the index bound


@dataclass(frozen=True)
class SlackReach:
    """What the outbox says about reaching Slack, at `now`."""

    now: datetime
    last_success: datetime | None
    failing_rows: int
    failing_since: datetime | None  # the earliest due time of a row that could not reach Slack
    last_error: str | None

    @property
    def unreachable(self) -> bool:
        return self.unreachable_for is not None

    @property
    def unreachable_for(self) -> timedelta | None:
        """How long Slack has not been reached while rows waited for it, or None when it is
        reachable (or nothing tried lately)."""
        if self.failing_since is None:
            return None
        since = max(self.failing_since, self.last_success or self.failing_since)
        waited = self.now - since
        return waited if waited >= UNREACHABLE_AFTER else None


def slack_reach(db: Database, now: datetime) -> SlackReach:
    with db.read() as session:
        last = outbox_queries.last_sent_at(session=session, since=now - RECENT)
        if last is None:
            last = outbox_queries.last_sent_at(session=session)
        errors = outbox_queries.waiting_errors(session=session)
    failing = [(error, due, n) for error, due, n in errors if means_unreachable(error)]
    if not failing:
        return SlackReach(now, last, 0, None, None)
    first = min(failing, key=lambda f: f[1])
    return SlackReach(now, last, sum(n for _, _, n in failing), first[1], first[0])
