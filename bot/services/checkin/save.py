"""Saving a submitted check-in form: validate, then store everything in ONE transaction.

Per answered KR: a `CheckIn` row (upserted by `slack:{person}:{kr}:{period}`, so an edit in the
same week is the same row with version + 1 and the period's `previous_value` kept), the KR's
value, confidence and `last_checkin_at`, a `KRValueHistory` row when the value moved and an
audit entry. Notes are per KR: the KR's own note (progress), and the page's blocker and help
request on the KRs their pickers name; a KR taken out of a picker loses the note it showed.
Help needed tells the named helper and the leads (bot.services.checkin.help_requests).
The submission itself is recorded in the inbox (`view:{view.id}:{view.hash}`), so a retried
or double-clicked submit stores once. Any field error returns before anything is written.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session

from bot.clock import Clock
from bot.domain import local_dates
from bot.domain.checkin_input import (
    ErrorCode,
    FieldError,
    KRAnswer,
    KRFacts,
    KRInput,
    PageNotes,
    PageNotesInput,
    period_key,
    read_kr,
    read_page_notes,
)
from bot.domain.vocabulary import KRKind
from bot.services.checkin import follow_along, help_requests
from bot.services.checkin.form import (
    CheckinForm,
    PageNotesPrefill,
    PersonKRs,
    authorised_delivery,
    build_form,
    idempotency_key,
    load_person_krs,
)
from bot.services.checkin.summary import CheckinSummary, summary_of
from bot.services.cycles import guard as cycle_guard
from bot.services.people import Answer, NotMet, PersonView, person_in
from storage.db import Database
from storage.models import CheckIn, Cycle, KeyResult, Objective
from storage.queries import audit as audit_queries
from storage.queries import checkins as checkin_queries

logger = logging.getLogger(__name__)

FieldRef = tuple[str, int]  # (field, KR id or page): ("value", 12), ("help", 0)


@dataclass(frozen=True)
class Submission:
    """A submitted form as the handler parsed it."""

    view_key: str  # "view:{view.id}:{view.hash}"
    delivery_id: int | None
    page: int
    krs: Mapping[int, KRInput]
    notes: PageNotesInput  # the page's blocker and help request


@dataclass(frozen=True)
class Rejected:
    errors: Mapping[FieldRef, FieldError]


@dataclass(frozen=True)
class Duplicate:
    """This very submission was stored before: nothing more to store. `next_form` is the page
    to show again when the submitted page had a next one (the first answer may be lost)."""

    next_form: CheckinForm | None


@dataclass(frozen=True)
class PromptRef:
    """The prompt message to edit in place."""

    channel_id: str
    ts: str


@dataclass(frozen=True)
class Saved:
    summary: CheckinSummary
    prompt: PromptRef | None
    next_form: CheckinForm | None  # the next page, when the form has one


Outcome = Rejected | Duplicate | Saved


@dataclass(frozen=True)
class _Answer:
    objective: Objective
    kr: KeyResult
    answer: KRAnswer
    existing: CheckIn | None  # this period's row, when editing
    blockers: str
    help_needed: str
    help_from: str  # Slack id of whom to ask when chosen on this page, else ""
    help_from_id: int | None  # whom to ask


def submit(
    db: Database,
    clock: Clock,
    asker: str,
    submission: Submission,
    helper_ids: Mapping[str, int],
) -> Answer[Outcome] | NotMet:
    """Validate and store `submission` by the person with Slack id `asker`, found (and locked)
    in the same transaction (NotMet: okr-bot has not met them yet); `helper_ids` maps the Slack
    ids chosen as "who can help" to people (the handler met them first)."""
    now = clock.now()
    with db.write() as session:
        person = person_in(session, asker, lock=True)
        if person is None:
            return NotMet(asker)
        return Answer(person, _submit(session, now, person, submission, helper_ids))


def _submit(session: Session, now: datetime, person: PersonView, submission: Submission,
            helper_ids: Mapping[str, int]) -> Outcome:
    today = local_dates.local(now, person.tz).date()
    period = period_key(today)
    mine = load_person_krs(session, person.id, today)
    closed = _closed_cycle(session, mine, submission)
    if closed is not None:
        return Rejected({("value", next(iter(submission.krs))):
                         FieldError(ErrorCode.CYCLE_CLOSED, {"cycle": closed.name})})
    read = _read(mine, person, submission, helper_ids)
    if isinstance(read, Rejected):
        return read
    prompt = authorised_delivery(session, person, submission.delivery_id)
    delivery_id = prompt.id if prompt else None
    next_page = submission.page + 1 if submission.page + 1 < len(mine.pages()) else None
    if not audit_queries.claim_inbox(submission.view_key, now, session=session):
        return Duplicate(_next_form(session, person, today, next_page, delivery_id))
    if submission.delivery_id is not None and prompt is None:
        audit_queries.add_audit(
            session=session, at=now, actor=person.slack_user_id,
            action="checkin.prompt_refused", entity="delivery",
            entity_id=str(submission.delivery_id))
    rows = _store(session, person, period, now, read)
    help_requests.announce(session, person, now, [
        help_requests.HelpAsked(item.objective, item.kr, row, item.help_from)
        for item, row in zip(read, rows, strict=True) if row.help_needed])
    follow_along.post(session, person, now, [(item.objective, row) for item, row
                                             in zip(read, rows, strict=True)])
    summary = summary_of([(item.kr, row) for item, row in zip(read, rows, strict=True)],
                         local_dates.local(now, person.tz))
    ref = (PromptRef(prompt.channel_id, prompt.ts)
           if prompt is not None and prompt.channel_id and prompt.ts else None)
    return Saved(summary, ref, _next_form(session, person, today, next_page, delivery_id))


def _closed_cycle(session: Session, mine: PersonKRs, submission: Submission) -> Cycle | None:
    """The closed cycle a submitted KR belongs to (a form left open while its cycle closed).
    Only KRs outside `mine` are asked about: those are all of the current cycle, never closed."""
    elsewhere = [kr_id for kr_id in submission.krs if mine.kr(kr_id) is None]
    return cycle_guard.closed_cycle_of_krs(elsewhere, session=session) if elsewhere else None


def _next_form(session: Session, person: PersonView, today: date, page: int | None,
               delivery_id: int | None) -> CheckinForm | None:
    """The page after the one submitted, as it stands now (None after the last page)."""
    if page is None:
        return None
    mine = load_person_krs(session, person.id, today)
    return build_form(session, mine, period_key(today), page=page, delivery_id=delivery_id)


def _read(
    mine: PersonKRs, person: PersonView, submission: Submission, helper_ids: Mapping[str, int]
) -> list[_Answer] | Rejected:
    """Every answer of the submission, or every field error in it."""
    errors: dict[FieldRef, FieldError] = {}
    page = submission.page
    page_krs = mine.page_krs(page)
    noted = read_page_notes(submission.notes, asker=person.slack_user_id,
                            page_krs=[kr.id for kr in page_krs if kr.id is not None])
    errors.update({(name, page): e for name, e in noted.errors.items()})
    notes = noted.notes
    if notes.help_from and notes.help_from not in helper_ids:
        errors.setdefault(("whom", page), FieldError(ErrorCode.UNKNOWN_PERSON))
    prefill = mine.page_prefill(page)
    answers: list[_Answer] = []
    for kr_id, raw in submission.krs.items():
        found = mine.kr(kr_id)
        if found is None:
            logger.info("check-in: KR %s is not the person's any more; skipped", kr_id)
            continue
        objective, kr = found
        existing = mine.existing.get(kr_id)
        reading = read_kr(_facts(kr, existing), raw,
                          force=existing is not None or notes.about(kr_id))
        errors.update({(name, kr_id): e for name, e in reading.errors.items()})
        if reading.answer is not None:
            blockers, help_needed, helper = _kr_notes(kr_id, notes, prefill, existing)
            help_from = notes.help_from if kr_id == notes.help_kr else ""
            answers.append(_Answer(objective, kr, reading.answer, existing, blockers,
                                   help_needed, help_from,
                                   helper_ids.get(help_from) if help_from else helper))
    if not errors and not answers and submission.krs:
        errors[("value", next(iter(submission.krs)))] = FieldError(ErrorCode.NOTHING)
    return Rejected(errors) if errors or not answers else answers


def _kr_notes(kr_id: int, notes: PageNotes, prefill: PageNotesPrefill,
              existing: CheckIn | None) -> tuple[str, str, int | None]:
    """(blockers, help needed, whom) of one KR after this page: what its pickers say now; ""
    when it was in a picker's pre-filled choice and was taken out; otherwise what it had.
    Whom is None when chosen on this page (the caller maps the Slack id)."""
    blockers = existing.blockers if existing else ""
    if kr_id in notes.blocker_krs:
        blockers = notes.blockers
    elif kr_id in prefill.blocker_krs:
        blockers = ""
    if kr_id == notes.help_kr or kr_id == prefill.help_kr or existing is None:
        return blockers, notes.help_needed if kr_id == notes.help_kr else "", None
    return blockers, existing.help_needed, existing.help_from_person_id


def _facts(kr: KeyResult, existing: CheckIn | None) -> KRFacts:
    last = kr.current_value
    if existing is not None and existing.previous_value is not None:
        last = existing.previous_value
    return KRFacts(KRKind(kr.kind), kr.start_value, kr.target_value, kr.unit, last)


def _store(
    session: Session, person: PersonView, period: str, now: datetime, items: list[_Answer]
) -> list[CheckIn]:
    """Write every answer in a fixed number of statements whatever the number of KRs: new
    check-in rows in one INSERT returning their ids, edited ones in one UPDATE run for each
    (both from plain values: no ORM object is flushed for them), then the KRs' new values (one
    UPDATE run for each), their history and the audit in one statement each
    (tests/scenarios/test_statement_counts.py). Each answer's row comes back as stored."""
    befores = [None if item.existing is None else _audit_state(item.existing) for item in items]
    keys = [idempotency_key(person.id, item.kr.id or 0, period) for item in items]
    written = [_new_checkin(person, period, now, item, key) | _answer_columns(item)
               if item.existing is None else
               {"version": item.existing.version + 1, "updated_at": now} | _answer_columns(item)
               for item, key in zip(items, keys, strict=True)]
    ids = checkin_queries.insert_checkins(
        [columns for item, columns in zip(items, written, strict=True) if item.existing is None],
        session=session)
    checkin_queries.update_checkins(
        [{"id": item.existing.id} | columns
         for item, columns in zip(items, written, strict=True) if item.existing is not None],
        session=session)
    rows = [_as_written(item.existing, columns, ids.get(key))
            for item, columns, key in zip(items, written, keys, strict=True)]
    history: list[dict[str, Any]] = []
    audits: list[dict[str, Any]] = []
    kr_values: list[dict[str, Any]] = []
    for item, row, before in zip(items, rows, befores, strict=True):
        kr, value = item.kr, item.answer.value
        if value != kr.current_value:
            history.append({"key_result_id": row.key_result_id, "at": now, "value": value,
                            "source": "slack", "checkin_id": row.id,
                            "changed_by_id": person.id})
        stored = {"current_value": value, "confidence": row.confidence, "last_checkin_at": now,
                  "updated_at": now}
        kr_values.append({"id": kr.id} | stored)
        _as_stored(kr, **stored)
        audits.append(audit_queries.audit_row(
            at=now, actor=person.slack_user_id,
            action="checkin.create" if before is None else "checkin.update", entity="checkin",
            entity_id=str(row.id), before=before, after=_audit_state(row)))
    checkin_queries.record_kr_values(kr_values, session=session)
    checkin_queries.insert_value_history(history, session=session)
    audit_queries.add_audits(session=session, rows=audits)
    return rows


