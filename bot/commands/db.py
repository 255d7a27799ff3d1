"""`okr-bot db upgrade|current`: apply pending migrations, or show the schema revision."""

from __future__ import annotations

import argparse

from bot.catalogues import words
from bot.commands.bootstrap import Context
from storage import migrate


def upgrade(args: argparse.Namespace, ctx: Context) -> int:
    migrate.upgrade(ctx.settings.database_url)
    print(words("cli.db.upgraded"))
    return 0


def current(args: argparse.Namespace, ctx: Context) -> int:
    now, head = migrate.current_revision(ctx.settings.database_url), migrate.HEAD
    state = migrate.schema_state(now)
    if state is migrate.SchemaState.CURRENT:
        print(words("cli.db.current", head=head))
        return 0
    if state is migrate.SchemaState.AHEAD:
        print(words("cli.db.ahead", current=now, head=head))
    else:
        print(words("cli.db.behind", current=now or words("cli.db.no_schema"), head=head))
    return 1
