"""Property: for any generated company and stretch of weeks, no direct message reaches anyone
outside their working hours, on their weekend or on one of their holidays (DESIGN.md: time
belongs to the person).

A company is drawn — teams with their zone, check-in days and time, reminder delay, hours and
weekend; people in zones across the date line and DST changes, some with their own hours,
holidays of the team and of the person — and the real planner and sender run on it every
hour (the Slack stand-in answering over HTTP), with a cycle ending inside the stretch so review
prompts go out too. Each sent direct message is then judged by an oracle built from the drawn
company, not from the product's calendar reading."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from bot.clock import FakeClock
from bot.delivery.pace import Pacing
from bot.delivery.sender import Sender
from bot.deps import make_web_client
from bot.rendering import Renderer
from bot.services.schedules.planner import plan
from bot.settings import load_settings
from storage.db import Database, make_engine
from storage.migrate import upgrade
from storage.models import Delivery, Holiday, PersonHoliday
from tests.fakes.slack_api import SlackStandIn
from tests.scenarios.seed import Seed

ZONES = ("Pacific/Auckland", "America/New_York", "Pacific/Chatham", "Asia/Kolkata",
         "Europe/Berlin", "America/Los_Angeles", "Pacific/Kiritimati", "UTC")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
START = datetime(2027, 3, 22, 0, 0, tzinfo=UTC)  # two weeks across the US and EU DST changes
WEEKS = 2
GRACE = timedelta(hours=6)
ROUTINE = {"checkin", "reminder", "review", "alignment", "carry"}
URGENT = {"help", "help_ask", "help_answer"}
_databases = itertools.count()

hours = st.tuples(st.integers(6, 11), st.integers(15, 21)).map(
    lambda h: (time(h[0], 0), time(h[1], 30)))
team = st.fixed_dictionaries({
    "timezone": st.sampled_from(ZONES),
    "days": st.lists(st.sampled_from(DAYS), min_size=1, max_size=3, unique=True),
    "checkin_time": st.sampled_from((time(0, 30), time(8, 0), time(10, 0), time(17, 45),
                                     time(23, 0))),
    "reminder": st.sampled_from((None, 2, 24, 30)),
    "hours": hours,
    "weekend": st.sampled_from(("sat,sun", "fri,sat", "sun", "")),
    "holidays": st.lists(st.integers(0, 7 * WEEKS - 1), max_size=3, unique=True),
})
person = st.fixed_dictionaries({
    "tz": st.sampled_from(ZONES),
    "team": st.integers(0, 2),
    "own_hours": st.one_of(st.none(), hours),
    "holidays": st.lists(st.integers(0, 7 * WEEKS - 1), max_size=2, unique=True),
})
company = st.fixed_dictionaries({"teams": st.lists(team, min_size=1, max_size=3),
                                 "people": st.lists(person, min_size=1, max_size=5)})


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(company=company)
def test_no_direct_message_reaches_anyone_outside_their_calendar(
    company: dict, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / f'company{next(_databases)}.db'}"
    upgrade(url)
    db = Database(make_engine(url))
    clock = FakeClock(START)
    standin = SlackStandIn().start()
    try:
        oracle = _build(db, clock, company)
        sender = Sender(db, clock, make_web_client(load_settings(
            slack_bot_token="xoxb-test", slack_api_url=standin.url, _env_file=None),
            retries=False), Renderer(), grace=GRACE, pacing=Pacing(per_minute=6000))
        while clock.now() < START + timedelta(weeks=WEEKS):
            plan(db, clock, grace=GRACE)
            sender.tick()
            clock.advance(timedelta(hours=1))
        with db.read() as session:
            sent = [d for d in session.exec(select(Delivery)) if d.status == "sent"
                    and d.person_id is not None and (d.kind in ROUTINE or d.kind in URGENT)]
    finally:
        standin.stop()
        db.dispose()
    assert sent, "the company received no direct message at all"
    for row in sent:
        assert row.sent_at is not None and row.person_id is not None
        assert oracle[row.person_id](row.kind, row.sent_at.replace(tzinfo=UTC)), (
            row.kind, row.dedupe_key, row.sent_at)


def _build(db: Database, clock: FakeClock, company: dict) -> dict[int, object]:
    """Seed the drawn company; return each person's oracle: may `kind` reach them at `at`?"""
    seed = Seed(db, clock)
    cycle = seed.make_cycle("2027-Q1", start=date(2027, 1, 1), end=date(2027, 3, 31))
    teams = []
    for n, spec in enumerate(company["teams"]):
        made = seed.make_team(f"Team {n}", channel_id=f"CTEAM{n}")
        start, end = spec["hours"]
        seed.make_schedule(made, timezone=spec["timezone"], checkin_cadence="weekdays",
                           checkin_weekdays=",".join(spec["days"]),
                           checkin_time=spec["checkin_time"],
                           reminder_after_hours=spec["reminder"], work_start=start,
                           work_end=end, weekend=spec["weekend"])
        teams.append((made, spec))
    oracle = {}
    with db.write() as session:
        for made, spec in teams:
            for offset in spec["holidays"]:
                session.add(Holiday(team_id=made.id, day=START.date() + timedelta(days=offset)))
    for n, spec in enumerate(company["people"]):
        made_team, team_spec = teams[spec["team"] % len(teams)]
        own = spec["own_hours"]
        someone = seed.make_person(f"UP{n:04d}", tz=spec["tz"])
        with db.write() as session:
            stored = session.merge(someone)
            if own is not None:
                stored.work_start, stored.work_end = own
            for offset in spec["holidays"]:
                session.add(PersonHoliday(person_id=someone.id,
                                          day=START.date() + timedelta(days=offset)))
        seed.add_member(made_team, someone, is_lead=n == 0)
        objective = seed.make_objective(f"Goal {n}", owner=someone, cycle=cycle)
        seed.make_kr(objective, "Leads", target=100, owner=someone)
        days_off = {START.date() + timedelta(days=d)
                    for d in [*team_spec["holidays"], *spec["holidays"]]}
        oracle[someone.id] = _oracle(spec["tz"], own or team_spec["hours"],
                                     team_spec["weekend"], days_off)
    return oracle


def _oracle(zone: str, hours: tuple[time, time], weekend: str, days_off: set[date]) -> object:
    tz = ZoneInfo(zone)
    off = {DAYS.index(d) for d in weekend.split(",") if d}

    def may(kind: str, at: datetime) -> bool:
        local = at.astimezone(tz)
        if local.weekday() in off or local.date() in days_off:
            return False
        start, end = hours
        if kind in URGENT:
            start, end = min(start, time(8, 0)), max(end, time(20, 0))
        return start <= local.time().replace(tzinfo=None) < end

    return may