def _as_written(existing: CheckIn | None, columns: dict[str, Any], new_id: int | None
                ) -> CheckIn:
    """The check-in as `columns` left it: `existing` given them as stored values (nothing for
    the session to flush), or a new row's values with the id the INSERT gave it (never added to
    the session: it is stored already)."""
    if existing is None:
        return CheckIn(id=new_id, **columns)
    _as_stored(existing, **columns)
    return existing


def _as_stored(row: KeyResult | CheckIn, **values: Any) -> None:
    """Give the session's `row` the values a Core statement wrote, as stored ones: the rest of
    the submission reads them, and the session has nothing to flush for them."""
    for column, value in values.items():
        set_committed_value(row, column, value)


def _new_checkin(person: PersonView, period: str, now: datetime, item: _Answer, key: str
                 ) -> dict[str, Any]:
    """The columns of this period's first check-in of `item`'s KR, but the answer's."""
    return {"key_result_id": item.kr.id, "author_id": person.id, "period_key": period,
            "previous_value": item.kr.current_value, "source": "slack", "idempotency_key": key,
            "version": 1, "created_at": now, "updated_at": now}


def _answer_columns(item: _Answer) -> dict[str, Any]:
    """The columns of a check-in that hold `item`'s answer (the same keys for a new row and an
    edited one, so each kind is written by one statement)."""
    kr, answer, old = item.kr, item.answer, item.existing
    asked = (item.help_needed, item.help_from_id)
    kept = old if old is not None and (old.help_needed, old.help_from_person_id) == asked else None
    return {
        "value": answer.value,
        "confidence": answer.confidence.value if answer.confidence else kr.confidence,
        "progress": answer.note, "blockers": item.blockers, "help_needed": item.help_needed,
        "help_from_person_id": item.help_from_id, "about_objective": False,
        # the same request keeps its answer; a new one is not answered yet
        "help_answer": kept.help_answer if kept else None,
        "help_answered_at": kept.help_answered_at if kept else None,
    }


def _audit_state(row: CheckIn) -> str:
    """What the audit keeps of a check-in: numbers and choices, not what people wrote."""
    return json.dumps({"kr": row.key_result_id, "value": row.value, "confidence": row.confidence,
                       "version": row.version, "help": bool(row.help_needed)})
