"""Importing OKR files: the example, idempotency, updates with history, and all-or-nothing."""

from __future__ import annotations

import json
from datetime import date, time, timedelta
from typing import TypeVar

import pytest
from sqlmodel import Session, SQLModel, col, select

from bot.clock import FakeClock
from bot.services.okr_file.exporter import export_okr_yaml
from bot.services.okr_file.importer import import_okr_file
from bot.services.okr_file.yaml_io import OkrFileError
from storage import models
from storage.db import Database
from tests.services.okr_io_helpers import EXAMPLE, table_counts, table_dump

SMALL = """
people:
  - id: U0AAAAAAA01
    name: 李雷 Li Lei
    tz: Asia/Shanghai
    locale: zh-CN
  - id: U0AAAAAAA02
    name: Ann Lee
teams:
  - name: Support
    leads: [U0AAAAAAA01]
    members: [U0AAAAAAA02]
    holidays:
      - date: 2026-12-25
        name: Christmas
cycles:
  - name: 2026-Q4
    start: 2026-10-01
    end: 2026-12-31
objectives:
  - key: sup-q4
    cycle: 2026-Q4
    title: Answer customers fast
    owner_team: Support
    key_results:
      - title: Resolution time from 48 h to 24 h
        start: 48
        target: 24
        current: 40
        unit: h
      - title: Docs updated
        kind: milestone
"""


_Row = TypeVar("_Row", bound=SQLModel)


def _one(session: Session, table: type[_Row], **where: object) -> _Row:
    """The one row of `table` whose columns equal `where`."""
    return session.exec(select(table).filter_by(**where)).one()


def _import(db: Database, text: str, clock: FakeClock) -> dict[str, dict[str, int]]:
    report = import_okr_file(db, text.encode(), clock=clock)
    return {"created": report.created, "updated": report.updated, "deleted": report.deleted}


def _errors(db: Database, text: str, clock: FakeClock) -> list[str]:
    with pytest.raises(OkrFileError) as caught:
        import_okr_file(db, text.encode(), clock=clock)
    return caught.value.errors


def test_example_file_creates_every_section(db: Database, clock: FakeClock) -> None:
    report = import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)

    assert report.created == {
        "person": 12,
        "team": 11,
        "team_member": 16,
        "schedule": 6,
        "holiday": 5,
        "cycle": 1,
        "objective": 11,
        "kr": 26,
    }
    assert report.total_updated == report.total_deleted == 0
    with db.read() as session:
        objectives = session.exec(select(models.Objective)).all()
        krs = session.exec(select(models.KeyResult)).all()
        people = session.exec(select(models.Person)).all()
        cycle = session.exec(select(models.Cycle)).one()
        audit = session.exec(select(models.AuditLog)).all()
        history = session.exec(select(models.KRValueHistory)).all()
        marketing = _one(session, models.Team, name="Marketing")
        company = _one(session, models.Team, name="Lumen Group")
        brand = _one(session, models.Objective, key="mkt-2026q4-brand")
        growth = _one(session, models.Objective, key="co-2026q4-growth")
    assert {o.type for o in objectives} == {"committed", "aspirational", "learning"}
    assert {kr.kind for kr in krs} == {"metric", "milestone"}
    assert {p.tz for p in people} >= {
        "Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Sydney"
    }
    assert {p.locale for p in people} == {"zh", "en"}
    assert (cycle.name, cycle.start_date, cycle.end_date) == (
        "2026-Q4", date(2026, 10, 1), date(2026, 12, 31)
    )
    assert marketing.parent_id == company.id
    assert brand.parent_id == growth.id and brand.owner_team_id == marketing.id
    assert len(audit) == 88 and {a.actor for a in audit} == {"cli:import"}
    assert {a.action.split(".")[1] for a in audit} == {"create"}
    assert len(history) == 26 and {h.source for h in history} == {"import"}


def test_example_shows_every_colour_and_a_decreasing_metric(db: Database, clock: FakeClock) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    with db.read() as session:
        krs = session.exec(select(models.KeyResult).where(models.KeyResult.kind == "metric")).all()
        response = session.exec(
            select(models.KeyResult).where(col(models.KeyResult.title).contains("客户问题解决时效"))
        ).one()
    progress = [
        (kr.current_value - kr.start_value) / (kr.target_value - kr.start_value) for kr in krs
    ]
    assert any(p < 0.4 for p in progress)
    assert any(0.4 <= p < 0.7 for p in progress)
    assert any(p >= 0.7 for p in progress)
    assert (response.start_value, response.target_value, response.direction) == (48, 24, "decrease")


