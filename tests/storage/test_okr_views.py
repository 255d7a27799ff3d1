"""The OKR card read model: fixed statement count, ordering, held KRs, dates per viewer."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.clock import FakeClock
from bot.services.lookup.tree import alignment_tree
from bot.services.okrs.cards import (
    CardQuery,
    Viewer,
    card_blocks,
    fit_cards,
    load_card_lists,
    load_cards,
)
from storage.db import Database
from storage.models import Objective, TeamMember
from storage.queries.cycles import current_cycle
from storage.queries.okrs import owner_names
from tests.scenarios.seed import Seed
from tests.statements import counting


def _world(seed: Seed, objectives: int, tag: str) -> tuple[int, int, int]:
    """A person, a team and a cycle; `objectives` of each, with 3 KRs and a check-in each."""
    person = seed.make_person(name=f"Ana {tag}")
    helper = seed.make_person(name=f"Bo {tag}")
    team = seed.make_team(f"Growth {tag}", members=[person])
    cycle = seed.make_cycle(f"2026-Q4 {tag}")
    for n in range(objectives):
        for owner in (person, team):
            objective = seed.make_objective(f"O{n}", owner=owner, cycle=cycle)
            for k in range(3):
                kr = seed.make_kr(objective, f"KR{n}.{k}", owner=helper if k == 0 else None)
                seed.make_checkin(kr, author=person, value=10.0 * k)
    assert person.id is not None and team.id is not None and cycle.id is not None
    return person.id, team.id, cycle.id


def _statements_for(db: Database, world: tuple[int, int, int], objectives: int) -> list[str]:
    person_id, team_id, cycle_id = world
    viewer = Viewer.at(datetime(2026, 11, 30, 9, 0, tzinfo=UTC), "UTC", "en")
    with db.read() as session, counting(db) as statements:
        cards = load_cards(session, cycle_id=cycle_id, viewer=viewer, person_ids=[person_id],
                           team_ids=[team_id], include_held_krs=True)
    assert len(cards) == objectives * 2
    assert sum(len(c.krs) for c in cards) == objectives * 2 * 3
    assert all(kr.last_checkin_date == "Nov 30" for c in cards for kr in c.krs)
    return statements


def test_twenty_objectives_cost_no_more_statements_than_one(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    one = _statements_for(db, _world(seed, 1, "one"), 1)
    twenty = _statements_for(db, _world(seed, 20, "twenty"), 20)
    assert len(twenty) == len(one)
    # Objectives (one UNION of the kinds of owner: people, teams, held KRs), KRs, last
    # check-ins, value history, cycles, the names of people and teams.
    assert len(one) <= 6
    assert sum("FROM kr_value_history" in s for s in one) == 1
    assert sum("FROM key_result" in s for s in one) == 1
    assert sum("FROM checkin" in s for s in one) == 1


def test_owner_names_keep_people_and_teams_apart(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    ana, bo = seed.make_person(name="Ana"), seed.make_person(name="Bo")
    growth = seed.make_team("Growth", members=[ana])
    assert ana.id is not None and bo.id is not None and growth.id is not None
    with db.read() as session, counting(db) as statements:
        people, teams = owner_names([ana.id, bo.id, 10_000], [growth.id, 10_000],
                                    session=session)
        only_people = owner_names([bo.id], [], session=session)
        nobody = owner_names([], [], session=session)
    assert people == {ana.id: "Ana", bo.id: "Bo"}
    assert teams == {growth.id: "Growth"}
    assert only_people == ({bo.id: "Bo"}, {})
    assert nobody == ({}, {})
    assert len(statements) == 2  # none for no ids


def test_the_tree_loads_in_a_fixed_number_of_statements(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    _world(seed, 15, "tree")
    with db.read() as session:
        cycle = current_cycle(session=session, today=clock.now().date())
        assert cycle is not None
        with counting(db) as statements:
            tree = alignment_tree(session, cycle=cycle)
    assert tree.shown == 30 and tree.hidden == 0
    assert len(statements) == 4  # objectives, KRs, people, teams


def test_cards_order_owners_as_asked_and_show_who_holds_a_kr(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    ana = seed.make_person(name="Ana")
    bo = seed.make_person(name="Bo")
    team = seed.make_team("Growth")
    cycle = seed.make_cycle()
    seed.make_objective("Team goal", owner=team, cycle=cycle, position=0)
    held = seed.make_objective("Bo's goal", owner=bo, cycle=cycle, position=0)
    seed.make_kr(held, "Ana helps", owner=ana)
    seed.make_kr(held, "Bo alone", owner=bo)
    seed.make_objective("Ana second", owner=ana, cycle=cycle, position=2)
    seed.make_objective("Ana first", owner=ana, cycle=cycle, position=1)
    seed.make_objective("Archived", owner=ana, cycle=cycle, state="archived")
    draft = seed.make_objective("Draft", owner=ana, cycle=cycle, state="draft", position=3)
    seed.make_kr(draft, "Gone", state="archived")
    viewer = Viewer.at(clock.now(), "UTC", "en")
    assert ana.id is not None and team.id is not None and cycle.id is not None
    with db.read() as session:
        cards = load_cards(session, cycle_id=cycle.id, viewer=viewer, person_ids=[ana.id],
                           team_ids=[team.id], include_held_krs=True)
        without = load_cards(session, cycle_id=cycle.id, viewer=viewer, person_ids=[ana.id])
    assert [c.title for c in cards] == ["Ana first", "Ana second", "Draft", "Team goal",
                                        "Bo's goal"]
    assert [c.title for c in without] == ["Ana first", "Ana second", "Draft"]
    assert cards[2].is_draft and cards[2].krs == () and cards[2].score is None
    assert cards[2].colour_emoji == "⚪"
    holders = {kr.title: kr.owner_name for kr in cards[4].krs}
    assert holders == {"Ana helps": "Ana", "Bo alone": None}
    assert cards[3].owner_kind == "team" and cards[3].owner_name == "Growth"


def test_cards_of_the_teams_someone_leads_follow_their_own_in_team_order(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    ana = seed.make_person(name="Ana")
    bo = seed.make_person(name="Bo")
    cycle = seed.make_cycle()
    second = seed.make_team("Second")  # made first: the lower id, listed first
    first = seed.make_team("First", leads=[ana])
    seed.make_team("Member only", members=[ana])  # she is in it, she does not lead it
    with db.write() as session:
        session.add(TeamMember(team_id=second.id, person_id=ana.id, is_lead=True))
    seed.make_objective("Second's", owner=second, cycle=cycle, position=0)
    helped = seed.make_objective("First's, with her KR", owner=first, cycle=cycle, position=1)
    seed.make_kr(helped, "Ana holds it", owner=ana)
    seed.make_objective("First's", owner=first, cycle=cycle, position=0)
    seed.make_objective("Not hers", owner=seed.make_team("Other", leads=[bo]), cycle=cycle)
    held = seed.make_objective("Bo's", owner=bo, cycle=cycle)
    seed.make_kr(held, "Ana helps", owner=ana)
    seed.make_objective("Ana's", owner=ana, cycle=cycle, position=5)
    viewer = Viewer.at(clock.now(), "UTC", "en")
    assert ana.id is not None and cycle.id is not None
    with db.read() as session, counting(db) as statements:
        cards = load_cards(session, cycle_id=cycle.id, viewer=viewer, person_ids=[ana.id],
                           include_held_krs=True, teams_led_by=[ana.id])
    assert [c.title for c in cards] == ["Ana's", "Second's", "First's",
                                        "First's, with her KR", "Bo's"]
    assert len([s for s in statements if "team_member" in s]) == 1  # inside the UNION


def test_several_lists_of_cards_read_their_objectives_in_one_statement(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    ana = seed.make_person(name="Ana")
    team = seed.make_team("Growth", members=[ana])
    now, later = seed.make_cycle("2026-Q4"), seed.make_cycle("2027-Q1")
    seed.make_objective("Ana now", owner=ana, cycle=now)
    shared = seed.make_objective("Team now", owner=team, cycle=now)
    seed.make_kr(shared, "Ana helps", owner=ana)
    seed.make_objective("Ana later", owner=ana, cycle=later)
    viewer = Viewer.at(clock.now(), "UTC", "en")
    assert ana.id is not None and team.id is not None
    assert now.id is not None and later.id is not None
    with db.read() as session, counting(db) as statements:
        mine, teams, planned = load_card_lists(session, [
            CardQuery(now.id, [ana.id], include_held_krs=True),
            CardQuery(now.id, team_ids=[team.id]),
            CardQuery(later.id, [ana.id])], viewer=viewer)
    assert [c.title for c in mine] == ["Ana now", "Team now"]
    assert [c.title for c in teams] == ["Team now"]
    assert [c.title for c in planned] == ["Ana later"]
    assert len([s for s in statements if s.lstrip().startswith("SELECT objective")]) == 1


def test_kr_lines_are_formatted_and_capped(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    ana = seed.make_person(name="Ana")
    cycle = seed.make_cycle()
    objective = seed.make_objective("Energy", owner=ana, cycle=cycle, type="aspirational")
    seed.make_kr(objective, "Energy per unit", start=100, target=85, current=91, unit="%")
    seed.make_kr(objective, "Solar", kind="milestone", current=1)
    for n in range(4):
        seed.make_kr(objective, f"Extra {n}")
    kr = seed.make_kr(objective, "Late")
    seed.make_checkin(kr, author=ana, value=0, confidence="off_track",
                      at=datetime(2026, 11, 29, 20, 0, tzinfo=UTC))
    assert objective.id is not None and ana.id is not None and cycle.id is not None
    with db.read() as session:
        shanghai = load_cards(session, cycle_id=cycle.id, person_ids=[ana.id], max_krs=2,
                              viewer=Viewer.at(clock.now(), "Asia/Shanghai", "zh"))
        full = load_cards(session, cycle_id=cycle.id, person_ids=[ana.id],
                          viewer=Viewer.at(clock.now(), "America/New_York", "en"))
    energy, solar = shanghai[0].krs
    assert (energy.current, energy.target, energy.percent, energy.bar) == (
        "91%", "85%", "60%", "▓▓▓▓▓▓░░░░")
    assert solar.is_milestone and solar.done and solar.percent == "100%"
    assert shanghai[0].hidden_krs == 5 and card_blocks(shanghai[0]) == 4
    # (0.6 + 1 + 0 * 5) / 7
    assert shanghai[0].score_text == "0.23" and shanghai[0].colour == "red"
    late = full[0].krs[-1]
    assert late.last_checkin_date == "Nov 29" and late.confidence == "off_track"


def test_fit_cards_stops_at_the_first_card_that_does_not_fit(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    ana = seed.make_person(name="Ana")
    cycle = seed.make_cycle()
    for n in range(3):
        objective = seed.make_objective(f"O{n}", owner=ana, cycle=cycle)
        for k in range(n + 1):
            seed.make_kr(objective, f"KR{k}")
    assert ana.id is not None and cycle.id is not None
    with db.read() as session:
        cards = load_cards(session, cycle_id=cycle.id, person_ids=[ana.id],
                           viewer=Viewer.at(clock.now(), "UTC", "en"))
    assert [card_blocks(c) for c in cards] == [3, 4, 5]
    assert fit_cards(cards, 7) == (tuple(cards[:2]), 1)
    assert fit_cards(cards, 6) == (tuple(cards[:1]), 2)
    assert fit_cards(cards, 12) == (tuple(cards), 0)
    assert fit_cards(cards, 2) == ((), 3)


def test_a_parent_loop_still_shows_every_objective_once(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    ana = seed.make_person(name="Ana")
    cycle = seed.make_cycle()
    first = seed.make_objective("First", owner=ana, cycle=cycle)
    second = seed.make_objective("Second", owner=ana, cycle=cycle, parent=first)
    seed.make_objective("Third", owner=ana, cycle=cycle, parent=second)
    with db.write() as session:
        looped = session.get(Objective, first.id)
        assert looped is not None
        looped.parent_id = second.id
        session.add(looped)
    with db.read() as session:
        tree = alignment_tree(session, cycle=cycle)
    lines = [line for section in tree.sections for line in section]
    assert [(line.title, line.prefix.count("\u2003") // 2) for line in lines] == [
        ("First", 0), ("Second", 1), ("Third", 2)]
    assert tree.hidden == 0
