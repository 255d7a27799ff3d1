"""Block Kit as readable text for the console: buttons numbered, form fields listed.

A form field is what Slack would put in `view.state.values`: the element of an input block,
and an interactive element (checkboxes, selects, pickers…) in a section's accessory or an
actions block.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_DATE = re.compile(r"<!date\^\d+\^[^|]*\|([^>]+)>")
_EMOJI = {":warning:": "⚠️", ":bulb:": "💡", ":white_check_mark:": "✅", ":x:": "❌",
          ":tada:": "🎉", ":construction:": "🚧", ":chart_with_upwards_trend:": "📈"}
_EMOJI_CODE = re.compile(r":[a-z0-9_+-]+:")
FIELD_KINDS = frozenset({
    "plain_text_input", "number_input", "email_text_input", "url_text_input",
    "rich_text_input", "static_select", "external_select", "users_select",
    "conversations_select", "channels_select", "multi_static_select", "multi_external_select",
    "multi_users_select", "multi_conversations_select", "multi_channels_select", "checkboxes",
    "radio_buttons", "datepicker", "timepicker", "datetimepicker",
})


@dataclass(frozen=True)
class Button:
    label: str
    action_id: str
    value: str
    block_id: str
    confirm: str = ""  # the question Slack's confirm dialog asks first, if any


@dataclass(frozen=True)
class Input:
    """One field of a form, with what the console needs to ask for it and check the answer."""

    block_id: str
    action_id: str
    label: str
    kind: str
    optional: bool
    initial: str  # as the console keeps answers: text, an option value, ids joined by ","
    options: tuple[tuple[str, str], ...] = ()
    multiline: bool = False
    min_length: int = 0
    max_length: int | None = None
    decimal: bool = True
    min_value: float | None = None
    max_value: float | None = None
    in_input_block: bool = True  # False: an accessory, which Slack reports as block_actions

    @property
    def multi(self) -> bool:
        return self.kind.startswith("multi_") or self.kind == "checkboxes"


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
    text = _EMOJI_CODE.sub(lambda m: _EMOJI.get(m.group(0), m.group(0)), text)
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
        text = _text(block.get("text"), names)
        if text:
            yield from text.splitlines()
        for item in block.get("fields", []):
            yield "  " + _text(item, names).replace("\n", " ")
        if "accessory" in block:
            label = text.splitlines()[0] if text else ""
            yield from _element_lines(block["accessory"], block, names, out, first_button,
                                      label)
    elif kind == "context":
        parts = [_text(e, names) for e in block.get("elements", []) if "text" in e]
        yield "  " + " · ".join(p.replace("\n", " ") for p in parts)
    elif kind == "actions":
        for element in block.get("elements", []):
            yield from _element_lines(element, block, names, out, first_button, "")
    elif kind == "input":
        element = block.get("element", {})
        yield _field_line(out, _input_of(block, element, _text(block.get("label"), names)))
    elif kind == "rich_text":
        yield "  " + str(block)[:200]


def _field_line(out: Rendered, field_: Input) -> str:
    out.inputs.append(field_)
    if field_.kind == "checkboxes" and len(field_.options) == 1:
        return f"  [{len(out.inputs)}] [{'x' if field_.initial else ' '}] {field_.label}"
    marker = "" if field_.optional else " *"
    shown = field_.initial
    if field_.options and field_.initial:
        labels = dict(field_.options)
        shown = ", ".join(labels.get(v, v) for v in field_.initial.split(","))
    return f"  [{len(out.inputs)}] {field_.label}{marker}: {shown or '—'}"


def _element_lines(
    element: dict[str, Any], block: dict[str, Any], names: Callable[[str], str], out: Rendered,
    first_button: int, label: str,
) -> Iterator[str]:
    kind = element.get("type")
    if kind == "button":
        confirm = element.get("confirm") or {}
        question = " ".join(filter(None, (_text(confirm.get("title"), names),
                                          _text(confirm.get("text"), names))))
        button = Button(_text(element.get("text"), names), element.get("action_id", ""),
                        element.get("value", ""), block.get("block_id", ""), question)
        out.buttons.append(button)
        yield f"  ({first_button + len(out.buttons) - 1}) [ {button.label} ]"
    elif kind == "overflow":
        for option in element.get("options", []):
            button = Button(_text(option.get("text"), names), element.get("action_id", ""),
                            option.get("value", ""), block.get("block_id", ""))
            out.buttons.append(button)
            yield f"  ({first_button + len(out.buttons) - 1}) [ {button.label} ]"
    elif kind in FIELD_KINDS:
        options = _options(element)
        if kind == "checkboxes" and len(options) == 1:
            label = options[0][1]  # "No change": the section's text is printed just above
        label = label.replace("*", "").strip() or str(element.get("action_id", ""))
        yield _field_line(out, _input_of(block, element, label, in_input_block=False))


def _options(element: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options.extend(group.get("options") or [])
    return tuple((str(o["value"]), str(o["text"]["text"])) for o in options)


def _initial(element: dict[str, Any]) -> str:
    """The element's initial state, as the console keeps answers."""
    if "initial_option" in element:
        return str(element["initial_option"]["value"])
    if "initial_options" in element:
        return ",".join(str(o["value"]) for o in element["initial_options"])
    for key in ("initial_value", "initial_user", "initial_conversation", "initial_channel",
                "initial_date", "initial_time", "initial_date_time"):
        if key in element:
            return str(element[key])
    for key in ("initial_users", "initial_conversations", "initial_channels"):
        if key in element:
            return ",".join(str(v) for v in element[key])
    return ""


