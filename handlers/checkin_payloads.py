"""Parse the check-in payloads (the open button, the modal's state) into small typed values.

Block and action ids of the modal are "<prefix>.<id>" (bot/ids.py): a KR id for value,
confidence, "no change" and the KR's note; the page number for the page's blocker, help
request and their KR pickers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.domain.checkin_input import NO_CHANGE, KRInput, PageNotesInput
from bot.domain.row_ids import row_id
from bot.services.checkin.save import FieldRef, Submission
from handlers.payloads import (
    choices_of,
    item_fields,
    text_of,
    user_id,
    view_key,
    view_metadata,
)

KR_FIELDS = {ids.CHECKIN_VALUE: "value", ids.CHECKIN_NO_CHANGE: "no_change",
             ids.CHECKIN_CONFIDENCE: "confidence", ids.CHECKIN_PROGRESS: "note"}
PAGE_FIELDS = {ids.CHECKIN_BLOCKERS: "blockers", ids.CHECKIN_BLOCKER_KRS: "blocker_krs",
               ids.CHECKIN_HELP: "help_needed", ids.CHECKIN_HELP_KR: "help_kr",
               ids.CHECKIN_WHOM: "help_from"}
# Where a field error is shown: the input block of that field.
ERROR_BLOCKS = {"value": ids.CHECKIN_VALUE, "confidence": ids.CHECKIN_CONFIDENCE,
                "note": ids.CHECKIN_PROGRESS, "blockers": ids.CHECKIN_BLOCKERS,
                "blocker_krs": ids.CHECKIN_BLOCKER_KRS, "help": ids.CHECKIN_HELP,
                "help_kr": ids.CHECKIN_HELP_KR, "whom": ids.CHECKIN_WHOM}


@dataclass(frozen=True)
class OpenRequest:
    """A click on "Check in": from a prompt (value = its delivery id) or the App Home."""

    user_id: str
    trigger_id: str
    delivery_id: int | None
    response_url: str | None
    from_home: bool  # clicked on the App Home, which stays on screen under the modal


def parse_open(body: dict[str, Any]) -> OpenRequest:
    actions = body.get("actions") or [{}]
    view = body.get("view")
    return OpenRequest(user_id(body), str(body.get("trigger_id", "")),
                       row_id(actions[0].get("value")), body.get("response_url"),
                       from_home=isinstance(view, dict) and view.get("type") == "home")


def metadata(delivery_id: int | None, page: int, from_home: bool) -> str:
    """The modal's private_metadata: the prompt's opaque delivery id, the page shown, and
    (`h`) whether it was opened from the App Home."""
    meta: dict[str, Any] = {"d": delivery_id, "p": page}
    if from_home:
        meta["h"] = 1
    return json.dumps(meta, separators=(",", ":"))


def parse_submission(body: dict[str, Any]) -> tuple[str, Submission]:
    """The submitter's Slack id and what they submitted."""
    view = body.get("view") or {}
    meta = view_metadata(view)
    page = row_id(meta.get("p"))
    values = (view.get("state") or {}).get("values") or {}
    krs = item_fields(values, KR_FIELDS)
    notes = item_fields(values, PAGE_FIELDS).get(page or 0, {})
    submission = Submission(
        view_key=view_key(view),
        delivery_id=row_id(meta.get("d")),
        page=page or 0,
        krs={kr_id: KRInput(text_of(f.get("value")), NO_CHANGE in choices_of(f.get("no_change")),
                            text_of(f.get("confidence")), text_of(f.get("note")))
             for kr_id, f in krs.items()},
        notes=PageNotesInput(
            text_of(notes.get("blockers")), choices_of(notes.get("blocker_krs")),
            text_of(notes.get("help_needed")), text_of(notes.get("help_kr")),
            text_of(notes.get("help_from"))),
    )
    return user_id(body), submission


def opened_from_home(body: dict[str, Any]) -> bool:
    """Whether the submitted form was opened from the App Home (`metadata`'s `h`)."""
    return view_metadata(body.get("view") or {}).get("h") == 1


def error_block(ref: FieldRef) -> str:
    field, item_id = ref
    return f"{ERROR_BLOCKS[field]}.{item_id}"
