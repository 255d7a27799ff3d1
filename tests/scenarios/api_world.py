"""The OKRs the KR value API tests update, and tokens to update them with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.clock import Clock
from bot.services.tokens import create_token
from storage.db import Database
from storage.models import KeyResult, Person
from tests.scenarios.seed import Seed


@dataclass(frozen=True)
class ApiWorld:
    ana: Person
    leads: KeyResult  # metric 0 -> 600 leads, now 100, key "mkt.leads"
    nps: KeyResult  # metric 30 -> 50, key "cs.nps"
    launch: KeyResult  # milestone, key "mkt.launch"
    unkeyed: KeyResult  # no key
    archived: KeyResult  # key "mkt.old"
    closed: KeyResult  # of a closed cycle, key "q3.leads"
    secret: str  # a token for every KR, named "erp"
    token_id: int


def make_api_world(db: Database, clock: Clock) -> ApiWorld:
    seed = Seed(db, clock)
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    q4 = seed.make_cycle()
    q3 = seed.make_cycle("2026-Q3", start=date(2026, 7, 1), end=date(2026, 9, 30),
                         state="closed")
    growth = seed.make_objective("Fill the pipeline", owner=ana, cycle=q4)
    leads = seed.make_kr(growth, "Qualified leads", target=600, current=100, unit="leads",
                         key="mkt.leads", owner=ana)
    nps = seed.make_kr(growth, "NPS", start=30, target=50, key="cs.nps", owner=ana)
    launch = seed.make_kr(growth, "Launch the new site", kind="milestone", key="mkt.launch")
    unkeyed = seed.make_kr(growth, "Webinar sign-ups", target=300)
    archived = seed.make_kr(growth, "Old metric", key="mkt.old", state="archived")
    old = seed.make_objective("Last quarter", owner=ana, cycle=q3)
    closed = seed.make_kr(old, "Q3 leads", target=500, key="q3.leads")
    created = create_token(db, clock, name="erp")
    return ApiWorld(ana, leads, nps, launch, unkeyed, archived, closed, created.secret,
                    created.token.id)
