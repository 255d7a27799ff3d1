"""The sender tick: expire leases, skip late rows, reconcile ambiguous ones, claim, post, record.

A claim is committed before Slack is called and an outcome is recorded only under our own
lease, so a sender that dies at any point leaves a row that the next tick can settle. Every
post carries message metadata naming its row; a post whose outcome is unknown (5xx, timeout,
connection lost after sending, expired lease) is looked up in the channel's history before it
is sent again (RELIABILITY.md §6–11). Retries are the outbox's own: the WebClient must have no
retry handlers (`make_web_client(settings, retries=False)`).

Each claimed row is posted at the slot its claim gave it (bot/delivery/pace.py), so the tick
waits between posts, never longer than the tick. A batch is rendered in one read session and
its sent rows are recorded together: a post recorded late is safe, since a sender that dies
first leaves the row to reconciliation (bench/fanout.py: one process 43 → 100+ posts/s).
"""

from __future__ import annotations

import logging
import os
import random
import re
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from slack_sdk import WebClient
from slack_sdk.web import SlackResponse
from sqlalchemy import update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col, select

from bot.clock import Clock, sleep_until
from bot.delivery import claims, pace
from bot.delivery.chart_upload import is_upload, upload_args
from bot.delivery.failures import Failure, FailureKind, classify
from bot.delivery.pace import Pacing
from bot.delivery.renderers import RENDERERS
from bot.delivery.rows import NothingToSend, Payload, Render
from bot.domain.calendar import Calendar, may_message, message_kind, next_moment
from bot.metrics import Metrics
from bot.rendering import Renderer
from bot.services.schedules.calendars import calendars_of
from storage.db import Database
from storage.models import Delivery, Person
from storage.queries.outbox import PERSON_KINDS, prompt_of
from storage.queries.teams import team_channel

logger = logging.getLogger(__name__)

METADATA_TYPE = "okr_delivery"
# A first retry within seconds (one 5xx in a hundred otherwise added half a minute to a
# fan-out's end, bench/fanout.py); doubling to the cap keeps about the same patience as
# before (6 attempts from 30 s): some 12 minutes of failures before a row is given up.
MAX_ATTEMPTS = 10
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_CAP = timedelta(minutes=30)
RECONCILE_AFTER = timedelta(seconds=5)  # let a just-accepted post show in the history
RECONCILE_BATCH = 10
HISTORY_PAGES = 10
CLOCK_SKEW = timedelta(minutes=5)  # `oldest` margin between our clock and Slack's
# Renderers that may return thread replies (so do all reply rows: a long reply continues).
THREADED_KINDS = frozenset({"digest"})
REFUSALS_TO_HOLD = 3  # 429s in a row that mean Slack, not chance, refuses: every sender waits
RECORD_EVERY = 50  # sent rows recorded together, at the latest at the end of the batch
_POST_KEYS = ("text", "blocks", "attachments", "thread_ts", "reply_broadcast")


@dataclass
class SendReport:
    """What one tick did."""

    claimed: int = 0
    sent: int = 0
    failed: int = 0
    skipped: int = 0
    retried: int = 0
    rate_limited: int = 0
    ambiguous: int = 0
    reconciled_sent: int = 0
    reconciled_pending: int = 0
    expired: int = 0
    late: int = 0
    held: int = 0  # direct messages given back until the recipient's next working moment


class SlackCallError(Exception):
    """A Slack call failed; `failure` says what that means for the row."""

    def __init__(self, failure: Failure, *, posted_ts: str | None = None) -> None:
        super().__init__(failure.error)
        self.failure = failure
        self.posted_ts = posted_ts


class OutOfLease(Exception):
    """Too little lease is left to make another Slack call safely."""


def new_owner() -> str:
    """A lease owner id unique to this sender: host, process and a random part."""
    return f"{socket.gethostname()[:30]}:{os.getpid()}:{uuid.uuid4().hex[:12]}"


