"""`okr-bot export`: the OKR tree as an importable YAML file, and check-ins as CSV.

The YAML is the import format (README.md, "The OKR file") and is deterministic: importing it into
an empty database and exporting again gives the same text. Fields that equal the default of
a new row are left out. A row stored without a key is written with `obj-<id>` / `kr-<id>`,
which the importer maps back to that row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import time
from typing import Any

from sqlmodel import Session

from bot.domain.visibility import OPERATOR, Reader, may_read_words
from bot.services.okr_file.checks import number_text
from bot.services.okr_file.messages import message
from bot.services.okr_file.yaml_io import FlowList, Quoted, dump_yaml
from storage import models
from storage.db import Database
from storage.queries import checkins as checkin_queries
from storage.queries import cycles as cycle_queries
from storage.queries import okrs as okr_queries
from storage.queries import people as people_queries
from storage.queries import schedules as schedule_queries
from storage.queries import teams as team_queries

HEADER = "# okr-bot OKR file (format: README.md, The OKR file); import: `okr-bot import FILE`\n"
CSV_COLUMNS = (
    "kr_key",
    "objective_key",
    "author_slack_id",
    "author_name",
    "created_at",
    "period",
    "value",
    "confidence",
    "progress",
    "blockers",
    "help_needed",
    "source",
    "notes_about",  # "kr", or "objective" for notes written once per Objective (before 0005)
)
# A spreadsheet reads a cell starting with one of these as a formula (CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class ExportError(Exception):
    """The export cannot be made (e.g. an unknown cycle)."""


def export_okr_yaml(db: Database, *, cycle: str | None = None) -> str:
    """Everything stored, or only the cycle named `cycle` and its objectives, as YAML."""
    with db.read() as session:
        cycles = _cycles(session, cycle)
        people = people_queries.all_people(session=session)
        teams = team_queries.all_teams(session=session)
        team_ids = [_id(t) for t in teams]
        members = team_queries.team_members_of(team_ids, session=session)
        schedules = schedule_queries.schedules_of(team_ids, session=session)
        holidays = schedule_queries.holidays_of(team_ids, session=session)
        own_days = schedule_queries.person_holiday_rows([_id(p) for p in people],
                                                        session=session)
        public_days = schedule_queries.region_holiday_rows(None, session=session)
        objectives = okr_queries.objectives_in_cycles([_id(c) for c in cycles], session=session)
        krs = okr_queries.key_results_of([_id(o) for o in objectives], session=session)
        parent_ids = {o.parent_id for o in objectives if o.parent_id is not None}
        parents = okr_queries.objectives_by_ids(parent_ids, session=session)
    slack_ids = {_id(p): p.slack_user_id for p in people}
    team_names = {_id(t): t.name for t in teams}
    doc: dict[str, Any] = {"version": 1}
    regions: dict[str, list[dict[str, Any]]] = {}
    for public in public_days:
        regions.setdefault(public.region, []).append(_day_off(public))
    if regions:
        doc["regions"] = [{"name": name, "holidays": days} for name, days in regions.items()]
    doc["people"] = []
    for person in people:
        listed = _person(person)
        days_off = [_day_off(h) for h in own_days if h.person_id == person.id]
        if days_off:
            listed["holidays"] = days_off
        doc["people"].append(listed)
    doc["teams"] = []
    for team in _hierarchy(teams):
        entry: dict[str, Any] = {"name": team.name}
        if team.parent_id is not None:
            entry["parent"] = team_names[team.parent_id]
        if team.slack_channel_id:
            entry["channel"] = team.slack_channel_id
        entry |= _members(team, members, slack_ids)
        schedule = schedules.get(_id(team))
        if schedule is not None:
            entry["schedule"] = _schedule(schedule)
        days = [_day_off(h) for h in holidays if h.team_id == team.id]
        if days:
            entry["holidays"] = days
        doc["teams"].append(entry)
    doc["cycles"] = [
        {"name": c.name, "start": c.start_date, "end": c.end_date, "state": c.state}
        for c in cycles
    ]
    cycle_names = {_id(c): c.name for c in cycles}
    order = {_id(c): i for i, c in enumerate(cycles)}
    objectives.sort(key=lambda o: order[o.cycle_id])  # stable: keeps position order inside
    parents |= {_id(o): o for o in objectives}
    doc["objectives"] = []
    for objective in objectives:
        entry = _objective(objective, cycle_names, team_names, slack_ids, parents)
        own = [kr for kr in krs if kr.objective_id == objective.id]
        entry["key_results"] = [
            _key_result(kr, f"{entry['key']}.kr{n}", slack_ids) for n, kr in enumerate(own, 1)
        ]
        doc["objectives"].append(entry)
    return dump_yaml(doc, header=HEADER)


def export_checkins_csv(
    db: Database, *, cycle: str | None = None, reader: Reader = OPERATOR
) -> str:
    """Check-ins (of one cycle, or all) as CSV, safe to open in a spreadsheet. What people
    wrote is left blank where `reader` may not read it (the operator at the command line may)."""
    with db.read() as session:
        cycle_ids = [_id(c) for c in _cycles(session, cycle)] if cycle is not None else None
        rows = checkin_queries.checkins_with_context(cycle_ids, session=session)
        owners = {o.owner_person_id for _, _, o, _ in rows if o.owner_person_id is not None}
        teams_of: dict[int, set[int]] = {}
        if not reader.is_admin:
            for member in team_queries.memberships_of(owners, session=session):
                teams_of.setdefault(member.person_id, set()).add(member.team_id)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for checkin, kr, objective, author in rows:
        teams = ({objective.owner_team_id} if objective.owner_team_id is not None
                 else teams_of.get(objective.owner_person_id or 0, set()))
        if not may_read_words(reader, teams, author_id=checkin.author_id,
                              asked_id=checkin.help_from_person_id):
            checkin = checkin.model_copy(update={"progress": "", "blockers": "",
                                                 "help_needed": ""})
        writer.writerow(
            [
                safe_cell(kr_key(kr)),
                safe_cell(objective_key(objective)),
                safe_cell(author.slack_user_id if author else ""),
                safe_cell(author.name if author else ""),
                checkin.created_at.isoformat(),
                safe_cell(checkin.period_key),
                "" if checkin.value is None else number_text(checkin.value),
                safe_cell(checkin.confidence or ""),
                safe_cell(checkin.progress),
                safe_cell(checkin.blockers),
                safe_cell(checkin.help_needed),
                safe_cell(checkin.source),
                "objective" if checkin.about_objective else "kr",
            ]
        )
    return out.getvalue()


def safe_cell(text: str) -> str:
    """`text`, prefixed with `'` when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def objective_key(objective: models.Objective) -> str:
    """The objective's key, or `obj-<id>` for one stored without a key."""
    return objective.key or f"obj-{objective.id}"


