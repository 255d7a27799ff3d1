"""The only place that digs into Slack payloads: small typed values out."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.domain.row_ids import row_id
from bot.domain.text import without_controls

_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
# A Slack-escaped reference such as `<@U1|Emma Schulz>` is one word, spaces and all.
_TOKEN = re.compile(r"<[^>]*>|[^\s<]+")
_CHANNEL = re.compile(r"^<#(C[A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class SlashCommand:
    """`/okr <verb> <rest>` as the bot understands it."""

    user_id: str
    channel_id: str
    verb: str
    rest: str
    trigger_id: str
    raw_text: str
    response_url: str = ""  # for replies after the ack (up to 5 within 30 minutes)


def parse_command(body: dict[str, Any]) -> SlashCommand:
    """Split the command text into its first word (lower-cased) and the rest (control
    characters left out, `without_controls`)."""
    text = " ".join(without_controls(str(body.get("text", ""))).split())
    tokens = _TOKEN.findall(text)
    verb = tokens[0] if tokens else ""
    rest = text[len(verb):].strip()
    return SlashCommand(
        user_id=str(body["user_id"]),
        channel_id=str(body.get("channel_id", "")),
        verb=verb.lower() if not verb.startswith("<") else verb,
        rest=rest,
        trigger_id=str(body.get("trigger_id", "")),
        raw_text=text,
        response_url=str(body.get("response_url", "")),
    )


def user_reference(token: str) -> str | None:
    """`<@U123|ana>` or `<@U123>` (how Slack escapes a mention) → `U123`."""
    match = _USER.match(token)
    return match.group(1) if match else None


def channel_reference(token: str) -> str | None:
    """`<#C123|general>` or `<#C123>` → `C123`."""
    match = _CHANNEL.match(token)
    return match.group(1) if match else None


def user_id(body: dict[str, Any]) -> str:
    """The acting user of any interactive payload or event."""
    if "user_id" in body:
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, dict):
        return str(user["id"])
    return str(body.get("event", {}).get("user", ""))


def home_tab_user(event: dict[str, Any]) -> str | None:
    """The user who opened the Home tab (`app_home_opened`); None for the Messages tab."""
    if event.get("tab", "home") != "home" or not event.get("user"):
        return None
    return str(event["user"])



FieldValue = str | tuple[str, ...]


def view_metadata(view: Mapping[str, Any]) -> dict[str, Any]:
    """A modal's private_metadata as a dict ({} when it is missing or not a JSON object)."""
    try:
        meta = json.loads(view.get("private_metadata") or "{}")
    except json.JSONDecodeError:
        return {}
    return meta if isinstance(meta, dict) else {}


def text_of(value: FieldValue | None) -> str:
    """A field's value as text ("" for choices or nothing)."""
    return value if isinstance(value, str) else ""


def choices_of(value: FieldValue | None) -> tuple[str, ...]:
    """A field's chosen values (() for text or nothing)."""
    return value if isinstance(value, tuple) else ()


def view_key(view: Mapping[str, Any]) -> str:
    """The dedupe key of one submission of a modal: its id and hash."""
    return f"view:{view.get('id', '')}:{view.get('hash', '')}"


def element_value(element: Mapping[str, Any]) -> FieldValue:
    """What an input element holds: the text typed, the option or user picked, or the values
    of the options ticked or chosen (checkboxes, multi-selects); control characters other than
    tab and newline left out (`without_controls`)."""
    if "selected_options" in element or "selected_users" in element:
        chosen = element.get("selected_options") or element.get("selected_users") or []
        return tuple(_text(o.get("value") if isinstance(o, dict) else o)
                     for o in chosen) if isinstance(chosen, list) else ()
    if "selected_user" in element:
        return _text(element.get("selected_user"))
    if "selected_option" in element:
        return _text((element.get("selected_option") or {}).get("value"))
    return _text(element.get("value"))


def _text(value: Any) -> str:
    return without_controls(str(value or ""))


def item_fields(
    values: Mapping[str, Any], fields: Mapping[str, str]
) -> dict[int, dict[str, FieldValue]]:
    """The inputs of a modal whose block ids are "<prefix>.<row id>", for the prefixes in
    `fields`: by row id, each a dict of field name → value."""
    found: dict[int, dict[str, FieldValue]] = {}
    for block_id, actions in values.items():
        prefix, _, raw_id = str(block_id).rpartition(".")
        item_id = row_id(raw_id)
        if item_id is None or prefix not in fields or not isinstance(actions, dict):
            continue
        element = actions.get(block_id)
        found.setdefault(item_id, {})[fields[prefix]] = element_value(
            element if isinstance(element, dict) else {})
    return found