def _number(value: object) -> float | None:
    try:
        return float(str(value)) if value is not None else None
    except ValueError:
        return None


def _input_of(block: dict[str, Any], element: dict[str, Any], label: str, *,
              in_input_block: bool = True) -> Input:
    return Input(
        block_id=str(block.get("block_id", "")),
        action_id=str(element.get("action_id", "")),
        label=label,
        kind=str(element.get("type", "")),
        optional=bool(block.get("optional", False)) or not in_input_block,
        initial=_initial(element),
        options=_options(element),
        multiline=bool(element.get("multiline", False)),
        min_length=int(element.get("min_length", 0)),
        max_length=int(element["max_length"]) if "max_length" in element else None,
        decimal=bool(element.get("is_decimal_allowed", True)),
        min_value=_number(element.get("min_value")),
        max_value=_number(element.get("max_value")),
        in_input_block=in_input_block,
    )


def state_value(field_: Input, answer: str) -> dict[str, Any]:
    """The `view.state.values` entry Slack would send for `answer` kept for `field_`."""
    kind = field_.kind
    labels = dict(field_.options)
    chosen = [v for v in answer.split(",") if v]

    def option(value: str) -> dict[str, Any]:
        return {"text": {"type": "plain_text", "text": labels.get(value, value)}, "value": value}

    if kind in ("static_select", "external_select", "radio_buttons"):
        return {"type": kind, "selected_option": option(answer) if answer else None}
    if kind in ("multi_static_select", "multi_external_select", "checkboxes"):
        return {"type": kind, "selected_options": [option(v) for v in chosen]}
    single = {"users_select": "selected_user", "conversations_select": "selected_conversation",
              "channels_select": "selected_channel", "datepicker": "selected_date",
              "timepicker": "selected_time"}
    if kind in single:
        return {"type": kind, single[kind]: answer or None}
    multi = {"multi_users_select": "selected_users",
             "multi_conversations_select": "selected_conversations",
             "multi_channels_select": "selected_channels"}
    if kind in multi:
        return {"type": kind, multi[kind]: chosen}
    if kind == "datetimepicker":
        return {"type": kind, "selected_date_time": int(answer) if answer else None}
    if kind == "rich_text_input":
        elements = [{"type": "text", "text": answer}] if answer else []
        return {"type": kind, "rich_text_value": {"type": "rich_text", "elements": [
            {"type": "rich_text_section", "elements": elements}]}}
    return {"type": kind, "value": answer or None}
