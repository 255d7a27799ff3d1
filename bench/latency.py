"""Response times of `okr-bot serve` (waitress, real subprocess, signed requests) against a floor.

    .venv/bin/python bench/latency.py [--database-url URL] [--concurrency 1,10,50]

Scenarios on the 10,000-person data set (bench/make_dataset.py): `/okr @colleague`,
`/okr team <name>`, the App Home (`app_home_opened`: the HTTP response, and the time until
views.publish reaches the Slack stand-in) and a check-in submission (`view_submission` of the
check-in modal, which writes). Each runs closed-loop under 1, 10 and 50 concurrent clients
(threads of a separate client process, keep-alive connections). The floor is a bare Bolt app
on the same waitress stack (bench/floor_app.py) that acks with a fixed text. Reported: p50,
p95, p99 of the HTTP response, the p99 ratio to the floor (goal ≤ 2×), the margin to Slack's
3-second limit, and the peak RSS of `okr-bot serve` (master + workers, from /proc).
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.client
import itertools
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bench import benchlib
from bot import ids
from bot.http_server import ServerLimits
from bot.rendering import Renderer
from storage.db import Database, make_engine
from storage.migrate import upgrade
from storage.models import KeyResult, Person, Team, TeamMember
from tests.fakes.slack_api import Call, SlackStandIn

SCENARIOS = ("/okr @colleague", "/okr team <name>", "App Home", "check-in submit")
SLACK_LIMIT_MS = 3000
RUN = f"{time.time_ns():x}"
Request = tuple[str, str, str]  # (tag, body, content type)


@dataclass
class Sample:
    scenario: str
    server: str
    concurrency: int
    http_ms: list[float] = field(default_factory=list)
    publish_ms: list[float] = field(default_factory=list)
    errors: int = 0
    refused: int = 0  # answered "try again" (e.g. the database was busy past its timeout)
    cpu_ms: float = float("nan")  # server CPU (master + workers) per request


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=benchlib.sqlite_url(benchlib.DEFAULT_SQLITE),
                        help="the data set (default: the SQLite 10k one; a SQLite file is "
                             "copied first, so the benchmark's writes do not accumulate)")
    parser.add_argument("--concurrency", default="1,10,50", help="client counts (default 1,10,50)")
    parser.add_argument("--requests", type=int, default=200,
                        help="requests per scenario and concurrency (at least 5 per client; "
                             "default 200)")
    parser.add_argument("--threads", type=int, default=ServerLimits.threads,
                        help="request threads of both servers (default: serve's)")
    parser.add_argument("--seed", type=int, default=1, help="which people and teams are asked")
    parser.add_argument("--floor-inline", action="store_true",
                        help="the floor runs its listeners on the request's thread, as serve "
                             "does (default: Bolt's default mode, its thread pool)")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help=f"comma-separated subset of: {', '.join(SCENARIOS)} (default: all)")
    args = parser.parse_args(argv)
    args.scenarios = [name.strip() for name in args.scenarios.split(",")]
    if unknown := set(args.scenarios) - set(SCENARIOS):
        parser.error(f"unknown scenario(s): {', '.join(sorted(unknown))}")
    return args


# ---- the client process -----------------------------------------------------------------------
def drive(port: int, requests: list[Request], concurrency: int,
          after: Callable[[str, float], None] | None = None
          ) -> list[tuple[str, float, float, int, bool]]:
    """Send `requests` with `concurrency` closed-loop threads; (tag, sent, answered, status,
    whether the answer was okr-bot's "try again") per request, times from time.monotonic()
    (comparable across processes on Linux). `after(tag, sent)` runs before a thread's next
    request (the App Home waits there for its views.publish)."""
    queue = iter(requests)
    lock = threading.Lock()
    results: list[tuple[str, float, float, int, bool]] = []
    try_again = {Renderer().text("common.errors.try_again", locale) for locale in ("en", "zh")}

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            with lock:
                item = next(queue, None)
            if item is None:
                break
            tag, body, content_type = item
            headers = benchlib.signed_headers(body, content_type)
            sent = time.monotonic()
            answer = b""
            for attempt in (1, 2):
                try:
                    conn.request("POST", "/slack/events", body.encode(), headers)
                    response = conn.getresponse()
                    answer = response.read()
                    status = response.status
                    break
                except (http.client.HTTPException, ConnectionError):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    status = 0
                    if attempt == 2:
                        break
            done = time.monotonic()
            with lock:
                results.append((tag, sent, done, status, _refused(answer, try_again)))
            if after is not None:
                after(tag, sent)
        conn.close()

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _refused(answer: bytes, try_again: set[str]) -> bool:
    """The app's answer to a failure on its side: the "try again" text, or the pushed modal."""
    try:
        body = json.loads(answer) if answer else {}
    except ValueError:
        return False
    return isinstance(body, dict) and (body.get("response_action") == "push"
                                       or body.get("text") in try_again)


# ---- requests ------------------------------------------------------------------------------------
def command_body(user: str, text: str) -> str:
    return urlencode({"token": "legacy", "team_id": "T0001", "team_domain": "acme",
                      "channel_id": "C0GENERAL", "channel_name": "general", "user_id": user,
                      "user_name": user.lower(), "command": ids.COMMAND, "text": text,
                      "api_app_id": "A0001", "response_url": "http://127.0.0.1:9/response",
                      "trigger_id": f"trig.{random.random()}"})


def home_body(user: str, n: int) -> str:
    event = {"type": "app_home_opened", "user": user, "channel": "D" + user[1:], "tab": "home",
             "event_ts": f"{time.time():.6f}"}
    return benchlib.event_body(event, f"EvBench{n:08d}{random.randint(0, 1 << 30)}")


def submission_body(user: str, view: dict[str, Any], values: dict[str, Any], n: int) -> str:
    # A hash no earlier run used: the stand-in numbers its views the same way every run, and on
    # PostgreSQL (not copied first) the inbox still holds the last run's submissions.
    submitted = {**view, "hash": f"{view['hash']}-{RUN}-{n}", "state": {"values": values}}
    payload = {"type": "view_submission", "team": {"id": "T0001", "domain": "acme"},
               "user": {"id": user, "username": user.lower(), "team_id": "T0001"},
               "api_app_id": "A0001", "token": "legacy", "trigger_id": f"trig.{n}",
               "view": submitted, "response_urls": []}
    return urlencode({"payload": json.dumps(payload)})


@dataclass
class World:
    """Who asks about whom: people, teams, and the check-in modals opened for submissions."""

    people: list[str]
    names: dict[str, str]
    teams: list[str]
    checkers: list[str]
    forms: dict[str, tuple[dict[str, Any], dict[str, Any]]] = field(default_factory=dict)


def load_world(db: Database, rng: random.Random, count: int) -> World:
    with db.read() as session:
        people = list(session.exec(select(Person.slack_user_id, Person.name)
                                   .order_by(col(Person.id))))
        parents = set(session.exec(select(Team.parent_id).where(col(Team.parent_id).is_not(None))))
        teams = [name for tid, name in session.exec(select(Team.id, Team.name))
                 if tid not in parents]
        checkers = list(session.exec(
            select(Person.slack_user_id)
            .join(TeamMember, col(TeamMember.person_id) == col(Person.id))
            .where(col(TeamMember.is_lead).is_(False)).order_by(col(Person.id))))
    rng.shuffle(checkers)
    return World([p for p, _ in people], dict(people), teams, checkers[:count])


def form_values(db: Database, view: dict[str, Any]) -> dict[str, Any]:
    """A valid answer to every KR of the modal: a little progress, on track, a progress note."""
    values: dict[str, Any] = {}
    kr_ids = []
    for block in view.get("blocks", []):
        block_id = str(block.get("block_id", ""))
        prefix, _, raw = block_id.rpartition(".")
        if not raw.isdigit():
            continue
        if prefix == ids.CHECKIN_VALUE:
            kr_ids.append(int(raw))
        elif prefix == ids.CHECKIN_CONFIDENCE:
            values[block_id] = {block_id: {"type": "static_select",
                                           "selected_option": {"value": "on_track"}}}
        elif prefix == ids.CHECKIN_PROGRESS:
            values[block_id] = {block_id: {"type": "plain_text_input",
                                           "value": "Bench progress 本周进展 <ok> & on"}}
        elif prefix in (ids.CHECKIN_BLOCKERS, ids.CHECKIN_HELP):
            values[block_id] = {block_id: {"type": "plain_text_input", "value": None}}
        elif prefix == ids.CHECKIN_WHOM:
            values[block_id] = {block_id: {"type": "users_select", "selected_user": None}}
        elif prefix == ids.CHECKIN_NO_CHANGE:
            values[block_id] = {block_id: {"type": "checkboxes", "selected_options": []}}
    with db.read() as session:
        krs = session.exec(select(KeyResult).where(col(KeyResult.id).in_(kr_ids))).all()
    for kr in krs:
        block_id = f"{ids.CHECKIN_VALUE}.{kr.id}"
        if kr.kind == "milestone":
            values[block_id] = {block_id: {"type": "static_select",
                                           "selected_option": {"value": "done"}}}
        else:
            step = (kr.target_value - kr.start_value) * 0.01
            values[block_id] = {block_id: {"type": "plain_text_input",
                                           "value": f"{kr.current_value + step:.1f}"}}
    return values


def open_forms(port: int, standin: SlackStandIn, db: Database, world: World) -> None:
    """Open the check-in modal of each checker with `/okr checkin` (not timed)."""
    for user in world.checkers:
        before = len(standin.calls_to("views.open"))
        drive(port, [("open", command_body(user, "checkin"), "application/x-www-form-urlencoded")],
              1)
        standin.wait_for("views.open", before + 1, timeout=30)
        stored = list(standin.workspace.views.values())[-1]  # as views.open stored it
        world.forms[user] = (stored, form_values(db, stored))


def requests_for(scenario: str, world: World, rng: random.Random, n: int,
                 serial: itertools.count[int]) -> list[Request]:
    form = "application/x-www-form-urlencoded"
    out: list[Request] = []
    for _ in range(n):
        k = next(serial)
        if scenario == "/okr @colleague":
            user, target = rng.choice(world.people), rng.choice(world.people)
            out.append((user, command_body(user, f"<@{target}|{world.names[target]}>"), form))
        elif scenario == "/okr team <name>":
            user = rng.choice(world.people)
            out.append((user, command_body(user, f"team {rng.choice(world.teams)}"), form))
        elif scenario == "App Home":
            user = world.people[k % len(world.people)]
            out.append((user, home_body(user, k), "application/json"))
        else:
            user = world.checkers[k % len(world.checkers)]
            view, values = world.forms[user]
            out.append((user, submission_body(user, view, values, k), form))
    return out


# ---- servers ---------------------------------------------------------------------------------
class Server:
    """A server subprocess and its memory, sampled from /proc (master + children)."""

    def __init__(self, argv: list[str], env: dict[str, str], port: int, cwd: Path) -> None:
        self.port = port
        self.log = cwd / f"server-{port}.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(argv, env=env, cwd=cwd, start_new_session=True,
                                            stdout=log, stderr=subprocess.STDOUT)
        self.peak_rss_kib = 0
        self._stop = threading.Event()
        benchlib.wait_healthy(f"http://127.0.0.1:{port}/healthz", self.process)
        self._sampler = threading.Thread(target=self._sample, daemon=True)
        self._sampler.start()

    def pids(self) -> list[int]:
        master = self.process.pid
        found = [master]
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == master:
                found.append(int(stat.parent.name))
        return found

    @staticmethod
    def _status(pid: int, key: str) -> int:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith(key + ":"):
                    return int(line.split()[1])
        except OSError:
            pass
        return 0

    def _sample(self) -> None:
        while not self._stop.wait(0.2):
            total = sum(self._status(pid, "VmRSS") for pid in self.pids())
            self.peak_rss_kib = max(self.peak_rss_kib, total)

    def cpu_ticks(self) -> int:
        """User + system clock ticks used so far by the master and its workers."""
        total = 0
        for pid in self.pids():
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            total += int(fields[11]) + int(fields[12])
        return total

    def high_water(self) -> list[tuple[int, int]]:
        """(pid, VmHWM KiB) of the master and each worker."""
        return [(pid, self._status(pid, "VmHWM")) for pid in self.pids()]

    def logged_errors(self) -> int:
        """Tracebacks the server logged (each a failed request or job)."""
        return self.log.read_text(errors="replace").count("Traceback")

    def stop(self) -> None:
        self._stop.set()
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class Publishes:
    """When views.publish reached the stand-in, per user; waitable."""

    def __init__(self) -> None:
        self.times: dict[str, list[float]] = {}
        self._seen = threading.Condition()

    def __call__(self, call: Call) -> None:
        if call.method == "views.publish":
            with self._seen:
                self.times.setdefault(str(call.args.get("user_id")), []).append(
                    time.monotonic())
                self._seen.notify_all()

    def get(self, user: str, default: list[float]) -> list[float]:
        with self._seen:
            return list(self.times.get(user, default))

    def wait(self, user: str, since: float) -> None:
        with self._seen:
            self._seen.wait_for(lambda: any(t >= since for t in self.times.get(user, [])), 30)


