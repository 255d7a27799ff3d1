"""Block Kit limits (SLACK.md), checked on every payload the fake Slack receives and in tests."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, Literal

Surface = Literal["message", "modal", "home"]

MAX_BLOCKS = {"message": 50, "modal": 100, "home": 100}
TEXT_LIMITS = {"section": 3000, "header": 150, "context": 2000}
BUTTON_TEXT = 75
FIELD_TEXT = 2000
MAX_FIELDS = 10
ID_LENGTH = 255
MODAL_TITLE = 24
PRIVATE_METADATA = 3000
MAX_OPTIONS = 100
FALLBACK_TEXT = 4000
VIEW_BYTES = 250_000


def violations(payload: dict[str, Any], surface: Surface) -> list[str]:
    """Every Block Kit limit that `payload` (a message or a view) breaks, as readable lines."""
    problems: list[str] = []
    blocks = payload.get("blocks") or []
    if len(blocks) > MAX_BLOCKS[surface]:
        problems.append(f"{len(blocks)} blocks > {MAX_BLOCKS[surface]} for a {surface}")
    if surface == "message" and len(str(payload.get("text", ""))) > FALLBACK_TEXT:
        problems.append(f"fallback text longer than {FALLBACK_TEXT}")
    if surface != "message":
        problems.extend(_view_problems(payload))
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for index, block in enumerate(blocks):
        problems.extend(_block_problems(index, block, block_ids, action_ids))
    return problems


def _view_problems(view: dict[str, Any]) -> Iterator[str]:
    if len(json.dumps(view, ensure_ascii=False).encode()) > VIEW_BYTES:
        yield f"view larger than {VIEW_BYTES} bytes"
    for key in ("title", "submit", "close"):
        text = (view.get(key) or {}).get("text", "")
        if len(text) > MODAL_TITLE:
            yield f"{key} {text!r} longer than {MODAL_TITLE}"
    if len(view.get("private_metadata", "")) > PRIVATE_METADATA:
        yield f"private_metadata longer than {PRIVATE_METADATA}"


def _block_problems(
    index: int, block: dict[str, Any], block_ids: set[str], action_ids: set[str]
) -> Iterator[str]:
    where = f"blocks[{index}]"
    kind = block.get("type", "")
    yield from _id_problems(f"{where}.block_id", block.get("block_id"), block_ids)
    text = (block.get("text") or {}).get("text", "")
    limit = TEXT_LIMITS.get(kind)
    if limit and len(text) > limit:
        yield f"{where} {kind} text {len(text)} > {limit}"
    if kind == "section" and not text and not block.get("fields"):
        yield f"{where} section needs text or fields"
    fields = block.get("fields") or []
    if len(fields) > MAX_FIELDS:
        yield f"{where} has {len(fields)} fields > {MAX_FIELDS}"
    for field in fields:
        if len(field.get("text", "")) > FIELD_TEXT:
            yield f"{where} field text > {FIELD_TEXT}"
    for element in _elements(block):
        yield from _element_problems(where, element, action_ids)


def _id_problems(what: str, value: str | None, seen: set[str]) -> Iterator[str]:
    """A block or action id too long, or used twice in one view or message."""
    if value is None:
        return
    if len(value) > ID_LENGTH:
        yield f"{what} too long"
    if value in seen:
        yield f"{what} {value!r} repeated"
    seen.add(value)


def _elements(block: dict[str, Any]) -> Iterator[dict[str, Any]]:
    if "accessory" in block:
        yield block["accessory"]
    if "element" in block:
        yield block["element"]
    if block.get("type") in ("actions", "context"):
        yield from block.get("elements", [])


def _element_problems(
    where: str, element: dict[str, Any], action_ids: set[str]
) -> Iterator[str]:
    yield from _id_problems(f"{where} action_id", element.get("action_id"), action_ids)
    if element.get("type") == "button" and len(element["text"]["text"]) > BUTTON_TEXT:
        yield f"{where} button text longer than {BUTTON_TEXT}"
    if len(element.get("options", [])) > MAX_OPTIONS:
        yield f"{where} more than {MAX_OPTIONS} options"
    if element.get("type") == "plain_text_input" and element.get("max_length", 0) > 3000:
        yield f"{where} max_length above 3000"
