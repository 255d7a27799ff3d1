"""Check-in prompts to N people through the real outbox sender and a rate-limited Slack stand-in.

    .venv/bin/python bench/fanout.py --people 10000 --processes 1,3 --rate-per-minute 6000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/bench_okr

The planner runs once up front (`plan_now`, as `okr-bot send-checkins` does) for the first teams
holding `--people` people; then 1 (or 3…) sender processes, each the real `Sender` from
`bot.scheduler.make_sender` in the production heartbeat's loop (a tick every `SENDER_INTERVAL`,
or at once after one that ran longer), post them to the stand-in in this process. The
stand-in enforces Slack's pace: 1 message/s per channel, a workspace budget per minute
(429 + Retry-After beyond it), `conversations.open` at tier 3; it can also fail calls at
random (seeded) with 429, 5xx, or 5xx after accepting the post.

Reported per run: time from the senders' start to the last accepted post, that time ÷ the
minimum the rate allows (N ÷ rate; goal ≤ 1.10), duplicates (accepted posts per outbox row
beyond the first, counted from the message metadata; goal 0) and lost rows (planned but never
accepted; goal 0).
"""

from __future__ import annotations

import argparse
import json
import math
import multiprocessing as mp
import resource
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from multiprocessing.synchronize import Event
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, text, update
from sqlmodel import col, select

from bench import benchlib
from bot.clock import SystemClock
from bot.services.schedules.planner import plan_now
from storage.db import Database, make_engine
from storage.migrate import upgrade
from storage.models import (
    Delivery,
    Holiday,
    Person,
    PersonHoliday,
    RegionHoliday,
    Schedule,
    Team,
    TeamMember,
)
from tests.fakes.slack_api import Call, PostLimits, RandomFaults, SlackStandIn

SLACK_LIKE = {"rate": 240, "open": 50}  # documented defaults: Settings' 240/min, tier 3


@dataclass
class RunResult:
    processes: int
    planned: int
    cold: int
    seconds: float
    minimum: float
    accepted: int
    duplicates: int
    lost: int
    throttled: int  # 429s the stand-in's pace answered (not the injected ones)
    injected: int
    opens: int
    statuses: dict[str, int]
    sender_cpu: float  # seconds, all sender processes
    rate: int  # the stand-in's workspace budget per minute
    standin_cpu: float  # seconds, this process (the stand-in)

    @property
    def window_minimum(self) -> float:
        """The least a 60-s sliding window allows when every minute's budget is spent in a
        burst at its start (the stand-in's limiter, like Slack's, allows short bursts)."""
        return 60.0 * max(0, math.ceil(self.planned / self.rate) - 1)

    @property
    def ratio(self) -> float:
        return self.seconds / self.minimum if self.minimum else float("nan")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", default=benchlib.sqlite_url(benchlib.DEFAULT_SQLITE),
                        help="the data set (bench/make_dataset.py); default the SQLite 10k one")
    parser.add_argument("--people", type=int, default=10_000,
                        help="prompt the first teams holding this many people (default 10000)")
    parser.add_argument("--processes", default="1,3",
                        help="sender process counts to run one after the other (default 1,3)")
    parser.add_argument("--rate-per-minute", type=int, default=6000,
                        help="the stand-in's workspace budget of chat.postMessage (default 6000; "
                             f"Slack-like: {SLACK_LIKE['rate']})")
    parser.add_argument("--sender-rate", type=int, default=None,
                        help="SLACK_POST_RATE_PER_MINUTE of the senders (default: the same rate)")
    parser.add_argument("--per-channel", type=float, default=1.0,
                        help="messages per second per channel (default 1)")
    parser.add_argument("--open-per-minute", type=int, default=SLACK_LIKE["open"],
                        help="conversations.open per minute, tier 3 (default 50)")
    parser.add_argument("--cold-dms", type=int, default=0,
                        help="people whose DM channel is not cached yet (default 0)")
    parser.add_argument("--inject-429", type=float, default=0.0,
                        help="share of posts answered 429 at random (default 0)")
    parser.add_argument("--inject-5xx", type=float, default=0.0,
                        help="share of posts answered 500 before posting (default 0)")
    parser.add_argument("--inject-accepted-5xx", type=float, default=0.0,
                        help="share of posts accepted but answered 500 (default 0)")
    parser.add_argument("--fault-seed", type=int, default=1, help="seed of the faults")
    parser.add_argument("--timeout", type=float, default=900,
                        help="give up a run after this many seconds (default 900)")
    return parser.parse_args(argv)


