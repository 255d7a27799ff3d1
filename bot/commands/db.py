"""`okr-bot db upgrade|current`: apply pending migrations, or show the schema revision."""

from __future__ import annotations

import argparse

from bot.commands.bootstrap import Context
from storage import migrate


def upgrade(args: argparse.Namespace, ctx: Context) -> int:
    migrate.upgrade(ctx.settings.database_url)
    print("database is at the latest schema")
    return 0


def current(args: argparse.Namespace, ctx: Context) -> int:
    now, head = migrate.current_revision(ctx.settings.database_url), migrate.head_revision()
    if now == head:
        print(f"database is at the latest schema ({head})")
        return 0
    print(f"database is at {now or 'no schema'}; latest is {head}: run `okr-bot db upgrade`")
    return 1
