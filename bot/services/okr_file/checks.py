"""The import's second pass: what the file refers to, against itself and the database.

`load_existing` reads, in a fixed handful of queries, every stored row the file names;
`check_file` reports duplicates, unknown references, parent loops and values that make no
sense together. Both run inside the import's write transaction, so what they see is what the
import then changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from datetime import time
from typing import TypeVar

from sqlmodel import Session

from bot.domain.row_ids import MAX_ROW_ID
from bot.services.okr_file.messages import message
from bot.services.okr_file.model import HolidayIn, KeyResultIn, ObjectiveIn, TeamIn
from bot.services.okr_file.reader import ParsedFile, format_path
from bot.services.okr_file.yaml_io import Loc, Problem
from storage import models
from storage.queries import cycles as cycle_queries
from storage.queries import okrs as okr_queries
from storage.queries import people as people_queries
from storage.queries import schedules as schedule_queries
from storage.queries import teams as team_queries

# Keys the exporter gives rows stored without one; importing them adopts the keyless row.
OBJECTIVE_ID_KEY = re.compile(r"^obj-([1-9][0-9]{0,9})$")
KR_ID_KEY = re.compile(r"^kr-([1-9][0-9]{0,9})$")


@dataclass
class Existing:
    """Stored rows the file names, by natural key; the importer adds the rows it creates."""

    people: dict[str, models.Person] = field(default_factory=dict)
    teams: dict[str, models.Team] = field(default_factory=dict)
    members: dict[int, list[models.TeamMember]] = field(default_factory=dict)
    schedules: dict[int, models.Schedule] = field(default_factory=dict)
    holidays: dict[int, list[models.Holiday]] = field(default_factory=dict)
    person_holidays: dict[int, list[models.PersonHoliday]] = field(default_factory=dict)
    region_holidays: dict[str, list[models.RegionHoliday]] = field(default_factory=dict)
    cycles: dict[str, models.Cycle] = field(default_factory=dict)
    objectives: dict[str, models.Objective] = field(default_factory=dict)
    objectives_by_id: dict[int, models.Objective] = field(default_factory=dict)
    key_results: dict[str, models.KeyResult] = field(default_factory=dict)


def load_existing(parsed: ParsedFile, *, session: Session) -> Existing:
    """Every stored row the file defines or refers to (plus the ancestors of objectives)."""
    doc = parsed.doc
    person_ids = {p.id for p in doc.people}
    for team in doc.teams:
        person_ids.update(team.leads or [], team.members or [])
    for objective in doc.objectives:
        person_ids.update(kr.owner_person for kr in objective.key_results if kr.owner_person)
        if objective.owner_person:
            person_ids.add(objective.owner_person)
    found = Existing(people=people_queries.people_by_slack_ids(person_ids, session=session))
    found.teams = {t.name: t for t in team_queries.all_teams(session=session)}
    stored = [found.teams[t.name] for t in doc.teams if t.name in found.teams]
    file_team_ids = [t.id for t in stored if t.id is not None]
    for member in team_queries.team_members_of(file_team_ids, session=session):
        found.members.setdefault(member.team_id, []).append(member)
    found.schedules = schedule_queries.schedules_of(file_team_ids, session=session)
    for holiday in schedule_queries.holidays_of(file_team_ids, session=session):
        found.holidays.setdefault(holiday.team_id, []).append(holiday)
    known = [p.id for p in found.people.values() if p.id is not None]
    for own in schedule_queries.person_holiday_rows(known, session=session):
        found.person_holidays.setdefault(own.person_id, []).append(own)
    regions = {r.name for r in doc.regions}
    for public in schedule_queries.region_holiday_rows(regions, session=session):
        found.region_holidays.setdefault(public.region, []).append(public)
    cycle_names = {c.name for c in doc.cycles} | {o.cycle for o in doc.objectives}
    found.cycles = cycle_queries.cycles_by_names(cycle_names, session=session)
    keys = {o.key for o in doc.objectives} | {o.parent for o in doc.objectives if o.parent}
    found.objectives = okr_queries.objectives_by_keys(keys, session=session)
    adopt = _adoptable(keys - found.objectives.keys(), OBJECTIVE_ID_KEY)
    for row_id, row in okr_queries.objectives_by_ids(adopt, session=session).items():
        if row.key is None:
            found.objectives[f"obj-{row_id}"] = row
    _load_ancestors(found, session)
    kr_key_set = {key for i in range(len(doc.objectives)) for key in parsed.kr_keys(i)}
    kr_key_set |= {key for _, _, key in parsed.orphans if key is not None}
    found.key_results = okr_queries.key_results_by_keys(kr_key_set, session=session)
    adopt = _adoptable(kr_key_set - found.key_results.keys(), KR_ID_KEY)
    for row_id, kr in okr_queries.key_results_by_ids(adopt, session=session).items():
        if kr.key is None:
            found.key_results[f"kr-{row_id}"] = kr
    return found


def _adoptable(keys: Iterable[str], pattern: re.Pattern[str]) -> set[int]:
    ids = {int(m.group(1)) for m in map(pattern.match, keys) if m}
    return {i for i in ids if i <= MAX_ROW_ID}


def _load_ancestors(found: Existing, session: Session) -> None:
    """Load stored parents of the objectives found, up to the roots, for the loop check."""
    found.objectives_by_id = {o.id: o for o in found.objectives.values() if o.id is not None}
    wanted = {o.parent_id for o in found.objectives_by_id.values()} - {None}
    while wanted - found.objectives_by_id.keys():
        batch = okr_queries.objectives_by_ids(
            {i for i in wanted - found.objectives_by_id.keys() if i is not None}, session=session
        )
        if not batch:
            break
        found.objectives_by_id.update(batch)
        wanted = {o.parent_id for o in found.objectives_by_id.values()} - {None}


@dataclass(frozen=True)
class KRValues:
    """A key result's numbers once the file and the stored row are combined."""

    kind: str
    start: float
    target: float
    current: float
    unit: str
    direction: str


