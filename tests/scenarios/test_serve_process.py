"""`okr-bot serve` as people run it: a waitress process answering signed Slack requests."""

from __future__ import annotations

from pathlib import Path

from tests.fakes.slack_api import SlackStandIn
from tests.fakes.slack_requests import SlackSender
from tests.scenarios.serve_process import run_serve


def test_serve_applies_migrations_and_answers_signed_commands(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    with run_serve(tmp_path, standin) as served:
        assert (tmp_path / "served.db").exists()
        sender = SlackSender(served.url, standin.response_url())
        reply = sender.command("help", user_id="UBEN")
        assert reply.status == 200
        assert "How to use" in reply.json()["text"]
        forged = sender.post("command=%2Fokr&text=help", "application/x-www-form-urlencoded",
                             signature="v0=00")
        assert forged.status == 401


def test_serve_binds_loopback_unless_told_and_says_where(
    standin: SlackStandIn, tmp_path: Path
) -> None:
    with run_serve(tmp_path, standin, host=None) as served:
        log = served.log_text()
    assert f"listening on http://127.0.0.1:{served.port}" in log
