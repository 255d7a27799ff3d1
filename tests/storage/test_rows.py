"""insert_rows and update_rows: many rows in one statement, each value as given, on both
databases (on PostgreSQL they travel as one JSON parameter)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone

import pytest
from sqlmodel import col, select

from bot.clock import FakeClock
from storage.db import Database, insert_rows, update_rows
from storage.models import AuditLog, KeyResult, Person
from tests.scenarios.seed import Seed
from tests.statements import counting

WORDS = '本周进展 "quoted" \\ back\\slash <b>&amp;</b> \u2028 done'


def test_insert_rows_writes_each_row_as_given_in_one_statement(db: Database, clock: FakeClock
                                                               ) -> None:
    now = clock.now()
    rows = [{"at": now + timedelta(microseconds=n), "actor": f"U{n}", "action": "checkin.create",
             "entity": "checkin", "entity_id": str(n), "before": None, "after": f"{WORDS} {n}"}
            for n in range(3)]
    with counting(db) as statements, db.write() as session:
        insert_rows(session, AuditLog.__table__, rows)  # type: ignore[attr-defined]
    assert len([s for s in statements if "audit_log" in s]) == 1

    with db.read() as session:
        stored = session.exec(select(AuditLog).order_by(col(AuditLog.id))).all()
    assert [(a.at, a.actor, a.entity_id, a.before, a.after) for a in stored] == [
        (now + timedelta(microseconds=n), f"U{n}", str(n), None, f"{WORDS} {n}")
        for n in range(3)]


def test_update_rows_gives_each_keyed_row_its_own_values_and_leaves_the_rest(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    ana, bo, cy = (seed.make_person(name=name) for name in ("Ana", "Bo", "Cy"))
    later = clock.now() + timedelta(days=1)
    rows = [{"id": ana.id, "name": WORDS, "region": None, "is_admin": True,
             "work_start": time(9, 30), "updated_at": later},
            {"id": bo.id, "name": "Bo 博", "region": None, "is_admin": False,
             "work_start": None, "updated_at": later + timedelta(seconds=1)}]
    with counting(db) as statements, db.write() as session:
        update_rows(session, Person.__table__, rows)  # type: ignore[attr-defined]
    assert len([s for s in statements if "person" in s]) == 1

    with db.read() as session:
        stored = {p.id: p for p in session.exec(select(Person)).all()}
    assert (stored[ana.id].name, stored[ana.id].is_admin, stored[ana.id].work_start,
            stored[ana.id].updated_at) == (WORDS, True, time(9, 30), later)
    assert (stored[bo.id].name, stored[bo.id].is_admin, stored[bo.id].work_start,
            stored[bo.id].updated_at) == ("Bo 博", False, None, later + timedelta(seconds=1))
    assert (stored[cy.id].name, stored[cy.id].updated_at) == ("Cy", cy.updated_at)


def test_update_rows_keeps_every_float_exact(db: Database, clock: FakeClock) -> None:
    seed = Seed(db, clock)
    objective = seed.make_objective(owner=seed.make_person(), cycle=seed.make_cycle())
    krs = [seed.make_kr(objective, f"KR{n}") for n in range(3)]
    values = [0.1 + 0.2, 1e-7, 123456789.123456789]
    at = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    with db.write() as session:
        update_rows(session, KeyResult.__table__, [  # type: ignore[attr-defined]
            {"id": kr.id, "current_value": value, "confidence": None, "last_checkin_at": at}
            for kr, value in zip(krs, values, strict=True)])

    with db.read() as session:
        stored = session.exec(select(KeyResult.current_value, KeyResult.last_checkin_at)
                              .order_by(col(KeyResult.id))).all()
    assert [tuple(row) for row in stored] == [(value, at) for value in values]


def test_a_naive_datetime_is_refused_and_nothing_is_written(db: Database, clock: FakeClock
                                                            ) -> None:
    ana = Seed(db, clock).make_person(name="Ana")
    with pytest.raises(Exception, match="naive datetime"), db.write() as session:
        update_rows(session, Person.__table__, [  # type: ignore[attr-defined]
            {"id": ana.id, "name": "Ana B", "updated_at": datetime(2026, 12, 1, 8, 0)}])

    with db.read() as session:
        assert session.exec(select(Person.name)).all() == ["Ana"]


def test_an_aware_datetime_in_another_zone_is_stored_as_the_same_moment(
    db: Database, clock: FakeClock
) -> None:
    now = clock.now()
    shanghai = now.astimezone(timezone(timedelta(hours=8)))
    with db.write() as session:
        insert_rows(session, AuditLog.__table__, [  # type: ignore[attr-defined]
            {"at": shanghai, "actor": "U1", "action": "a", "entity": "e", "entity_id": "1",
             "before": None, "after": None}])

    with db.read() as session:
        assert session.exec(select(AuditLog.at)).all() == [now]