def test_importing_the_same_file_twice_changes_nothing(db: Database, clock: FakeClock) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    before = table_dump(db)
    clock.advance(timedelta(hours=1))

    report = import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)

    assert (report.total_created, report.total_updated, report.total_deleted) == (0, 0, 0)
    assert table_dump(db) == before


def test_changed_target_and_current_are_audited_with_history(
    db: Database, clock: FakeClock
) -> None:
    _import(db, SMALL, clock)
    clock.advance(timedelta(days=1))
    changed = SMALL.replace("target: 24\n        current: 40", "target: 12\n        current: 30")

    assert _import(db, changed, clock) == {"created": {}, "updated": {"kr": 1}, "deleted": {}}

    with db.read() as session:
        kr = _one(session, models.KeyResult, key="sup-q4.kr1")
        update = _one(session, models.AuditLog, action="kr.update")
        history = session.exec(
            select(models.KRValueHistory).order_by(col(models.KRValueHistory.id))
        ).all()
    assert (kr.target_value, kr.current_value, kr.updated_at) == (12, 30, clock.now())
    assert json.loads(update.before or "") == {"current_value": 40.0, "target_value": 24.0}
    assert json.loads(update.after or "") == {"current_value": 30.0, "target_value": 12.0}
    assert update.entity == "kr" and update.entity_id == str(kr.id)
    assert [(h.value, h.target_value, h.source) for h in history if h.key_result_id == kr.id] == [
        (40, 24, "import"),
        (30, 12, "import"),
    ]


def test_current_value_change_alone_writes_history_without_target(
    db: Database, clock: FakeClock
) -> None:
    _import(db, SMALL, clock)
    _import(db, SMALL.replace("current: 40", "current: 36"), clock)
    with db.read() as session:
        last = session.exec(
            select(models.KRValueHistory).order_by(col(models.KRValueHistory.id).desc())
        ).first()
    assert last is not None and (last.value, last.target_value) == (36, None)


def test_fields_left_out_keep_their_stored_values(db: Database, clock: FakeClock) -> None:
    _import(db, SMALL.replace("unit: h", "unit: h\n        confidence: at_risk"), clock)
    without_current = SMALL.replace("        current: 40\n", "").replace(
        "    tz: Asia/Shanghai\n", ""
    )

    assert _import(db, without_current, clock)["updated"] == {}

    with db.read() as session:
        kr = _one(session, models.KeyResult, key="sup-q4.kr1")
        person = _one(session, models.Person, slack_user_id="U0AAAAAAA01")
    assert (kr.current_value, kr.confidence) == (40, "at_risk")
    assert person.tz == "Asia/Shanghai"


def test_members_and_holidays_follow_the_file(db: Database, clock: FakeClock) -> None:
    _import(db, SMALL, clock)
    smaller = SMALL.replace("    members: [U0AAAAAAA02]\n", "").replace(
        "      - date: 2026-12-25\n        name: Christmas\n", "      - date: 2026-12-24\n"
    )

    result = _import(db, smaller, clock)

    assert result["deleted"] == {"team_member": 1, "holiday": 1}
    assert result["created"] == {"holiday": 1}
    with db.read() as session:
        members = session.exec(select(models.TeamMember)).all()
        holidays = session.exec(select(models.Holiday)).all()
        actions = {a.action for a in session.exec(select(models.AuditLog))}
    assert [(m.is_lead) for m in members] == [True]
    assert [(h.day, h.name) for h in holidays] == [(date(2026, 12, 24), "")]
    assert {"team_member.delete", "holiday.delete", "holiday.create"} <= actions


def test_schedule_is_created_then_updated_field_by_field(db: Database, clock: FakeClock) -> None:
    with_schedule = SMALL.replace(
        "    holidays:",
        "    schedule:\n      checkin_weekdays: thu, mon\n      checkin_time: 10:30\n"
        "      digest_cadence: off\n    holidays:",
    )
    _import(db, with_schedule, clock)
    later = with_schedule.replace("checkin_time: 10:30", "checkin_time: 09:15")

    assert _import(db, later, clock)["updated"] == {"schedule": 1}

    with db.read() as session:
        schedule = session.exec(select(models.Schedule)).one()
    assert schedule.checkin_weekdays == "mon,thu"
    assert schedule.checkin_time == time(9, 15)
    assert schedule.digest_cadence == "off"
    assert schedule.timezone == "UTC"


