"""Parse the OKR edit payloads (modal state, buttons) into small typed values."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from bot.domain.okr_draft import (
    KR_SLOTS,
    NEW_KR_KEY,
    EditForm,
    KREditForm,
    KRForm,
    ObjectiveForm,
    kr_field,
    new_kr_key,
)
from bot.domain.row_ids import row_id
from handlers.payloads import (
    FieldValue,
    choices_of,
    element_value,
    text_of,
    user_id,
    view_key,
    view_metadata,
)

State = dict[str, dict[str, Any]]
ARCHIVE_BLOCK = "archive_krs"  # the edit modal's "archive these Key Results" checkboxes
STATE_BLOCK = "state"  # a draft's "keep as draft / make active" choice


@dataclass(frozen=True)
class Submission:
    """A modal submission: who, which view (id + hash for dedupe), and its metadata."""

    user_id: str
    view_id: str
    view_hash: str
    objective_id: int | None  # the Objective being edited (opaque id from private_metadata)
    confirmed: str  # the fingerprint of the draft the coach already warned about
    kr_ids: tuple[int, ...]  # KRs shown in the edit modal
    state: State

    @property
    def inbox_key(self) -> str:
        return view_key({"id": self.view_id, "hash": self.view_hash})


@dataclass(frozen=True)
class ButtonClick:
    """A click on an Objective's button; `value` is an opaque Objective id."""

    user_id: str
    action_id: str
    objective_id: int | None
    action_ts: str
    trigger_id: str
    response_url: str | None
    channel_id: str | None
    in_modal: bool  # clicked inside a modal (view_id names it)
    view_id: str | None

    @property
    def inbox_key(self) -> str:
        return f"action:{self.action_id}:{self.user_id}:{self.objective_id}:{self.action_ts}"


def metadata(*, objective_id: int | None = None, confirmed: str = "",
             kr_ids: tuple[int, ...] = ()) -> str:
    """The modal's private_metadata: opaque ids and the coach marker only."""
    data: dict[str, Any] = {"c": confirmed}
    if objective_id is not None:
        data["o"] = objective_id
        data["k"] = list(kr_ids)
    return json.dumps(data, separators=(",", ":"))


def parse_submission(body: dict[str, Any]) -> Submission:
    view = body.get("view") or {}
    meta = view_metadata(view)
    listed = meta.get("k")
    kr_ids = listed if isinstance(listed, list) else []
    return Submission(
        user_id=user_id(body),
        view_id=str(view.get("id", "")),
        view_hash=str(view.get("hash", "")),
        objective_id=row_id(meta.get("o")),
        confirmed=str(meta.get("c", "")),
        kr_ids=tuple(k for k in map(row_id, kr_ids) if k is not None),
        state=(view.get("state") or {}).get("values") or {},
    )


def parse_click(body: dict[str, Any]) -> ButtonClick:
    action = (body.get("actions") or [{}])[0]
    value = str(action.get("value") or (action.get("selected_option") or {}).get("value", ""))
    container = body.get("container") or {}
    channel = body.get("channel") or {}
    return ButtonClick(
        user_id=user_id(body),
        action_id=str(action.get("action_id", "")),
        objective_id=row_id(value),
        action_ts=str(action.get("action_ts", "")),
        trigger_id=str(body.get("trigger_id", "")),
        response_url=body.get("response_url") or None,
        channel_id=channel.get("id") or container.get("channel_id") or None,
        in_modal=(body.get("view") or {}).get("type") == "modal",
        view_id=(body.get("view") or {}).get("id") or None,
    )


def new_form(state: State) -> ObjectiveForm:
    """The new-Objective modal's state as typed."""
    krs = tuple(_kr_slot(state, str(slot)) for slot in range(1, KR_SLOTS + 1))
    return ObjectiveForm(
        title=_value(state, "title"), description=_value(state, "description"),
        type=_value(state, "type"), owner=_value(state, "owner"),
        parent=_value(state, "parent"), krs=krs, cycle=_value(state, "cycle"),
    )


def edit_form(state: State, kr_ids: tuple[int, ...]) -> EditForm:
    """The edit modal's state as typed; a KR without a target field is a milestone, one
    without an owner field keeps its owner."""
    krs = []
    for kr_id in kr_ids:
        key = f"id{kr_id}"
        target_block, owner_block = kr_field(key, "target"), kr_field(key, "owner")
        krs.append(KREditForm(
            kr_id=kr_id, title=_value(state, kr_field(key, "title")),
            target=_value(state, target_block) if target_block in state else None,
            unit=_value(state, kr_field(key, "unit")),
            owner=_value(state, owner_block) if owner_block in state else None,
            position=_value(state, kr_field(key, "position")),
        ))
    archive = [row_id(value) for value in choices_of(_chosen(state, ARCHIVE_BLOCK))]
    new_slots = sorted(int(b[len("kr" + NEW_KR_KEY):-len("_title")]) for b in state
                       if re.fullmatch(rf"kr{NEW_KR_KEY}\d_title", b))
    return EditForm(
        title=_value(state, "title"), description=_value(state, "description"),
        type=_value(state, "type"), parent=_value(state, "parent"), krs=tuple(krs),
        archive=tuple(k for k in archive if k is not None),
        new_krs=tuple(_kr_slot(state, new_kr_key(slot)) for slot in new_slots),
        activate=_value(state, STATE_BLOCK) == "active",
    )


def _kr_slot(state: State, key: str) -> KRForm:
    """One "Key Result n" slot of a form (new KRs), as typed."""
    return KRForm(
        title=_value(state, kr_field(key, "title")), kind=_value(state, kr_field(key, "kind")),
        start=_value(state, kr_field(key, "start")),
        target=_value(state, kr_field(key, "target")), unit=_value(state, kr_field(key, "unit")),
    )


def _value(state: State, block_id: str) -> str:
    """The text typed, the option or the user picked in input block `block_id`."""
    return text_of(_chosen(state, block_id))


def _chosen(state: State, block_id: str) -> FieldValue:
    """What the one element of input block `block_id` holds."""
    element = next(iter((state.get(block_id) or {}).values()), None)
    return element_value(element if isinstance(element, dict) else {})
