"""Filling the modal on top of the person's stack, field by field, as they would in Slack.

Answers are checked as Slack's client checks them (required, lengths, choices, dates…) before
the form is sent; what was typed is kept per view, so that a view the app updates (the coach's
warnings, the next page) or one pushed on top and closed again shows it still, as Slack does.
"""

from __future__ import annotations

from typing import Any, Protocol

from bot.shell import answers
from bot.shell.blocks_text import Button, Input, render_blocks, state_value
from bot.shell.session import Output, ShellSession


class Console(Protocol):
    """What filling a form needs of the console (bot/shell/console.py)."""

    session: ShellSession
    buttons: list[tuple[Output, Button]]
    typed: dict[str, dict[str, str]]  # view id → block id → what was typed

    def ask(self, prompt: str) -> str | None: ...

    def say(self, text: str = "") -> None: ...

    def press(self, number: str) -> None: ...

    def show_messages(self) -> None: ...

FORM_HELP = ("Enter keeps the value shown, '-' clears it, ':press N' presses a button of the "
             "form, ':cancel' closes it without saving.")


def fill(console: Console, modal: Output) -> None:
    """Ask for `modal`'s fields and submit it; returns when the person's stack may have
    changed (submitted, closed, a button pressed) or the input ended."""
    session = console.session
    fields = render_blocks(modal.payload.get("blocks") or [], session.name_of).inputs
    if not fields or not modal.payload.get("submit"):
        _read_only(console, modal)
        return
    seen_before = modal.view_id in console.typed  # the app updated a view already filled
    kept = console.typed.setdefault(modal.view_id, {})
    for field_ in fields:
        kept.setdefault(field_.block_id, field_.initial)
    if seen_before:
        to_ask = _fields_to_change(console, modal, fields)
        if to_ask is None:
            return
    else:
        console.say("Fill in the form. " + FORM_HELP)
        to_ask = fields
    while True:
        for field_ in to_ask:
            if not _ask(console, modal, field_, kept):
                return
        values: dict[str, dict[str, Any]] = {}
        for field_ in fields:
            values.setdefault(field_.block_id, {})[field_.action_id] = state_value(
                field_, kept[field_.block_id])
        ack = session.submit(modal, values)
        if not (ack and ack.get("response_action") == "errors"):
            console.show_messages()
            return
        errors: dict[str, Any] = ack.get("errors", {})
        for block_id, message in errors.items():
            label = next((f.label for f in fields if f.block_id == block_id), block_id)
            console.say(f"  ✗ {label}: {message}")
        to_ask = [f for f in fields if f.block_id in errors] or fields


def _fields_to_change(console: Console, modal: Output, fields: list[Input]) -> list[Input] | None:
    """The form came back with what was typed: submit it as it is, or change some fields
    first (their numbers); None when the form is left."""
    submit = str(modal.payload["submit"].get("text", ""))
    while True:
        line = console.ask(f"  Enter presses \"{submit}\"; field numbers (e.g. 1,6) change "
                           "those first; :cancel closes: ")
        if line is None:
            return None
        typed = line.strip()
        if not typed:
            return []
        if typed in (":cancel", ":close", ":quit", ":q"):
            console.session.close_modal()
            console.typed.pop(modal.view_id, None)
            console.say("Form closed without saving.")
            return None
        numbers = [w.strip() for w in typed.split(",")]
        if all(n.isdigit() and 1 <= int(n) <= len(fields) for n in numbers):
            return [fields[int(n) - 1] for n in numbers]
        console.say(f"  Type field numbers between 1 and {len(fields)}, or press Enter.")


def _read_only(console: Console, modal: Output) -> None:
    """A modal with nothing to fill: with buttons, wait for a press; else read and close."""
    if any(o is modal for o, _ in console.buttons):
        line = console.ask("  (:press N, or Enter to close) ")
        if line is not None and line.strip().startswith(":press"):
            console.press(line.strip().removeprefix(":press").strip())
            return
    console.session.close_modal()
    console.typed.pop(modal.view_id, None)


def _ask(console: Console, modal: Output, field_: Input, kept: dict[str, str]) -> bool:
    """Ask until `field_` has an acceptable answer; False when the form is left."""
    session = console.session
    while True:
        current = kept[field_.block_id]
        shown = answers.shown(field_, current, session.name_of)
        marker = "" if field_.optional else " *"
        line = console.ask(f"  {field_.label}{marker}{answers.hint(field_)} [{shown}]: ")
        if line is None:
            return False
        typed = line.strip()
        if typed in (":cancel", ":close", ":quit", ":q"):
            session.close_modal()
            console.typed.pop(modal.view_id, None)
            console.say("Form closed without saving.")
            return False
        if typed.startswith(":press"):
            console.press(typed.removeprefix(":press").strip())
            if _moved(console, modal):
                return False
            continue
        if typed.startswith(":"):
            console.say(FORM_HELP)
            continue
        value: str | answers.Problem = current if not typed else "" if typed == "-" else (
            answers.parse(field_, typed, session.find_people, session.name_of,
                          session.tz_of(session.user_id)))
        if isinstance(value, answers.Problem):
            console.say(f"  {value.message}")
            continue
        if not value and not field_.optional:
            console.say("  This field is required.")
            continue
        changed = value != current
        kept[field_.block_id] = value
        if changed and not field_.in_input_block:
            session.choose(modal, field_, state_value(field_, value))
            if _moved(console, modal):
                return False
        return True


def _moved(console: Console, modal: Output) -> bool:
    """Whether the person's view changed under the form (a button opened or replaced one)."""
    console.show_messages()
    top = console.session.modal()
    return top is None or (top.view_id, top.payload.get("hash")) != (
        modal.view_id, modal.payload.get("hash"))
