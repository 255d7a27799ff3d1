"""Create, edit and archive Objectives: each one transaction with its audit rows.

The coach warns before saving, once per draft: a first submission with warnings comes back
as `Warned` with a fingerprint of the draft; submitting the same draft with that fingerprint
saves it, and any change to the draft runs the coach again. Authorization is checked here,
from the acting Slack user and the database (never from ids the payload carries).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, update

from bot.clock import Clock
from bot.domain.asked import AskedBecause
from bot.domain.coach import Finding, Severity, check_objective
from bot.domain.formatting import format_value
from bot.domain.okr_draft import (
    EditForm,
    EditInput,
    FieldError,
    KRInput,
    ObjectiveForm,
    coach_draft,
    direction_of,
    fingerprint,
    kr_field,
    kr_order,
    validate_edit,
    validate_new,
)
from bot.domain.permissions import can_own_for_team
from bot.domain.vocabulary import KRKind
from bot.services.cycles import guard as cycle_guard
from bot.services.okr_edit.access import (
    KEY_RESULT,
    OBJECTIVE,
    Duplicate,
    Gone,
    Refused,
    audit_change,
    kr_snapshot,
    may_edit,
    objective_snapshot,
    refresh_targets,
    refuse,
)
from bot.services.okr_edit.parents import parent_problem
from bot.services.okrs.asked import asked_about
from storage.db import Database
from storage.models import KeyResult, KRValueHistory, Objective, Person
from storage.queries.audit import claim_inbox, inbox_seen
from storage.queries.cycles import plannable_cycles
from storage.queries.okrs import krs_with_target_history, live_key_results, owner_objective_count
from storage.queries.people import people_by_slack_ids, person_by_slack_id
from storage.queries.teams import memberships_of

SOURCE = "slack"


@dataclass(frozen=True)
class SavedKR:
    title: str
    range_text: str  # "0 → 10 篇", or "" for a milestone
    asked: AskedBecause = AskedBecause.OWNER  # why `asked_names` answer for it in check-ins
    asked_names: str = ""  # who check-ins ask about it, joined with ", " ("" when it is the
    # Objective's owner's own KR: nothing to say)


@dataclass(frozen=True)
class Saved:
    objective_id: int
    title: str
    krs: tuple[SavedKR, ...]
    refresh: tuple[str, ...]  # Slack ids whose App Home shows the change


@dataclass(frozen=True)
class Warned:
    """The coach has something to say; `marker` confirms this exact draft next time."""

    findings: tuple[Finding, ...]
    marker: str


@dataclass(frozen=True)
class Invalid:
    errors: tuple[FieldError, ...]


@dataclass(frozen=True)
class Archived:
    objective_id: int
    title: str
    refresh: tuple[str, ...]


CreateResult = Saved | Warned | Invalid | Refused | Duplicate | Gone
ArchiveResult = Archived | Refused | Duplicate | Gone


def create_objective(
    db: Database, clock: Clock, *, actor: str, form: ObjectiveForm, confirmed: str,
    inbox_key: str,
) -> CreateResult:
    """Save a new Objective with its KRs, unless the form is invalid or the coach warns first."""
    parsed = validate_new(form)
    if isinstance(parsed, list):
        return Invalid(tuple(parsed))
    now = clock.now()
    with db.write() as session:
        person = person_by_slack_id(actor, session=session)
        if inbox_seen(inbox_key, session=session):
            return Duplicate()
        if person is None or person.id is None:
            return Refused()
        cycles = plannable_cycles(now.astimezone(ZoneInfo(person.tz)).date(), session=session)
        if not cycles:
            return Gone("no_cycle")
        cycle = next((c for c in cycles if c.id == parsed.cycle_id), cycles[0])
        if parsed.cycle_id is not None and cycle.id != parsed.cycle_id:
            return Invalid((FieldError("cycle", "cycle_gone"),))
        assert cycle.id is not None
        team_id = parsed.owner_team_id
        if team_id is not None:
            mine = [m.team_id for m in memberships_of([person.id], session=session)]
            if not can_own_for_team(team_id, mine, person.is_admin):
                return refuse(session, now, actor, "create", "team", team_id)
        problem = parent_problem(parsed.parent_id, cycle.id, None, session=session)
        if problem is not None:
            return Invalid((problem,))
        owner_person = None if team_id is not None else person.id
        count = owner_objective_count(cycle.id, person_id=owner_person, team_id=team_id,
                                      session=session)
        draft = coach_draft(parsed.title, parsed.description, parsed.type, parsed.krs,
                            owner_is_person=team_id is None,
                            has_parent=parsed.parent_id is not None)
        findings = check_objective(draft, owner_objective_count=count + 1)
        marker = fingerprint(parsed)
        if _worth_a_warning(findings) and confirmed != marker:
            return Warned(tuple(findings), marker)
        if not claim_inbox(inbox_key, now, session=session):
            return Duplicate()
        objective = Objective(
            cycle_id=cycle.id, title=parsed.title, description=parsed.description,
            type=parsed.type.value, state="active", owner_person_id=owner_person,
            owner_team_id=team_id, parent_id=parsed.parent_id, position=count,
            created_at=now, updated_at=now,
        )
        session.add(objective)
        session.flush()
        krs = _add_key_results(session, now, person, objective, parsed.krs)
        audit_change(session, now, actor, "create", OBJECTIVE, objective.id, None,
                     objective_snapshot(objective))
        for kr in krs:
            audit_change(session, now, actor, "create", KEY_RESULT, kr.id, None, kr_snapshot(kr))
        return _saved(session, objective, krs, refresh_targets(actor, objective, session=session))


def update_objective(
    db: Database, clock: Clock, *, actor: str, objective_id: int, form: EditForm,
    confirmed: str, inbox_key: str,
) -> CreateResult:
    """Apply the edit form to an Objective and its KRs: titles, targets (history kept), owners,
    order, KRs archived and added, a draft made active."""
    now = clock.now()
    with db.write() as session:
        found = _changeable(session, now, actor, objective_id, inbox_key, "edit")
        if not isinstance(found, _Changeable):
            return found
        person, objective = found.person, found.objective
        krs = {kr.id: kr for kr in live_key_results([found.objective_id], session=session)
               if kr.id is not None}
        own = replace(form, krs=tuple(k for k in form.krs if k.kr_id in krs),
                      archive=tuple(k for k in form.archive if k in krs),
                      activate=form.activate and objective.state == "draft")
        starts = {i: kr.start_value for i, kr in krs.items() if kr.kind == KRKind.METRIC}
        parsed = validate_edit(own, starts)
        if isinstance(parsed, list):
            return Invalid(tuple(parsed))
        problem = parent_problem(parsed.parent_id, objective.cycle_id, objective.id,
                                 session=session)
        owners = _kr_owners(session, parsed)
        if problem is not None or isinstance(owners, FieldError):
            return Invalid(tuple(p for p in (problem, owners) if isinstance(p, FieldError)))
        findings = _coach_edit(session, objective, parsed, krs)
        marker = fingerprint(parsed)
        if _worth_a_warning(findings) and confirmed != marker:
            return Warned(tuple(findings), marker)
        if not claim_inbox(inbox_key, now, session=session):
            return Duplicate()
        kept = _apply_edit(session, now, actor, person, objective, parsed, krs, owners)
        return _saved(session, objective, kept, refresh_targets(actor, objective, session=session))


def archive_objective(
    db: Database, clock: Clock, *, actor: str, objective_id: int, inbox_key: str
) -> ArchiveResult:
    """Archive an Objective and its KRs (conditionally: archiving twice changes nothing)."""
    now = clock.now()
    with db.write() as session:
        found = _changeable(session, now, actor, objective_id, inbox_key, "archive")
        if not isinstance(found, _Changeable):
            return found
        if not claim_inbox(inbox_key, now, session=session):
            return Duplicate()
        objective = found.objective
        before = objective_snapshot(objective)
        result = session.execute(
            update(Objective)
            .where(col(Objective.id) == objective.id, col(Objective.state) != "archived")
            .values(state="archived", updated_at=now)
        )
        if getattr(result, "rowcount", 0) != 1:
            return Gone("archived")
        krs = live_key_results([found.objective_id], session=session)
        session.execute(
            update(KeyResult)
            .where(col(KeyResult.id).in_([kr.id for kr in krs]))
            .values(state="archived", updated_at=now)
        )
        session.refresh(objective)
        after = objective_snapshot(objective) | {"archived_key_results": [kr.id for kr in krs]}
        audit_change(session, now, actor, "archive", OBJECTIVE, objective.id, before, after)
        return Archived(found.objective_id, objective.title,
                        refresh_targets(actor, objective, session=session))


@dataclass(frozen=True)
class _Changeable:
    """An Objective someone may change, and that someone."""

    person: Person
    objective: Objective
    objective_id: int


def _changeable(
    session: Session, now: datetime, actor: str, objective_id: int, inbox_key: str,
    attempt: Literal["edit", "archive"],
) -> _Changeable | Duplicate | Gone | Refused:
    """The Objective `actor` may change, with its acting person, or why not: a form already
    handled, no such Objective, not theirs (refused and audited), archived (an edit ends
    there; archiving again is a no-op later), or its cycle closed."""
    person = person_by_slack_id(actor, session=session)
    if inbox_seen(inbox_key, session=session):
        return Duplicate()
    objective = session.get(Objective, objective_id)
    if objective is None or objective.id is None:
        return Gone("not_found")
    if person is None or not may_edit(person, objective, session=session):
        return refuse(session, now, actor, attempt, OBJECTIVE, objective_id)
    if attempt == "edit" and objective.state == "archived":
        return Gone("archived")
    if cycle_guard.closed_cycle_of_objective(objective, session=session) is not None:
        return Gone("cycle_closed")
    return _Changeable(person, objective, objective.id)


def _worth_a_warning(findings: list[Finding]) -> bool:
    """Warnings stop a first save; infos alone (a moonshot's stretch, a milestone) do not."""
    return any(f.severity is Severity.WARNING for f in findings)


def _add_key_results(
    session: Session, now: datetime, person: Person, objective: Objective,
    new_krs: Sequence[KRInput], *, first_position: int = 0,
) -> list[KeyResult]:
    """New KRs of `objective`, owned by its owner person (none for a team's), with their
    first value and target in the history."""
    assert objective.id is not None
    krs = [
        KeyResult(
            objective_id=objective.id, title=k.title, owner_person_id=objective.owner_person_id,
            kind=k.kind.value, start_value=k.start, target_value=k.target,
            current_value=k.start, unit=k.unit, direction=k.direction.value, state="active",
            position=first_position + index, created_at=now, updated_at=now,
        )
        for index, k in enumerate(new_krs)
    ]
    session.add_all(krs)
    session.flush()
    session.add_all(
        KRValueHistory(key_result_id=kr.id, at=now, value=kr.start_value,
                       target_value=kr.target_value, source=SOURCE, changed_by_id=person.id)
        for kr in krs if kr.id is not None
    )
    return krs


def _kr_owners(session: Session, parsed: EditInput) -> dict[str, int] | FieldError:
    """The people picked as KR owners, by Slack id; the field of the first one okr-bot does
    not know (they have never used it), as an error."""
    picked = {c.owner for c in parsed.krs if c.owner}
    known = people_by_slack_ids(picked, session=session)
    for change in parsed.krs:
        if change.owner and change.owner not in known:
            return FieldError(kr_field(f"id{change.kr_id}", "owner"), "owner_unknown")
    return {slack_id: p.id for slack_id, p in known.items() if p.id is not None}


def _coach_edit(
    session: Session, objective: Objective, parsed: EditInput, krs: dict[int, KeyResult]
) -> list[Finding]:
    """The coach reads the Objective as it will be saved: kept KRs changed, new ones added."""
    drafts = []
    for change in parsed.krs:
        kr = krs[change.kr_id]
        target = change.target if change.target is not None else kr.target_value
        drafts.append(KRInput(change.title, KRKind(kr.kind), kr.start_value, target,
                              change.unit, direction_of(kr.start_value, target)))
    drafts += parsed.new_krs
    count = owner_objective_count(objective.cycle_id, person_id=objective.owner_person_id,
                                  team_id=objective.owner_team_id, session=session)
    draft = coach_draft(parsed.title, parsed.description, parsed.type, drafts,
                        owner_is_person=objective.owner_person_id is not None,
                        has_parent=parsed.parent_id is not None)
    return check_objective(draft, owner_objective_count=count)


def _apply_edit(
    session: Session, now: datetime, actor: str, person: Person, objective: Objective,
    parsed: EditInput, krs: dict[int, KeyResult], owners: dict[str, int],
) -> list[KeyResult]:
    """Save the edit with an audit row per changed row; the live KRs in their new order."""
    before = objective_snapshot(objective)
    objective.title, objective.description = parsed.title, parsed.description
    objective.type, objective.parent_id = parsed.type.value, parsed.parent_id
    if parsed.activate:
        objective.state = "active"
    if objective_snapshot(objective) != before:
        objective.updated_at = now
        session.add(objective)
        audit_change(session, now, actor, "activate" if parsed.activate else "update",
                     OBJECTIVE, objective.id, before, objective_snapshot(objective))
    for kr_id in parsed.archive:
        _archive_kr(session, now, actor, krs[kr_id])
    retargeted = [c for c in parsed.krs
                  if c.target is not None and c.target != krs[c.kr_id].target_value]
    has_history = krs_with_target_history([c.kr_id for c in retargeted], session=session)
    befores = {kr_id: kr_snapshot(kr) for kr_id, kr in krs.items()}
    for change in parsed.krs:
        kr = krs[change.kr_id]
        assert kr.id is not None
        if change in retargeted and change.kr_id not in has_history:
            # The target it had since it was created, so the history shows old and new.
            session.add(KRValueHistory(key_result_id=kr.id, at=kr.created_at, value=None,
                                       target_value=kr.target_value, source=SOURCE))
        kr.title, kr.unit = change.title, change.unit
        if change.owner is not None:
            kr.owner_person_id = owners.get(change.owner) if change.owner else None
        if change.target is not None and change in retargeted:
            kr.target_value = change.target
            kr.direction = direction_of(kr.start_value, change.target).value
            session.add(KRValueHistory(key_result_id=kr.id, at=now, value=kr.current_value,
                                       target_value=change.target, source=SOURCE,
                                       changed_by_id=person.id))
    by_id = {kr_id: krs[kr_id] for kr_id in (c.kr_id for c in parsed.krs)}
    order = kr_order(parsed.krs)
    if order != list(by_id):  # moved: number them afresh; otherwise positions stay
        for position, kr_id in enumerate(order):
            by_id[kr_id].position = position
    added = _add_key_results(session, now, person, objective, parsed.new_krs,
                             first_position=max((kr.position for kr in krs.values()),
                                                default=-1) + 1)
    for kr in added:
        audit_change(session, now, actor, "create", KEY_RESULT, kr.id, None, kr_snapshot(kr))
    for kr_id, kr in by_id.items():
        if kr_snapshot(kr) != befores[kr_id]:
            kr.updated_at = now
            session.add(kr)
            audit_change(session, now, actor, "update", KEY_RESULT, kr_id, befores[kr_id],
                         kr_snapshot(kr))
    return [by_id[kr_id] for kr_id in order] + added


def _archive_kr(session: Session, now: datetime, actor: str, kr: KeyResult) -> None:
    """Archive one KR of an Objective that stays: it leaves check-ins, its history stays."""
    before = kr_snapshot(kr)
    kr.state, kr.updated_at = "archived", now
    session.add(kr)
    audit_change(session, now, actor, "archive", KEY_RESULT, kr.id, before, kr_snapshot(kr))


def _saved(session: Session, objective: Objective, krs: list[KeyResult],
           refresh: tuple[str, ...]) -> Saved:
    """What the saved modal shows, with whom check-ins ask about each KR."""
    assert objective.id is not None
    asked = asked_about(session, [(objective, kr) for kr in krs])
    lines = tuple(SavedKR(kr.title, _range_text(kr), who.because,
                          "" if kr.owner_person_id == objective.owner_person_id
                          and who.because is AskedBecause.OWNER else ", ".join(who.names))
                  for kr, who in zip(krs, asked, strict=True))
    return Saved(objective.id, objective.title, lines, refresh)


def _range_text(kr: KeyResult) -> str:
    if kr.kind == KRKind.MILESTONE:
        return ""
    return f"{format_value(kr.start_value, kr.unit)} → {format_value(kr.target_value, kr.unit)}"
