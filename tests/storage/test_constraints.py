"""Constraints the services rely on hold on both databases."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.clock import FakeClock
from storage.db import Database
from storage.models import CheckIn, Cycle, KeyResult, Objective, Person, Team, TeamMember


def _person_team_cycle(db: Database, clock: FakeClock) -> tuple[int, int, int]:
    now = clock.now()
    with db.write() as session:
        person = Person(slack_user_id="UANA", name="Ana", created_at=now, updated_at=now)
        team = Team(name="Platform", created_at=now)
        cycle = Cycle(name="2026-Q4", start_date=date(2026, 10, 1), end_date=date(2026, 12, 31))
        session.add_all([person, team, cycle])
        session.flush()
        assert person.id and team.id and cycle.id
        return person.id, team.id, cycle.id


def _objective(
    clock: FakeClock, cycle_id: int, *, person_id: int | None, team_id: int | None
) -> Objective:
    now = clock.now()
    return Objective(
        cycle_id=cycle_id,
        title="Ship the bot",
        owner_person_id=person_id,
        owner_team_id=team_id,
        created_at=now,
        updated_at=now,
    )


def _key_result(db: Database, clock: FakeClock) -> tuple[int, int]:
    person_id, _team_id, cycle_id = _person_team_cycle(db, clock)
    now = clock.now()
    with db.write() as session:
        objective = _objective(clock, cycle_id, person_id=person_id, team_id=None)
        session.add(objective)
        session.flush()
        assert objective.id
        kr = KeyResult(
            objective_id=objective.id, title="10 teams", target_value=10,
            created_at=now, updated_at=now,
        )
        session.add(kr)
        session.flush()
        assert kr.id
        return person_id, kr.id


def _checkin(clock: FakeClock, person_id: int, kr_id: int, key: str) -> CheckIn:
    now = clock.now()
    return CheckIn(
        key_result_id=kr_id, author_id=person_id, period_key="2026-W49", value=3,
        idempotency_key=key, created_at=now, updated_at=now,
    )


def test_checkin_with_a_used_idempotency_key_is_rejected(db: Database, clock: FakeClock) -> None:
    person_id, kr_id = _key_result(db, clock)
    with db.write() as session:
        session.add(_checkin(clock, person_id, kr_id, "slack:UANA:1:2026-W49"))

    with pytest.raises(IntegrityError), db.write() as session:
        session.add(_checkin(clock, person_id, kr_id, "slack:UANA:1:2026-W49"))

    with db.read() as session:
        assert session.exec(select(func.count()).select_from(CheckIn)).one() == 1


@pytest.mark.parametrize(
    ("owner_person", "owner_team"), [(True, True), (False, False)], ids=["both", "none"]
)
def test_objective_without_exactly_one_owner_is_rejected(
    db: Database, clock: FakeClock, owner_person: bool, owner_team: bool
) -> None:
    person_id, team_id, cycle_id = _person_team_cycle(db, clock)

    with pytest.raises(IntegrityError, match="one_owner"), db.write() as session:
        session.add(
            _objective(
                clock,
                cycle_id,
                person_id=person_id if owner_person else None,
                team_id=team_id if owner_team else None,
            )
        )

    with db.read() as session:
        assert session.exec(select(func.count()).select_from(Objective)).one() == 0


def test_objective_owned_by_a_team_alone_is_accepted(db: Database, clock: FakeClock) -> None:
    _person_id, team_id, cycle_id = _person_team_cycle(db, clock)

    with db.write() as session:
        session.add(_objective(clock, cycle_id, person_id=None, team_id=team_id))

    with db.read() as session:
        assert session.exec(select(Objective.owner_team_id)).all() == [team_id]


def test_row_pointing_at_a_missing_person_is_rejected(db: Database, clock: FakeClock) -> None:
    _person_id, team_id, _cycle_id = _person_team_cycle(db, clock)

    with pytest.raises(IntegrityError), db.write() as session:
        session.add(TeamMember(team_id=team_id, person_id=999_999))

    with db.read() as session:
        assert session.exec(select(func.count()).select_from(TeamMember)).one() == 0