# ---- the sender processes ---------------------------------------------------------------------
def sender_process(database_url: str, slack_url: str, rate: int, ready: Event, go: Event,
                   stop: Event) -> None:
    """One okr-bot process sending the outbox: real settings, deps and the production
    heartbeat's sender loop (no planner: the run planned everything up front)."""
    from bot.cli import configure_logging
    from bot.scheduler import Heartbeat
    from bot.settings import load_settings
    from bot.wiring import build_deps

    configure_logging(False)
    settings = load_settings(slack_bot_token="xoxb-bench",  # noqa: S106
                             slack_api_url=slack_url, database_url=database_url, _env_file=None)
    # The benchmark may go past Settings' validated ceiling (3000/min) to keep runs short.
    settings = settings.model_copy(update={"slack_post_rate_per_minute": rate})
    deps = build_deps(settings)
    heartbeat = Heartbeat(deps, planner=False)
    ready.set()
    go.wait()
    heartbeat.start()
    stop.wait()
    heartbeat.shutdown(wait=True)
    deps.db.dispose()


# ---- one run ---------------------------------------------------------------------------------
def pick_teams(db: Database, people: int) -> tuple[list[int], int]:
    """The first leaf teams (teams with members and no sub-teams) holding `people` people."""
    with db.read() as session:
        parents = set(session.exec(select(Team.parent_id).where(col(Team.parent_id).is_not(None))))
        sizes = session.exec(
            select(TeamMember.team_id, func.count()).group_by(col(TeamMember.team_id))
            .order_by(col(TeamMember.team_id)))
        chosen, total = [], 0
        for team_id, size in sizes:
            if team_id in parents:
                continue
            if total >= people:
                break
            chosen.append(team_id)
            total += size
    return chosen, total


def reset_outbox(db: Database, team_ids: list[int], cold: int) -> None:
    """Forget earlier runs (the data set's history rows stay), set which DMs are cached, and
    let everyone be reached now, whatever the hour or the day: whole-day hours, no weekend,
    no day off near today (the sender holds a prompt outside the person's calendar)."""
    today = datetime.now(UTC).date()
    day = timedelta(days=1)
    with db.write() as session:
        session.execute(update(Person).values(work_start=dt_time(0, 0),
                                              work_end=dt_time(23, 59, 59)))
        session.execute(update(Schedule).values(weekend=""))
        for table in (Holiday, PersonHoliday, RegionHoliday):
            session.execute(delete(table).where(col(table.day).between(today - day, today + day)))
        session.exec(text("DELETE FROM delivery WHERE lease_owner IS NULL "  # type: ignore[call-overload]
                          "OR lease_owner <> 'seed'"))
        session.exec(text("UPDATE person SET dm_channel_id = 'D' || substr(slack_user_id, 2)"))  # type: ignore[call-overload]
        if cold:
            members = select(TeamMember.person_id).where(col(TeamMember.team_id).in_(team_ids))
            ids = sorted(session.exec(members))[:cold]
            session.exec(text("UPDATE person SET dm_channel_id = NULL WHERE id IN "  # type: ignore[call-overload]
                              f"({','.join(str(i) for i in ids)})"))


