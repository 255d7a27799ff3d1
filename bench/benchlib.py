"""Shared helpers of the benchmarks: machine facts, tables, percentiles, signed requests.

Every benchmark prints the exact command it ran and the machine it ran on, then its figures
as plain-text tables (pasted as they are into bench/README.md).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import platform
import shlex
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from storage.db import make_engine

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DEFAULT_SQLITE = RESULTS / "okr-10k.db"
SIGNING_SECRET = "bench-signing-secret"  # noqa: S105 - a local benchmark's made-up secret


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def command_line() -> str:
    """The command as typed (relative to the repository root)."""
    script = Path(sys.argv[0]).resolve()
    try:
        shown = script.relative_to(ROOT)
    except ValueError:
        shown = script
    return " ".join([".venv/bin/python", str(shown), *map(shlex.quote, sys.argv[1:])])


def _meminfo_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def database_version(url: str) -> str:
    """`SQLite 3.x` or `PostgreSQL 15.x` of the server behind `url`."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "sqlite":
                version = conn.exec_driver_sql("select sqlite_version()").scalar()
                return f"SQLite {version}"
            version = conn.exec_driver_sql("show server_version").scalar()
            return f"PostgreSQL {version}"
    finally:
        engine.dispose()


def describe_url(url: str) -> str:
    """A URL without its password."""
    return make_url(url).render_as_string(hide_password=True)


def print_header(title: str, urls: Iterable[str] = ()) -> None:
    """The title, the exact command and the machine (cores, RAM, Python, database versions)."""
    print(f"# {title}")
    print(f"command:  {command_line()}")
    print(f"machine:  {os.cpu_count()} cores (nproc), {_meminfo_gib():.1f} GiB RAM, "
          f"{_cpu_model()}, {platform.system()} {platform.release()}")
    print(f"python:   {platform.python_version()} ({sys.executable})")
    for url in urls:
        print(f"database: {database_version(url)} at {describe_url(url)}")
    print(f"date:     {time.strftime('%Y-%m-%d %H:%M:%S %Z')}")
    print(f"load:     {load_average()} (1, 5, 15 min; a shared machine: other work competes)")
    print(flush=True)


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A Markdown table (readable as text, pasteable into README.md)."""
    cells = [[str(h) for h in headers]] + [[_cell(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = ["| " + " | ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) + " |"
             for row in cells]
    lines.insert(1, "|" + "|".join("-" * (w + 2) for w in widths) + "|")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}" if abs(value) < 100 else f"{value:.0f}"
    return str(value)


def percentile(values: Sequence[float], p: float) -> float:
    """The `p`-th percentile (nearest rank) of `values`."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(p / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_healthy(url: str, process: subprocess.Popen[Any], deadline_s: float = 60) -> None:
    """Poll `url` until it answers 200 (start-up of a server process)."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - 127.0.0.1
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {deadline_s:.0f} s")


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    """Slack's request signature: v0= + HMAC-SHA256 of `v0:{timestamp}:{body}`."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def signed_headers(body: str, content_type: str) -> dict[str, str]:
    ts = int(time.time())
    return {"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
            "X-Slack-Signature": sign(body, ts)}


def event_body(event: dict[str, Any], event_id: str) -> str:
    return json.dumps({"token": "legacy", "team_id": "T0001", "api_app_id": "A0001",
                       "type": "event_callback", "event_id": event_id,
                       "event_time": int(time.time()), "event": event})
