"""Reading what a person typed into the check-in modal: numbers, choices, notes.

Pure functions. A problem comes back as a `FieldError` (a code plus parameters) keyed by the
field it belongs to; the handler words it in the person's language. Nothing here knows
Slack, SQL or Jinja.

Rules:
- A value may be typed with full-width digits (１２３), grouped thousands ("1,234", "1 234"),
  a percent sign ("45%") or the KR's own unit ("600 leads", "3,000人", "$1,200").
- A value is refused when it is not a finite number, negative for a KR whose start and target
  are both non-negative, or further than `RANGE_FACTOR` × the KR's scale from zero.
- A KR counts as answered when a value is given, "no change" is ticked, a confidence is
  chosen or a note written; or when the caller forces it (a KR already checked in this period,
  or one a blocker or help request of the page is about). A blank value keeps the last value.
- Notes (a KR's note, the page's blocker and help needed) are at most `MAX_TEXT` characters.
  A blocker or help request is about KRs of the page: chosen with the KR picker, or the only KR
  of the page. Naming whom to ask for help needs a help text; a person cannot ask themselves.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from bot.domain.formatting import format_number
from bot.domain.numbers import parse_number
from bot.domain.vocabulary import Confidence, KRKind

MAX_TEXT = 3000
RANGE_FACTOR = 1000.0
DONE = "done"
NOT_DONE = "not_done"
NO_CHANGE = "same"  # the value of the ticked "no change" checkbox



class ErrorCode(StrEnum):
    """Every problem a check-in field can have; each has a text per locale."""

    NOT_A_NUMBER = "not_a_number"
    NEGATIVE = "negative"
    OUT_OF_RANGE = "out_of_range"
    NOT_A_CHOICE = "not_a_choice"
    CONFLICT = "conflict"  # "no change" ticked and a different value typed
    TOO_LONG = "too_long"
    HELP_MISSING = "help_missing"  # whom to ask, but not what for
    HELP_SELF = "help_self"
    UNKNOWN_PERSON = "unknown_person"  # whom to ask is not someone Slack knows
    WHICH_KR = "which_kr"  # a blocker or help request with several KRs and none chosen
    NOTHING = "nothing"  # the whole form is blank
    CYCLE_CLOSED = "cycle_closed"  # the KR's cycle was closed: it is read-only


@dataclass(frozen=True)
class FieldError:
    code: ErrorCode
    params: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class KRFacts:
    """What validating a KR's answer needs to know about the KR."""

    kind: KRKind
    start: float
    target: float
    unit: str
    last: float  # the value shown as "last" (kept when the value is left blank)


@dataclass(frozen=True)
class KRInput:
    """One KR's fields as typed: `value` is the text, or the chosen option of a milestone."""

    value: str = ""
    no_change: bool = False
    confidence: str = ""
    note: str = ""


@dataclass(frozen=True)
class KRAnswer:
    value: float
    confidence: Confidence | None  # None keeps the KR's confidence
    note: str = ""


@dataclass(frozen=True)
class KRReading:
    answer: KRAnswer | None  # None: the KR was left alone
    errors: Mapping[str, FieldError]  # keyed by "value" or "confidence"


@dataclass(frozen=True)
class PageNotesInput:
    """The page's blocker and help request as typed; KR ids as the pickers sent them."""

    blockers: str = ""
    blocker_krs: tuple[str, ...] = ()
    help_needed: str = ""
    help_kr: str = ""
    help_from: str = ""  # Slack user id chosen in the users_select


@dataclass(frozen=True)
class PageNotes:
    """The page's blocker (on `blocker_krs`) and help request (on `help_kr`), read."""

    blockers: str = ""
    blocker_krs: frozenset[int] = frozenset()
    help_needed: str = ""
    help_kr: int | None = None
    help_from: str = ""

    def about(self, kr_id: int) -> bool:
        """Whether the blocker or the help request is about `kr_id`."""
        return kr_id in self.blocker_krs or kr_id == self.help_kr


@dataclass(frozen=True)
class PageNotesReading:
    notes: PageNotes
    errors: Mapping[str, FieldError]  # keyed by "blockers", "blocker_krs", "help", "help_kr",
    # or "whom"


def period_key(local_day: date) -> str:
    """The check-in period of a local date: its ISO week, e.g. "2026-W49" (a key: people are
    shown `period_monday`, "week of Nov 30")."""
    year, week, _ = local_day.isocalendar()
    return f"{year}-W{week:02d}"


def period_monday(period: str) -> date:
    """The Monday a check-in period starts ("2026-W49" → 2026-11-30)."""
    year, week = period.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def value_bounds(start: float, target: float) -> tuple[float, float]:
    """The accepted range of a metric KR's value."""
    scale = RANGE_FACTOR * max(abs(start), abs(target), 1.0)
    low = 0.0 if min(start, target) >= 0 else -scale
    return low, scale