def kr_values(kr: KeyResultIn, row: models.KeyResult | None) -> KRValues | list[tuple[str, str]]:
    """The numbers the key result will have, or the (field, message) problems with them."""
    kind = kr.kind if kr.given("kind") else (row.kind if row else "metric")
    if kind == "milestone":
        numbers = ("start", "target", "current", "unit", "direction")
        problems = [(name, message("milestone_number")) for name in numbers if kr.given(name)]
        if problems:
            return problems
        if kr.given("done"):
            current = 1.0 if kr.done else 0.0
        else:
            current = row.current_value if row and row.kind == "milestone" else 0.0
        return KRValues("milestone", 0.0, 1.0, current, "", "increase")
    if kr.given("done"):
        return [("done", message("done_on_metric"))]
    stored = row if row is not None and row.kind == "metric" else None
    start = kr.start if kr.given("start") else (stored.start_value if stored else 0.0)
    if not kr.given("target") and stored is None:
        return [("target", message("target_missing"))]
    target = kr.target if kr.given("target") or stored is None else stored.target_value
    if target == start:
        return [("target", message("target_equals_start", start=number_text(start)))]
    direction = "decrease" if target < start else "increase"
    if kr.given("direction") and kr.direction != direction:
        relation = message("relation.below" if kr.direction == "decrease" else "relation.above")
        text = message(
            "direction_mismatch",
            direction=kr.direction,
            relation=relation,
            start=number_text(start),
            target=number_text(target),
        )
        return [("direction", text)]
    current = kr.current if kr.given("current") else (stored.current_value if stored else start)
    unit = kr.unit if kr.given("unit") else (row.unit if row else "")
    return KRValues("metric", start, target, current, unit, direction)


def number_text(value: float) -> str:
    """`48.0` -> `48`, `0.5` -> `0.5`."""
    return str(int(value)) if value.is_integer() else repr(value)


def check_file(parsed: ParsedFile, found: Existing) -> list[Problem]:
    """Every problem of the file's schema-checked entries beyond their shape."""
    checker = _Checker(parsed, found)
    checker.run()
    return checker.problems


