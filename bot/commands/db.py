"""`okr-bot db upgrade`: apply pending migrations."""

from __future__ import annotations

import argparse
from typing import Any

from bot.settings import load_settings
from storage.migrate import upgrade


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "db", help="manage the database schema (db upgrade)"
    )
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="apply pending migrations to DATABASE_URL")
    up.set_defaults(run=_upgrade)


def _upgrade(args: argparse.Namespace) -> int:
    settings = load_settings()
    upgrade(settings.database_url)
    print("database is at the latest schema")
    return 0
