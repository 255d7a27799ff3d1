"""`okr-bot serve` under hostile clients: does it keep answering, and how much memory does it hold?

    .venv/bin/python bench/hostile.py [--idle 1000] [--slow 200] [--huge 3] [--fill 1000]
                                      [--seconds 15]

Starts a real `okr-bot serve` (SQLite, a Slack stand-in, no scheduler) and, at once:
`--idle` connections that send nothing; `--slow` connections that trickle a header byte each
second (a slow-loris); `--huge` clients streaming unsigned bodies that claim 256 MB; and
`--fill` connections that each send a 7 kB header and 60 kB of a 1 MB body and then stall (the
most memory a connection can make the server hold before it is timed out). Meanwhile it asks
`GET /healthz` and a signed `/okr help` every 0.25 s and reports their latency, how many
connections the server closed by itself, and the server's resident memory before and at peak.
Every loop is bounded by `--seconds`; only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import benchlib
from tests.fakes.slack_api import SlackStandIn


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Attack:
    """Sockets held open against the server; counts the ones it closed."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.sockets: list[socket.socket] = []
        self.closed_by_server = 0
        self.refused = 0
        self.lock = threading.Lock()

    def open(self, count: int, first: bytes = b"") -> list[socket.socket]:
        opened = []
        for _ in range(count):
            try:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=5)
                if first:
                    sock.sendall(first)
            except OSError:
                with self.lock:
                    self.refused += 1
                continue
            opened.append(sock)
        with self.lock:
            self.sockets += opened
        return opened

    def send(self, sock: socket.socket, data: bytes) -> bool:
        try:
            sock.sendall(data)
        except OSError:
            with self.lock:
                self.closed_by_server += 1
            return False
        return True

    def count_closed(self) -> int:
        """Sockets the server has closed (readable with EOF or an error), then close all."""
        closed = 0
        for sock in self.sockets:
            sock.setblocking(False)
            try:
                closed += sock.recv(1 << 16) == b"" or 0
            except BlockingIOError:
                pass
            except OSError:
                closed += 1
            sock.close()
        return closed


def probe(url: str, standin: SlackStandIn, until: float) -> tuple[list[float], list[float], int]:
    """Latencies (ms) of /healthz and a signed /okr help, and how many failed, until `until`."""
    health, command, failed = [], [], 0
    form = urlencode({"command": "/okr", "text": "help", "user_id": "UBEN", "team_id": "T0001",
                      "channel_id": "C0", "trigger_id": "t", "response_url":
                      standin.response_url()})
    while time.monotonic() < until:
        for path, body, into in (("/healthz", None, health), ("/slack/events", form, command)):
            headers = benchlib.signed_headers(body, "application/x-www-form-urlencoded") \
                if body else {}
            request = urllib.request.Request(  # noqa: S310 - 127.0.0.1 only
                url + path, data=body.encode() if body else None, headers=headers)
            start = time.perf_counter()
            try:
                with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                    response.read()
                into.append((time.perf_counter() - start) * 1000)
            except (urllib.error.URLError, OSError):
                failed += 1
        time.sleep(0.25)
    return health, command, failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--idle", type=int, default=1000)
    parser.add_argument("--slow", type=int, default=200)
    parser.add_argument("--huge", type=int, default=3)
    parser.add_argument("--fill", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=15)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = args.idle + args.slow + args.huge + args.fill + 256
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(wanted, hard), hard))
    benchlib.print_header("hostile clients against okr-bot serve")
    scratch = Path(tempfile.mkdtemp(prefix="okr-hostile-"))
    standin = SlackStandIn().start()
    standin.workspace.add_user("UBEN", "Ben", tz="America/New_York", locale="en-US")
    port = benchlib.free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-bench",
           "SLACK_SIGNING_SECRET": benchlib.SIGNING_SECRET, "SLACK_API_URL": standin.url,
           "DATABASE_URL": benchlib.sqlite_url(scratch / "okr.db")}
    with (scratch / "serve.log").open("wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "bot.cli", "serve", "--port", str(port),
                                   "--no-scheduler"], env=env, stdout=log,
                                  stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        benchlib.wait_healthy(url + "/healthz", server)
        before_health, before_command, _ = probe(url, standin, time.monotonic() + 2)
        baseline = rss_kib(server.pid)
        attack = Attack(port)
        peak = baseline
        stop = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not stop.wait(0.1):
                peak = max(peak, rss_kib(server.pid))

        threading.Thread(target=sample, daemon=True).start()
        until = time.monotonic() + args.seconds
        attack.open(args.idle)
        slow = attack.open(args.slow, b"POST /slack/events HTTP/1.1\r\nHost: okr\r\n")
        fill_head = (b"POST /slack/events HTTP/1.1\r\nHost: okr\r\nContent-Type: application/json"
                     b"\r\nContent-Length: 1000000\r\nX-Pad: " + b"p" * 7_000 + b"\r\n\r\n")
        attack.open(args.fill, fill_head + b"{" + b" " * 60_000)
        huge_head = (b"POST /slack/events HTTP/1.1\r\nHost: okr\r\nContent-Length: 268435456\r\n"
                     b"\r\n")

        def stream_huge() -> None:
            for sock in attack.open(1, huge_head):
                chunk = b"x" * 65536
                while time.monotonic() < until and attack.send(sock, chunk):
                    pass

        def trickle() -> None:
            alive = list(slow)
            while time.monotonic() < until and alive:
                alive = [s for s in alive if attack.send(s, b"X")]
                time.sleep(1)

        workers = [threading.Thread(target=stream_huge) for _ in range(args.huge)]
        workers.append(threading.Thread(target=trickle))
        for worker in workers:
            worker.start()
        health, command, failed = probe(url, standin, until)
        for worker in workers:
            worker.join()
        stop.set()
        closed = attack.count_closed()
        rows = [
            ("before the attack", len(before_health), benchlib.percentile(before_health, 50),
             max(before_health), benchlib.percentile(before_command, 50), max(before_command),
             0),
            ("during the attack", len(health),
             benchlib.percentile(health, 50) if health else float("nan"),
             max(health) if health else float("nan"),
             benchlib.percentile(command, 50) if command else float("nan"),
             max(command) if command else float("nan"), failed),
        ]
        print(f"attack: {args.idle} idle, {args.slow} slow-loris, {args.huge} unsigned 256 MB "
              f"bodies, {args.fill} connections holding a 7 kB header + 60 kB body; "
              f"{args.seconds:.0f} s\n")
        print(benchlib.table(["phase", "probes", "healthz p50 ms", "healthz max ms",
                              "signed /okr p50 ms", "signed /okr max ms", "failed"], rows))
        print(f"\nconnections refused at connect: {attack.refused}; closed by the server "
              f"(413, deadline or timeout): {attack.closed_by_server + closed} of "
              f"{args.idle + args.slow + args.huge + args.fill}")
        print(f"serve RSS: {baseline / 1024:.0f} MiB before, {peak / 1024:.0f} MiB at peak "
              f"(+{(peak - baseline) / 1024:.0f} MiB)")
        logged = (scratch / "serve.log").read_text(errors="replace")
        tracebacks = logged.count("Traceback")
        if os.environ.get("HOSTILE_SHOW_LOG"):
            print(logged[-3000:])
        print(f"tracebacks in the serve log: {tracebacks}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
