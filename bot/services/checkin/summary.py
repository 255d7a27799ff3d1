"""What a check-in says, KR by KR, as people read it: the answered prompt, and the reply in a
team's follow-along thread."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.domain.formatting import format_value
from bot.domain.vocabulary import KRKind
from storage.models import CheckIn, KeyResult

SUMMARY_LINES_PER_BLOCK = 5


@dataclass(frozen=True)
class SummaryLine:
    title: str
    milestone: bool
    before: str
    after: str
    before_done: bool
    after_done: bool
    confidence: str


@dataclass(frozen=True)
class SummaryNotes:
    kr: str
    progress: str
    blockers: str
    help_needed: str


@dataclass(frozen=True)
class CheckinSummary:
    time_text: str  # local wall clock, "10:42"
    count: int
    line_groups: tuple[tuple[SummaryLine, ...], ...]  # a few lines per block, for text limits
    notes: tuple[SummaryNotes, ...]


def summary_of(answered: Sequence[tuple[KeyResult, CheckIn]], when: datetime) -> CheckinSummary:
    """What a check-in says, KR by KR: its value before and after, confidence and notes (the
    answered prompt, and the reply in a team's follow-along thread)."""
    lines = [
        SummaryLine(kr.title, kr.kind == KRKind.MILESTONE,
                    format_value(row.previous_value or 0.0, kr.unit),
                    format_value(_value(kr, row), kr.unit),
                    (row.previous_value or 0.0) >= 1, _value(kr, row) >= 1,
                    row.confidence or "")
        for kr, row in answered
    ]
    groups = tuple(tuple(lines[i:i + SUMMARY_LINES_PER_BLOCK])
                   for i in range(0, len(lines), SUMMARY_LINES_PER_BLOCK))
    notes = tuple(
        SummaryNotes(kr.title, row.progress, row.blockers, row.help_needed)
        for kr, row in answered if row.progress or row.blockers or row.help_needed)
    return CheckinSummary(f"{when.hour:02d}:{when.minute:02d}", len(lines), groups, notes)


def _value(kr: KeyResult, row: CheckIn) -> float:
    return row.value if row.value is not None else kr.current_value