def run_once(args: argparse.Namespace, processes: int, team_ids: list[int]) -> RunResult:
    db = Database(make_engine(args.database_url))
    reset_outbox(db, team_ids, args.cold_dms)
    planned_report = plan_now(db, SystemClock(), team_ids=team_ids)
    with db.read() as session:
        planned_ids = set(session.exec(select(Delivery.id).where(
            col(Delivery.status) == "pending", col(Delivery.kind) == "checkin")))
    standin = SlackStandIn().start()
    standin.limit_posts(PostLimits(per_channel_per_second=args.per_channel,
                                   workspace_per_minute=args.rate_per_minute,
                                   conversations_open_per_minute=args.open_per_minute))
    if args.inject_429 or args.inject_5xx or args.inject_accepted_5xx:
        standin.inject(RandomFaults(rate_429=args.inject_429, rate_5xx=args.inject_5xx,
                                    rate_accepted_5xx=args.inject_accepted_5xx,
                                    seed=args.fault_seed))
    accepted_at: list[float] = []
    lock = threading.Lock()

    def on_call(call: Call) -> None:
        if call.method == "chat.postMessage" and call.ok:
            with lock:
                accepted_at.append(time.monotonic())

    standin.listeners.append(on_call)
    ctx = mp.get_context("spawn")
    ready, go, stop = [ctx.Event() for _ in range(processes)], ctx.Event(), ctx.Event()
    workers = [ctx.Process(target=sender_process,
                           args=(args.database_url, standin.url,
                                 args.sender_rate or args.rate_per_minute,
                                 ready[i], go, stop), daemon=True)
               for i in range(processes)]
    for worker in workers:
        worker.start()
    for event in ready:
        event.wait(120)
    children_cpu = _children_cpu()
    own_cpu = time.process_time()
    started = time.monotonic()
    go.set()
    deadline = started + args.timeout
    try:
        while time.monotonic() < deadline:
            time.sleep(0.5)
            with db.read() as session:
                open_rows = session.exec(select(func.count()).select_from(Delivery).where(
                    col(Delivery.id).in_(planned_ids),
                    col(Delivery.status).in_(("pending", "sending", "ambiguous")))).one()
            if open_rows == 0:
                break
    finally:
        stop.set()
        for worker in workers:
            worker.join(30)
            if worker.is_alive():
                worker.kill()
        standin.stop()
    sender_cpu, standin_cpu = _children_cpu() - children_cpu, time.process_time() - own_cpu
    with db.read() as session:
        statuses = Counter(dict(session.exec(
            select(Delivery.status, func.count()).where(col(Delivery.id).in_(planned_ids))
            .group_by(col(Delivery.status))).all()))
    db.dispose()
    posts = Counter()
    throttled = injected = opens = 0
    for call in standin.calls:
        if call.method == "conversations.open" and call.ok:
            opens += 1
        if call.method != "chat.postMessage":
            continue
        if call.error == "ratelimited":
            throttled += 1
        if call.error in ("http_500", "accepted_500", "injected_429"):
            injected += 1
        if call.ok:
            posts[_delivery_id(call.args)] += 1
    planned = len(planned_ids)
    finished = max(accepted_at, default=started)
    minimum = max(planned / args.rate_per_minute,
                  args.cold_dms / args.open_per_minute if args.cold_dms else 0) * 60
    return RunResult(
        processes=processes, planned=planned, cold=args.cold_dms,
        seconds=finished - started, minimum=minimum, accepted=sum(posts.values()),
        duplicates=sum(n - 1 for n in posts.values() if n > 1),
        lost=len(planned_ids - set(posts)), throttled=throttled, injected=injected,
        opens=opens, statuses=dict(statuses) | {"skipped at planning": planned_report.skipped},
        sender_cpu=sender_cpu, standin_cpu=standin_cpu, rate=args.rate_per_minute)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _delivery_id(args: dict[str, Any]) -> int | None:
    metadata = args.get("metadata")
    if isinstance(metadata, str):
        metadata = json.loads(metadata)
    try:
        return int(metadata["event_payload"]["delivery_id"])
    except (KeyError, TypeError, ValueError):
        return None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    benchlib.print_header("fanout: check-in prompts through the outbox sender",
                          [args.database_url])
    upgrade(args.database_url)  # a data set built before the latest migration
    db = Database(make_engine(args.database_url))
    team_ids, people = pick_teams(db, args.people)
    db.dispose()
    sender_rate = args.sender_rate or args.rate_per_minute
    print(f"recipients: {people} people in {len(team_ids)} teams; stand-in pace: "
          f"{args.per_channel:g} msg/s per channel, {args.rate_per_minute}/min workspace, "
          f"conversations.open {args.open_per_minute}/min; sender budget {sender_rate}/min; "
          f"cold DMs: {args.cold_dms}; injected faults: "
          f"429 {args.inject_429:.1%}, 5xx {args.inject_5xx:.1%}, "
          f"accepted-then-5xx {args.inject_accepted_5xx:.1%} (seed {args.fault_seed})")
    print(f"load average before: {Path('/proc/loadavg').read_text().split()[:3]}\n", flush=True)
    results = []
    for count in [int(n) for n in args.processes.split(",")]:
        result = run_once(args, count, team_ids)
        results.append(result)
        print(f"  {count} process(es): {result.seconds:.1f} s, statuses {result.statuses}",
              flush=True)
    print()
    print(benchlib.table(
        ["sender processes", "prompts", "total s", "minimum s (N ÷ rate)", "ratio (goal ≤ 1.10)",
         "burst minimum s",
         "accepted posts", "duplicates (goal 0)", "lost (goal 0)", "429 from pace",
         "injected faults", "conversations.open", "posts/s", "sender CPU ms/post",
         "stand-in CPU ms/post"],
        [(r.processes, r.planned, r.seconds, r.minimum, f"{r.ratio:.2f}", r.window_minimum,
          r.accepted,
          r.duplicates, r.lost, r.throttled, r.injected, r.opens,
          r.accepted / r.seconds if r.seconds else 0.0,
          1000 * r.sender_cpu / max(r.accepted, 1), 1000 * r.standin_cpu / max(r.accepted, 1))
         for r in results]))
    print(f"\nload average after: {Path('/proc/loadavg').read_text().split()[:3]}")
    print(f"Slack-like settings for reference: {SLACK_LIKE['rate']} posts/min → "
          f"{people / SLACK_LIKE['rate']:.0f} min minimum for {people} prompts; "
          f"a cold start opening every DM at {SLACK_LIKE['open']}/min → "
          f"{people / SLACK_LIKE['open'] / 60:.1f} h.")
    return 0 if all(r.duplicates == 0 and r.lost == 0 for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
