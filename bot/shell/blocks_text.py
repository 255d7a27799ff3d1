"""Block Kit as readable text for the console: buttons numbered, inputs listed."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_DATE = re.compile(r"<!date\^\d+\^[^|]*\|([^>]+)>")


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    block_id: str


@dataclass(frozen=True)
class Input:
    """One field of a modal, with what the console needs to ask for it."""

    block_id: str
    action_id: str
    label: str
    kind: str
    optional: bool
    initial: str
    options: tuple[tuple[str, str], ...] = ()
    multiline: bool = False


@dataclass
class Rendered:
    lines: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    inputs: list[Input] = field(default_factory=list)


def display_mrkdwn(text: str, names: Callable[[str], str]) -> str:
    """Slack mrkdwn as a person would read it: mentions as @name, entities unescaped."""
    text = _MENTION.sub(lambda m: "@" + names(m.group(1)), text)
    text = _DATE.sub(lambda m: m.group(1), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render_blocks(
    blocks: list[dict[str, Any]], names: Callable[[str], str], first_button: int = 1
) -> Rendered:
    out = Rendered()
    for block in blocks:
        out.lines.extend(_block_lines(block, names, out, first_button))
    return out


def _text(obj: dict[str, Any] | None, names: Callable[[str], str]) -> str:
    if not obj:
        return ""
    text = str(obj.get("text", ""))
    return display_mrkdwn(text, names) if obj.get("type") == "mrkdwn" else text


def _block_lines(
    block: dict[str, Any], names: Callable[[str], str], out: Rendered, first_button: int
) -> Iterator[str]:
    kind = block.get("type")
    if kind == "header":
        title = _text(block.get("text"), names)
        yield f"== {title} =="
    elif kind == "divider":
        yield "-" * 40
    elif kind == "section":
        if block.get("text"):
            yield from _text(block["text"], names).splitlines()
        for item in block.get("fields", []):
            yield "  " + _text(item, names).replace("\n", " ")
        if "accessory" in block:
            yield from _element_lines(block["accessory"], block, names, out, first_button)
    elif kind == "context":
        parts = [_text(e, names) for e in block.get("elements", []) if "text" in e]
        yield "  " + " · ".join(p.replace("\n", " ") for p in parts)
    elif kind == "actions":
        for element in block.get("elements", []):
            yield from _element_lines(element, block, names, out, first_button)
    elif kind == "input":
        element = block.get("element", {})
        field_ = _input_of(block, element)
        out.inputs.append(field_)
        marker = "" if field_.optional else " *"
        yield f"  [{len(out.inputs)}] {field_.label}{marker}: {field_.initial or '—'}"
    elif kind == "rich_text":
        yield "  " + str(block)[:200]


def _element_lines(
    element: dict[str, Any], block: dict[str, Any], names: Callable[[str], str], out: Rendered,
    first_button: int,
) -> Iterator[str]:
    if element.get("type") == "button":
        button = Button(_text(element.get("text"), names), element.get("action_id", ""),
                        element.get("value", ""), block.get("block_id", ""))
        out.buttons.append(button)
        yield f"  ({first_button + len(out.buttons) - 1}) [ {button.label} ]"
    elif element.get("type") == "overflow":
        for option in element.get("options", []):
            button = Button(_text(option.get("text"), names), element.get("action_id", ""),
                            option.get("value", ""), block.get("block_id", ""))
            out.buttons.append(button)
            yield f"  ({first_button + len(out.buttons) - 1}) [ {button.label} ]"


def _input_of(block: dict[str, Any], element: dict[str, Any]) -> Input:
    kind = str(element.get("type", ""))
    options = tuple(
        (str(o["value"]), str(o["text"]["text"])) for o in element.get("options", [])
    )
    initial = ""
    if "initial_value" in element:
        initial = str(element["initial_value"])
    elif "initial_option" in element:
        initial = str(element["initial_option"]["value"])
    elif "initial_user" in element:
        initial = str(element["initial_user"])
    elif "initial_options" in element:
        initial = ",".join(str(o["value"]) for o in element["initial_options"])
    elif "initial_date" in element:
        initial = str(element["initial_date"])
    return Input(
        block_id=str(block.get("block_id", "")),
        action_id=str(element.get("action_id", "")),
        label=str(block.get("label", {}).get("text", "")),
        kind=kind,
        optional=bool(block.get("optional", False)),
        initial=initial,
        options=options,
        multiline=bool(element.get("multiline", False)),
    )


def state_value(field_: Input, answer: str) -> dict[str, Any]:
    """The `view.state.values` entry Slack would send for `answer` typed into `field_`."""
    kind = field_.kind
    if kind in ("static_select", "radio_buttons", "external_select"):
        label = dict(field_.options).get(answer, answer)
        option = {"text": {"type": "plain_text", "text": label}, "value": answer}
        key = "selected_option" if answer else None
        return {"type": kind, **({key: option} if key else {"selected_option": None})}
    if kind == "checkboxes":
        chosen = [v for v in answer.split(",") if v]
        return {"type": kind, "selected_options": [
            {"text": {"type": "plain_text", "text": dict(field_.options).get(v, v)}, "value": v}
            for v in chosen
        ]}
    if kind == "users_select":
        return {"type": kind, "selected_user": answer or None}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": [u for u in answer.split(",") if u]}
    if kind == "datepicker":
        return {"type": kind, "selected_date": answer or None}
    return {"type": kind, "value": answer or None}
