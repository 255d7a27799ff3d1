"""Fill in the check-in modal as Slack reports it: `view.state.values` keyed by block id."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import ids

State = dict[str, dict[str, Any]]


def _put(state: State, block_id: str, element: dict[str, Any]) -> None:
    state[block_id] = {block_id: element}


def answer_kr(state: State, kr_id: int | None, value: str | None = None, *,
              confidence: str | None = None, no_change: bool = False,
              milestone: bool = False, note: str | None = None) -> State:
    """One KR's fields: typed value (or done / not_done), confidence, "no change", note."""
    value_id = f"{ids.CHECKIN_VALUE}.{kr_id}"
    if milestone:
        _put(state, value_id, {"type": "static_select",
                               "selected_option": {"value": value} if value else None})
    else:
        _put(state, value_id, {"type": "plain_text_input", "value": value})
    chosen = {"value": confidence} if confidence else None
    _put(state, f"{ids.CHECKIN_CONFIDENCE}.{kr_id}",
         {"type": "static_select", "selected_option": chosen})
    _put(state, f"{ids.CHECKIN_NO_CHANGE}.{kr_id}",
         {"type": "checkboxes", "selected_options": [{"value": "same"}] if no_change else []})
    _put(state, f"{ids.CHECKIN_PROGRESS}.{kr_id}", {"type": "plain_text_input", "value": note})
    return state


def notes(state: State, *, page: int = 0, blockers: str | None = None,
          blocker_krs: Sequence[int | None] = (), help_needed: str | None = None,
          help_kr: int | None = None, whom: str | None = None) -> State:
    """The page's blocker and help request (None = left empty, as Slack sends it)."""
    for prefix, text in ((ids.CHECKIN_BLOCKERS, blockers), (ids.CHECKIN_HELP, help_needed)):
        _put(state, f"{prefix}.{page}", {"type": "plain_text_input", "value": text})
    _put(state, f"{ids.CHECKIN_BLOCKER_KRS}.{page}", {
        "type": "multi_static_select",
        "selected_options": [{"value": str(kr_id)} for kr_id in blocker_krs]})
    _put(state, f"{ids.CHECKIN_HELP_KR}.{page}", {
        "type": "static_select",
        "selected_option": {"value": str(help_kr)} if help_kr is not None else None})
    _put(state, f"{ids.CHECKIN_WHOM}.{page}", {"type": "users_select", "selected_user": whom})
    return state


def blank_form(view: dict[str, Any]) -> State:
    """Every input of a rendered modal left as Slack would report it untouched."""
    state: State = {}
    for block in view["blocks"]:
        element = block.get("element") or block.get("accessory")
        if element is None or "block_id" not in block:
            continue
        initial: dict[str, Any] = {"type": element["type"]}
        if element["type"] == "plain_text_input":
            initial["value"] = element.get("initial_value")
        elif element["type"] == "static_select":
            initial["selected_option"] = element.get("initial_option")
        elif element["type"] == "multi_static_select":
            initial["selected_options"] = element.get("initial_options", [])
        elif element["type"] == "users_select":
            initial["selected_user"] = element.get("initial_user")
        elif element["type"] == "checkboxes":
            initial["selected_options"] = element.get("initial_options", [])
        _put(state, block["block_id"], initial)
    return state
