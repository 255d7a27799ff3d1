"""`okr-bot db upgrade|current`: apply pending migrations, or show the schema revision."""

from __future__ import annotations

import argparse
from typing import Any

from bot.settings import load_settings
from storage.migrate import current_revision, head_revision, upgrade


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "db", help="manage the database schema (db upgrade, db current)"
    )
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="apply pending migrations to DATABASE_URL")
    up.set_defaults(run=_upgrade)
    current = actions.add_parser(
        "current", help="show DATABASE_URL's schema revision (exit 1 when migrations are pending)"
    )
    current.set_defaults(run=_current)


def _upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    upgrade(settings.database_url)
    print("database is at the latest schema")
    return 0


def _current(args: argparse.Namespace) -> int:
    settings = load_settings()
    current, head = current_revision(settings.database_url), head_revision()
    if current == head:
        print(f"database is at the latest schema ({head})")
        return 0
    print(f"database is at {current or 'no schema'}; latest is {head}: run `okr-bot db upgrade`")
    return 1
