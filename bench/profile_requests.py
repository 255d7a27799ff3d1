"""Where a request's CPU goes: one scenario of bench/latency.py, in-process, beside the floor.

    .venv/bin/python bench/profile_requests.py --scenario "/okr @colleague" [--profile]

The okr-bot WSGI app (as `serve` builds it) and the bare Bolt floor (bench/floor_app.py), both
with their listeners run inline, on the request's thread, as `serve` runs okr-bot's (with
`--threaded`: both in Bolt's default mode, on its listener threads with the ack polled for, as
the floor server runs by default), are called directly with the same
signed requests as bench/latency.py sends, on the 10,000-person data set, so the figures leave
out waitress and the network. Prints CPU ms per request of both (process time, the best of
`--repeats` runs), the Python function calls per request of both (cProfile's count over one more
run: unlike CPU time it does not move with the machine's load, so it shows what one change
saves) and, with `--profile`, cProfile's top functions for okr-bot. The Slack stand-in runs in
this process: for the App Home its handling of `views.publish` counts in both figures.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import io
import itertools
import os
import pstats
import random
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy.engine import make_url

from bench import benchlib, floor_app, latency
from tests.fakes.slack_api import SlackStandIn

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=benchlib.sqlite_url(benchlib.DEFAULT_SQLITE),
                        help="the data set (default: the SQLite 10k one, copied first)")
    parser.add_argument("--scenario", default=latency.SCENARIOS[0], choices=latency.SCENARIOS)
    parser.add_argument("--requests", type=int, default=300, help="requests per run")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each app (best kept)")
    parser.add_argument("--threaded", action="store_true",
                        help="both in Bolt's default mode: listeners on its threads")
    parser.add_argument("--profile", action="store_true", help="print cProfile's top functions")
    parser.add_argument("--sort", default="cumulative", help="cProfile sort key")
    parser.add_argument("--top", type=int, default=40, help="functions printed")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.threaded and args.scenario == "App Home":
        # The event is answered at once and the Home built after, on Bolt's threads: the
        # figures would stop at the answer. bench/latency.py waits for views.publish.
        parser.error("--threaded times a request until its answer; the App Home is built "
                     "after it (use bench/latency.py)")
    return args


def environ(body: str, content_type: str) -> dict[str, Any]:
    """A WSGI environ of a signed POST to /slack/events, as waitress would pass it."""
    raw = body.encode()
    env: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": "/slack/events", "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "3000", "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": "http", "wsgi.input": io.BytesIO(raw), "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(len(raw)),
    }
    for name, value in benchlib.signed_headers(body, content_type).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(app: WsgiApp, body: str, content_type: str) -> bytes:
    statuses: list[str] = []
    answer = b"".join(app(environ(body, content_type),
                          lambda status, *_: statuses.append(status)))
    if not statuses or not statuses[0].startswith("200"):
        raise RuntimeError(f"{statuses}: {answer[:300]!r}")
    return answer


def cpu_ms_per_request(app: WsgiApp, requests: list[latency.Request]) -> float:
    started = time.process_time()
    for _, body, content_type in requests:
        call(app, body, content_type)
    return (time.process_time() - started) * 1000 / len(requests)


def calls_per_request(app: WsgiApp, requests: list[latency.Request]) -> tuple[float, pstats.Stats]:
    """Python function calls per request (cProfile's count, all of them), and the profile."""
    profiler = cProfile.Profile()
    profiler.runcall(cpu_ms_per_request, app, requests)
    stats = pstats.Stats(profiler, stream=sys.stdout)
    return stats.total_calls / len(requests), stats  # type: ignore[attr-defined]


def build_okr(database_url: str, *, threaded: bool = False) -> tuple[WsgiApp, Any]:
    """okr-bot's WSGI app as `serve` wires it, but the work after each answer (lazy listeners,
    follow-ups) run inline, so that it counts, unless `threaded` (then every listener on Bolt's
    listener threads, Bolt's default mode)."""
    from bot.app import create_app
    from bot.follow_ups import FollowUps, RunNow
    from bot.server import OkrWsgiApp
    from bot.settings import Settings
    from bot.wiring import build_deps

    deps = dataclasses.replace(build_deps(Settings(database_url=database_url)),
                               follow_ups=FollowUps(inline=not threaded))
    app = create_app(deps, process_before_response=not threaded,
                     executor=None if threaded else RunNow())
    return OkrWsgiApp(app, deps), deps


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    url = args.database_url
    benchlib.print_header(f"profile_requests: {args.scenario}, in-process", [url])
    if make_url(url).get_backend_name() == "sqlite":
        scratch = Path(tempfile.mkdtemp(prefix="okr-profile-"))
        shutil.copyfile(str(make_url(url).database), scratch / "okr.db")
        url = benchlib.sqlite_url(scratch / "okr.db")
    standin = SlackStandIn().start()
    os.environ.update(SLACK_BOT_TOKEN="xoxb-bench",  # noqa: S106 - a made-up local token
                      SLACK_SIGNING_SECRET=benchlib.SIGNING_SECRET, SLACK_API_URL=standin.url)
    try:
        okr, deps = build_okr(url, threaded=args.threaded)
        floor = floor_app.build(process_before_response=not args.threaded)
        rng = random.Random(args.seed)
        world = latency.load_world(deps.db, rng, 40)
        if args.scenario == "check-in submit":
            for user in world.checkers:  # open each checker's modal, as bench/latency.py does
                call(okr, latency.command_body(user, "checkin"),
                     "application/x-www-form-urlencoded")
                stored = list(standin.workspace.views.values())[-1]
                world.forms[user] = (stored, latency.form_values(deps.db, stored))
        serial = itertools.count(1)

        def batch() -> list[latency.Request]:
            return latency.requests_for(args.scenario, world, rng, args.requests, serial)

        warm = latency.requests_for(args.scenario, world, rng, 20, serial)
        cpu_ms_per_request(okr, warm)
        cpu_ms_per_request(floor, warm)
        floor_ms = min(cpu_ms_per_request(floor, batch()) for _ in range(args.repeats))
        okr_ms = min(cpu_ms_per_request(okr, batch()) for _ in range(args.repeats))
        floor_calls, _ = calls_per_request(floor, batch())
        okr_calls, stats = calls_per_request(okr, batch())
        # cProfile sees only this thread: with --threaded, the listeners' calls are elsewhere.
        counts = ["", ""] if args.threaded else [f"{okr_calls:,.0f}", f"{floor_calls:,.0f}"]
        print(benchlib.table(["scenario", "mode", "requests × repeats", "okr-bot CPU ms/req",
                              "floor CPU ms/req", "ratio", "okr-bot Python calls/req",
                              "floor Python calls/req"],
                             [[args.scenario, "threaded" if args.threaded else "inline",
                               f"{args.requests} × {args.repeats}", f"{okr_ms:.2f}",
                               f"{floor_ms:.2f}", f"{okr_ms / floor_ms:.1f}×", *counts]]))
        if args.profile:
            stats.sort_stats(args.sort).print_stats(args.top)
    finally:
        standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
