"""Parse the check-in payloads (the open button, the modal's state) into small typed values.

Block and action ids of the modal are "<prefix>.<id>" (bot/ids.py): a KR id for value,
confidence and "no change", an Objective id for progress, blockers, help and whom.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.domain.checkin_input import NO_CHANGE, KRInput, NotesInput
from bot.services.checkin.save import FieldRef, Submission
from handlers.payloads import user_id

KR_FIELDS = {ids.CHECKIN_VALUE: "value", ids.CHECKIN_NO_CHANGE: "no_change",
             ids.CHECKIN_CONFIDENCE: "confidence"}
NOTE_FIELDS = {ids.CHECKIN_PROGRESS: "progress", ids.CHECKIN_BLOCKERS: "blockers",
               ids.CHECKIN_HELP: "help_needed", ids.CHECKIN_WHOM: "help_from"}
# Where a field error is shown: the input block of that field.
ERROR_BLOCKS = {"value": ids.CHECKIN_VALUE, "confidence": ids.CHECKIN_CONFIDENCE,
                "progress": ids.CHECKIN_PROGRESS, "blockers": ids.CHECKIN_BLOCKERS,
                "help": ids.CHECKIN_HELP, "whom": ids.CHECKIN_WHOM}


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
                       _opaque_id(actions[0].get("value")), body.get("response_url"))


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
    page = _opaque_id(meta.get("p"))
    krs: dict[int, dict[str, Any]] = {}
    notes: dict[int, dict[str, str]] = {}
    values = (view.get("state") or {}).get("values") or {}
    for block_id, actions in values.items():
        prefix, _, raw_id = str(block_id).rpartition(".")
        item_id = _opaque_id(raw_id)
        if item_id is None or not isinstance(actions, dict):
            continue
        element = actions.get(block_id) or {}
        if prefix in KR_FIELDS:
            krs.setdefault(item_id, {})[KR_FIELDS[prefix]] = _element_value(element)
        elif prefix in NOTE_FIELDS:
            notes.setdefault(item_id, {})[NOTE_FIELDS[prefix]] = str(_element_value(element))
    submission = Submission(
        view_key=f"view:{view.get('id', '')}:{view.get('hash', '')}",
        delivery_id=_opaque_id(meta.get("d")),
        page=page or 0,
        krs={kr_id: KRInput(str(f.get("value", "")), f.get("no_change") is True,
                            str(f.get("confidence", ""))) for kr_id, f in krs.items()},
        notes={objective_id: NotesInput(**f) for objective_id, f in notes.items()},
    )
    return user_id(body), submission


def error_block(ref: FieldRef) -> str:
    field, item_id = ref
    return f"{ERROR_BLOCKS[field]}.{item_id}"


def _opaque_id(value: object) -> int | None:
    """A row id from a button value, metadata or block id: ASCII digits only, else None."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value if value >= 0 else None
    text = str(value) if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() else None


def _element_value(element: dict[str, Any]) -> str | bool:
    """Text typed, option chosen, user picked, or whether "no change" is ticked."""
    kind = element.get("type")
    if kind == "checkboxes":
        return any(o.get("value") == NO_CHANGE for o in element.get("selected_options") or [])
    if kind == "users_select":
        return str(element.get("selected_user") or "")
    if kind in ("static_select", "radio_buttons"):
        return str((element.get("selected_option") or {}).get("value") or "")
    return str(element.get("value") or "")
