"""APScheduler 3 as a heartbeat: a planner tick and a sender tick, nothing else.

It holds no schedule of ours (the tables do): an in-memory job store, UTC, `coalesce=True`,
`max_instances=1`, so every process may run one and none depends on another (RELIABILITY.md §1).
"""

from __future__ import annotations

import logging
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


def start_scheduler(deps: Deps) -> BackgroundScheduler:
    """Start the planner and sender ticks in background threads of this process."""
    sender = make_sender(deps)
    scheduler = BackgroundScheduler(
        jobstores={"default": MemoryJobStore()},
        executors={"default": ThreadPoolExecutor(2)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 30},
        timezone=UTC,
    )
    now = datetime.now(UTC)
    scheduler.add_job(planner_tick, "interval", args=(deps,), id="okr.planner",
                      seconds=PLANNER_INTERVAL.total_seconds(), next_run_time=now)
    scheduler.add_job(sender_tick, "interval", args=(sender,), id="okr.sender",
                      seconds=SENDER_INTERVAL.total_seconds(), next_run_time=now)
    scheduler.start()
    logger.info("scheduler started: planner every %ss, sender every %ss",
                PLANNER_INTERVAL.total_seconds(), SENDER_INTERVAL.total_seconds())
    return scheduler
