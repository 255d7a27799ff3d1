"""The one Jinja2 environment: every Slack text and Block Kit payload is rendered here.

Templates emit whole JSON payloads. Values reach the JSON only through filters:
`mrkdwn` (escape for Slack mrkdwn, then JSON-encode), `plain` (JSON-encode), `json`,
`mention` (a stored Slack user id, never free text). `esc` escapes without encoding, for
building a larger string that then passes through `json`. Words come from the locale
catalogues in `message_templates/locales/<locale>/<feature>.yaml` through the filter
`"key" | t(**params)`: the catalogue text is trusted mrkdwn, its params are escaped (`tp` for
plain_text leaves them raw). `day | month_day` writes a date in the template's language without
its year ("Dec 31", "12月31日"). These three are filters, not functions, because Jinja calls a
filter directly and a function through `Context.call` (1.3 µs against 0.14 a call; a screen of
cards asks for words about 200 times: bench/README.md, eleventh run).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2.runtime import Context

from bot.catalogues import TEMPLATES_DIR, catalogue_entries, entry
from bot.domain.local_dates import format_date
from bot.domain.text import clip, escape_mrkdwn, normalise_locale

_SLACK_ID = re.compile(r"^[UWBCDGS][A-Z0-9]{1,31}$")


def mention(user_id: str) -> str:
    """A mention built only from a stored Slack user id."""
    if not _SLACK_ID.match(user_id):
        raise ValueError(f"not a Slack id: {user_id!r}")
    return f"<@{user_id}>"


class Catalogue:
    """Translated words for one locale, from a flat YAML mapping of dotted keys."""

    def __init__(self, entries: Mapping[str, str], locale: str) -> None:
        self._entries = dict(entries)
        self.locale = locale

    def keys(self) -> set[str]:
        return set(self._entries)

    def text(self, key: str, /, **params: Any) -> str:
        try:
            template = entry(self._entries, key, params)
        except KeyError:
            raise KeyError(f"no text {key!r} for locale {self.locale}") from None
        return template.format(**params) if params else template

    def mrkdwn(self, key: str, /, **params: Any) -> str:
        safe = {k: escape_mrkdwn(str(v)) if isinstance(v, str) else v for k, v in params.items()}
        return self.text(key, **safe)


@cache
def load_catalogue(locale: str, directory: Path = TEMPLATES_DIR) -> Catalogue:
    """All of `locales/<locale>/*.yaml`; keys are prefixed with the file's name (`lookup.…`)."""
    return Catalogue(catalogue_entries(locale, directory), locale)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


@jinja2.pass_context
def _words(context: Context, key: str, /, **params: Any) -> str:
    """`"key" | t(**params)`: the words in the template's language, params escaped."""
    catalogue: Catalogue = context["catalogue"]
    return catalogue.mrkdwn(key, **params)


@jinja2.pass_context
def _plain_words(context: Context, key: str, /, **params: Any) -> str:
    """`"key" | tp(**params)`: the words for plain_text, params as they are."""
    catalogue: Catalogue = context["catalogue"]
    return catalogue.text(key, **params)


@jinja2.pass_context
def _month_day(context: Context, day: date) -> str:
    """`day | month_day`: the date in the template's language, without its year."""
    return format_date(day, context["catalogue"].locale, today=day)


class Renderer:
    """Renders `message_templates/<name>.json.j2` for a locale into a payload dict."""

    def __init__(self, directory: Path = TEMPLATES_DIR, default_locale: str = "en") -> None:
        self.directory = directory
        self.default_locale = default_locale
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(directory),
            autoescape=False,  # noqa: S701 - output is JSON for Slack, escaped by our filters
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=False,
            auto_reload=False,  # templates ship with the code: compiled once, never re-stat()ed
        )
        self.env.filters.update(
            mrkdwn=lambda v: _json(escape_mrkdwn(str(v))),
            plain=lambda v: _json(str(v)),
            json=_json,
            esc=lambda v: escape_mrkdwn(str(v)),
            clip=clip,
            mention=lambda v: _json(mention(str(v))),
            mention_raw=lambda v: mention(str(v)),
            t=_words,
            tp=_plain_words,
            month_day=_month_day,
        )

    def catalogue(self, locale: str | None) -> Catalogue:
        return load_catalogue(normalise_locale(locale, self.default_locale), self.directory)

    def text(self, key: str, locale: str | None, /, **params: Any) -> str:
        """One translated plain string (for fallbacks, logs shown to people, CLI output)."""
        return self.catalogue(locale).text(key, **params)

    def render(self, name: str, locale: str | None, /, **context: Any) -> dict[str, Any]:
        """Render template `name` (e.g. `lookup/okrs`) and parse it as JSON."""
        catalogue = self.catalogue(locale)
        template = self.env.get_template(f"{name}.json.j2")
        source = template.render(catalogue=catalogue, locale=catalogue.locale, **context)
        try:
            payload: dict[str, Any] = json.loads(source)
        except json.JSONDecodeError as exc:
            raise ValueError(f"template {name} rendered invalid JSON: {exc}\n{source}") from exc
        return payload