class Sender:
    """Sends the outbox through `slack`, one tick at a time (APScheduler, or a CLI loop)."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        slack: WebClient,
        renderer: Renderer,
        *,
        grace: timedelta,
        pacing: Pacing | None = None,
        owner: str | None = None,
        rng: random.Random | None = None,
        renderers: Mapping[str, Render] = RENDERERS,
        metrics: Metrics | None = None,
    ) -> None:
        if slack.retry_handlers:
            raise ValueError("the sender's WebClient must have no retry handlers")
        self.db, self.clock, self.slack, self.renderer = db, clock, slack, renderer
        self.grace = grace
        self.pacing = pacing or Pacing()
        self.owner = owner or new_owner()
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not security
        self.renderers = renderers
        self.metrics = metrics or Metrics()  # counted either way; exposed when given
        self.paused_until: datetime | None = None
        self._refusals = 0  # 429s in a row in this batch
        self._posted: list[tuple[Delivery, str, str]] = []  # sent, not yet recorded
        # The longest a call may take: a call is started only with this much lease left.
        self.call_budget = timedelta(seconds=float(slack.timeout) + 5)

    # ---- the tick ------------------------------------------------------------------------
    def tick(self) -> SendReport:
        report = SendReport()
        now = self.clock.now()
        report.expired = claims.expire_leases(self.db, now=now, reconcile_at=now)
        report.late = claims.skip_late(self.db, now=now, grace=self.grace)
        report.skipped += claims.skip_orphans(self.db)
        for row in claims.take_ambiguous(self.db, now=now, until=now + claims.LEASE,
                                         limit=RECONCILE_BATCH):
            self.reconcile(row, report)
        if self._paused():
            return report
        rows = claims.claim(self.db, owner=self.owner, now=now, pacing=self.pacing)
        report.claimed = len(rows)
        if rows:
            self._send_batch(rows, report, deadline=now + self.pacing.tick * 0.95)
        return report

    def _paused(self) -> bool:
        return self.paused_until is not None and self.clock.now() < self.paused_until

    def _send_batch(self, rows: list[Delivery], report: SendReport, deadline: datetime) -> None:
        """Post each row at its slot, rendering in one read session. The rest go back when
        Slack refused a run of posts (until Retry-After), or when the tick runs past
        `deadline` (a tick still running when the next is due makes APScheduler skip that
        one: posts would stop for a whole tick)."""
        self._refusals = 0
        try:
            with self.db.read() as session:
                people = _load_people(session, rows)  # held: the identity map is weak
                calendars = calendars_of(session, people, around=self.clock.now(), team_of={
                    r.person_id: r.team_id for r in rows if r.person_id is not None})
                for n, row in enumerate(rows):
                    now = self.clock.now()
                    if self._paused() or now >= deadline:
                        rest = [r.id or 0 for r in rows[n:]]
                        claims.release(self.db, rest, self.owner, at=self.paused_until or now)
                        return
                    later = _not_now(row, calendars, now)
                    if later is not None:  # a retry drifted out of the person's hours
                        claims.release(self.db, [row.id or 0], self.owner, at=later)
                        report.held += 1
                        continue
                    sleep_until(self.clock, row.next_attempt_at)
                    self.send(row, report, session)
                    if len(self._posted) >= RECORD_EVERY:
                        self._record_sent(report)
        finally:
            self._record_sent(report)

    # ---- sending one row -----------------------------------------------------------------
    def send(self, row: Delivery, report: SendReport, session: Session) -> None:
        """Post one claimed row (rendered with `session`) and record the outcome under our
        lease; a sent row is recorded with the batch."""
        assert row.id is not None
        try:
            payloads = self.renderers[row.kind](session, row, self.renderer)
        except NothingToSend as why:
            self._finish(row, status="skipped", last_error=str(why))
            self._settled(row, report, "skipped")
            return
        except DBAPIError as exc:  # the database, not the row: try again later
            logger.warning("outbox row %s: database error while rendering: %s", row.id,
                           type(exc).__name__)
            session.rollback()
            self._retry_later(row, "database error while rendering", {}, report)
            return
        except Exception as exc:
            logger.exception("outbox row %s (%s) could not be rendered", row.id, row.kind)
            self._finish(row, status="failed", attempts=row.attempts + 1,
                         last_error=f"render failed: {type(exc).__name__}")
            self._settled(row, report, "failed")
            return
        try:
            channel = self._target(row, session)
            session.commit()  # no transaction held while Slack answers (objects stay loaded)
            if channel is None:
                self._finish(row, status="failed", attempts=row.attempts + 1,
                             last_error="no channel to post to")
                self._settled(row, report, "failed")
                return
            ts = self._deliver(row, channel, payloads)
        except OutOfLease:
            self._finish(row, status="pending", next_attempt_at=self.clock.now())
            return
        except SlackCallError as error:
            self._failed(row, error, report)
            return
        self._refusals = 0
        self._posted.append((row, channel, ts))

    def _deliver(self, row: Delivery, channel: str, payloads: list[Payload]) -> str:
        """Post the row's messages; a reply row posts all of them in its parent's thread."""
        updates = [p for p in payloads if "ts" in p]
        posts = [p for p in payloads if "ts" not in p]
        for payload in updates:
            self._update(row, payload, channel)
        if not posts:
            return str(updates[0]["ts"])
        root = self._parent_ts(row)
        main, replies = posts[0], posts[1:]
        ts = row.ts
        present: set[int] = set()
        if ts is None:
            ts = self._post(row, channel, {**main, "thread_ts": root} if root else main, part=0)
            if replies:
                claims.finish(self.db, row.id or 0, self.owner, ts=ts, channel_id=channel)
        elif replies:
            present = self._parts_present(channel, root or ts, row)
        for part, reply in enumerate(replies, start=1):
            if part not in present:
                try:
                    self._post(row, channel, {**reply, "thread_ts": root or ts}, part=part)
                except SlackCallError as error:
                    raise SlackCallError(error.failure, posted_ts=ts) from error
        return ts

    def _post(self, row: Delivery, channel: str, payload: Payload, *, part: int) -> str:
        if is_upload(payload):
            return self._upload(row, channel, payload, part=part)
        metadata = {"event_type": METADATA_TYPE,
                    "event_payload": {"delivery_id": row.id, "dedupe_key": row.dedupe_key,
                                      "part": part}}
        args = {k: v for k, v in payload.items() if k in _POST_KEYS}
        response = self._call(row, self.slack.chat_postMessage, channel=channel,
                              metadata=metadata, unfurl_links=False, unfurl_media=False, **args)
        return str(response["ts"])

    def _upload(self, row: Delivery, channel: str, payload: Payload, *, part: int) -> str:
        """A file in the row's thread (the digest's chart). Slack refusing it (say, no
        `files:write` yet) is logged, not a failed row: the messages are out. An upload carries
        no metadata, so its file name is tagged with the row and part instead (`_tag` reads
        it back): a retry after an unknown outcome finds the file and does not upload it again."""
        args = upload_args(payload)
        args["filename"] = tagged_filename(str(args["filename"]), row.id or 0, part)
        try:
            self._call(row, self.slack.files_upload_v2, channel=channel,
                       thread_ts=payload.get("thread_ts"), **args)
        except SlackCallError as error:
            if error.failure.kind is not FailureKind.DEFINITE:
                raise
            logger.warning("outbox row %s: upload refused: %s", row.id, error.failure.error)
        return str(payload.get("thread_ts") or "")

    def _update(self, row: Delivery, payload: Payload, channel: str) -> None:
        """Edit a message in place; a message that can no longer be edited is not an error."""
        args = {k: v for k, v in payload.items() if k in ("text", "blocks", "attachments")}
        try:
            self._call(row, self.slack.chat_update, channel=payload.get("channel", channel),
                       ts=payload["ts"], **args)
        except SlackCallError as error:
            if error.failure.kind is FailureKind.DEFINITE:
                logger.warning("outbox row %s: chat.update refused: %s", row.id,
                               error.failure.error)
                return
            if error.failure.kind is FailureKind.AMBIGUOUS:
                # An edit is idempotent: not knowing is the same as not sent.
                raise SlackCallError(Failure(FailureKind.NOT_SENT, error.failure.error)) from error
            raise

    def _call(self, row: Delivery, method: Callable[..., SlackResponse],
              **kwargs: Any) -> SlackResponse:
        lease = row.lease_expires_at
        if lease is not None and self.clock.now() + self.call_budget > lease:
            raise OutOfLease
        started = time.perf_counter()
        try:
            return method(**kwargs)
        except Exception as exc:  # every failure is classified, none escapes the tick
            raise SlackCallError(classify(exc)) from exc
        finally:
            self.metrics.slack_seconds.labels(method.__name__.replace("_", ".", 1)).observe(
                time.perf_counter() - started)

    # ---- where to post ---------------------------------------------------------------------
    def _target(self, row: Delivery, session: Session) -> str | None:
        if row.parent_id is not None:
            return self._parent_channel(row, session)
        if row.channel_id:
            return row.channel_id
        if row.kind in PERSON_KINDS or row.team_id is None:
            return self._dm_channel(row, session)
        return team_channel(session=session, team_id=row.team_id or 0,
                            digest=row.kind == "digest")

    def _dm_channel(self, row: Delivery, session: Session) -> str | None:
        person = session.get(Person, row.person_id) if row.person_id else None
        if person is None:
            return None
        if person.dm_channel_id:
            return person.dm_channel_id
        session.commit()
        try:
            response = self._call(row, self.slack.conversations_open, users=person.slack_user_id)
        except SlackCallError as error:
            if error.failure.kind is FailureKind.AMBIGUOUS:  # opening twice is harmless
                raise SlackCallError(Failure(FailureKind.NOT_SENT, error.failure.error)) from error
            raise
        channel = str(response["channel"]["id"])
        with self.db.write() as session:
            session.exec(update(Person).where(Person.id == person.id)  # type: ignore[arg-type]
                         .values(dm_channel_id=channel))
        return channel

    def _parent_of(self, row: Delivery, session: Session | None = None) -> Delivery | None:
        if row.parent_id is None:
            return None
        if session is not None:
            return session.get(Delivery, row.parent_id)
        with self.db.read() as own:
            return own.get(Delivery, row.parent_id)

    def _parent_channel(self, row: Delivery, session: Session | None = None) -> str | None:
        """Where a reply row goes: the channel its parent was posted in."""
        parent = self._parent_of(row, session)
        return parent.channel_id if parent is not None else None

    def _parent_ts(self, row: Delivery) -> str | None:
        """The thread a reply row posts in: its parent's message (claims wait for it)."""
        parent = self._parent_of(row)
        return parent.ts if parent is not None else None

    # ---- outcomes ---------------------------------------------------------------------------
    def _settled(self, row: Delivery, report: SendReport, outcome: str) -> None:
        """Count a row that reached `outcome` (sent, failed, skipped) in the report and metrics."""
        setattr(report, outcome, getattr(report, outcome) + 1)
        self.metrics.outcomes.labels(row.kind, outcome).inc()

    def _finish(self, row: Delivery, **values: Any) -> None:
        if not claims.finish(self.db, row.id or 0, self.owner, **values):
            logger.warning("outbox row %s: lease lost before recording %s", row.id,
                           values.get("status"))

    def _record_sent(self, report: SendReport) -> None:
        """Record the posts made since the last call as sent, in one statement."""
        posted, self._posted = self._posted, []
        if not posted:
            return
        now = self.clock.now()
        recorded = claims.finish_sent(
            self.db, self.owner, [(row.id or 0, channel, ts) for row, channel, ts in posted],
            now)
        for row, channel, ts in posted:
            if row.id in recorded:
                self._settled(row, report, "sent")
                continue
            adopted = claims.adopt_sent(self.db, row.id or 0, channel=channel, ts=ts, now=now)
            logger.warning("outbox row %s: lease lost after posting; %s", row.id,
                           "recorded as sent" if adopted else "left to reconciliation")

    def _failed(self, row: Delivery, error: SlackCallError, report: SendReport) -> None:
        failure, now = error.failure, self.clock.now()
        progress: dict[str, Any] = {"ts": error.posted_ts} if error.posted_ts else {}
        if failure.kind is FailureKind.RATE_LIMITED:
            # Only this row waits: one 429 may be chance. A run of them is Slack saying stop,
            # and every sender holds (pace.hold) until Retry-After.
            wait = timedelta(seconds=(failure.retry_after or 0) + self.rng.uniform(0, 1))
            self._refusals += 1
            values = {"status": "pending", "next_attempt_at": now + wait,
                      "last_error": failure.error, **progress}
            if self._refusals >= REFUSALS_TO_HOLD:
                self.paused_until = now + wait
                pace.hold(self.db, now + wait)
                self._finish(row, **values)
            elif not claims.finish_refused(self.db, row.id or 0, self.owner, self.pacing,
                                           **values):
                logger.warning("outbox row %s: lease lost before recording pending", row.id)
            report.rate_limited += 1
            self.metrics.rate_limited.inc()
            self.metrics.retries.labels(row.kind, "rate_limited").inc()
        elif failure.kind is FailureKind.DEFINITE:
            logger.warning("outbox row %s (%s) failed: %s", row.id, row.kind, failure.error)
            self._finish(row, status="failed", attempts=row.attempts + 1,
                         last_error=failure.error, **progress)
            self._settled(row, report, "failed")
        elif failure.kind is FailureKind.AMBIGUOUS:
            logger.warning("outbox row %s: outcome unknown (%s), will read the channel", row.id,
                           failure.error)
            self._finish(row, status="ambiguous", attempts=row.attempts + 1,
                         last_error=failure.error, next_attempt_at=now + RECONCILE_AFTER,
                         **progress)
            report.ambiguous += 1
            self.metrics.retries.labels(row.kind, "ambiguous").inc()
        else:
            self._retry_later(row, failure.error, progress, report)

    def _retry_later(self, row: Delivery, error: str, progress: dict[str, Any],
                     report: SendReport) -> None:
        attempts = row.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            self._finish(row, status="failed", attempts=attempts, last_error=error, **progress)
            self._settled(row, report, "failed")
            return
        self._finish(row, status="pending", attempts=attempts, last_error=error,
                     next_attempt_at=self.clock.now() + self.backoff(attempts), **progress)
        report.retried += 1
        self.metrics.retries.labels(row.kind, "not_sent").inc()

    def backoff(self, attempts: int) -> timedelta:
        """Exponential from BACKOFF_BASE, capped, with jitter (half to all of the step)."""
        step: timedelta = min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(attempts - 1, 0))
        return step * (0.5 + self.rng.random() / 2)

    # ---- reconciliation ------------------------------------------------------------------
    def reconcile(self, row: Delivery, report: SendReport) -> None:
        """Settle an ambiguous row by reading its channel for a message naming it."""
        now = self.clock.now()
        if row.ts is not None:  # the first message is out; posting resumes with the rest
            if row.attempts >= MAX_ATTEMPTS:
                claims.settle(self.db, row.id or 0, status="failed")
                self._settled(row, report, "failed")
                return
            claims.settle(self.db, row.id or 0, status="pending", next_attempt_at=now)
            report.reconciled_pending += 1
            return
        channel = self._known_target(row)
        try:
            found = self._find(channel, self._thread_of(row), row, part=0) if channel else None
        except SlackCallError as error:
            self._reconcile_failed(row, error.failure, report)
            return
        if found is not None:
            assert channel is not None
            several = row.kind in THREADED_KINDS or row.parent_id is not None
            status = "pending" if several else "sent"
            claims.settle(self.db, row.id or 0, status=status, channel_id=channel, ts=found,
                          sent_at=now, last_error=None, next_attempt_at=now)
            logger.info("outbox row %s: found in the channel, recorded as sent", row.id)
            report.reconciled_sent += 1
            return
        if row.attempts >= MAX_ATTEMPTS:
            claims.settle(self.db, row.id or 0, status="failed")
            self._settled(row, report, "failed")
            return
        claims.settle(self.db, row.id or 0, status="pending",
                      next_attempt_at=now + self.backoff(row.attempts))
        report.reconciled_pending += 1

    def _reconcile_failed(self, row: Delivery, failure: Failure, report: SendReport) -> None:
        now = self.clock.now()
        if failure.kind is FailureKind.DEFINITE:
            # Cannot read the channel: failing is safer than a possible duplicate.
            claims.settle(self.db, row.id or 0, status="failed",
                          last_error=f"cannot reconcile: {failure.error}")
            self._settled(row, report, "failed")
            return
        wait = (timedelta(seconds=failure.retry_after or 0)
                if failure.kind is FailureKind.RATE_LIMITED else self.backoff(row.attempts))
        claims.settle(self.db, row.id or 0, next_attempt_at=now + wait)

    def _known_target(self, row: Delivery) -> str | None:
        """The channel a post may have gone to, without calling Slack (a DM is opened and
        cached before anything is posted in it)."""
        if row.parent_id is not None:
            return self._parent_channel(row)
        if row.channel_id:
            return row.channel_id
        with self.db.read() as session:
            if row.kind in PERSON_KINDS or row.team_id is None:
                person = session.get(Person, row.person_id) if row.person_id else None
                return person.dm_channel_id if person else None
            return team_channel(session=session, team_id=row.team_id or 0,
                                digest=row.kind == "digest")

    def _thread_of(self, row: Delivery) -> str | None:
        """The thread a row's message is posted in: a reply row's parent; a reminder replies
        under its prompt."""
        if row.parent_id is not None:
            return self._parent_ts(row)
        if row.kind != "reminder" or row.person_id is None:
            return None
        with self.db.read() as session:
            prompt = prompt_of(session=session, person_id=row.person_id, slot_key=row.slot_key)
            return prompt.ts if prompt else None

    def _find(self, channel: str, thread: str | None, row: Delivery, *, part: int) -> str | None:
        """The ts of the message tagged with `row` and `part`, or None."""
        for message in self._messages(channel, thread, row):
            if _tag(message) == (row.id, part):
                return str(message["ts"])
        return None

    def _parts_present(self, channel: str, ts: str, row: Delivery) -> set[int]:
        """Which thread replies of `row` are already in its thread."""
        found = set()
        for message in self._messages(channel, ts, row):
            tag = _tag(message)
            if tag is not None and tag[0] == row.id:
                found.add(tag[1])
        return found

    def _messages(self, channel: str, thread: str | None, row: Delivery) -> list[dict[str, Any]]:
        since = claims.claim_time(row) or row.created_at
        oldest = f"{(since - CLOCK_SKEW).timestamp():.6f}"
        messages: list[dict[str, Any]] = []
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            args: dict[str, Any] = {"channel": channel, "include_all_metadata": True,
                                    "limit": 100, "oldest": oldest}
            if cursor:
                args["cursor"] = cursor
            try:
                if thread is None:
                    response = self.slack.conversations_history(**args)
                else:
                    response = self.slack.conversations_replies(ts=thread, **args)
            except Exception as exc:  # classified like any other call
                raise SlackCallError(classify(exc)) from exc
            messages.extend(response.get("messages") or [])
            cursor = (response.get("response_metadata") or {}).get("next_cursor") or None
            if not response.get("has_more") or not cursor:
                return messages
        raise SlackCallError(Failure(FailureKind.AMBIGUOUS, "history too long to read"))


