"""The operator's HTTP routes: /livez, /readyz, /healthz and /metrics (parsed as Prometheus
would), on the same WSGI app `serve` and `socket` run."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.delivery.reach import UNREACHABLE_AFTER
from bot.scheduler import make_sender
from bot.wiring import build_wsgi_app
from storage.db import Database, make_engine
from storage.queries.outbox import enqueue
from tests.delivery.test_slack_reach import sender_without_slack
from tests.delivery.world import make_world
from tests.fakes.slack_api import Fault
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed

ROOT = Path(__file__).resolve().parents[2]


def get(harness: Harness, path: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(harness.base_url + path, timeout=10) as response:  # noqa: S310
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def samples(harness: Harness) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    status, body = get(harness, "/metrics")
    assert status == 200
    found = {}
    for family in text_string_to_metric_families(body.decode("utf-8")):
        for sample in family.samples:
            found[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return found


def value(found: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str,
          **labels: str) -> float:
    return found.get((name, tuple(sorted(labels.items()))), 0.0)


def prompt_two(harness: Harness, seed: Seed) -> None:
    """Two people with a KR each, and a check-in prompt due now for each."""
    world = make_world(seed, [("UANA", "UTC"), ("UBEN", "UTC")])
    with harness.deps.db.write() as session:
        for person in world.people:
            enqueue(session, kind="checkin", dedupe_key=f"checkin:{person.id}:2026-11-30",
                    due_at=harness.deps.clock.now(), person_id=person.id,
                    slot_key="2026-11-30", payload={})


def test_livez_answers_and_healthz_keeps_its_old_answer(harness: Harness) -> None:
    assert get(harness, "/livez") == (200, b'{"status": "alive"}')
    assert get(harness, "/healthz") == (200, b'{"database": "ok"}')


def test_readyz_is_ready_with_a_writable_database_and_a_quiet_outbox(harness: Harness) -> None:
    status, body = get(harness, "/readyz")
    assert status == 200
    assert json.loads(body) == {"status": "ready", "checks": {"database": "ok", "slack": "ok"}}


def test_readyz_says_not_ready_while_slack_is_unreachable_and_ready_once_it_is_back(
    harness: Harness, seed: Seed
) -> None:
    prompt_two(harness, seed)
    clock = harness.deps.clock
    down = sender_without_slack(harness.deps.db, clock)  # type: ignore[arg-type]
    down.tick()
    assert get(harness, "/readyz")[0] == 200  # a first failure is not an outage
    clock.advance(UNREACHABLE_AFTER)  # type: ignore[attr-defined]
    down.tick()
    status, body = get(harness, "/readyz")
    assert status == 503
    checks = json.loads(body)["checks"]
    assert checks["database"] == "ok"
    assert checks["slack"].startswith("unreachable for 10 min, 2 message(s) waiting: "
                                      "connection failed: ")
    assert get(harness, "/readyz?exclude=slack")[0] == 200
    assert value(samples(harness), "okr_slack_unreachable") == 1

    clock.advance(timedelta(minutes=5))  # type: ignore[attr-defined]
    make_sender(harness.deps).tick()
    assert get(harness, "/readyz")[0] == 200
    found = samples(harness)
    assert value(found, "okr_slack_unreachable") == 0
    assert value(found, "okr_slack_last_success_timestamp_seconds") == clock.now().timestamp()


@contextmanager
def database_locked(url: str) -> Iterator[None]:
    """Another connection holds the write lock (SQLite) or the table a write needs (PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        holder = sqlite3.connect(str(parsed.database), isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    engine = make_engine(url)
    with engine.connect() as conn, conn.begin():
        conn.execute(text("LOCK TABLE alembic_version IN ACCESS EXCLUSIVE MODE"))
        yield
    engine.dispose()


def test_the_write_probe_fails_within_its_timeout_while_another_writer_holds_the_lock(
    database_url: str,
) -> None:
    db = Database(make_engine(database_url, statement_timeout_ms=300))
    try:
        assert db.writable()
        with database_locked(database_url):
            assert not db.writable()
            assert db.ping()  # still answers reads: alive, healthy, but not ready
        assert db.writable()
    finally:
        db.dispose()


def test_metrics_count_requests_by_route_outbox_rows_checkins_and_slack_calls(
    harness: Harness, seed: Seed
) -> None:
    prompt_two(harness, seed)
    assert harness.sender.command("help", user_id="UBEN").status == 200
    harness.slack.fail("chat.postMessage", Fault("429", retry_after=1))
    make_sender(harness.deps).tick()
    found = samples(harness)
    assert value(found, "okr_http_requests_total", route="/slack/events", method="POST",
                 code="200") == 1
    assert value(found, "okr_http_request_seconds_count", route="/slack/events") == 1
    # The 429 holds back its row only; the other prompt goes out.
    assert value(found, "okr_outbox_rows", kind="checkin", state="pending") == 1
    assert value(found, "okr_outbox_rows", kind="checkin", state="sent") == 1
    assert value(found, "okr_slack_rate_limited_total") == 1
    assert value(found, "okr_outbox_retries_total", kind="checkin", reason="rate_limited") == 1
    assert value(found, "okr_slack_call_seconds_count", method="chat.postMessage") == 2
    assert value(found, "okr_checkins_stored_total", source="slack") == 0
    assert value(found, "okr_database_up") == 1
    assert value(found, "process_resident_memory_bytes") > 0

    harness.deps.clock.advance(timedelta(seconds=5))  # type: ignore[attr-defined]
    make_sender(harness.deps).tick()
    found = samples(harness)
    assert value(found, "okr_outbox_rows", kind="checkin", state="sent") == 2
    assert value(found, "okr_outbox_outcomes_total", kind="checkin", outcome="sent") == 2
    # A scrape is counted once answered: the second one shows the first.
    assert value(found, "okr_http_requests_total", route="/metrics", method="GET",
                 code="200") == 1


def test_an_unknown_path_is_counted_as_other_and_socket_mode_serves_no_slack_requests(
    harness: Harness,
) -> None:
    socket_app = build_wsgi_app(harness.deps, slack_over_http=False)
    answers: list[str] = []
    body = b"".join(socket_app({"PATH_INFO": "/slack/events", "REQUEST_METHOD": "POST"},
                               lambda status, headers, exc_info=None: answers.append(status)))
    assert answers == ["404 Not Found"] and b"not found" in body
    assert get(harness, "/nowhere")[0] == 404
    assert value(samples(harness), "okr_http_requests_total", route="other", method="GET",
                 code="404") == 1


MULTIPROCESS_CHILD = """
import sys
from bot.metrics import Metrics
metrics = Metrics()
metrics.http_requests.labels("/slack/events", "POST", "200").inc(int(sys.argv[1]))
metrics.rate_limited.inc()
"""
MULTIPROCESS_SCRAPE = """
import sys
from bot.clock import SystemClock
from bot.metrics import Metrics
from bot.monitoring import scrape_registry
from prometheus_client import generate_latest
from storage.db import Database, make_engine
registry = scrape_registry(Metrics(), Database(make_engine(sys.argv[1])), SystemClock())
sys.stdout.write(generate_latest(registry).decode())
"""


def test_in_multiprocess_mode_metrics_add_up_every_process(
    database_url: str, tmp_path: Path
) -> None:
    shared = tmp_path / "metrics"  # only the processes' files: the test's own database is apart
    shared.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(shared), "PYTHONPATH": str(ROOT)}
    for count in ("2", "3"):
        subprocess.run([sys.executable, "-c", MULTIPROCESS_CHILD, count], env=env, check=True,
                       timeout=60)
    done = subprocess.run([sys.executable, "-c", MULTIPROCESS_SCRAPE, database_url], env=env,
                          check=False, timeout=60, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = {}
    for family in text_string_to_metric_families(done.stdout):
        for sample in family.samples:
            found[sample.name + str(sorted(sample.labels.items()))] = sample.value
    assert found["okr_http_requests_total[('code', '200'), ('method', 'POST'), "
                 "('route', '/slack/events')]"] == 5
    assert found["okr_slack_rate_limited_total[]"] == 2
    assert found["okr_database_up[]"] == 1
