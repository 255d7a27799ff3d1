"""Import an OKR file: one transaction that creates or updates every row it describes.

The file is read and checked completely before anything is written; a file with any error
raises OkrFileError and changes no row. Rows are matched by natural key (person by Slack id,
team and cycle by name, objective and key result by key); only fields that differ are
written, so importing the same file twice changes nothing the second time. Every change is
an audit_log row (actor `cli:import`); every change of a key result's current or target value
is also a kr_value_history row (source `import`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time
from typing import Any, TypeVar

from sqlmodel import Session, SQLModel

from bot.clock import Clock
from bot.services.okr_file import model
from bot.services.okr_file.checks import Existing, KRValues, check_file, kr_values, load_existing
from bot.services.okr_file.reader import format_problems, parse_okr_file
from bot.services.okr_file.yaml_io import OkrFileError
from bot.services.okrs import asked
from bot.services.okrs.asked import AskedAbout
from storage import models
from storage.db import Database

ACTOR = "cli:import"
DayOff = models.Holiday | models.PersonHoliday | models.RegionHoliday
HISTORY_SOURCE = "import"

# File field -> column, for fields that keep their stored value when the file leaves them out.
_PERSON = {"email": "email", "tz": "tz", "locale": "locale", "admin": "is_admin",
           "region": "region"}
_SCHEDULE = {
    "timezone": "timezone",
    "checkin_cadence": "checkin_cadence",
    "checkin_weekdays": "checkin_weekdays",
    "checkin_time": "checkin_time",
    "reminder_after_hours": "reminder_after_hours",
    "digest_cadence": "digest_cadence",
    "digest_weekday": "digest_weekday",
    "digest_time": "digest_time",
    "digest_channel": "digest_channel_id",
    "anchor_date": "anchor_date",
    "work_start": "work_start",
    "work_end": "work_end",
    "weekend": "weekend",
    "follow_along": "follow_along",
}
_CYCLE = {"state": "state"}
_OBJECTIVE = {"description": "description", "type": "type", "state": "state"}
_KEY_RESULT = {"confidence": "confidence", "state": "state"}


@dataclass(frozen=True)
class ImportReport:
    """How many rows of each kind the import created, updated and deleted."""

    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    deleted: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    unowned: tuple[AskedAbout, ...] = ()  # who check-ins ask about each KR without an owner

    @property
    def total_created(self) -> int:
        return sum(self.created.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())

    @property
    def total_deleted(self) -> int:
        return sum(self.deleted.values())


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""

    def __init__(self, report: ImportReport) -> None:
        super().__init__("dry run")
        self.report = report


Progress = Callable[[int, int], None]


def import_okr_file(
    db: Database, raw: bytes, *, clock: Clock, dry_run: bool = False,
    progress: Progress | None = None,
) -> ImportReport:
    """Import the OKR file `raw` (YAML bytes) in one transaction.

    Raises OkrFileError, listing every problem as `path: message (line N)`, when the file has
    any error; nothing is written then. With `dry_run` the changes are made and rolled back,
    and the report says what an import would do. `progress(done, total)` is called after each
    top-level record (person, team, cycle, Objective with its KRs) is written.
    """
    parsed = parse_okr_file(raw)
    try:
        with db.write() as session:
            found = load_existing(parsed, session=session)
            problems = parsed.problems + check_file(parsed, found)
            if problems:
                raise OkrFileError(format_problems(problems, parsed.lines))
            report = _Upsert(session, found, clock.now(), progress).run(parsed.doc)
            session.flush()
            report = replace(report, unowned=tuple(asked.unowned(session)))
            if dry_run:
                raise _DryRun(report)
    except _DryRun as rolled_back:
        return replace(rolled_back.report, dry_run=True)
    return report


class _Upsert:
    """Writes one checked file; `found` maps natural keys to rows and grows as rows appear."""

    def __init__(self, session: Session, found: Existing, now: datetime,
                 progress: Progress | None = None) -> None:
        self.session = session
        self.found = found
        self.now = now
        self.progress = progress
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.deleted: Counter[str] = Counter()

    def run(self, doc: model.OkrFile) -> ImportReport:
        total = len(doc.people) + len(doc.teams) + len(doc.cycles) + len(doc.objectives)
        done = 0

        def step() -> None:
            nonlocal done
            done += 1
            if self.progress is not None:
                self.progress(done, total)

        for region in doc.regions:
            self._region(region)
        for person in doc.people:
            self._person(person)
            step()
        for team in _parents_first(doc.teams, lambda t: t.name, _team_parent):
            self._team(team)
            step()
        for cycle in doc.cycles:
            values: dict[str, Any] = {"start_date": cycle.start, "end_date": cycle.end}
            values |= _fields(cycle, _CYCLE, cycle.name in self.found.cycles)
            row = self.found.cycles.get(cycle.name)
            if row is None:
                row = models.Cycle(name=cycle.name, **values)
                self._create("cycle", row)
                self.found.cycles[cycle.name] = row
            else:
                self._update("cycle", row, values)
            step()
        positions = _positions(doc.objectives)
        for objective in _parents_first(doc.objectives, lambda o: o.key, _objective_parent):
            self._objective(objective, positions[objective.key])
            step()
        return ImportReport(dict(self.created), dict(self.updated), dict(self.deleted))

    # --- rows and their audit trail -------------------------------------------------------

    def _create(self, entity: str, row: SQLModel) -> None:
        self.session.add(row)
        self.session.flush()
        self._audit("create", entity, row, None, _snapshot(row))
        self.created[entity] += 1

    def _update(self, entity: str, row: SQLModel, values: dict[str, Any]) -> dict[str, Any]:
        """Write the values that differ; return them (empty when nothing changed)."""
        changed = {name: v for name, v in values.items() if getattr(row, name) != v}
        if not changed:
            return changed
        before = {name: getattr(row, name) for name in changed}
        for name, value in changed.items():
            setattr(row, name, value)
        if hasattr(row, "updated_at"):
            row.updated_at = self.now
        self.session.add(row)
        self.session.flush()
        self._audit("update", entity, row, before, changed)
        self.updated[entity] += 1
        return changed

    def _delete(self, entity: str, row: SQLModel) -> None:
        self._audit("delete", entity, row, _snapshot(row), None)
        self.session.delete(row)
        self.session.flush()
        self.deleted[entity] += 1

    def _audit(
        self,
        action: str,
        entity: str,
        row: SQLModel,
        before: dict[str, Any] | None,
        after: dict[str, Any] | None,
    ) -> None:
        if isinstance(row, models.TeamMember):
            entity_id = f"{row.team_id}:{row.person_id}"
        else:
            entity_id = str(getattr(row, "id", ""))
        self.session.add(
            models.AuditLog(
                at=self.now,
                actor=ACTOR,
                action=f"{entity}.{action}",
                entity=entity,
                entity_id=entity_id,
                before=_json(before),
                after=_json(after),
            )
        )

    # --- sections -----------------------------------------------------------------------------

    def _person(self, person: model.PersonIn) -> None:
        row = self.found.people.get(person.id)
        values = {"name": person.name, **_fields(person, _PERSON, row is not None)}
        if row is None:
            row = models.Person(
                slack_user_id=person.id, created_at=self.now, updated_at=self.now, **values
            )
            self._create("person", row)
            self.found.people[person.id] = row
        else:
            self._update("person", row, values)
        if person.holidays is not None:
            person_id = _id(row)
            self._days_off("person_holiday", person.holidays,
                           self.found.person_holidays.get(person_id, []),
                           lambda day, name: models.PersonHoliday(person_id=person_id, day=day,
                                                           name=name))

    def _team(self, team: model.TeamIn) -> None:
        row = self.found.teams.get(team.name)
        values: dict[str, Any] = {}
        if row is None or team.given("channel"):
            values["slack_channel_id"] = team.channel
        if row is None or team.given("parent"):
            values["parent_id"] = self.found.teams[team.parent].id if team.parent else None
        if row is None:
            row = models.Team(name=team.name, created_at=self.now, **values)
            self._create("team", row)
            self.found.teams[team.name] = row
        else:
            self._update("team", row, values)
        team_id = _id(row)
        if team.leads is not None or team.members is not None:
            self._members(team, team_id)
        if team.schedule is not None:
            stored = self.found.schedules.get(team_id)
            values = _fields(team.schedule, _SCHEDULE, stored is not None)
            if stored is None:
                self._create("schedule", models.Schedule(team_id=team_id, **values))
            else:
                self._update("schedule", stored, values)
        if team.holidays is not None:
            self._holidays(team, team_id)

    def _members(self, team: model.TeamIn, team_id: int) -> None:
        wanted: dict[int, bool] = {}
        for slack_id in team.leads or []:
            wanted[_id(self.found.people[slack_id])] = True
        for slack_id in team.members or []:
            wanted.setdefault(_id(self.found.people[slack_id]), False)
        stored = {m.person_id: m for m in self.found.members.get(team_id, [])}
        for person_id, is_lead in wanted.items():
            member = stored.get(person_id)
            if member is None:
                self._create(
                    "team_member",
                    models.TeamMember(team_id=team_id, person_id=person_id, is_lead=is_lead),
                )
            else:
                self._update("team_member", member, {"is_lead": is_lead})
        for person_id, member in stored.items():
            if person_id not in wanted:
                self._delete("team_member", member)

    def _region(self, region: model.RegionIn) -> None:
        def make(day: date, name: str) -> SQLModel:
            return models.RegionHoliday(region=region.name, day=day, name=name)

        self._days_off("region_holiday", region.holidays,
                       self.found.region_holidays.get(region.name, []), make)

    def _holidays(self, team: model.TeamIn, team_id: int) -> None:
        self._days_off("holiday", team.holidays or [], self.found.holidays.get(team_id, []),
                       lambda day, name: models.Holiday(team_id=team_id, day=day, name=name))

    def _days_off(self, entity: str, listed: Sequence[model.HolidayIn],
                  stored_rows: Sequence[DayOff],
                  make: Callable[[date, str], SQLModel]) -> None:
        """Make the stored days off (a team's, a person's or a region's) those `listed`."""
        wanted = {h.day: h.name for h in listed}
        stored = {h.day: h for h in stored_rows}
        for day, name in wanted.items():
            holiday = stored.get(day)
            if holiday is None:
                self._create(entity, make(day, name))
            else:
                self._update(entity, holiday, {"name": name})
        for day, holiday in stored.items():
            if day not in wanted:
                self._delete(entity, holiday)

    def _objective(self, objective: model.ObjectiveIn, position: int) -> None:
        row = self.found.objectives.get(objective.key)
        owner_team = self.found.teams[objective.owner_team] if objective.owner_team else None
        owner = self.found.people[objective.owner_person] if objective.owner_person else None
        values: dict[str, Any] = {
            "key": objective.key,
            "cycle_id": _id(self.found.cycles[objective.cycle]),
            "title": objective.title,
            "owner_team_id": owner_team.id if owner_team else None,
            "owner_person_id": owner.id if owner else None,
            "position": position,
        }
        values |= _fields(objective, _OBJECTIVE, row is not None)
        if row is None or objective.given("parent"):
            parent = self.found.objectives[objective.parent] if objective.parent else None
            values["parent_id"] = parent.id if parent else None
        if row is None:
            row = models.Objective(created_at=self.now, updated_at=self.now, **values)
            self._create("objective", row)
            self.found.objectives[objective.key] = row
        else:
            self._update("objective", row, values)
        keyed = zip(objective.key_results, model.kr_keys(objective), strict=True)
        for n, (kr, key) in enumerate(keyed):
            self._key_result(kr, key, _id(row), n)

    def _key_result(
        self, kr: model.KeyResultIn, key: str, objective_id: int, position: int
    ) -> None:
        row = self.found.key_results.get(key)
        numbers = kr_values(kr, row)
        assert isinstance(numbers, KRValues), "check_file lets no bad key result through"
        values: dict[str, Any] = {
            "key": key,
            "objective_id": objective_id,
            "title": kr.title,
            "position": position,
            "kind": numbers.kind,
            "start_value": numbers.start,
            "target_value": numbers.target,
            "current_value": numbers.current,
            "unit": numbers.unit,
            "direction": numbers.direction,
        }
        values |= _fields(kr, _KEY_RESULT, row is not None)
        if row is None or kr.given("owner_person"):
            owner = self.found.people[kr.owner_person] if kr.owner_person else None
            values["owner_person_id"] = owner.id if owner else None
        if row is None:
            row = models.KeyResult(created_at=self.now, updated_at=self.now, **values)
            self._create("kr", row)
            self.found.key_results[key] = row
            self._history(row, target_changed=True)
            return
        changed = self._update("kr", row, values)
        if "current_value" in changed or "target_value" in changed:
            self._history(row, target_changed="target_value" in changed)

    def _history(self, kr: models.KeyResult, *, target_changed: bool) -> None:
        self.session.add(
            models.KRValueHistory(
                key_result_id=_id(kr),
                at=self.now,
                value=kr.current_value,
                target_value=kr.target_value if target_changed else None,
                source=HISTORY_SOURCE,
            )
        )


def _fields(section: Any, columns: dict[str, str], stored: bool) -> dict[str, Any]:
    """Column values from `section`: all of them for a new row, those written for a stored one."""
    return {
        column: getattr(section, name)
        for name, column in columns.items()
        if not stored or section.given(name)
    }


def _positions(objectives: list[model.ObjectiveIn]) -> dict[str, int]:
    """Each objective's place among its owner's objectives of the cycle, in file order.

    Objectives made in Slack are numbered the same way, so an exported file keeps them where
    they are.
    """
    seen: Counter[tuple[str, str | None, str | None]] = Counter()
    positions: dict[str, int] = {}
    for objective in objectives:
        owner = (objective.cycle, objective.owner_team, objective.owner_person)
        positions[objective.key] = seen[owner]
        seen[owner] += 1
    return positions


def _team_parent(team: model.TeamIn) -> str | None:
    return team.parent if team.given("parent") else None


def _objective_parent(objective: model.ObjectiveIn) -> str | None:
    return objective.parent if objective.given("parent") else None


T = TypeVar("T")


def _parents_first(
    items: Iterable[T], name_of: Callable[[T], str], parent_of: Callable[[T], str | None]
) -> list[T]:
    """`items` reordered so that an item comes after its parent when both are in `items`."""
    by_name = {name_of(item): item for item in items}
    placed: set[str] = set()
    ordered: list[T] = []
    for item in by_name.values():
        chain: list[T] = []
        current: T | None = item
        while current is not None and name_of(current) not in placed:
            placed.add(name_of(current))
            chain.append(current)
            parent = parent_of(current)
            current = by_name.get(parent) if parent is not None else None
        ordered.extend(reversed(chain))
    return ordered


def _id(row: Any) -> int:
    assert row.id is not None, "rows are flushed before their id is used"
    return int(row.id)


def _snapshot(row: SQLModel) -> dict[str, Any]:
    return {name: getattr(row, name) for name in type(row).model_fields}


def _json(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    return json.dumps(values, ensure_ascii=False, sort_keys=True, default=_plain)


def _plain(value: object) -> str:
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to the audit log")