def kr_key(kr: models.KeyResult) -> str:
    """The key result's key, or `kr-<id>` for one stored without a key."""
    return kr.key or f"kr-{kr.id}"


def _cycles(session: Session, name: str | None) -> list[models.Cycle]:
    if name is None:
        return cycle_queries.all_cycles(session=session)
    found = cycle_queries.cycles_by_names([name], session=session)
    if name not in found:
        raise ExportError(message("no_such_cycle", name=name))
    return [found[name]]


def _person(person: models.Person) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": person.slack_user_id, "name": person.name}
    if person.email:
        entry["email"] = person.email
    entry["tz"] = person.tz
    entry["locale"] = person.locale
    if person.is_admin:
        entry["admin"] = True
    if person.region:
        entry["region"] = person.region
    return entry


def _day_off(
    holiday: models.Holiday | models.PersonHoliday | models.RegionHoliday,
) -> dict[str, Any]:
    return {"date": holiday.day, "name": holiday.name}


def _hierarchy(teams: Sequence[models.Team]) -> list[models.Team]:
    """Teams depth first from the roots, siblings by name (`teams` is sorted by name)."""
    ids = {t.id for t in teams}
    children: dict[int | None, list[models.Team]] = {}
    for team in teams:
        parent = team.parent_id if team.parent_id in ids else None
        children.setdefault(parent, []).append(team)
    ordered: list[models.Team] = []
    stack = list(reversed(children.get(None, [])))
    while stack:
        team = stack.pop()
        ordered.append(team)
        stack.extend(reversed(children.get(team.id, [])))
    placed = {t.id for t in ordered}
    return ordered + [t for t in teams if t.id not in placed]  # rows in a parent loop


