"""The check-in form's KRs and the planner's people follow bot.domain.asked.asked_of exactly."""

from __future__ import annotations

from sqlmodel import select

from bot.clock import FakeClock
from bot.domain.asked import asked_of
from storage.db import Database
from storage.models import KeyResult, Objective, TeamMember
from storage.queries import checkins as checkin_queries
from storage.queries import okrs as okr_queries
from tests.scenarios.seed import Seed


def test_every_kr_is_asked_of_the_people_the_rule_names(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    ana, ben, lee, lia, max_ = (seed.make_person(f"U{n}", name=n)
                                for n in ("ANA", "BEN", "LEE", "LIA", "MAX"))
    growth = seed.make_team("Growth", members=[ana, ben], leads=[lee, lia])
    lonely = seed.make_team("Lonely", members=[max_])  # no lead
    cycle = seed.make_cycle()
    personal = seed.make_objective("Ana's", owner=ana, cycle=cycle)
    seed.make_kr(personal, "unowned, Ana's Objective")
    seed.make_kr(personal, "held by Ben", owner=ben)
    team = seed.make_objective("Growth's", owner=growth, cycle=cycle)
    seed.make_kr(team, "unowned, Growth's Objective")
    seed.make_kr(team, "held by Max", owner=max_)
    seed.make_kr(seed.make_objective("Lonely's", owner=lonely, cycle=cycle), "nobody to ask")
    people = [p.id or 0 for p in (ana, ben, lee, lia, max_)]

    with db.read() as session:
        leads: dict[int, set[int]] = {}
        for m in session.exec(select(TeamMember).where(TeamMember.is_lead)):
            leads.setdefault(m.team_id, set()).add(m.person_id)
        expected: dict[int, set[str]] = {pid: set() for pid in people}
        for objective, kr in session.exec(select(Objective, KeyResult).where(
                KeyResult.objective_id == Objective.id)):
            asked = asked_of(kr.owner_person_id, objective.owner_person_id,
                             leads.get(objective.owner_team_id or 0, set()))
            for pid in asked.people:
                expected[pid].add(kr.title)
        form = {pid: {kr.title for _, kr in checkin_queries.checkin_key_results(
            session=session, cycle_id=cycle.id or 0, person_id=pid)} for pid in people}
        prompted = okr_queries.people_with_key_results(
            session=session, cycle_id=cycle.id or 0, person_ids=people)

    assert form == expected
    assert form[lee.id or 0] == form[lia.id or 0] == {"unowned, Growth's Objective"}
    assert prompted == {pid for pid, titles in expected.items() if titles}
    assert not any("nobody to ask" in titles for titles in form.values())
