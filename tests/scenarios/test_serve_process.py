"""`okr-bot serve` as people run it: a gunicorn process answering signed Slack requests."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.gunicorn_app import default_shape
from tests.fakes.slack_api import SlackStandIn
from tests.fakes.slack_requests import SIGNING_SECRET, SlackSender


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wait_healthy(url: str, process: subprocess.Popen[bytes], deadline_s: float = 30) -> None:
    """Poll /healthz until the server answers (start-up, not a schedule)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while gunicorn starts
            time.sleep(0.1)
    raise AssertionError("serve did not become healthy")


@pytest.fixture
def served(tmp_path: Path, standin: SlackStandIn) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": standin.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
         "--workers", "2", "--no-scheduler"],
        env=env, cwd=tmp_path,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield url
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)


def test_serve_applies_migrations_and_answers_signed_commands(
    served: str, standin: SlackStandIn, tmp_path: Path
) -> None:
    assert (tmp_path / "served.db").exists()
    sender = SlackSender(served, standin.response_url())
    reply = sender.command("help", user_id="UBEN")
    assert reply.status == 200
    assert "How to use" in reply.json()["text"]
    forged = sender.post("command=%2Fokr&text=help", "application/x-www-form-urlencoded",
                         signature="v0=00")
    assert forged.status == 401


def test_serve_runs_one_process_on_sqlite_and_one_per_core_on_postgresql() -> None:
    """SQLite has one writer, fairly queued only inside a process (bench/latency.py)."""
    assert default_shape("sqlite:///okr.db") == (1, 16)
    assert default_shape("postgresql://u@db:5432/okr") == (os.cpu_count() or 1, 8)
