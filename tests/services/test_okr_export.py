"""Exporting: YAML that round-trips through a fresh database, and check-ins as safe CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from sqlmodel import select

from bot.clock import FakeClock
from bot.domain.visibility import Reader
from bot.services.okr_file.exporter import (
    ExportError,
    export_checkins_csv,
    export_okr_yaml,
    safe_cell,
)
from bot.services.okr_file.importer import import_okr_file
from storage.db import Database
from storage.models import CheckIn, Cycle, KeyResult, Objective, Person, Team
from tests.services.okr_io_helpers import EXAMPLE, second_database, table_dump


def test_export_imports_into_a_fresh_database_and_exports_the_same(
    db: Database, clock: FakeClock, tmp_path: Path
) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    first = export_okr_yaml(db)

    with second_database(tmp_path) as fresh:
        report = import_okr_file(fresh, first.encode(), clock=clock)
        second = export_okr_yaml(fresh)

    assert report.created == {
        "person": 12, "team": 11, "team_member": 16, "schedule": 6, "holiday": 5,
        "cycle": 1, "objective": 11, "kr": 26,
    }
    assert second == first


def test_exported_file_reimported_into_its_own_database_changes_nothing(
    db: Database, clock: FakeClock
) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    before = table_dump(db)

    report = import_okr_file(db, export_okr_yaml(db).encode(), clock=clock)

    assert (report.total_created, report.total_updated, report.total_deleted) == (0, 0, 0)
    assert table_dump(db) == before


def test_export_writes_what_the_example_says(db: Database, clock: FakeClock) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)

    doc = yaml.safe_load(export_okr_yaml(db))

    support = next(o for o in doc["objectives"] if o["key"] == "sup-2026q4-async")
    assert support["owner_team"] == "Docs & Support"
    assert support["parent"] == "co-2026q4-csat"
    response = support["key_results"][1]
    assert (response["start"], response["target"], response["current"]) == (48, 24, 30)
    assert response["direction"] == "decrease" and "key" not in response
    assert support["key_results"][2] == {
        "title": "Publish the support team's async handbook / 发布支持团队异步协作手册",
        "kind": "milestone",
        "done": True,
    }
    plant = next(t for t in doc["teams"] if t["name"] == "苏州工厂")
    assert plant["parent"] == "Manufacturing"
    assert plant["schedule"]["checkin_time"] == "09:30"
    new_year = {"date": date(2027, 1, 1), "name": "元旦 New Year's Day"}
    assert plant["holidays"] == [new_year]
    assert [t["name"] for t in doc["teams"]][:2] == ["Lumen Group", "Customer Success"]


def test_export_of_one_cycle_leaves_other_cycles_out(db: Database, clock: FakeClock) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    later = """
cycles:
  - name: 2027-Q1
    start: 2027-01-01
    end: 2027-03-31
    state: planning
objectives:
  - key: co-2027q1-growth
    cycle: 2027-Q1
    title: Next quarter
    type: committed
    state: draft
    owner_team: Lumen Group
