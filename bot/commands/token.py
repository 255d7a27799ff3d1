"""`okr-bot token create|list|revoke`: bearer tokens of the KR value API.

`create` prints the secret once, alone on stdout (so `SECRET=$(okr-bot token create …)`
works), and the explanation on stderr; only its hash is stored, so it cannot be shown again.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from typing import Any

from bot.clock import SystemClock
from bot.services.tokens import TokenError, TokenView, create_token, list_tokens, revoke_token
from bot.settings import load_settings
from bot.wiring import prepare_database
from storage.db import Database, make_engine

EXIT_REFUSED = 2


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "token", help="manage bearer tokens of the KR value API (create, list, revoke)"
    )
    actions = parser.add_subparsers(dest="token_command", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create", help="create a token and print its secret (shown this once)",
        description="Create a bearer token for business systems that set KR values over HTTP.",
    )
    create.add_argument("--name", required=True, help="a unique name, e.g. the calling system")
    create.add_argument(
        "--kr", action="append", default=[], metavar="KEY",
        help="allow only the key result with this key (repeatable; default: every KR)",
    )
    create.set_defaults(run=_create)
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    listing.set_defaults(run=_list)
    revoke = actions.add_parser("revoke", help="revoke a token: its requests get 401 at once")
    revoke.add_argument("name", help="the token's name")
    revoke.set_defaults(run=_revoke)


def _database() -> Database:
    settings = load_settings()
    prepare_database(settings.database_url)
    return Database(make_engine(settings.database_url))


def _create(args: argparse.Namespace) -> int:
    db = _database()
    try:
        created = create_token(db, SystemClock(), name=args.name, kr_keys=args.kr)
    except TokenError as exc:
        print(f"okr-bot token: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        db.dispose()
    print(f"Created API token {created.token.name!r} for {_scope(created.token)}.\n"
          "Its secret follows, shown this once: store it now (only a hash of it is kept).",
          file=sys.stderr)
    print(created.secret)
    return 0


def _list(args: argparse.Namespace) -> int:
    db = _database()
    try:
        rows = list_tokens(db)
    finally:
        db.dispose()
    if not rows:
        print("No API tokens yet; create one with `okr-bot token create --name NAME`.")
        return 0
    table = [("NAME", "SCOPE", "CREATED (UTC)", "LAST USED (UTC)", "STATUS")]
    table += [(t.name, _scope(t), _when(t.created_at), _when(t.last_used_at),
               f"revoked {_when(t.revoked_at)}" if t.revoked else "active") for t in rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
              .rstrip())
    return 0


def _revoke(args: argparse.Namespace) -> int:
    db = _database()
    try:
        revoked = revoke_token(db, SystemClock(), name=args.name)
    except TokenError as exc:
        print(f"okr-bot token: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    finally:
        db.dispose()
    name = revoked.token.name
    if revoked.already:
        print(f"API token {name!r} was already revoked at {_when(revoked.token.revoked_at)} UTC.")
    else:
        print(f"Revoked API token {name!r}: its requests now get 401.")
    return 0


def _scope(token: TokenView) -> str:
    return "every key result" if not token.kr_keys else "KRs " + ", ".join(token.kr_keys)


def _when(at: datetime | None) -> str:
    return "never" if at is None else at.strftime("%Y-%m-%d %H:%M")
