"""Parse the review payloads (the modal's state, its buttons, `/okr cycle …`) into typed values.

Block and action ids of the modal are "<prefix>.<id>" (bot/ids.py): a KR id for score,
cause and note, the Objective id for its lessons.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import ids
from bot.domain.review_rules import KRReviewInput
from bot.domain.row_ids import row_id
from bot.services.review.answers import FieldRef, ReviewSubmission
from handlers.payloads import item_fields, text_of, user_id, view_key, view_metadata

KR_FIELDS = {ids.REVIEW_SCORE: "score", ids.REVIEW_CAUSE: "cause_kind",
             ids.REVIEW_NOTE: "cause_note"}
NOTE_FIELDS = {ids.REVIEW_WORKED: "what_worked", ids.REVIEW_KEEP: "keep",
               ids.REVIEW_AVOID: "avoid", ids.REVIEW_LEARNED: "learned"}
ERROR_BLOCKS = {"score": ids.REVIEW_SCORE, "cause": ids.REVIEW_CAUSE, "note": ids.REVIEW_NOTE,
                **{name: prefix for prefix, name in NOTE_FIELDS.items()}}
CARRY_ACTION = re.compile(rf"^{re.escape(ids.REVIEW_CARRY)}\.\d+$")


@dataclass(frozen=True)
class Click:
    """A button: who clicked, its opaque value (a number), where to answer."""

    user_id: str
    trigger_id: str
    value: int | None
    response_url: str | None


def parse_click(body: dict[str, Any]) -> Click:
    actions = body.get("actions") or [{}]
    value = str(actions[0].get("value") or "")
    return Click(user_id(body), str(body.get("trigger_id", "")),
                 row_id(value), body.get("response_url"))


def metadata(cycle_id: int, page: int, objective_id: int) -> str:
    return json.dumps({"c": cycle_id, "p": page, "o": objective_id}, separators=(",", ":"))


def parse_submission(body: dict[str, Any]) -> tuple[str, ReviewSubmission | None]:
    """The submitter's Slack id and the page they submitted (None when it cannot be read)."""
    view = body.get("view") or {}
    meta = view_metadata(view)
    cycle_id, page, objective_id = (row_id(meta.get(k)) for k in "cpo")
    if cycle_id is None or page is None or objective_id is None:
        return user_id(body), None
    values = (view.get("state") or {}).get("values") or {}
    krs = item_fields(values, KR_FIELDS)
    notes = item_fields(values, NOTE_FIELDS).get(objective_id, {})
    return user_id(body), ReviewSubmission(
        view_key=view_key(view),
        cycle_id=cycle_id, page=page, objective_id=objective_id,
        krs={kr_id: KRReviewInput(**{name: text_of(v) for name, v in fields.items()})
             for kr_id, fields in krs.items()},
        notes={name: text_of(v) for name, v in notes.items()})


def error_block(ref: FieldRef) -> str:
    field, item_id = ref
    return f"{ERROR_BLOCKS[field]}.{item_id}"


@dataclass(frozen=True)
class CycleCommand:
    """`/okr cycle new NAME START END`, `close NAME` or `list`; `problem` names a bad date."""

    action: str  # "new" | "close" | "list" | "" (usage)
    name: str = ""
    start: date | None = None
    end: date | None = None
    bad_date: str = ""


def parse_cycle(rest: str) -> CycleCommand:
    words = rest.split()
    action = words[0].lower() if words else ""
    if action == "list" and len(words) == 1:
        return CycleCommand("list")
    if action == "close" and len(words) == 2:
        return CycleCommand("close", words[1])
    if action != "new" or len(words) != 4:
        return CycleCommand("")
    dates: list[date] = []
    for text in words[2:]:
        try:
            dates.append(date.fromisoformat(text))
        except ValueError:
            return CycleCommand("new", words[1], bad_date=text[:40])
    return CycleCommand("new", words[1], dates[0], dates[1])
