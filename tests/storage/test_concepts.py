"""The concepts written once (storage/queries), each pinned to its agreed meaning on SQLite and
PostgreSQL alike: which cycle is current, when a KR was last checked in, how a team name
matches."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.clock import FakeClock
from storage.db import Database
from storage.models import CheckIn, Team
from storage.queries.checkins import latest_checkins
from storage.queries.cycles import current_cycle
from storage.queries.digest import last_checkin_times
from storage.queries.teams import name_key, parents_up_from, team_named
from tests.scenarios.seed import Seed

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
THURSDAY = datetime(2026, 12, 3, 15, 0, tzinfo=UTC)


def test_current_cycle_is_the_covering_one_that_started_last(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    seed.make_cycle("2026", start=date(2026, 1, 1), end=date(2026, 12, 31))
    seed.make_cycle("2026-Q4", start=date(2026, 10, 1), end=date(2026, 12, 31))
    seed.make_cycle("2026-Q4 bis", start=date(2026, 10, 1), end=date(2026, 12, 31))
    seed.make_cycle("2026-Nov", start=date(2026, 11, 1), end=date(2026, 11, 30), state="closed")
    seed.make_cycle("2027-Q1", start=date(2027, 1, 1), end=date(2027, 3, 31))
    with db.read() as session:
        # Overlapping active cycles: the one that started last; on a tie, the newer row.
        assert _name(current_cycle(date(2026, 11, 15), session=session)) == "2026-Q4 bis"
        # A closed cycle is never current, even when it started last.
        assert _name(current_cycle(date(2026, 11, 30), session=session)) == "2026-Q4 bis"
        # Before any cycle covers the day: the active cycle that started last (the plan).
        assert _name(current_cycle(date(2025, 6, 1), session=session)) == "2027-Q1"
        assert _name(current_cycle(date(2027, 2, 1), session=session)) == "2027-Q1"


def _name(cycle: object) -> str:
    return getattr(cycle, "name", "")


def test_a_kr_was_last_checked_in_at_its_last_edit(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    person = seed.make_person()
    team = seed.make_team("Growth", members=[person])
    cycle = seed.make_cycle()
    kr = seed.make_kr(seed.make_objective(owner=team, cycle=cycle))
    edited = seed.make_checkin(kr, author=person, value=10, at=MONDAY)
    seed.make_checkin(kr, author=seed.make_person(), value=20,
                      at=MONDAY.replace(day=1, month=12))
    with db.write() as session:
        row = session.get(CheckIn, edited.id)
        assert row is not None
        row.updated_at = THURSDAY  # Monday's answer, edited on Thursday
    assert team.id is not None and kr.id is not None
    with db.read() as session:
        latest = latest_checkins(session=session, kr_ids=[kr.id])
        times = last_checkin_times(team.id, cycle.start_date, cycle.end_date,
                                   datetime(2026, 12, 31, tzinfo=UTC), session=session)
        before_edit = last_checkin_times(team.id, cycle.start_date, cycle.end_date,
                                         datetime(2026, 12, 2, tzinfo=UTC), session=session)
        assert len(list(session.exec(select(CheckIn)))) == 2
    assert latest[kr.id].id == edited.id
    assert _utc(times[kr.id]) == THURSDAY
    assert _utc(before_edit[kr.id]) == MONDAY.replace(day=1, month=12)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Équipe Paris", "Équipe Paris"),  # exact
        ("équipe paris", "Équipe Paris"),  # non-ASCII case: SQLite's lower() would miss it
        ("  ÉQUIPE PARIS ", "Équipe Paris"),
        ("ｓａｌｅｓ", "Sales"),  # full-width letters (NFKC)
        ("STRASSE", "Straße"),  # casefold: ß is ss
        ("增长组", "增长组"),
        ("Sale", None),  # no prefix matching
    ],
)
def test_a_team_name_matches_by_unicode_case_and_width(
    db: Database, clock: FakeClock, typed: str, expected: str | None
) -> None:
    seed = Seed(db, clock)
    for name in ("Équipe Paris", "Sales", "Straße", "增长组"):
        seed.make_team(name)
    with db.read() as session:
        found = team_named(typed, session=session)
    assert (found.name if found else None) == expected


def test_the_exact_spelling_wins_over_a_case_twin(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    seed.make_team("sales")
    seed.make_team("Sales")
    with db.read() as session:
        assert getattr(team_named("Sales", session=session), "name", None) == "Sales"
        assert getattr(team_named("sales", session=session), "name", None) == "sales"
        assert getattr(team_named("SALES", session=session), "name", None) == "Sales"
    assert name_key("Ｓａｌｅｓ ") == name_key("sales") == "sales"


def test_the_parents_up_from_teams_are_theirs_and_their_ancestors_only(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    company = seed.make_team("Company")
    product = seed.make_team("Product", parent=company)
    growth = seed.make_team("Growth", parent=product)
    sales = seed.make_team("Sales", parent=company)
    seed.make_team("Apart")
    looped_a = seed.make_team("Loop A")
    looped_b = seed.make_team("Loop B", parent=looped_a)
    with db.write() as session:  # a loop in the tree must not loop the query
        row = session.get(Team, looped_a.id)
        assert row is not None
        row.parent_id = looped_b.id
    with db.read() as session:
        assert parents_up_from([growth.id], session=session) == {
            growth.id: product.id, product.id: company.id, company.id: None}
        assert parents_up_from([growth.id, sales.id], session=session) == {
            growth.id: product.id, product.id: company.id, company.id: None,
            sales.id: company.id}
        assert parents_up_from([looped_b.id], session=session) == {
            looped_b.id: looped_a.id, looped_a.id: looped_b.id}
        assert parents_up_from([], session=session) == {}