def test_a_second_file_may_refer_to_rows_already_stored(db: Database, clock: FakeClock) -> None:
    _import(db, SMALL, clock)
    second = """
objectives:
  - key: sup-q4-personal
    cycle: 2026-Q4
    title: Write the answers once
    owner_person: U0AAAAAAA02
    parent: sup-q4
    key_results:
      - title: FAQ articles read 5000 times
        target: 5000
        owner_person: U0AAAAAAA01
"""
    assert _import(db, second, clock)["created"] == {"objective": 1, "kr": 1}
    with db.read() as session:
        child = _one(session, models.Objective, key="sup-q4-personal")
        parent = _one(session, models.Objective, key="sup-q4")
    assert child.parent_id == parent.id


def test_alignment_loop_through_stored_objectives_is_refused(
    db: Database, clock: FakeClock
) -> None:
    _import(db, SMALL, clock)
    child = """
objectives:
  - key: sup-q4-child
    cycle: 2026-Q4
    title: Child
    owner_team: Support
    parent: sup-q4
"""
    _import(db, child, clock)
    loop = """
objectives:
  - key: sup-q4
    cycle: 2026-Q4
    title: Answer customers fast
    owner_team: Support
    parent: sup-q4-child
"""
    assert _errors(db, loop, clock) == [
        "objectives[0].parent: aligning to 'sup-q4-child' makes a loop: "
        "sup-q4 -> sup-q4-child -> sup-q4 (line 7)"
    ]


BROKEN = """
people:
  - id: U0AAAAAAA01
    name: Li
    tz: Mars/Olympus
  - id: U0AAAAAAA01
    name: Li again
    colour: blue
teams:
  - name: Support
    leads: [U0NOBODY001]
cycles:
  - name: Q
    start: 2026-10-01
    end: 2026-09-30
objectives:
  - key: a
    cycle: Q
    title: A
    type: heroic
    owner_team: Support
    key_results:
      - title: x
        start: 5
        target: 5
  - key: b
    cycle: Q9
    title: B
    owner_team: Support
    owner_person: U0AAAAAAA01
    parent: zzz
    key_results:
      - title: y
        kind: milestone
        target: 3
      - title: z
        start: 48
        target: 24
        direction: increase
      - title: w
        key: b.kr1
        target: 1
      - title: v
        target: 2
        confidence: great
"""


def test_broken_file_lists_every_error_with_its_path(db: Database, clock: FakeClock) -> None:
    assert _errors(db, BROKEN, clock) == [
        "people[0].tz: unknown time zone 'Mars/Olympus'; use an IANA name such as Asia/Shanghai "
        "(line 5)",
        "people[1].id: person 'U0AAAAAAA01' is already defined at people[0].id (line 6)",
        "people[1].colour: unknown field (expected one of: id, name, email, tz, locale, admin, "
        "region, holidays) "
        "(line 8)",
        "teams[0].leads[0]: no person with id 'U0NOBODY001' in this file or in the database "
        "(line 11)",
        "cycles[0].end: must be after start (2026-10-01) (line 15)",
        "objectives[0].type: must be one of 'committed', 'aspirational' or 'learning' (line 20)",
        "objectives[0].key_results[0].target: must differ from start (5) (line 25)",
        "objectives[1]: give exactly one owner: owner_team or owner_person (line 26)",
        "objectives[1].cycle: no cycle named 'Q9' in this file or in the database (line 27)",
        "objectives[1].parent: no objective with key 'zzz' in this file or in the database "
        "(line 31)",
        "objectives[1].key_results[0].target: a milestone has no numbers; write done: true or "
        "false instead (line 35)",
        "objectives[1].key_results[1].direction: increase needs a target above start "
        "(48 -> 24) (line 39)",
        "objectives[1].key_results[2].key: key result 'b.kr1' is already defined at "
        "objectives[1].key_results[0] (line 41)",
        "objectives[1].key_results[3].confidence: must be one of 'on_track', 'at_risk' or "
        "'off_track' (line 45)",
    ]


def test_broken_file_changes_no_row(db: Database, clock: FakeClock) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)
    before = table_dump(db)

    _errors(db, BROKEN, clock)

    assert table_dump(db) == before


def test_one_error_in_the_middle_writes_nothing(db: Database, clock: FakeClock) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    broken = text.replace("target: 600\n", "target: 0\n")  # marketing leads: target == start
    assert broken != text

    errors = _errors(db, broken, clock)

    assert len(errors) == 1
    assert errors[0].startswith("objectives[4].key_results[1].target: must differ from start (0)")
    assert sum(table_counts(db).values()) == 0


