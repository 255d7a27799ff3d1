"""The locale catalogues as data: `message_templates/locales/<locale>/<feature>.yaml`, flattened
to dotted keys (`lookup.…`) and read once per process.

Neutral, so both the words layer (bot/rendering.py wraps them in a `Catalogue`) and a use case
that must speak to a terminal (the OKR file's messages) read the same files.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

import yaml

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "message_templates"


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