def check_value(facts: KRFacts, text: str) -> float | FieldError:
    """The value typed for a KR, or why it cannot be stored."""
    if facts.kind is KRKind.MILESTONE:
        if text in (DONE, NOT_DONE):
            return 1.0 if text == DONE else 0.0
        return FieldError(ErrorCode.NOT_A_CHOICE)
    value = parse_number(text, facts.unit)
    if value is None:
        return FieldError(ErrorCode.NOT_A_NUMBER)
    return range_problem(value, facts.start, facts.target) or value


def range_problem(value: float, start: float, target: float) -> FieldError | None:
    """Why a metric KR from `start` to `target` cannot take `value`, or None. The one range
    check: the check-in form and the KR value API both ask it."""
    low, high = value_bounds(start, target)
    if value < 0 <= low:
        return FieldError(ErrorCode.NEGATIVE)
    if not low <= value <= high:
        params = {"low": format_number(low), "high": format_number(high)}
        return FieldError(ErrorCode.OUT_OF_RANGE, params)
    return None


def read_kr(facts: KRFacts, raw: KRInput, *, force: bool = False) -> KRReading:
    """Validate one KR's fields and resolve them into an answer (or none)."""
    errors: dict[str, FieldError] = {}
    text = raw.value.strip()
    note = raw.note.strip()
    value = facts.last
    if text:
        checked = check_value(facts, text)
        if isinstance(checked, FieldError):
            errors["value"] = checked
        elif raw.no_change and checked != facts.last:
            errors["value"] = FieldError(ErrorCode.CONFLICT)
        else:
            value = checked
    confidence: Confidence | None = None
    if raw.confidence:
        try:
            confidence = Confidence(raw.confidence)
        except ValueError:
            errors["confidence"] = FieldError(ErrorCode.NOT_A_CHOICE)
    if len(note) > MAX_TEXT:
        errors["note"] = FieldError(ErrorCode.TOO_LONG, {"limit": str(MAX_TEXT)})
    if errors:
        return KRReading(None, errors)
    answered = force or bool(text) or raw.no_change or confidence is not None or bool(note)
    return KRReading(KRAnswer(value, confidence, note) if answered else None, {})


def read_page_notes(
    raw: PageNotesInput, *, asker: str, page_krs: Sequence[int]
) -> PageNotesReading:
    """Validate the page's blocker and help request; `asker` is the submitter's Slack id and
    `page_krs` the KRs the page shows (a picker naming another is refused)."""
    errors: dict[str, FieldError] = {}
    blockers, help_needed = raw.blockers.strip(), raw.help_needed.strip()
    for name, text in (("blockers", blockers), ("help", help_needed)):
        if len(text) > MAX_TEXT:
            errors[name] = FieldError(ErrorCode.TOO_LONG, {"limit": str(MAX_TEXT)})
    picked = [_kr_choice(choice, page_krs) for choice in raw.blocker_krs]
    blocker_krs = frozenset(kr for kr in picked if kr is not None)
    if None in picked:
        errors["blocker_krs"] = FieldError(ErrorCode.NOT_A_CHOICE)
    elif blockers and not blocker_krs:
        blocker_krs = _only(page_krs)
        if not blocker_krs:
            errors["blocker_krs"] = FieldError(ErrorCode.WHICH_KR)
    help_kr = _kr_choice(raw.help_kr, page_krs) if raw.help_kr else None
    if raw.help_kr and help_kr is None:
        errors["help_kr"] = FieldError(ErrorCode.NOT_A_CHOICE)
    elif help_needed and help_kr is None:
        help_kr = next(iter(_only(page_krs)), None)
        if help_kr is None:
            errors["help_kr"] = FieldError(ErrorCode.WHICH_KR)
    help_from = raw.help_from.strip()
    if help_from and help_from == asker:
        errors["whom"] = FieldError(ErrorCode.HELP_SELF)
    elif help_from and not help_needed and "help" not in errors:
        errors["help"] = FieldError(ErrorCode.HELP_MISSING)
    notes = PageNotes(blockers, blocker_krs if blockers else frozenset(), help_needed,
                      help_kr if help_needed else None, help_from)
    return PageNotesReading(notes, errors)


def _kr_choice(choice: str, page_krs: Sequence[int]) -> int | None:
    """The KR id a picker sent, when it is one of the page's."""
    text = choice.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    kr_id = int(text)
    return kr_id if kr_id in page_krs else None


def _only(page_krs: Sequence[int]) -> frozenset[int]:
    """The page's only KR, when it has exactly one: a note needs no picker then."""
    return frozenset(page_krs) if len(page_krs) == 1 else frozenset()