def run_load(pool: concurrent.futures.Executor, server: Server, standin: SlackStandIn,
             sample: Sample, requests: list[Request], published: Publishes) -> None:
    ticks = server.cpu_ticks()
    if sample.scenario == "App Home":
        # Closed over the publish too: a client opens the Home again once it was published
        # (acks come in ~10 ms, so otherwise the clients outrun the work after the ack).
        results = drive(server.port, requests, sample.concurrency, after=published.wait)
    else:
        results = pool.submit(drive, server.port, requests, sample.concurrency).result()
    # A check-in refreshes the Home only when its form was opened from the Home; these are
    # opened with `/okr checkin` (handlers/checkin.py on_submit), so none is waited for.
    publishes = sample.scenario == "App Home"
    waiting = []
    for tag, sent, done, status, refused in results:
        if status != 200:
            sample.errors += 1
            continue
        sample.refused += refused
        sample.http_ms.append((done - sent) * 1000)
        if publishes and not refused:
            waiting.append((tag, sent))
    deadline = time.monotonic() + 60  # for the work after the acks to reach the stand-in
    while waiting:
        left = []
        for tag, sent in waiting:
            later = [t for t in published.get(tag, []) if t >= sent]
            if later:
                sample.publish_ms.append((min(later) - sent) * 1000)
            else:
                left.append((tag, sent))
        waiting = left
        if waiting and time.monotonic() > deadline:
            sample.errors += len(waiting)  # never published
            break
        time.sleep(0.1)
    per_second = os.sysconf("SC_CLK_TCK")
    sample.cpu_ms = (server.cpu_ticks() - ticks) * 1000 / per_second / max(len(results), 1)


