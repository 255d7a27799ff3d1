"""What an operator's probes and Prometheus read over HTTP (served by `serve`, `socket` and
`worker --port`), the way container platforms expect:

- `GET /livez`: 200 whenever the process answers: the liveness probe (restart when it fails).
- `GET /readyz`: 200 when this process can do its work, 503 with the failing check otherwise:
  the database takes a real write within the request's short timeout (a read-only replica, a
  full disk or a writer stuck holding the lock fail it), and Slack has not been unreachable for
  10 minutes (`bot.delivery.reach`). Like Kubernetes' own `/readyz`, `?exclude=slack` leaves a
  check out — use it when Slack's outages should not take the pods out of rotation.
- `GET /healthz`: unchanged from earlier versions: 200 when the database answers a query.
- `GET /metrics`: the Prometheus text format: this process's counters (`bot.metrics`), its CPU
  and memory, and the database's view read at scrape time (`DatabaseCollector`).

Several processes behind one port: set `PROMETHEUS_MULTIPROC_DIR` to an empty directory in the
start-up script (prometheus_client's multiprocess mode) and `/metrics` adds up every process's
counters; the database's view is the same whichever process answers. Without it each process
reports its own counters, which is right for one process per port (scrape every replica).
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Iterator
from urllib.parse import parse_qs

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, ProcessCollector
from prometheus_client import generate_latest as exposition
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from bot.clock import Clock
from bot.delivery.reach import SlackReach, slack_reach
from bot.deps import Deps
from bot.metrics import Metrics
from bot.server import Environ, StartResponse, WsgiApp, json_response
from storage.db import Database
from storage.models import CHECKIN_SOURCES, DELIVERY_STATES
from storage.queries import outbox as outbox_queries
from storage.queries.checkins import checkins_by_source

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def monitoring_routes(deps: Deps) -> dict[str, WsgiApp]:
    """The exact paths and their WSGI apps, for `OkrWsgiApp`."""
    registry = scrape_registry(deps.metrics, deps.db, deps.clock)

    def livez(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        return json_response(start_response, "200 OK", {"status": "alive"})

    def healthz(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        healthy = deps.db.ping()
        status = "200 OK" if healthy else "503 Service Unavailable"
        return json_response(start_response, status, {"database": "ok" if healthy else "down"})

    def readyz(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        excluded = set(parse_qs(environ.get("QUERY_STRING", "")).get("exclude", []))
        checks = readiness(deps, exclude=excluded)
        ready = all(result == "ok" for result in checks.values())
        return json_response(start_response, "200 OK" if ready else "503 Service Unavailable",
                             {"status": "ready" if ready else "not ready", "checks": checks})

    def metrics(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        body = exposition(registry)
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST),
                                  ("Content-Length", str(len(body)))])
        return [body]

    return {"/livez": livez, "/healthz": healthz, "/readyz": readyz, "/metrics": metrics}


def readiness(deps: Deps, *, exclude: Collection[str] = ()) -> dict[str, str]:
    """Each readiness check that is not excluded: "ok", or what is wrong."""
    checks: dict[str, str] = {}
    if "database" not in exclude:
        checks["database"] = "ok" if deps.db.writable() else "cannot write (see the logs)"
    if "slack" not in exclude:
        try:
            reach = slack_reach(deps.db, deps.clock.now())
        except Exception:
            checks["slack"] = "unknown: the outbox cannot be read"
        else:
            checks["slack"] = _slack_check(reach)
    return checks


def _slack_check(reach: SlackReach) -> str:
    down = reach.unreachable_for
    if down is None:
        return "ok"
    return (f"unreachable for {int(down.total_seconds() // 60)} min, {reach.failing_rows} "
            f"message(s) waiting: {reach.last_error}")


def scrape_registry(metrics: Metrics, db: Database, clock: Clock) -> CollectorRegistry:
    """What `/metrics` shows (collected anew at each scrape)."""
    registry = CollectorRegistry()
    if os.environ.get(MULTIPROC_ENV):
        MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(metrics.registry))
        ProcessCollector(registry=registry)
    registry.register(DatabaseCollector(db, clock))
    return registry


class _Forward:
    """Collects another registry, so the process's own joins each scrape."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterable[Metric]:
        return self.registry.collect()


class DatabaseCollector:
    """Metrics read from the database at each scrape: the same from every process."""

    def __init__(self, db: Database, clock: Clock) -> None:
        self.db, self.clock = db, clock

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily("okr_database_up", "1 when the database answered this scrape")
        try:
            metrics = self._read()
        except Exception:  # the scrape still answers, saying that the database did not
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from metrics

    def _read(self) -> list[Metric]:
        with self.db.read() as session:
            counts = outbox_queries.counts_by_kind_and_status(session=session)
            checkins = checkins_by_source(session=session)
        reach = slack_reach(self.db, self.clock.now())
        rows = GaugeMetricFamily("okr_outbox_rows", "Outbox rows by kind and state",
                                 labels=["kind", "state"])
        for kind in sorted({k for k, _ in counts}):
            for state in DELIVERY_STATES:
                rows.add_metric([kind, state], counts.get((kind, state), 0))
        stored = CounterMetricFamily("okr_checkins_stored", "Check-ins stored, by source",
                                     labels=["source"])
        for source in CHECKIN_SOURCES:
            stored.add_metric([source], checkins.get(source, 0))
        last = GaugeMetricFamily(
            "okr_slack_last_success_timestamp_seconds",
            "When Slack last accepted an outbox post, in Unix time (absent before the first)")
        if reach.last_success is not None:
            last.add_metric([], reach.last_success.timestamp())
        unreachable = GaugeMetricFamily(
            "okr_slack_unreachable",
            "1 when outbox rows have failed to reach Slack for 10 minutes with no post accepted")
        unreachable.add_metric([], 1 if reach.unreachable else 0)
        failing = GaugeMetricFamily(
            "okr_slack_failing_rows", "Outbox rows waiting to retry after failing to reach Slack")
        failing.add_metric([], reach.failing_rows)
        return [rows, stored, last, unreachable, failing]
