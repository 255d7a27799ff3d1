"""The locale catalogues as data: `message_templates/locales/<locale>/<feature>.yaml`, flattened
to dotted keys (`lookup.…`) and read once per process.

Neutral, so both the words layer (bot/rendering.py wraps them in a `Catalogue`) and whatever
speaks to a terminal (the `okr-bot` commands, the OKR file's messages) read the same files.
A terminal's language is set once around a whole command with `speaking(locale)`; `words(key)`
then says anything in it, however deep the call (pydantic validators included).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "message_templates"
TERMINAL_DEFAULT = "en"
_terminal_locale: ContextVar[str] = ContextVar("terminal_locale", default=TERMINAL_DEFAULT)


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Say every `words(…)` made inside the block in `locale` ("en" or "zh")."""
    token = _terminal_locale.set(locale)
    try:
        yield
    finally:
        _terminal_locale.reset(token)


def terminal_locale() -> str:
    """The language `speaking` set for the terminal."""
    return _terminal_locale.get()


def words(key: str, /, **params: Any) -> str:
    """The catalogue entry `key` (e.g. "cli.status.none") in the terminal's language, filled."""
    return entry(catalogue_entries(_terminal_locale.get()), key, params).format(**params)


def entry(entries: Mapping[str, str], key: str, params: Mapping[str, Any]) -> str:
    """The words of `key`; a key with plural forms (`key.one`, `key.other`) picks by the
    `count` among `params` ("1 more Key Result", "3 more Key Results")."""
    if key not in entries and "count" in params and f"{key}.other" in entries:
        return entries[f"{key}.one" if params["count"] == 1 else f"{key}.other"]
    return entries[key]


@cache
def catalogue_entries(locale: str, directory: Path = TEMPLATES_DIR) -> Mapping[str, str]:
    """All of `locales/<locale>/*.yaml`; keys are prefixed with the file's name."""
    entries: dict[str, str] = {}
    for path in sorted((directory / "locales" / locale).glob("*.yaml")):
        tree = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries.update(_flatten(tree, path.stem + "."))
    return entries


def _flatten(tree: Mapping[str, Any], prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping):
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = str(value)
    return flat
