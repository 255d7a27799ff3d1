"""The heartbeat of a process: the planner on APScheduler 3, the sender in a loop of its own.

APScheduler holds no schedule of ours (the tables do): an in-memory job store, UTC,
`coalesce=True`, `max_instances=1`, so every process may run one and none depends on another
(RELIABILITY.md §1). The sender is not an interval job: a tick that ran past its interval would
make APScheduler skip the next one and leave a whole tick without posts, so the sender's
thread starts each tick one interval after the last one started, or at once when it ran longer.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot.delivery.claims import Pacing
from bot.delivery.sender import Sender
from bot.deps import Deps, make_web_client
from bot.services.schedules.planner import plan

logger = logging.getLogger(__name__)

PLANNER_INTERVAL = timedelta(seconds=30)
SENDER_INTERVAL = timedelta(seconds=2)
SENDER_CLIENT_TIMEOUT = 10  # seconds; the lease outlasts a batch of calls this long


def make_sender(deps: Deps, *, timeout: int = SENDER_CLIENT_TIMEOUT) -> Sender:
    """The outbox sender of this process: its own WebClient, without retry handlers."""
    settings = deps.settings
    return Sender(
        deps.db, deps.clock, make_web_client(settings, retries=False, timeout=timeout),
        deps.renderer,
        grace=timedelta(hours=settings.grace_hours),
        pacing=Pacing(per_minute=settings.slack_post_rate_per_minute, tick=SENDER_INTERVAL),
        metrics=deps.metrics,
    )


def planner_tick(deps: Deps) -> None:
    """One planner tick; an error is logged and the next tick tries again."""
    try:
        report = plan(deps.db, deps.clock, grace=timedelta(hours=deps.settings.grace_hours),
                      review_days_before_end=deps.settings.review_days_before_end,
                      cycle_review_days=deps.settings.cycle_review_days)
    except Exception:
        logger.exception("planner tick failed")
        return
    if report.closed_cycles:
        logger.info("closed %d cycle(s) whose review window ended", report.closed_cycles)
    if report.checkins or report.reminders or report.digests or report.skipped:
        logger.info("planned %d prompts, %d reminders, %d digests; %d skipped",
                    report.checkins, report.reminders, report.digests, report.skipped)


def sender_tick(sender: Sender) -> None:
    """One sender tick; an error is logged and the next tick tries again."""
    try:
        report = sender.tick()
    except Exception:
        logger.exception("sender tick failed")
        return
    if report.claimed or report.expired or report.reconciled_sent or report.reconciled_pending:
        logger.info("sender: %s", report)


def tick_after_tick(
    tick: Callable[[], object], stop: threading.Event, *, interval: timedelta,
    monotonic: Callable[[], float] = time.monotonic,
) -> None:
    """Call `tick` until `stop` is set: each call starts `interval` after the last one
    started, or at once when that one took longer."""
    while not stop.is_set():
        started = monotonic()
        tick()
        stop.wait(max(0.0, interval.total_seconds() - (monotonic() - started)))


class Heartbeat:
    """This process's background work: the planner every PLANNER_INTERVAL, the outbox
    sender tick after tick (at most SENDER_INTERVAL apart)."""

    def __init__(self, deps: Deps, *, planner: bool = True) -> None:
        self.scheduler = BackgroundScheduler(
            jobstores={"default": MemoryJobStore()},
            executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
            timezone=UTC,
        )
        self.planner = planner
        if planner:
            self.scheduler.add_job(planner_tick, "interval", args=(deps,), id="okr.planner",
                                   seconds=PLANNER_INTERVAL.total_seconds(),
                                   next_run_time=datetime.now(UTC))
        sender = make_sender(deps)
        self._stop = threading.Event()
        self.sender_thread = threading.Thread(
            target=tick_after_tick, args=(lambda: sender_tick(sender), self._stop),
            kwargs={"interval": SENDER_INTERVAL}, name="okr-sender", daemon=True)

    def start(self) -> Heartbeat:
        self.scheduler.start()
        self.sender_thread.start()
        logger.info("heartbeat started: planner %s, sender every %g s or back to back",
                    f"every {PLANNER_INTERVAL.total_seconds():g} s" if self.planner else "off",
                    SENDER_INTERVAL.total_seconds())
        return self

    @property
    def running(self) -> bool:
        return self.scheduler.running or self.sender_thread.is_alive()

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop both; with `wait`, return once a running tick has finished."""
        self._stop.set()
        self.scheduler.shutdown(wait=wait)
        if wait:
            self.sender_thread.join()


def start_heartbeat(deps: Deps) -> Heartbeat:
    """Start the planner and the sender in background threads of this process."""
    return Heartbeat(deps).start()