def test_yaml_syntax_error_names_line_and_column(db: Database, clock: FakeClock) -> None:
    errors = _errors(db, "people:\n  - id: U0AAAAAAA01\n    name: [Li\n", clock)
    assert len(errors) == 1
    assert errors[0].startswith("line 4, column 1: YAML syntax error:")


def test_a_key_written_twice_in_one_mapping_is_an_error(db: Database, clock: FakeClock) -> None:
    text = "cycles:\n  - name: Q\n    start: 2026-10-01\n    end: 2026-12-31\n    name: R\n"
    assert _errors(db, text, clock) == [
        "cycles[0].name: the key 'name' appears twice in this mapping (line 5)"
    ]


def test_dry_run_reports_changes_and_writes_nothing(db: Database, clock: FakeClock) -> None:
    report = import_okr_file(db, EXAMPLE.read_bytes(), clock=clock, dry_run=True)

    assert report.dry_run and report.total_created == 88
    assert sum(table_counts(db).values()) == 0


def test_keyless_rows_exported_as_id_keys_are_adopted(db: Database, clock: FakeClock) -> None:
    _import(db, SMALL, clock)
    with db.write() as session:
        cycle = session.exec(select(models.Cycle)).one()
        person = _one(session, models.Person, slack_user_id="U0AAAAAAA02")
        row = models.Objective(
            cycle_id=cycle.id, title="Made in Slack", owner_person_id=person.id,
            created_at=clock.now(), updated_at=clock.now(),
        )
        session.add(row)
        session.flush()
        kr = models.KeyResult(
            objective_id=row.id, title="Keyless KR", start_value=0, target_value=10,
            created_at=clock.now(), updated_at=clock.now(),
        )
        session.add(kr)
        session.flush()
        objective_id, kr_id = row.id, kr.id
    adopt = f"""
objectives:
  - key: obj-{objective_id}
    cycle: 2026-Q4
    title: Made in Slack
    owner_person: U0AAAAAAA02
    key_results:
      - key: kr-{kr_id}
        title: Keyless KR
        target: 10
"""
    result = _import(db, adopt, clock)

    assert result == {"created": {}, "updated": {"objective": 1, "kr": 1}, "deleted": {}}
    with db.read() as session:
        assert session.get(models.Objective, objective_id).key == f"obj-{objective_id}"  # type: ignore[union-attr]
        assert session.get(models.KeyResult, kr_id).key == f"kr-{kr_id}"  # type: ignore[union-attr]


REGIONS = """\
regions:
  - name: de-by
    holidays:
      - date: 2026-12-08
        name: Mariä Empfängnis
people:
  - id: U0AAAAAAA01
    name: Li
    tz: Europe/Berlin
    region: de-by
    holidays:
      - date: 2026-12-09
        name: Umzug
"""


def test_a_person_and_a_region_get_their_own_days_off_and_export_them_back(
    db: Database, clock: FakeClock
) -> None:
    result = _import(db, REGIONS, clock)
    assert result["created"] == {"person": 1, "region_holiday": 1, "person_holiday": 1}
    assert _import(db, REGIONS, clock)["created"] == {}  # the same file again: nothing new
    with db.read() as session:
        li = session.exec(select(models.Person)).one()
        own = session.exec(select(models.PersonHoliday)).one()
        public = session.exec(select(models.RegionHoliday)).one()
    assert li.region == "de-by"
    assert (own.person_id, own.day, own.name) == (li.id, date(2026, 12, 9), "Umzug")
    assert (public.region, public.day) == ("de-by", date(2026, 12, 8))
    exported = export_okr_yaml(db)
    assert "regions:\n  - name: de-by\n    holidays:\n      - date: 2026-12-08" in exported
    assert "region: de-by" in exported and "name: Umzug" in exported
    fewer = REGIONS.replace("    holidays:\n      - date: 2026-12-09\n        name: Umzug\n",
                            "    holidays: []\n")
    assert _import(db, fewer, clock)["deleted"] == {"person_holiday": 1}


def test_a_days_off_date_listed_twice_is_refused(db: Database, clock: FakeClock) -> None:
    twice = REGIONS + "      - date: 2026-12-09\n"
    errors = _errors(db, twice, clock)
    assert errors == ["people[0].holidays[1].date: holiday '2026-12-09' is already defined at "
                      "people[0].holidays[0].date (line 14)"]