"""
    import_okr_file(db, later.encode(), clock=clock)

    only_q1 = yaml.safe_load(export_okr_yaml(db, cycle="2027-Q1"))
    everything = yaml.safe_load(export_okr_yaml(db))

    assert [c["name"] for c in only_q1["cycles"]] == ["2027-Q1"]
    assert [o["key"] for o in only_q1["objectives"]] == ["co-2027q1-growth"]
    assert only_q1["objectives"][0]["state"] == "draft"
    assert [c["name"] for c in everything["cycles"]] == ["2026-Q4", "2027-Q1"]
    assert len(everything["objectives"]) == 12
    assert len(only_q1["people"]) == 12


def test_export_of_an_unknown_cycle_is_refused(db: Database) -> None:
    with pytest.raises(ExportError, match="no cycle named 'nope'"):
        export_okr_yaml(db, cycle="nope")


def _checkin(
    db: Database, clock: FakeClock, *, kr_key: str, value: float | None, text: str, source: str
) -> None:
    with db.write() as session:
        kr = session.exec(select(KeyResult).where(KeyResult.key == kr_key)).one()
        author = session.exec(select(Person).where(Person.slack_user_id == "U07MR8X4L8H")).one()
        session.add(
            CheckIn(
                key_result_id=kr.id,
                author_id=author.id,
                period_key="2026-W48",
                value=value,
                confidence="at_risk",
                progress=text,
                blockers="+1 waiting for legal",
                help_needed="@here can someone review?",
                source=source,
                idempotency_key=f"test:{kr_key}:{value}",
                created_at=clock.now(),
                updated_at=clock.now(),
            )
        )


def test_checkins_csv_has_every_column_and_defuses_formulas(
    db: Database, clock: FakeClock
) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    with db.write() as session:  # a name that a spreadsheet would run as a formula
        author = session.exec(select(Person).where(Person.slack_user_id == "U07MR8X4L8H")).one()
        author.name = "=HYPERLINK(\"http://evil.example\",\"Marcus\")"
        session.add(author)
    kr1, kr2 = "sup-2026q4-async.kr1", "sup-2026q4-async.kr2"
    _checkin(db, clock, kr_key=kr2, value=30, text="-2 h this week", source="slack")
    clock.advance(timedelta(hours=1))
    _checkin(db, clock, kr_key=kr1, value=-5.5, text="文档进展顺利", source="api")

    rows = list(csv.reader(io.StringIO(export_checkins_csv(db))))

    assert rows[0] == [
        "kr_key", "objective_key", "author_slack_id", "author_name", "created_at", "period",
        "value", "confidence", "progress", "blockers", "help_needed", "source", "notes_about",
    ]
    assert rows[1] == [
        "sup-2026q4-async.kr2", "sup-2026q4-async", "U07MR8X4L8H",
        "'=HYPERLINK(\"http://evil.example\",\"Marcus\")", "2026-11-30T09:00:00+00:00",
        "2026-W48", "30", "at_risk", "'-2 h this week", "'+1 waiting for legal",
        "'@here can someone review?", "slack", "kr",
    ]
    assert rows[2][0] == "sup-2026q4-async.kr1"
    assert rows[2][4:7] == ["2026-11-30T10:00:00+00:00", "2026-W48", "-5.5"]
    assert rows[2][8] == "文档进展顺利"
    assert len(rows) == 3


def test_checkins_csv_of_one_cycle_only(db: Database, clock: FakeClock) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    _checkin(db, clock, kr_key="sup-2026q4-async.kr2", value=30, text="ok", source="slack")
    with db.write() as session:
        session.add(Cycle(name="2027-Q1", start_date=clock.now().date(),
                          end_date=clock.now().date() + timedelta(days=90)))

    assert len(list(csv.reader(io.StringIO(export_checkins_csv(db, cycle="2026-Q4"))))) == 2
    assert len(list(csv.reader(io.StringIO(export_checkins_csv(db, cycle="2027-Q1"))))) == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_safe_cell_prefixes_formula_starts(text: str, expected: str) -> None:
    assert safe_cell(text) == expected


def test_keyless_rows_are_exported_with_id_keys(db: Database, clock: FakeClock) -> None:
    with db.write() as session:
        cycle = Cycle(name="Q", start_date=clock.now().date(),
                      end_date=clock.now().date() + timedelta(days=30))
        team = Team(name="Ops", created_at=clock.now())
        session.add(cycle)
        session.add(team)
        session.flush()
        objective = Objective(cycle_id=cycle.id, title="No key", owner_team_id=team.id,
                              created_at=clock.now(), updated_at=clock.now())
        session.add(objective)
        session.flush()
        kr = KeyResult(objective_id=objective.id, title="Also none", start_value=0,
                       target_value=5, created_at=clock.now(), updated_at=clock.now())
        session.add(kr)
        session.flush()
        ids = (objective.id, kr.id)

    doc = yaml.safe_load(export_okr_yaml(db))

    assert doc["objectives"][0]["key"] == f"obj-{ids[0]}"
    assert doc["objectives"][0]["key_results"][0]["key"] == f"kr-{ids[1]}"


def test_rows_made_in_slack_survive_export_and_reimport(db: Database, clock: FakeClock) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    with db.write() as session:  # what the Slack modal stores: no keys, per-owner positions
        cycle = session.exec(select(Cycle)).one()
        owner = session.exec(select(Person).where(Person.slack_user_id == "U07MR8X4L8H")).one()
        parent = session.exec(select(Objective).where(Objective.key == "sup-2026q4-async")).one()
        for position, title in enumerate(["Answer in the customer's language", "Write it down"]):
            objective = Objective(
                cycle_id=cycle.id, title=title, owner_person_id=owner.id, parent_id=parent.id,
                position=position, created_at=clock.now(), updated_at=clock.now(),
            )
            session.add(objective)
            session.flush()
            session.add(KeyResult(
                objective_id=objective.id, title=f"{title}: 10 times", start_value=0,
                target_value=10, current_value=position, created_at=clock.now(),
                updated_at=clock.now(),
            ))
    first = export_okr_yaml(db)

    adopted = import_okr_file(db, first.encode(), clock=clock)
    again = import_okr_file(db, export_okr_yaml(db).encode(), clock=clock)

    assert adopted.updated == {"objective": 2, "kr": 2}  # they receive their obj-/kr- keys
    assert (again.total_created, again.total_updated, again.total_deleted) == (0, 0, 0)
    assert export_okr_yaml(db) == first


def test_checkins_csv_leaves_out_words_the_reader_may_not_read(
    db: Database, clock: FakeClock
) -> None:
    """The operator reads everything; anyone else only their teams' words (visibility policy)."""
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    _checkin(db, clock, kr_key="sup-2026q4-async.kr2", value=30, text="progress words",
             source="slack")
    operator = list(csv.reader(io.StringIO(export_checkins_csv(db))))
    assert operator[1][8:11] == ["progress words", "'+1 waiting for legal",
                                 "'@here can someone review?"]
    outsider = Reader(person_id=10_000, teams=frozenset({10_000}))
    hidden = list(csv.reader(io.StringIO(export_checkins_csv(db, reader=outsider))))
    assert hidden[1][8:11] == ["", "", ""]
    assert hidden[1][:8] == operator[1][:8]  # the numbers stay public
