"""What every command gets before it runs, in one place: settings → required settings →
database ready → wired dependencies (bot.cli calls `prepared` once per command)."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.commands import Command
from bot.settings import Settings, load_settings
from storage.db import Database, make_engine
from storage.migrate import prepare_database

if TYPE_CHECKING:
    from bot.deps import Deps


@dataclass(frozen=True)
class Context:
    """Settings, and the database or dependencies when the command asked for them."""

    settings: Settings
    db_or_none: Database | None = None
    deps_or_none: Deps | None = None

    @property
    def db(self) -> Database:
        assert self.db_or_none is not None, "the command did not ask for a database"
        return self.db_or_none

    @property
    def deps(self) -> Deps:
        assert self.deps_or_none is not None, "the command did not ask for deps"
        return self.deps_or_none


@contextmanager
def prepared(command: Command, args: argparse.Namespace) -> Iterator[Context]:
    """Prepare what `command` declares it needs; close it again when the command returns."""
    settings = load_settings()
    if not getattr(args, "dry_run", False):  # a dry run never talks to Slack
        settings.require(*command.secrets)
    if command.database == "none":
        yield Context(settings)
        return
    prepare_database(settings.database_url)
    if command.deps:
        from bot.wiring import build_deps  # the Slack app and its handlers: only when needed

        deps = build_deps(settings)
        try:
            yield Context(settings, deps.db, deps)
        finally:
            deps.db.dispose()
        return
    if command.database == "ready":
        yield Context(settings)
        return
    db = Database(make_engine(settings.database_url))
    try:
        yield Context(settings, db)
    finally:
        db.dispose()
