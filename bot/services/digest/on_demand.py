"""Digests asked for outside the schedule: the `/okr digest` preview and `okr-bot send-digest`.

Which team (by name, or the caller's own), which window (since the last scheduled digest,
bot/domain/digest_rules.digest_window), and the outbox row that posts it: kind `digest`,
dedupe key `digest:{team}:{period}`, the same key and payload the planner uses, so a manual
send and the scheduled digest of one period post once between them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from zoneinfo import ZoneInfoNotFoundError

from bot.clock import Clock
from bot.domain.digest_rules import DigestWindow, digest_window
from bot.domain.slots import Rhythm
from bot.services.digest.builder import build_digest
from bot.services.digest.view import DIGEST_THREAD, DigestView
from bot.services.schedules.calendars import rhythm_of
from bot.services.team_names import TeamNotFound, team_not_found
from storage.db import Database
from storage.models import Schedule
from storage.queries import schedules as schedule_queries
from storage.queries import teams as team_queries
from storage.queries.outbox import enqueue, enqueue_thread

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TeamRef:
    id: int
    name: str
    rhythm: Rhythm


@dataclass(frozen=True)
class NotInTeam:
    """The caller belongs to no team (and named none)."""


@dataclass(frozen=True)
class OnDemand:
    """A digest built now: its window (period index and span) and its content."""

    window: DigestWindow
    view: DigestView


def resolve_team(
    db: Database, *, name: str = "", person_id: int | None = None
) -> TeamRef | NotInTeam | TeamNotFound:
    """The team called `name`; without a name, the first team `person_id` leads, else the
    first they belong to."""
    name = name.strip()
    with db.read() as session:
        if name:
            team = team_queries.team_named(name, session=session)
            if team is None:
                return team_not_found(name, session=session)
        else:
            teams = team_queries.teams_of_person(person_id, session=session) if person_id else []
            if not teams:
                return NotInTeam()
            team = teams[0]
        assert team.id is not None
        schedule = schedule_queries.schedule_of(team.id, session=session)
    return TeamRef(team.id, team.name, _rhythm(schedule))


def _rhythm(schedule: Schedule | None) -> Rhythm:
    if schedule is None:
        return Rhythm()
    try:
        return rhythm_of(schedule)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        logger.warning("schedule of team %s cannot be read, using defaults: %s",
                       schedule.team_id, exc)
        return Rhythm()


def digest_now(db: Database, clock: Clock, team: TeamRef) -> OnDemand:
    """The team's digest as it would be sent now."""
    window = digest_window(team.rhythm, clock.now())
    view = build_digest(db, clock, team.id, period_start=window.start, period_end=window.end)
    return OnDemand(window, view)


def enqueue_digest(db: Database, clock: Clock, digest: OnDemand) -> bool:
    """Put the digest in the outbox; False when this period's digest is already there (sent,
    pending or skipped), so a second call sends nothing.

    The row carries the window, not the rendered messages: the sender renders it (in the
    team's language) when it posts, like a scheduled digest.
    """
    window, view = digest.window, digest.view
    key = f"digest:{view.team_id}:{window.period}"
    with db.write() as session:
        added = enqueue(
            session,
            kind="digest",
            dedupe_key=key,
            due_at=clock.now(),
            team_id=view.team_id,
            slot_key=str(window.period),
            channel_id=view.channel_id,
            payload={"period": window.period, "period_start": window.start.isoformat(),
                     "period_end": window.end.isoformat()},
        )
        if added:
            enqueue_thread(session, parent_key=key, kind="digest_reply",
                           sections=DIGEST_THREAD, created_at=clock.now())
        return added