class _Checker:
    def __init__(self, parsed: ParsedFile, found: Existing) -> None:
        doc = parsed.doc
        self.parsed = parsed
        self.doc = doc
        self.found = found
        self.problems: list[Problem] = []
        # Names defined by entries that failed the schema count as known: no second error.
        loose = {section: set(keys.values()) for section, keys in parsed.loose.items()}
        self.loose_objectives = loose["objectives"]
        self.people = {p.id for p in doc.people} | found.people.keys() | loose["people"]
        self.teams = {t.name for t in doc.teams} | found.teams.keys() | loose["teams"]
        self.cycles = {c.name for c in doc.cycles} | found.cycles.keys() | loose["cycles"]
        self.file_objectives = {o.key: o for o in doc.objectives}
        self.team_names = {t.id: name for name, t in found.teams.items()}
        # Objective nodes for the loop check: a key for objectives in the file, an id otherwise.
        self.file_key_by_id = {
            row.id: key for key, row in found.objectives.items() if key in self.file_objectives
        }

    def add(self, path: Loc, text: str) -> None:
        self.problems.append(Problem(path, text))

    def run(self) -> None:
        doc, at = self.doc, self.parsed.path
        self._unique("region", self._keyed("regions", "name", [r.name for r in doc.regions]))
        self._unique("person", self._keyed("people", "id", [p.id for p in doc.people]))
        listed: list[tuple[str, int, list[HolidayIn]]] = [
            *(("regions", i, r.holidays) for i, r in enumerate(doc.regions)),
            *(("people", i, p.holidays or []) for i, p in enumerate(doc.people))]
        for section, i, days in listed:
            self._unique("holiday", [((*at(section, i), "holidays", j, "date"), h.day.isoformat())
                                     for j, h in enumerate(days)])
        self._unique("team", self._keyed("teams", "name", [t.name for t in doc.teams]))
        self._unique("cycle", self._keyed("cycles", "name", [c.name for c in doc.cycles]))
        self._unique("objective", self._keyed("objectives", "key", [o.key for o in doc.objectives]))
        self._unique("key_result", list(self._kr_key_places()))
        for i, team in enumerate(doc.teams):
            self._team(at("teams", i), team)
        for i, cycle in enumerate(doc.cycles):
            if cycle.end <= cycle.start:
                self.add(at("cycles", i, "end"), message("end_before_start", start=cycle.start))
        for i, objective in enumerate(doc.objectives):
            path = at("objectives", i)
            if objective.cycle not in self.cycles:
                self.add((*path, "cycle"), message("unknown_cycle", value=objective.cycle))
            self._owner(path, objective)
            self._alignment(path, objective)
            keys = self.parsed.kr_keys(i)
            for j, kr in enumerate(objective.key_results):
                self._key_result(self.parsed.kr_path(i, j), kr, keys[j])
        for path, kr, key in self.parsed.orphans:
            self._key_result(path, kr, key)

    def _unique(self, what: str, places: list[tuple[Loc, Hashable]]) -> None:
        first: dict[Hashable, Loc] = {}
        for path, value in places:
            if value in first:
                other = format_path(first[value])
                self.add(path, message("duplicate", what=message(f"thing.{what}"), value=value,
                                       other=other))
            else:
                first[value] = path

    def _keyed(self, section: str, name: str, keys: list[str]) -> list[tuple[Loc, Hashable]]:
        """(path, natural key) of every entry of `section`, including those that failed."""
        places = zip(self.parsed.places[section], keys, strict=True)
        rows = sorted([*places, *self.parsed.loose[section].items()])
        return [((section, index, name), key) for index, key in rows]

    def _kr_key_places(self) -> Iterable[tuple[Loc, str]]:
        for i, objective in enumerate(self.doc.objectives):
            keys = self.parsed.kr_keys(i)
            for j, (kr, key) in enumerate(zip(objective.key_results, keys, strict=True)):
                path = self.parsed.kr_path(i, j)
                yield ((*path, "key") if kr.key else path), key

    def _person(self, path: Loc, slack_id: str | None) -> None:
        if slack_id is not None and slack_id not in self.people:
            self.add(path, message("unknown_person", value=slack_id))

    def _team(self, path: Loc, team: TeamIn) -> None:
        if team.parent is not None:
            if team.parent not in self.teams:
                self.add((*path, "parent"), message("unknown_team", value=team.parent))
            else:
                chain = _loop(team.name, self._team_parent)
                if chain:
                    self.add((*path, "parent"), message("team_loop", chain=" -> ".join(chain)))
        seen: dict[str, str] = {}
        for role in ("leads", "members"):
            for j, slack_id in enumerate(getattr(team, role) or []):
                place: Loc = (*path, role, j)
                self._person(place, slack_id)
                if seen.get(slack_id) == role:
                    self.add(place, message("listed_twice", value=slack_id))
                elif slack_id in seen:
                    self.add(place, message("lead_and_member", value=slack_id))
                seen.setdefault(slack_id, role)
        if team.schedule is not None:
            self._schedule((*path, "schedule"), team)
        holidays = enumerate(team.holidays or [])
        days: list[tuple[Loc, Hashable]] = [
            ((*path, "holidays", j, "date"), h.day.isoformat()) for j, h in holidays
        ]
        self._unique("holiday", days)

    def _schedule(self, path: Loc, team: TeamIn) -> None:
        schedule = team.schedule
        assert schedule is not None
        row = self.found.teams.get(team.name)
        stored = self.found.schedules.get(row.id) if row and row.id is not None else None
        start: time = schedule.work_start
        end: time = schedule.work_end
        if stored is not None:
            start = schedule.work_start if schedule.given("work_start") else stored.work_start
            end = schedule.work_end if schedule.given("work_end") else stored.work_end
        if end <= start:
            self.add((*path, "work_end"), message("work_end", start=start.strftime("%H:%M")))

    def _team_parent(self, name: str) -> str | None:
        for team in self.doc.teams:
            if team.name == name and team.given("parent"):
                return team.parent
        row = self.found.teams.get(name)
        return self.team_names.get(row.parent_id) if row and row.parent_id else None

    def _owner(self, path: Loc, objective: ObjectiveIn) -> None:
        owners = [o for o in (objective.owner_team, objective.owner_person) if o is not None]
        if len(owners) != 1:
            self.add(path, message("one_owner"))
        if objective.owner_team is not None and objective.owner_team not in self.teams:
            self.add((*path, "owner_team"), message("unknown_team", value=objective.owner_team))
        self._person((*path, "owner_person"), objective.owner_person)

    def _alignment(self, path: Loc, objective: ObjectiveIn) -> None:
        parent = objective.parent
        if parent is None:
            return
        known = self.file_objectives.keys() | self.found.objectives.keys()
        if parent not in known | self.loose_objectives:
            self.add((*path, "parent"), message("unknown_objective", value=parent))
            return
        chain: list[str | int] = _loop(objective.key, self._objective_parent)
        if chain:
            names = " -> ".join(self._objective_label(node) for node in chain)
            self.add((*path, "parent"), message("alignment_loop", value=parent, chain=names))

    def _objective_node(self, row_id: int | None) -> str | int | None:
        if row_id is None:
            return None
        return self.file_key_by_id.get(row_id, row_id)

    def _node_of_key(self, key: str) -> str | int | None:
        if key in self.file_objectives:
            return key
        row = self.found.objectives.get(key)
        return self._objective_node(row.id) if row is not None else None

    def _objective_parent(self, node: str | int) -> str | int | None:
        if isinstance(node, str):
            written = self.file_objectives[node]
            if written.given("parent"):
                return self._node_of_key(written.parent) if written.parent else None
            row = self.found.objectives.get(node)
        else:
            row = self.found.objectives_by_id.get(node)
        return self._objective_node(row.parent_id) if row is not None else None

    def _objective_label(self, node: str | int) -> str:
        if isinstance(node, str):
            return node
        row = self.found.objectives_by_id.get(node)
        return row.key if row is not None and row.key else f"obj-{node}"

    def _key_result(self, path: Loc, kr: KeyResultIn, key: str | None) -> None:
        self._person((*path, "owner_person"), kr.owner_person)
        values = kr_values(kr, self.found.key_results.get(key) if key else None)
        if isinstance(values, list):
            for name, text in values:
                self.add((*path, name), text)


N = TypeVar("N")


def _loop(start: N, parent_of: Callable[[N], N | None]) -> list[N]:
    """The chain start -> ... -> start when following parents comes back to `start`, else []."""
    chain: list[N] = [start]
    node = parent_of(start)
    while node is not None and node not in chain:
        chain.append(node)
        node = parent_of(node)
    return [*chain, start] if node == start else []