_FILE_TAG = re.compile(r"\.okr-(?P<row>\d+)-(?P<part>\d+)(\.\w+)?$")


def _not_now(row: Delivery, calendars: Mapping[int, Calendar], now: datetime) -> datetime | None:
    """When a direct message that may not reach its recipient now may (their calendar: their
    hours, weekend and holidays); None when it may go now, or is a post in a channel."""
    kind = message_kind(row.kind)
    calendar = calendars.get(row.person_id or 0)
    if kind is None or calendar is None or may_message(calendar, kind, now):
        return None
    return next_moment(calendar, kind, now)


def _load_people(session: Session, rows: list[Delivery]) -> list[Person]:
    """The batch's people in one statement: while the list is held, the session's identity
    map serves `session.get` without a query."""
    ids = sorted({row.person_id for row in rows if row.person_id is not None})
    return list(session.exec(select(Person).where(col(Person.id).in_(ids)))) if ids else []


def tagged_filename(filename: str, row_id: int, part: int) -> str:
    """`chart.png` as `chart.okr-<row id>-<part>.png`: an uploaded file says which row it is."""
    stem, dot, suffix = filename.rpartition(".")
    return f"{stem or suffix}.okr-{row_id}-{part}{dot}{suffix if stem else ''}"


def _tag(message: Mapping[str, Any]) -> tuple[int, int] | None:
    """(delivery id, part) from a message's metadata, or from the name of a file it shares,
    when it is one of ours."""
    for file in message.get("files") or []:
        found = _FILE_TAG.search(str(file.get("name", "")))
        if found:
            return int(found["row"]), int(found["part"])
    metadata = message.get("metadata") or {}
    if metadata.get("event_type") != METADATA_TYPE:
        return None
    payload = metadata.get("event_payload") or {}
    try:
        return int(payload["delivery_id"]), int(payload.get("part", 0))
    except (KeyError, TypeError, ValueError):
        return None
