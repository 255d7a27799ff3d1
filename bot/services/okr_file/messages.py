"""Every message the OKR file import and export can print, worded in the admin's language.

The words are in `message_templates/locales/<locale>/okr_file.yaml`. Messages are made deep in
the file's validation (pydantic validators included), so the language is set once around the
whole command with `bot.catalogues.speaking(locale)` rather than passed to every check.
"""

from __future__ import annotations

from typing import Any

from bot.catalogues import words


def message(code: str, **params: Any) -> str:
    """The message `code` (e.g. "unknown_team", "thing.person") with `params` filled in."""
    return words(f"okr_file.{code}", **params)
