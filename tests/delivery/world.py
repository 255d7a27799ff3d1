"""A small team for outbox tests: people with one KR each, a schedule, a cycle."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from storage.db import Database
from storage.models import Cycle, Delivery, Person, Team
from tests.scenarios.seed import Seed


@dataclass
class World:
    team: Team
    people: list[Person]
    cycle: Cycle


def make_world(
    seed: Seed,
    people: Sequence[tuple[str, str]] = (("UANA", "UTC"),),
    *,
    name: str = "Growth",
    channel: str | None = "CGROWTH",
    schedule: dict[str, Any] | None = None,
    cycle: Cycle | None = None,
    scheduled: bool = True,
) -> World:
    """`people` are (slack id, zone); everyone owns one Objective with one KR."""
    members = [seed.make_person(uid, name=uid.title()[1:], tz=tz) for uid, tz in people]
    team = seed.make_team(name, channel_id=channel, members=members, leads=members[:1])
    cycle = cycle or seed.make_cycle()
    for person in members:
        objective = seed.make_objective(f"{person.name}'s goal", owner=person, cycle=cycle)
        seed.make_kr(objective, "Leads", target=600, unit="leads", owner=person)
    if scheduled:
        seed.make_schedule(team, **(schedule or {}))
    return World(team, members, cycle)


def rows(db: Database, kind: str | None = None) -> list[Delivery]:
    with db.read() as session:
        query = select(Delivery).order_by(col(Delivery.id))
        if kind:
            query = query.where(col(Delivery.kind) == kind)
        return list(session.exec(query))


def row(db: Database, dedupe_key: str) -> Delivery:
    with db.read() as session:
        found = session.exec(select(Delivery).where(col(Delivery.dedupe_key) == dedupe_key)).one()
        return found


def payload(delivery: Delivery) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(delivery.payload)
    return loaded
