"""Every message the OKR file import and export can print, worded in the admin's language.

The words are in `message_templates/locales/<locale>/okr_file.yaml`. Messages are made deep in
the file's validation (pydantic validators included), so the language is set once around the
whole import or export with `speaking(locale)` rather than passed to every check.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from bot.catalogues import catalogue_entries

DEFAULT_LOCALE = "en"
_locale: ContextVar[str] = ContextVar("okr_file_locale", default=DEFAULT_LOCALE)


@contextmanager
def speaking(locale: str) -> Iterator[None]:
    """Word every message made inside the block in `locale` ("en" or "zh")."""
    token = _locale.set(locale)
    try:
        yield
    finally:
        _locale.reset(token)


def message(code: str, **params: Any) -> str:
    """The message `code` (e.g. "unknown_team", "thing.person") with `params` filled in."""
    return catalogue_entries(_locale.get())[f"okr_file.{code}"].format(**params)
