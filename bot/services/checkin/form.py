"""The check-in form: a person's KRs of the current cycle, grouped by Objective, with the
values they had last time, paged to fit Block Kit (see `bot/domain/checkin_layout.py`).

Every answer is about one KR: its value, confidence and note on the KR's block; a blocker and
a help request per page, each with a picker of the page's KRs. When the person already checked
in this period (the ISO week of their local date) the form is pre-filled with that check-in
and says so: saving it again edits it. `checkin_save` validates and stores a submitted form.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from bot.clock import Clock
from bot.domain import local_dates
from bot.domain.checkin_input import (
    DONE,
    MAX_TEXT,
    NO_CHANGE,
    NOT_DONE,
    period_key,
    period_monday,
)
from bot.domain.checkin_layout import Chunk, paginate
from bot.domain.formatting import format_number, format_value
from bot.domain.numbers import MAX_VALUE_TEXT
from bot.domain.vocabulary import KRKind
from bot.services.people import PersonView
from storage.db import Database
from storage.models import CheckIn, Delivery, KeyResult, Objective
from storage.queries import checkins as checkin_queries
from storage.queries import cycles as cycle_queries
from storage.queries import people as people_queries

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class KRRow:
    """One KR in the form: what it had last time and what the form starts with."""

    id: int
    title: str
    milestone: bool
    last_text: str  # the last value with its unit (metrics)
    last_done: bool  # the last state (milestones)
    last_confidence: str  # "" when never given
    value: str  # pre-filled value: a number, or DONE / NOT_DONE; "" for none
    confidence: str  # pre-filled confidence, "" for none
    note: str = ""  # pre-filled note about this KR


@dataclass(frozen=True)
class ObjectiveSection:
    """An Objective's KRs on this page."""

    id: int
    title: str
    krs: tuple[KRRow, ...]


@dataclass(frozen=True)
class PageNotesPrefill:
    """What the page's blocker and help inputs start with: this period's first blocker (and
    every KR of the page that has that same blocker), its first help request. Saving uses it
    too: a KR taken out of a picker loses the note the picker showed."""

    blockers: str = ""
    blocker_krs: tuple[int, ...] = ()
    help_needed: str = ""
    help_kr: int | None = None
    help_from_person_id: int | None = None


@dataclass(frozen=True)
class PageFooter:
    """The page's blocker and help inputs: the KRs to pick from and what they start with."""

    krs: tuple[tuple[int, str], ...]  # (KR id, title) in page order
    prefill: PageNotesPrefill
    help_from: str = ""  # Slack user id of the pre-filled helper


@dataclass(frozen=True)
class CheckinForm:
    cycle_name: str
    period: str
    editing: bool  # this period's check-in exists and pre-fills the form
    page: int  # 0-based
    page_count: int
    sections: tuple[ObjectiveSection, ...]
    delivery_id: int | None  # the prompt this form answers (already authorised)
    footer: PageFooter | None = None

    @property
    def week_start(self) -> date:
        """The Monday of the form's period: people read "week of Nov 30", never "2026-W49"."""
        return period_monday(self.period)

    # The domain's marker and limits, for the template.
    no_change_value = NO_CHANGE
    max_text = MAX_TEXT
    max_value_text = MAX_VALUE_TEXT

    @property
    def page_number(self) -> int:
        return self.page + 1

    @property
    def has_next(self) -> bool:
        return self.page + 1 < self.page_count


@dataclass(frozen=True)
class PersonKRs:
    """The person's KRs of the current cycle, grouped by Objective, and this period's rows."""

    cycle_name: str
    groups: tuple[tuple[Objective, tuple[KeyResult, ...]], ...]
    existing: dict[int, CheckIn]  # this period's check-in per KR id

    def kr(self, kr_id: int) -> tuple[Objective, KeyResult] | None:
        for objective, krs in self.groups:
            for kr in krs:
                if kr.id == kr_id:
                    return objective, kr
        return None

    def pages(self) -> list[list[Chunk]]:
        return paginate([len(krs) for _, krs in self.groups])

    def page_krs(self, page: int) -> tuple[KeyResult, ...]:
        """The KRs page `page` shows, in order (none for a page beyond the last)."""
        pages = self.pages()
        if not 0 <= page < len(pages):
            return ()
        return tuple(kr for chunk in pages[page]
                     for kr in self.groups[chunk.objective][1][chunk.start:chunk.stop])

    def page_prefill(self, page: int) -> PageNotesPrefill:
        """The page's blocker and help request as this period's check-ins have them."""
        rows = [self.existing[kr.id] for kr in self.page_krs(page)
                if kr.id is not None and kr.id in self.existing]
        blocked = next((row.blockers for row in rows if row.blockers), "")
        asking = next((row for row in rows if row.help_needed), None)
        return PageNotesPrefill(
            blocked,
            tuple(row.key_result_id for row in rows if blocked and row.blockers == blocked),
            asking.help_needed if asking else "",
            asking.key_result_id if asking else None,
            asking.help_from_person_id if asking else None)


