"""The database goes away while the bot runs, then comes back: people are told to try again,
nothing is half-written, and the outbox carries on without a restart.

On PostgreSQL the app reaches the (real, shared) server through tests/fakes/tcp_proxy.py, which
the test cuts and restores; the server itself is never stopped. On SQLite another connection
takes the file's exclusive lock, so every read and write of the app times out (its request
busy timeout, as `build_deps` sets it).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import time, timedelta
from typing import Any
from wsgiref.simple_server import make_server

import pytest
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlmodel import col, select

from bot.clock import FakeClock
from bot.delivery.claims import LEASE, Pacing
from bot.delivery.sender import Sender
from bot.deps import Deps, make_web_client
from bot.rendering import Renderer
from bot.scheduler import sender_tick
from bot.services.schedules.planner import plan_now
from bot.services.tokens import create_token
from bot.settings import load_settings
from bot.wiring import REQUEST_STATEMENT_TIMEOUT_MS, build_wsgi_app
from storage.db import Database, make_engine
from storage.models import AuditLog, CheckIn, Delivery, InboxEntry, KeyResult, Team
from tests.fakes.slack_api import Call, SlackStandIn
from tests.fakes.slack_requests import SIGNING_SECRET, SlackSender
from tests.fakes.tcp_proxy import TcpProxy
from tests.scenarios.api_client import post_value, value_path
from tests.scenarios.checkin_forms import answer_kr, notes
from tests.scenarios.conftest import _QuietHandler, _ThreadingServer
from tests.scenarios.seed import Seed

TRY_AGAIN = Renderer().text("common.errors.try_again", "en")
NOT_SAVED = Renderer().render("common/try_again_modal", "en")


@dataclass
class Outage:
    """The app's own connection to the test database, and the switch that takes it away."""

    db: Database
    cut: Callable[[], None]
    restore: Callable[[], None]


@pytest.fixture
def outage(database_url: str, db: Database) -> Iterator[Outage]:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holders: list[sqlite3.Connection] = []

        def cut() -> None:
            # Pooled connections keep the WAL file open, which an exclusive lock waits for;
            # once they are closed, every connection the app opens times out.
            app_db.dispose()
            db.dispose()
            holder = sqlite3.connect(str(url.database), isolation_level=None,
                                     check_same_thread=False)
            holder.execute("PRAGMA locking_mode=EXCLUSIVE")
            holder.execute("BEGIN EXCLUSIVE")
            holder.execute("CREATE TABLE outage_lock (x)")  # a write takes the lock
            holders.append(holder)

        def restore() -> None:
            while holders:
                holder = holders.pop()
                holder.execute("ROLLBACK")
                holder.close()

        app_url, proxy = database_url, None
    else:
        proxy = TcpProxy(url.host or "127.0.0.1", url.port or 5432).start()
        app_url = url.set(port=proxy.port).render_as_string(hide_password=False)
        cut, restore = proxy.cut, proxy.restore
    app_db = Database(make_engine(app_url, statement_timeout_ms=REQUEST_STATEMENT_TIMEOUT_MS))
    yield Outage(app_db, cut, restore)
    restore()
    app_db.dispose()
    if proxy is not None:
        proxy.stop()


@dataclass
class App:
    slack: SlackStandIn
    sender: SlackSender
    deps: Deps


@pytest.fixture
def app(standin: SlackStandIn, outage: Outage, database_url: str,
        clock: FakeClock) -> Iterator[App]:
    """The real WSGI app on a real port, reading and writing through `outage.db`."""
    settings = load_settings(slack_bot_token="xoxb-test", slack_signing_secret=SIGNING_SECRET,
                             slack_api_url=standin.url, database_url=database_url,
                             _env_file=None)
    deps = Deps(settings=settings, db=outage.db, clock=clock, renderer=Renderer(),
                slack=make_web_client(settings))
    listeners = ThreadPoolExecutor(max_workers=4)
    server = make_server("127.0.0.1", 0, build_wsgi_app(deps, executor=listeners),
                         server_class=_ThreadingServer, handler_class=_QuietHandler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                     daemon=True).start()
    yield App(standin, SlackSender(f"http://127.0.0.1:{server.server_port}",
                                   standin.response_url()), deps)
    outage.restore()
    server.shutdown()
    server.server_close()
    listeners.shutdown(wait=True)
    deps.follow_ups.close()


@dataclass
class World:
    team: Team
    kr: KeyResult


@pytest.fixture
def world(db: Database, clock: FakeClock) -> World:
    seed = Seed(db, clock)
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    ben = seed.make_person("UBEN", name="Ben", tz="America/New_York", locale="en")
    team = seed.make_team("Growth", channel_id="CGROWTH", members=[ana, ben], leads=[ben])
    cycle = seed.make_cycle()
    kr = seed.make_kr(seed.make_objective("Win the market", owner=ana, cycle=cycle), "Leads",
                      target=600, unit="leads", owner=ana)
    bens = seed.make_objective("Answer faster", owner=ben, cycle=cycle)
    seed.make_kr(bens, "First response", start=4, target=1, unit="h", owner=ben)
    # All day, every weekday: these tests are about outages, not about anyone's calendar.
    seed.make_schedule(team, work_start=time(0, 0), work_end=time(23, 59))
    return World(team, kr)


def counts(db: Database) -> dict[str, int]:
    with db.read() as session:
        return {model.__name__: int(session.exec(select(func.count()).select_from(model)).one())
                for model in (CheckIn, InboxEntry, AuditLog, Delivery)}