def measure(server: Server, name: str, args: argparse.Namespace, world: World,
            standin: SlackStandIn, pool: concurrent.futures.Executor,
            published: Publishes) -> list[Sample]:
    samples = []
    rng = random.Random(args.seed)
    serial = itertools.count(1)
    for scenario in args.scenarios:
        drive_warm = requests_for(scenario, world, rng, 5, serial)
        pool.submit(drive, server.port, drive_warm, 1).result()
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            sample = Sample(scenario, name, concurrency)
            count = max(args.requests, 5 * concurrency)
            run_load(pool, server, standin, sample, requests_for(scenario, world, rng, count,
                                                                 serial), published)
            samples.append(sample)
            p = benchlib.percentile
            print(f"  {name:5} {scenario:17} c={concurrency:<3} n={len(sample.http_ms):<4} "
                  f"p50 {p(sample.http_ms, 50):7.1f} ms  p99 {p(sample.http_ms, 99):7.1f} ms  "
                  f"errors {sample.errors} try-again {sample.refused}", flush=True)
    return samples


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url
    benchlib.print_header("latency: okr-bot serve against a bare Bolt floor", [url])
    scratch = Path(tempfile.mkdtemp(prefix="okr-latency-"))
    if make_url(url).get_backend_name() == "sqlite":
        source = Path(str(make_url(url).database))
        shutil.copyfile(source, scratch / "okr.db")
        url = benchlib.sqlite_url(scratch / "okr.db")
    upgrade(url)
    db = Database(make_engine(url))
    rng = random.Random(args.seed)
    concurrency = [int(c) for c in args.concurrency.split(",")]
    world = load_world(db, rng, max(concurrency) * 4)
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}; "
          f"one process × {args.threads} threads; {args.requests} requests per "
          "run (at least 5 per client)\n", flush=True)
    standin = SlackStandIn().start()
    published = Publishes()
    standin.listeners.append(published)
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET":
           benchlib.SIGNING_SECRET, "SLACK_API_URL": standin.url, "DATABASE_URL": url}
    pool = concurrent.futures.ProcessPoolExecutor(1, mp_context=mp.get_context("spawn"))
    samples: list[Sample] = []
    memory: list[tuple[int, int]] = []
    peak = 0
    try:
        port = benchlib.free_port()
        okr = Server([sys.executable, "-m", "bot.cli", "serve", "--host", "127.0.0.1", "--port",
                      str(port), "--threads", str(args.threads),
                      "--no-scheduler"], env, port, scratch)
        try:
            if "check-in submit" in args.scenarios:
                open_forms(port, standin, db, world)
            samples += measure(okr, "okr", args, world, standin, pool, published)
            memory, peak = okr.high_water(), okr.peak_rss_kib
        finally:
            okr.stop()
            if errors := okr.logged_errors():
                kept = Path(tempfile.gettempdir()) / okr.log.name
                shutil.copyfile(okr.log, kept)
                print(f"okr-bot serve logged {errors} tracebacks: {kept}", flush=True)
        port = benchlib.free_port()
        floor = Server([sys.executable, str(Path(__file__).with_name("floor_app.py")), "--port",
                        str(port), "--threads", str(args.threads),
                        *(["--inline"] if args.floor_inline else [])], env, port, scratch)
        try:
            samples += measure(floor, "floor", args, world, standin, pool, published)
        finally:
            floor.stop()
    finally:
        pool.shutdown()
        standin.stop()
        db.dispose()
        shutil.rmtree(scratch, ignore_errors=True)
    report(samples, memory, peak)
    return 0