def idempotency_key(person_id: int, kr_id: int, period: str) -> str:
    """The key that makes a person's check-in on a KR one row per period."""
    return f"slack:{person_id}:{kr_id}:{period}"


def local_today(clock: Clock, tz: str) -> date:
    return local_dates.local(clock.now(), tz).date()


def load_form(
    db: Database, clock: Clock, person: PersonView, *, delivery_id: int | None, page: int = 0
) -> CheckinForm:
    """The form `person` sees now, pre-filled with this period's check-in if there is one."""
    today = local_today(clock, person.tz)
    with db.read() as session:
        mine = load_person_krs(session, person.id, today)
        prompt = authorised_delivery(session, person, delivery_id)
        return build_form(session, mine, period_key(today), page=page,
                          delivery_id=prompt.id if prompt else None)


def load_person_krs(session: Session, person_id: int, today: date) -> PersonKRs:
    """Three statements: the cycle, the KRs with their Objectives, this period's check-ins."""
    cycle = cycle_queries.current_cycle(session=session, today=today)
    if cycle is None or cycle.id is None:
        return PersonKRs("", (), {})
    rows = checkin_queries.checkin_key_results(
        session=session, cycle_id=cycle.id, person_id=person_id)
    groups: dict[int, tuple[Objective, list[KeyResult]]] = {}
    for objective, kr in rows:
        assert objective.id is not None
        groups.setdefault(objective.id, (objective, []))[1].append(kr)
    period = period_key(today)
    keys = {idempotency_key(person_id, kr.id, period): kr.id for _, kr in rows
            if kr.id is not None}
    found = checkin_queries.checkins_by_keys(session=session, keys=keys)
    existing = {keys[key]: row for key, row in found.items()}
    return PersonKRs(cycle.name, tuple((o, tuple(krs)) for o, krs in groups.values()), existing)


def authorised_delivery(
    session: Session, person: PersonView, delivery_id: int | None
) -> Delivery | None:
    """The prompt `delivery_id` if it was sent to `person`; a foreign id is refused (logged)."""
    if delivery_id is None:
        return None
    delivery = session.get(Delivery, delivery_id)
    if delivery is None or delivery.person_id != person.id:
        logger.warning("check-in: delivery %s refused for person %s", delivery_id, person.id)
        return None
    return delivery


def build_form(
    session: Session, mine: PersonKRs, period: str, *, page: int, delivery_id: int | None
) -> CheckinForm:
    """Page `page` (clamped) of the form."""
    pages = mine.pages()
    page = min(max(page, 0), len(pages) - 1)
    sections = tuple(_section(mine, chunk) for chunk in pages[page])
    footer = None
    if sections:
        prefill = mine.page_prefill(page)
        helpers = _helper_slack_ids(session, prefill.help_from_person_id)
        footer = PageFooter(tuple((kr.id or 0, kr.title) for kr in mine.page_krs(page)),
                            prefill, helpers.get(prefill.help_from_person_id or 0, ""))
    return CheckinForm(mine.cycle_name, period, bool(mine.existing), page, len(pages), sections,
                       delivery_id, footer)


def _section(mine: PersonKRs, chunk: Chunk) -> ObjectiveSection:
    objective, krs = mine.groups[chunk.objective]
    assert objective.id is not None
    rows = tuple(_kr_row(kr, mine.existing.get(kr.id or 0))
                 for kr in krs[chunk.start:chunk.stop])
    return ObjectiveSection(objective.id, objective.title, rows)


def _kr_row(kr: KeyResult, existing: CheckIn | None) -> KRRow:
    assert kr.id is not None
    milestone = kr.kind == KRKind.MILESTONE
    last = kr.current_value
    value = confidence = note = ""
    if existing is not None:
        note = existing.progress
        last = existing.previous_value if existing.previous_value is not None else last
        confidence = existing.confidence or ""
        if existing.value is not None:
            value = ((DONE if existing.value >= 1 else NOT_DONE) if milestone
                     else format_number(existing.value, decimals=6))
    return KRRow(kr.id, kr.title, milestone, format_value(last, kr.unit), last >= 1,
                 kr.confidence or "", value, confidence, note)


def _helper_slack_ids(session: Session, person_id: int | None) -> dict[int, str]:
    if person_id is None:
        return {}
    people = people_queries.people_by_ids(session=session, ids=[person_id])
    return {pid: p.slack_user_id for pid, p in people.items()}
