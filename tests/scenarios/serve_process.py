"""Run a real `okr-bot serve` subprocess for tests, with its log captured to a file."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.fakes.slack_api import SlackStandIn
from tests.fakes.slack_requests import SIGNING_SECRET


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Served:
    """A running `serve`: its base URL, process and log file."""

    url: str
    port: int
    process: subprocess.Popen[bytes]
    log: Path

    def log_text(self) -> str:
        return self.log.read_text(errors="replace")


def _wait_healthy(url: str, process: subprocess.Popen[bytes], deadline_s: float = 30) -> None:
    """Poll /healthz until the server answers (start-up, not a schedule)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None:
            raise AssertionError(f"the server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=1) as response:  # noqa: S310
                if response.status == 200:
                    return
        except OSError:  # refused, reset or timed out while serve starts
            time.sleep(0.1)
    raise AssertionError("serve did not become healthy")


@contextmanager
def run_serve(tmp_path: Path, standin: SlackStandIn, *args: str,
              host: str | None = "127.0.0.1", database_url: str | None = None,
              command_name: str = "serve") -> Iterator[Served]:
    """Start `okr-bot serve --no-scheduler` (or `socket`, with an app token) on a free port;
    stop it with SIGTERM afterwards."""
    port = free_port()
    env = {
        **os.environ,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": "xapp-1-test",
        "SLACK_API_URL": standin.url,
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'served.db'}",
    }
    command = [sys.executable, "-m", "bot.cli", command_name, "--port", str(port),
               "--no-scheduler", *args]
    if host is not None:
        command += ["--host", host]
    log = tmp_path / "serve.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, cwd=tmp_path, stdout=sink,
                                   stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, process)
        yield Served(url, port, process, log)
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=20)
