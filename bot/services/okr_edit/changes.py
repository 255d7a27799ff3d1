"""Create, edit and archive Objectives: each one transaction with its audit rows.

The coach warns before saving, once per draft: a first submission with warnings comes back
as `Warned` with a fingerprint of the draft; submitting the same draft with that fingerprint
saves it, and any change to the draft runs the coach again. Authorization is checked here,
from the acting Slack user and the database (never from ids the payload carries).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
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
    ObjectiveInput,
    coach_draft,
    direction_of,
    fingerprint,
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
from storage.queries.cycles import current_cycle
from storage.queries.okrs import krs_with_target_history, live_key_results, owner_objective_count
from storage.queries.people import person_by_slack_id
from storage.queries.teams import memberships_of

SOURCE = "slack"


@dataclass(frozen=True)
class SavedKR:
    title: str
    range_text: str  # "0 → 10 篇", or "" for a milestone
    asked: AskedBecause = AskedBecause.OWNER  # why `asked_names` answer for it in check-ins
    asked_names: str = ""  # who check-ins ask about it, joined with ", "


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
        cycle = current_cycle(now.astimezone(ZoneInfo(person.tz)).date(), session=session)
        if cycle is None or cycle.id is None:
            return Gone("no_cycle")
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
        krs = _add_key_results(session, now, person, objective, parsed)
        audit_change(session, now, actor, "create", OBJECTIVE, objective.id, None,
                     objective_snapshot(objective))
        for kr in krs:
            audit_change(session, now, actor, "create", KEY_RESULT, kr.id, None, kr_snapshot(kr))
        return _saved(session, objective, krs, refresh_targets(actor, objective, session=session))


def update_objective(
    db: Database, clock: Clock, *, actor: str, objective_id: int, form: EditForm,
    confirmed: str, inbox_key: str,
) -> CreateResult:
    """Apply the edit form to an Objective and its KRs; a target change keeps its history."""
    now = clock.now()
    with db.write() as session:
        found = _changeable(session, now, actor, objective_id, inbox_key, "edit",
                            archived_is_gone=True)
        if not isinstance(found, tuple):
            return found
        person, objective = found
        assert objective.id is not None
        krs = {kr.id: kr for kr in live_key_results([objective.id], session=session)
               if kr.id is not None}
        own = EditForm(form.title, form.description, form.type, form.parent,
                       tuple(k for k in form.krs if k.kr_id in krs))
        starts = {i: kr.start_value for i, kr in krs.items() if kr.kind == KRKind.METRIC}
        parsed = validate_edit(own, starts)
        if isinstance(parsed, list):
            return Invalid(tuple(parsed))
        problem = parent_problem(parsed.parent_id, objective.cycle_id, objective.id,
                                 session=session)
        if problem is not None:
            return Invalid((problem,))
        findings = _coach_edit(session, objective, parsed, list(krs.values()))
        marker = fingerprint(parsed)
        if _worth_a_warning(findings) and confirmed != marker:
            return Warned(tuple(findings), marker)
        if not claim_inbox(inbox_key, now, session=session):
            return Duplicate()
        _apply_edit(session, now, actor, person, objective, parsed, krs)
        return _saved(session, objective, list(krs.values()),
                      refresh_targets(actor, objective, session=session))


def archive_objective(
    db: Database, clock: Clock, *, actor: str, objective_id: int, inbox_key: str
) -> ArchiveResult:
    """Archive an Objective and its KRs (conditionally: archiving twice changes nothing)."""
    now = clock.now()
    with db.write() as session:
        found = _changeable(session, now, actor, objective_id, inbox_key, "archive",
                            archived_is_gone=False)
        if not isinstance(found, tuple):
            return found
        _, objective = found
        assert objective.id is not None
        if not claim_inbox(inbox_key, now, session=session):
            return Duplicate()
        before = objective_snapshot(objective)
        result = session.execute(
            update(Objective)
            .where(col(Objective.id) == objective.id, col(Objective.state) != "archived")
            .values(state="archived", updated_at=now)
        )
        if getattr(result, "rowcount", 0) != 1:
            return Gone("archived")
        krs = live_key_results([objective.id], session=session)
        session.execute(
            update(KeyResult)
            .where(col(KeyResult.id).in_([kr.id for kr in krs]))
            .values(state="archived", updated_at=now)
        )
        session.refresh(objective)
        after = objective_snapshot(objective) | {"archived_key_results": [kr.id for kr in krs]}
        audit_change(session, now, actor, "archive", OBJECTIVE, objective.id, before, after)
        return Archived(objective.id, objective.title,
                        refresh_targets(actor, objective, session=session))


def _changeable(
    session: Session, now: datetime, actor: str, objective_id: int, inbox_key: str, attempt: str,
    *, archived_is_gone: bool,
) -> tuple[Person, Objective] | Duplicate | Gone | Refused:
    """The Objective `actor` may change, with its acting person, or why not: a form already
    handled, no such Objective, not theirs (refused and audited), archived (when that ends the
    change), or its cycle closed."""
    person = person_by_slack_id(actor, session=session)
    if inbox_seen(inbox_key, session=session):
        return Duplicate()
    objective = session.get(Objective, objective_id)
    if objective is None or objective.id is None:
        return Gone("not_found")
    if person is None or not may_edit(person, objective, session=session):
        return refuse(session, now, actor, attempt, OBJECTIVE, objective_id)
    if archived_is_gone and objective.state == "archived":
        return Gone("archived")
    if cycle_guard.closed_cycle_of_objective(objective, session=session) is not None:
        return Gone("cycle_closed")
    return person, objective


def _worth_a_warning(findings: list[Finding]) -> bool:
    """Warnings stop a first save; infos alone (a moonshot's stretch, a milestone) do not."""
    return any(f.severity is Severity.WARNING for f in findings)


def _add_key_results(
    session: Session, now: datetime, person: Person, objective: Objective,
    parsed: ObjectiveInput,
) -> list[KeyResult]:
    assert objective.id is not None
    krs = [
        KeyResult(
            objective_id=objective.id, title=k.title, owner_person_id=objective.owner_person_id,
            kind=k.kind.value, start_value=k.start, target_value=k.target,
            current_value=k.start, unit=k.unit, direction=k.direction.value, state="active",
            position=index, created_at=now, updated_at=now,
        )
        for index, k in enumerate(parsed.krs)
    ]
    session.add_all(krs)
    session.flush()
    session.add_all(
        KRValueHistory(key_result_id=kr.id, at=now, value=kr.start_value,
                       target_value=kr.target_value, source=SOURCE, changed_by_id=person.id)
        for kr in krs if kr.id is not None
    )
    return krs


def _coach_edit(
    session: Session, objective: Objective, parsed: EditInput, krs: list[KeyResult]
) -> list[Finding]:
    changes = {c.kr_id: c for c in parsed.krs}
    drafts = []
    for kr in krs:
        change = changes.get(kr.id or 0)
        target = change.target if change and change.target is not None else kr.target_value
        drafts.append(KRInput(
            change.title if change else kr.title, KRKind(kr.kind), kr.start_value, target,
            change.unit if change else kr.unit, direction_of(kr.start_value, target)))
    count = owner_objective_count(objective.cycle_id, person_id=objective.owner_person_id,
                                  team_id=objective.owner_team_id, session=session)
    draft = coach_draft(parsed.title, parsed.description, parsed.type, drafts,
                        owner_is_person=objective.owner_person_id is not None,
                        has_parent=parsed.parent_id is not None)
    return check_objective(draft, owner_objective_count=count)


def _apply_edit(
    session: Session, now: datetime, actor: str, person: Person, objective: Objective,
    parsed: EditInput, krs: dict[int, KeyResult],
) -> None:
    before = objective_snapshot(objective)
    objective.title, objective.description = parsed.title, parsed.description
    objective.type, objective.parent_id = parsed.type.value, parsed.parent_id
    if objective_snapshot(objective) != before:
        objective.updated_at = now
        session.add(objective)
        audit_change(session, now, actor, "update", OBJECTIVE, objective.id, before,
                     objective_snapshot(objective))
    retargeted = [c for c in parsed.krs
                  if c.target is not None and c.target != krs[c.kr_id].target_value]
    has_history = krs_with_target_history([c.kr_id for c in retargeted], session=session)
    for change in parsed.krs:
        kr = krs[change.kr_id]
        assert kr.id is not None
        kr_before = kr_snapshot(kr)
        if change in retargeted and change.kr_id not in has_history:
            # The target it had since it was created, so the history shows old and new.
            session.add(KRValueHistory(key_result_id=kr.id, at=kr.created_at, value=None,
                                       target_value=kr.target_value, source=SOURCE))
        kr.title, kr.unit = change.title, change.unit
        if change.target is not None and change in retargeted:
            kr.target_value = change.target
            kr.direction = direction_of(kr.start_value, change.target).value
            session.add(KRValueHistory(key_result_id=kr.id, at=now, value=kr.current_value,
                                       target_value=change.target, source=SOURCE,
                                       changed_by_id=person.id))
        if kr_snapshot(kr) != kr_before:
            kr.updated_at = now
            session.add(kr)
            audit_change(session, now, actor, "update", KEY_RESULT, kr.id, kr_before,
                         kr_snapshot(kr))


def _saved(session: Session, objective: Objective, krs: list[KeyResult],
           refresh: tuple[str, ...]) -> Saved:
    """What the saved modal shows, with whom check-ins ask about each KR."""
    assert objective.id is not None
    asked = asked_about(session, [(objective, kr) for kr in krs])
    lines = tuple(SavedKR(kr.title, _range_text(kr), who.because, ", ".join(who.names))
                  for kr, who in zip(krs, asked, strict=True))
    return Saved(objective.id, objective.title, lines, refresh)


def _range_text(kr: KeyResult) -> str:
    if kr.kind == KRKind.MILESTONE:
        return ""
    return f"{format_value(kr.start_value, kr.unit)} → {format_value(kr.target_value, kr.unit)}"