def report(samples: list[Sample], memory: list[tuple[int, int]], peak_kib: int) -> None:
    p = benchlib.percentile
    floors = {(s.scenario, s.concurrency): s for s in samples if s.server == "floor"}
    rows = []
    for s in samples:
        if s.server != "okr":
            continue
        f = floors[(s.scenario, s.concurrency)]
        p99, f99 = p(s.http_ms, 99), p(f.http_ms, 99)
        rows.append((s.scenario, s.concurrency, len(s.http_ms), p(s.http_ms, 50),
                     p(s.http_ms, 95), p99, p(f.http_ms, 50), f99, f"{p99 / f99:.2f}×",
                     f"{SLACK_LIMIT_MS - p99:.0f}", s.cpu_ms, f.cpu_ms, s.errors + f.errors,
                     s.refused))
    print("\nHTTP response (ms):")
    print(benchlib.table(["scenario", "clients", "n", "p50", "p95", "p99", "floor p50",
                          "floor p99", "p99 ÷ floor (goal ≤ 2×)", "ms left of Slack's 3 s",
                          "server CPU ms/req", "floor CPU ms/req",
                          "errors (non-200 or never published)", "answered try again"], rows))
    home = [s for s in samples if s.publish_ms]
    if home:
        print("\nRequest sent → views.publish received by the stand-in (ms; work after the ack):")
        print(benchlib.table(
            ["scenario", "server", "clients", "n", "p50", "p95", "p99"],
            [(s.scenario, s.server, s.concurrency, len(s.publish_ms), p(s.publish_ms, 50),
              p(s.publish_ms, 95), p(s.publish_ms, 99)) for s in home]))
    print("\nMemory of okr-bot serve during the run (from /proc):")
    print(benchlib.table(["process", "peak RSS (VmHWM) MiB"],
                         [("master" if i == 0 else f"worker {i}", kib / 1024)
                          for i, (_, kib) in enumerate(memory)]
                         + [("sum of peaks", sum(k for _, k in memory) / 1024),
                            ("peak of the sampled total", peak_kib / 1024)]))
    print(f"\nload average after: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    sys.exit(main())
