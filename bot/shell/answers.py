"""What a person typed for a form field, checked as Slack's client would check it before the
form is sent: an option by number, value or label, people by name, dates, numbers, lengths."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.shell.blocks_text import Input

YES = ("y", "yes", "x", "1", "true", "on", "是")
NO = ("n", "no", "0", "false", "off", "否")
_URL = re.compile(r"^https?://\S+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class Problem:
    """Why an answer cannot be taken, to be said before asking again."""

    message: str


# Finds people by what was typed: the Slack ids that match (one when it is clear).
PeopleFinder = Callable[[str], list[str]]


def hint(field_: Input) -> str:
    """What to type, shown after the field's label."""
    if field_.kind == "checkboxes" and len(field_.options) == 1:
        return " (y/n)"
    if field_.options:
        listed = ", ".join(f"{n}={label}" for n, (_, label) in enumerate(field_.options, 1))
        return f" ({listed}{'; several: 1,3' if field_.multi else ''})"
    hints = {"users_select": "@name", "multi_users_select": "@name, @name",
             "datepicker": "YYYY-MM-DD", "timepicker": "HH:MM",
             "datetimepicker": "YYYY-MM-DD HH:MM", "number_input": "a number",
             "email_text_input": "an email address", "url_text_input": "https://…",
             "conversations_select": "#channel", "channels_select": "#channel",
             "multi_conversations_select": "#channel, #channel",
             "multi_channels_select": "#channel, #channel"}
    if field_.kind in hints:
        return f" ({hints[field_.kind]})"
    return " (\\n for a new line)" if field_.multiline else ""


def shown(field_: Input, value: str, name_of: Callable[[str], str]) -> str:
    """A kept answer as the person reads it."""
    if not value:
        return "—"
    if field_.kind == "checkboxes" and len(field_.options) == 1:
        return "yes"
    if field_.options:
        labels = dict(field_.options)
        return ", ".join(labels.get(v, v) for v in value.split(","))
    if field_.kind.endswith("users_select"):
        return ", ".join("@" + name_of(u) for u in value.split(","))
    return value.replace("\n", "\\n")


def parse(field_: Input, typed: str, find: PeopleFinder, name_of: Callable[[str], str],
          tz: str) -> str | Problem:
    """The value to keep for `typed` (already stripped, not empty), or why it is refused."""
    kind = field_.kind
    if kind == "checkboxes" and len(field_.options) == 1:
        return _yes_no(field_, typed)
    if field_.options:
        return _options(field_, typed)
    if kind.endswith("users_select"):
        return _people(field_, typed, find, name_of)
    if kind.endswith(("conversations_select", "channels_select")):
        channels = [c.strip().lstrip("#") for c in typed.split(",") if c.strip()]
        return ",".join(channels) if field_.multi else channels[0]
    parsers: dict[str, Callable[[str], str | Problem]] = {
        "datepicker": _date, "timepicker": _time, "number_input": lambda t: _number(field_, t),
        "datetimepicker": lambda t: _date_time(t, tz),
        "email_text_input": lambda t: t if _EMAIL.match(t) else Problem(
            "Type an email address, like ana@example.com."),
        "url_text_input": lambda t: t if _URL.match(t) else Problem(
            "Type a link starting with https://."),
    }
    if kind in parsers:
        return parsers[kind](typed)
    return _text(field_, typed)


def _yes_no(field_: Input, typed: str) -> str | Problem:
    word = typed.lower()
    if word in YES:
        return field_.options[0][0]
    if word in NO:
        return ""
    return Problem("Answer y (ticked) or n (not ticked).")


def _options(field_: Input, typed: str) -> str | Problem:
    wanted = [w.strip() for w in typed.split(",") if w.strip()]
    if len(wanted) > 1 and not field_.multi:
        return Problem("Choose one.")
    chosen: list[str] = []
    for word in wanted:
        value = _option(field_, word)
        if value is None:
            listed = ", ".join(f"{n} ({label})" for n, (_, label) in
                               enumerate(field_.options, 1))
            return Problem(f"{word!r} is not a choice here. Type one of {listed}.")
        if value not in chosen:
            chosen.append(value)
    return ",".join(chosen)


def _option(field_: Input, word: str) -> str | None:
    """An option's value from its number, its value or its label (any case)."""
    if word.isascii() and word.isdigit() and 1 <= int(word) <= len(field_.options):
        return field_.options[int(word) - 1][0]
    folded = word.casefold()
    labels = [(value, _words(label)) for value, label in field_.options]
    for value, label in labels:
        if folded in (value.casefold(), label):
            return value
    for found in ([v for v, label in labels if label.startswith(folded)],
                  [v for v, label in labels if folded in label]):
        if len(found) == 1:
            return found[0]
    return None


def _words(label: str) -> str:
    """A label as typed: without the emoji or marks before its first word, any case."""
    start = next((i for i, c in enumerate(label) if c.isalnum()), 0)
    return label[start:].casefold()


def _people(field_: Input, typed: str, find: PeopleFinder,
            name_of: Callable[[str], str]) -> str | Problem:
    wanted = [w.strip() for w in typed.split(",") if w.strip()] if field_.multi else [typed]
    chosen: list[str] = []
    for who in wanted:
        found = find(who)
        if len(found) != 1:
            return Problem(who_is_meant(who, found, name_of))
        chosen.append(found[0])
    return ",".join(chosen)


def who_is_meant(who: str, found: list[str], name_of: Callable[[str], str]) -> str:
    """Why `who` names nobody or several people (in forms, `:as` and `/okr @…` alike)."""
    if not found:
        return f"Nobody called {who} here. :as lists everyone."
    names = ", ".join("@" + name_of(u) for u in found)
    return f"{who} could be {names}: type more of the name."


def _date(typed: str) -> str | Problem:
    try:
        return date.fromisoformat(typed).isoformat()
    except ValueError:
        return Problem("Type a date as YYYY-MM-DD, e.g. 2027-03-01.")


def _time(typed: str) -> str | Problem:
    hours, _, minutes = typed.partition(":")
    try:
        return time(int(hours), int(minutes)).strftime("%H:%M")
    except ValueError:
        return Problem("Type a time as HH:MM, e.g. 09:30.")


def _date_time(typed: str, tz: str) -> str | Problem:
    try:
        local = datetime.fromisoformat(typed.replace(" ", "T"))
    except ValueError:
        return Problem("Type a date and time as YYYY-MM-DD HH:MM.")
    return str(int(local.replace(tzinfo=local.tzinfo or ZoneInfo(tz)).timestamp()))


def _number(field_: Input, typed: str) -> str | Problem:
    try:
        number = float(typed)
    except ValueError:
        return Problem("Type a number.")
    if not field_.decimal and not number.is_integer():
        return Problem("Type a whole number.")
    if field_.min_value is not None and number < field_.min_value:
        return Problem(f"Type a number of at least {field_.min_value:g}.")
    if field_.max_value is not None and number > field_.max_value:
        return Problem(f"Type a number of at most {field_.max_value:g}.")
    return typed


def _text(field_: Input, typed: str) -> str | Problem:
    text = typed.replace("\\n", "\n") if field_.multiline else typed
    if field_.max_length is not None and len(text) > field_.max_length:
        return Problem(f"At most {field_.max_length} characters, please ({len(text)} typed).")
    if len(text) < field_.min_length:
        return Problem(f"At least {field_.min_length} characters, please.")
    return text