def test_commands_during_an_outage_get_try_again_and_work_again_after_it(
    app: App, outage: Outage, world: World, caplog: pytest.LogCaptureFixture
) -> None:
    outage.cut()
    with caplog.at_level(logging.CRITICAL, logger="bot.app"):
        down = app.sender.command("", user_id="UBEN")
        checkin = app.sender.command("checkin", user_id="UANA")
    assert (down.status, down.json()["text"]) == (200, TRY_AGAIN)
    assert checkin.json()["text"] == TRY_AGAIN
    assert app.slack.calls_to("views.open") == []
    outage.restore()
    up = app.sender.command("", user_id="UBEN")
    assert up.status == 200 and "Answer faster" in json.dumps(up.json(), ensure_ascii=False)


def test_a_checkin_submitted_during_an_outage_is_not_saved_and_says_so_then_saves_once(
    app: App, outage: Outage, world: World, db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    assert app.sender.command("checkin", user_id="UANA").status == 200
    view = app.slack.wait_for("views.open")[0].args["view"]
    view = {**(json.loads(view) if isinstance(view, str) else view), "id": "V1", "hash": "h1"}
    state = answer_kr({}, world.kr.id or 0, "120", confidence="on_track")
    notes(state, blockers="Waiting on <!channel> & legal")
    before = counts(db)
    outage.cut()
    with caplog.at_level(logging.CRITICAL, logger="bot.app"):
        refused = app.sender.view_submission(view, state)
    outage.restore()
    assert refused.status == 200
    assert refused.json() == {"response_action": "push", "view": NOT_SAVED}
    assert counts(db) == before  # no check-in, no inbox key, no audit, no outbox row
    saved = app.sender.view_submission(view, state)
    again = app.sender.view_submission(view, state)
    assert saved.json() == {"response_action": "clear"} == again.json()
    with db.read() as session:
        rows = list(session.exec(select(CheckIn).where(
            col(CheckIn.key_result_id) == world.kr.id)))
    assert [(r.value, r.blockers, r.version) for r in rows] == [
        (120.0, "Waiting on <!channel> & legal", 1)]


@pytest.fixture
def outbox(outage: Outage, standin: SlackStandIn, db: Database, clock: FakeClock,
           world: World) -> Sender:
    """Today's prompts for the team, planned, and a sender on the app's connection."""
    plan_now(db, clock, team_ids=[world.team.id or 0])
    settings = load_settings(slack_bot_token="xoxb-test", slack_api_url=standin.url,
                             _env_file=None)
    return Sender(outage.db, clock, make_web_client(settings, retries=False, timeout=2),
                  Renderer(), grace=timedelta(hours=6), pacing=Pacing(per_minute=600))


def posts_per_row(standin: SlackStandIn) -> dict[int, int]:
    found: dict[int, int] = {}
    for call in standin.calls_to("chat.postMessage"):
        if call.ok:
            metadata: Any = call.args["metadata"]
            row = int(metadata["event_payload"]["delivery_id"])
            found[row] = found.get(row, 0) + 1
    return found


def statuses(db: Database) -> list[str]:
    with db.read() as session:
        return sorted(session.exec(select(Delivery.status).where(
            col(Delivery.kind) == "checkin")))


def test_the_outbox_waits_out_an_outage_and_resumes_without_a_restart(
    outage: Outage, outbox: Sender, standin: SlackStandIn, db: Database,
    caplog: pytest.LogCaptureFixture
) -> None:
    outage.cut()
    with caplog.at_level(logging.CRITICAL, logger="bot.scheduler"):
        sender_tick(outbox)  # logged, not raised: the next tick tries again
    assert standin.calls_to("chat.postMessage") == []
    outage.restore()
    sender_tick(outbox)
    assert statuses(db) == ["sent", "sent"]
    assert sorted(posts_per_row(standin).values()) == [1, 1]


def test_an_outage_between_a_post_and_its_record_still_prompts_everyone_once(
    outage: Outage, outbox: Sender, standin: SlackStandIn, db: Database, clock: FakeClock,
    caplog: pytest.LogCaptureFixture
) -> None:
    cut_once = threading.Event()

    def cut_on_first_post(call: Call) -> None:
        if call.method == "chat.postMessage" and not cut_once.is_set():
            cut_once.set()
            outage.cut()  # Slack has the post; the sender cannot record it

    standin.listeners.append(cut_on_first_post)
    with caplog.at_level(logging.CRITICAL, logger="bot.scheduler"):
        sender_tick(outbox)
    assert cut_once.is_set()
    outage.restore()
    assert statuses(db) == ["sending", "sending"]
    clock.advance(LEASE + timedelta(seconds=1))  # the leases run out: read the DMs, not re-post
    for _ in range(3):
        sender_tick(outbox)
        clock.advance(timedelta(minutes=1))
    assert statuses(db) == ["sent", "sent"]
    assert sorted(posts_per_row(standin).values()) == [1, 1]


def test_the_value_api_answers_503_with_retry_after_during_an_outage_then_records(
    app: App, outage: Outage, world: World, db: Database, clock: FakeClock,
    caplog: pytest.LogCaptureFixture
) -> None:
    secret = create_token(db, clock, name="erp").secret
    base = app.sender.base_url
    path = value_path(world.kr.id or 0)
    outage.cut()
    down = post_value(base, path, secret, {"value": 50}, key="k1", language="en")
    outage.restore()
    assert down.status == 503
    assert down.json()["code"] == "unavailable"
    assert down.headers["retry-after"] == "5"
    assert [r for r in caplog.records if r.exc_info] == []  # a warning, not a traceback
    up = post_value(base, path, secret, {"value": 50}, key="k1")
    assert up.status == 200
