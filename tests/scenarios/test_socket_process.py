"""`okr-bot socket` as people run it: Slack over Socket Mode, and on a local port the
operator's routes and the KR value API, as `serve` has them (no /slack/events)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from bot.clock import FakeClock
from storage.db import Database, make_engine
from storage.migrate import upgrade
from tests.fakes.slack_api import SlackStandIn
from tests.fakes.socket_mode import SocketModeStandIn
from tests.scenarios.api_client import key_path, post_value, request
from tests.scenarios.api_world import make_api_world
from tests.scenarios.serve_process import run_serve


def test_socket_serves_health_metrics_and_the_api_on_a_local_port(
    standin: SlackStandIn, tmp_path: Path, clock: FakeClock
) -> None:
    url = f"sqlite:///{tmp_path / 'socket.db'}"
    upgrade(url)
    db = Database(make_engine(url))
    world = make_api_world(db, clock)
    db.dispose()
    websocket = SocketModeStandIn().start()
    standin.socket_url = websocket.url
    try:
        with run_serve(tmp_path, standin, database_url=url, command_name="socket",
                       host=None) as served:
            assert websocket.connections >= 1
            assert standin.wait_for("apps.connections.open")

            for path, expected in (("/livez", {"status": "alive"}),
                                   ("/healthz", {"database": "ok"})):
                with urllib.request.urlopen(served.url + path, timeout=5) as answer:  # noqa: S310
                    assert (answer.status, json.loads(answer.read())) == (200, expected)
            with urllib.request.urlopen(served.url + "/readyz?exclude=slack",  # noqa: S310
                                        timeout=5) as ready:
                assert json.loads(ready.read())["status"] == "ready"
            with urllib.request.urlopen(served.url + "/metrics", timeout=5) as metrics:  # noqa: S310
                names = {f.name for f in text_string_to_metric_families(metrics.read().decode())}
            assert "okr_outbox_rows" in names

            updated = post_value(served.url, key_path("mkt.leads"), world.secret,
                                 {"value": 180}, key="socket-1")
            assert updated.status == 200, updated.body
            assert updated.json()["value"] == 180
            unauthorised = post_value(served.url, key_path("mkt.leads"), "okr_wrong",
                                      {"value": 1}, key="socket-2")
            assert unauthorised.status == 401

            slack = request(served.url, "POST", "/slack/events", body=b"{}",
                            headers={"Content-Type": "application/json"})
            assert slack.status == 404  # Slack's requests come over the WebSocket
            log = served.log_text()
    finally:
        websocket.stop()
    assert f"listening on http://127.0.0.1:{served.port}" in log
    assert "connected to Slack over Socket Mode" in log
    assert "Traceback" not in log
