"""`okr-bot status`, `okr-bot worker` and the APScheduler heartbeat."""

from __future__ import annotations

import signal
import subprocess
from datetime import timedelta
from pathlib import Path

from apscheduler.triggers.interval import IntervalTrigger
from sqlmodel import col, update

from bot.clock import FakeClock
from bot.commands.status import report
from bot.deps import Deps, make_web_client
from bot.rendering import Renderer
from bot.scheduler import start_heartbeat
from bot.settings import load_settings
from storage.db import Database
from storage.models import Delivery
from storage.queries.outbox import enqueue
from tests.delivery.conftest import MakeSender
from tests.delivery.test_concurrency import _env, okr_bot
from tests.delivery.world import make_world
from tests.fakes.slack_api import Fault, SlackStandIn
from tests.scenarios.seed import Seed


def test_status_shows_counts_next_rows_slots_and_last_errors(
    db: Database, clock: FakeClock, seed: Seed, standin: SlackStandIn, make_sender: MakeSender
) -> None:
    world = make_world(seed, [("UANA", "UTC"), ("UBEN", "UTC")],
                       schedule={"timezone": "Europe/Berlin"})
    ana, ben = world.people
    with db.write() as session:
        for person in (ana, ben):
            enqueue(session, kind="checkin", dedupe_key=f"checkin:{person.id}:2026-11-30",
                    due_at=clock.now(), person_id=person.id, slot_key="2026-11-30", payload={})
        enqueue(session, kind="checkin", dedupe_key="checkin:later", due_at=clock.now()
                + timedelta(hours=1), person_id=ana.id, slot_key="2026-12-07", payload={})
        session.exec(update(Delivery).where(col(Delivery.dedupe_key) == "checkin:later")
                     .values(next_attempt_at=clock.now() + timedelta(hours=1)))
    standin.fail("chat.postMessage", Fault("error", error="channel_not_found"))
    make_sender().tick()
    text = report(db, clock)
    outbox = text.split("Next in the outbox")[0]
    assert "pending" in outbox and "failed" in outbox
    assert [ln.split() for ln in outbox.splitlines() if ln.strip().startswith("checkin")] == [
        ["checkin", "1", "0", "1", "1", "0", "0"]]
    assert "checkin:later (pending, attempts 0)" in text
    assert "Growth: check-in Mon 2026-11-30 10:00, digest Fri 2026-12-04 16:00" in text
    assert "channel_not_found" in text


def test_status_runs_from_the_command_line(
    database_url: str, db: Database, standin: SlackStandIn, tmp_path: Path
) -> None:
    done = subprocess.run(okr_bot("status"), env=_env(database_url, standin), cwd=tmp_path,
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    assert "Outbox" in done.stdout and "no team has a schedule" in done.stdout


def test_the_heartbeat_runs_the_planner_on_apscheduler_and_the_sender_in_its_thread(
    db: Database, clock: FakeClock, standin: SlackStandIn
) -> None:
    settings = load_settings(slack_bot_token="xoxb-t", slack_api_url=standin.url,
                             _env_file=None)
    deps = Deps(settings=settings, db=db, clock=clock, renderer=Renderer(),
                slack=make_web_client(settings))
    heartbeat = start_heartbeat(deps)
    try:
        assert heartbeat.running and heartbeat.sender_thread.is_alive()
        [job] = heartbeat.scheduler.get_jobs()
        assert job.id == "okr.planner"
        assert isinstance(job.trigger, IntervalTrigger)
        assert job.trigger.interval == timedelta(seconds=30)
        assert (job.coalesce, job.max_instances) == (True, 1)
        assert str(heartbeat.scheduler.timezone) == "UTC"
    finally:
        heartbeat.shutdown(wait=True)
    assert not heartbeat.running


def test_the_worker_stops_cleanly_on_sigterm(
    database_url: str, db: Database, standin: SlackStandIn, tmp_path: Path
) -> None:
    worker = subprocess.Popen(okr_bot("worker"), env=_env(database_url, standin), cwd=tmp_path,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        assert worker.stderr is not None
        for line in worker.stderr:  # the worker says when its ticks are scheduled
            if "heartbeat started" in line:
                break
        worker.send_signal(signal.SIGTERM)
        rest = worker.communicate(timeout=60)[1]
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.communicate()
    assert worker.returncode == 0, rest
    assert "received SIGTERM, stopping" in rest
