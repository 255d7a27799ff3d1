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
from handlers.payloads import user_id

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


def parse_open(body: dict[str, Any]) -> OpenRequest:
    actions = body.get("actions") or [{}]
    return OpenRequest(user_id(body), str(body.get("trigger_id", "")),
                       row_id(actions[0].get("value")), body.get("response_url"))


def metadata(delivery_id: int | None, page: int) -> str:
    """The modal's private_metadata: the prompt's opaque delivery id and the page shown."""
    return json.dumps({"d": delivery_id, "p": page}, separators=(",", ":"))


def parse_submission(body: dict[str, Any]) -> tuple[str, Submission]:
    """The submitter's Slack id and what they submitted."""
    view = body.get("view") or {}
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        meta = {}
    meta = meta if isinstance(meta, dict) else {}
    page = row_id(meta.get("p"))
    krs: dict[int, dict[str, Any]] = {}
    notes: dict[str, Any] = {}
    values = (view.get("state") or {}).get("values") or {}
    for block_id, actions in values.items():
        prefix, _, raw_id = str(block_id).rpartition(".")
        item_id = row_id(raw_id)
        if item_id is None or not isinstance(actions, dict):
            continue
        element = actions.get(block_id) or {}
        if prefix in KR_FIELDS:
            krs.setdefault(item_id, {})[KR_FIELDS[prefix]] = _element_value(element)
        elif prefix in PAGE_FIELDS and item_id == (page or 0):
            notes[PAGE_FIELDS[prefix]] = _element_value(element)
    submission = Submission(
        view_key=f"view:{view.get('id', '')}:{view.get('hash', '')}",
        delivery_id=row_id(meta.get("d")),
        page=page or 0,
        krs={kr_id: KRInput(str(f.get("value", "")), f.get("no_change") is True,
                            str(f.get("confidence", "")), str(f.get("note", "")))
             for kr_id, f in krs.items()},
        notes=PageNotesInput(
            str(notes.get("blockers", "")), _choices(notes.get("blocker_krs")),
            str(notes.get("help_needed", "")), str(notes.get("help_kr", "")),
            str(notes.get("help_from", ""))),
    )
    return user_id(body), submission


def error_block(ref: FieldRef) -> str:
    field, item_id = ref
    return f"{ERROR_BLOCKS[field]}.{item_id}"


def _choices(value: object) -> tuple[str, ...]:
    return tuple(value) if isinstance(value, tuple) else ()


def _element_value(element: dict[str, Any]) -> str | bool | tuple[str, ...]:
    """Text typed, option(s) chosen, user picked, or whether "no change" is ticked."""
    kind = element.get("type")
    if kind == "checkboxes":
        return any(o.get("value") == NO_CHANGE for o in element.get("selected_options") or [])
    if kind == "multi_static_select":
        chosen = element.get("selected_options")
        return tuple(str(o.get("value") or "") for o in chosen if isinstance(o, dict)) \
            if isinstance(chosen, list) else ()
    if kind == "users_select":
        return str(element.get("selected_user") or "")
    if kind in ("static_select", "radio_buttons"):
        return str((element.get("selected_option") or {}).get("value") or "")
    return str(element.get("value") or "")