def _members(
    team: models.Team, members: Sequence[models.TeamMember], slack_ids: dict[int, str]
) -> dict[str, FlowList]:
    own = [m for m in members if m.team_id == team.id]
    leads = sorted(slack_ids[m.person_id] for m in own if m.is_lead)
    others = sorted(slack_ids[m.person_id] for m in own if not m.is_lead)
    entry: dict[str, FlowList] = {}
    if leads:
        entry["leads"] = FlowList(leads)
    if others:
        entry["members"] = FlowList(others)
    return entry


def _schedule(schedule: models.Schedule) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "timezone": schedule.timezone,
        "checkin_cadence": schedule.checkin_cadence,
        "checkin_weekdays": schedule.checkin_weekdays,
        "checkin_time": _clock(schedule.checkin_time),
        "reminder_after_hours": schedule.reminder_after_hours,
        "digest_cadence": schedule.digest_cadence,
        "digest_weekday": schedule.digest_weekday,
        "digest_time": _clock(schedule.digest_time),
    }
    if schedule.digest_channel_id:
        entry["digest_channel"] = schedule.digest_channel_id
    entry["anchor_date"] = schedule.anchor_date
    entry["work_start"] = _clock(schedule.work_start)
    entry["work_end"] = _clock(schedule.work_end)
    if schedule.weekend != "sat,sun":
        entry["weekend"] = schedule.weekend or "none"
    if schedule.follow_along:
        entry["follow_along"] = True
    return entry


def _objective(
    objective: models.Objective,
    cycle_names: dict[int, str],
    team_names: dict[int, str],
    slack_ids: dict[int, str],
    known: dict[int, models.Objective],
) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "key": objective_key(objective),
        "cycle": cycle_names[objective.cycle_id],
        "title": objective.title,
    }
    if objective.description:
        entry["description"] = objective.description
    entry["type"] = objective.type
    if objective.state != "active":
        entry["state"] = objective.state
    if objective.owner_team_id is not None:
        entry["owner_team"] = team_names[objective.owner_team_id]
    if objective.owner_person_id is not None:
        entry["owner_person"] = slack_ids[objective.owner_person_id]
    if objective.parent_id is not None and objective.parent_id in known:
        entry["parent"] = objective_key(known[objective.parent_id])
    return entry


def _key_result(
    kr: models.KeyResult, derived_key: str, slack_ids: dict[int, str]
) -> dict[str, Any]:
    entry: dict[str, Any] = {}
    if kr_key(kr) != derived_key:
        entry["key"] = kr_key(kr)
    entry["title"] = kr.title
    if kr.owner_person_id is not None:
        entry["owner_person"] = slack_ids[kr.owner_person_id]
    if kr.kind == "milestone":
        entry["kind"] = "milestone"
        entry["done"] = kr.current_value >= 1.0
    else:
        entry["start"] = _number(kr.start_value)
        entry["target"] = _number(kr.target_value)
        entry["current"] = _number(kr.current_value)
        if kr.unit:
            entry["unit"] = kr.unit
        if kr.target_value < kr.start_value:
            entry["direction"] = "decrease"
    if kr.confidence is not None:
        entry["confidence"] = kr.confidence
    if kr.state != "active":
        entry["state"] = kr.state
    return entry


def _clock(value: time) -> Quoted:
    return Quoted(value.strftime("%H:%M"))


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value


def _id(row: Any) -> int:
    assert row.id is not None
    return int(row.id)
