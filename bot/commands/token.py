"""`okr-bot token create|list|revoke`: bearer tokens of the KR value API.

`create` prints the secret once, alone on stdout (so `SECRET=$(okr-bot token create …)`
works), and the explanation on stderr; only its hash is stored, so it cannot be shown again.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from unicodedata import east_asian_width

from bot.catalogues import words
from bot.clock import SystemClock
from bot.commands.bootstrap import Context
from bot.services.tokens import TokenError, TokenView, create_token, list_tokens, revoke_token

EXIT_REFUSED = 2


def create(args: argparse.Namespace, ctx: Context) -> int:
    try:
        created = create_token(ctx.db, SystemClock(), name=args.name, kr_keys=args.kr)
    except TokenError as exc:
        return _refused(exc)
    print(words("cli.token.created", name=created.token.name, scope=_scope(created.token)),
          file=sys.stderr)
    print(created.secret)
    return 0


def listing(args: argparse.Namespace, ctx: Context) -> int:
    rows = list_tokens(ctx.db)
    if not rows:
        print(words("cli.token.none"))
        return 0
    table = [tuple(words("cli.token.columns").split("|"))]
    table += [(t.name, _scope(t), _when(t.created_at), _when(t.last_used_at),
               words("cli.token.revoked_at", when=_when(t.revoked_at)) if t.revoked
               else words("cli.token.active")) for t in rows]
    widths = [max(_width(row[i]) for row in table) for i in range(len(table[0]))]
    for row in table:
        print("  ".join(cell + " " * (width - _width(cell))
                        for cell, width in zip(row, widths, strict=True)).rstrip())
    return 0


def revoke(args: argparse.Namespace, ctx: Context) -> int:
    try:
        revoked = revoke_token(ctx.db, SystemClock(), name=args.name)
    except TokenError as exc:
        return _refused(exc)
    name = revoked.token.name
    if revoked.already:
        print(words("cli.token.already_revoked", name=name, when=_when(revoked.token.revoked_at)))
    else:
        print(words("cli.token.revoked", name=name))
    return 0


def _refused(error: TokenError) -> int:
    print(words("cli.token.failed", reason=words(f"cli.token.{error.code}", **error.params)),
          file=sys.stderr)
    return EXIT_REFUSED


def _scope(token: TokenView) -> str:
    if not token.kr_keys:
        return words("cli.token.every_kr")
    return words("cli.token.krs", keys=", ".join(token.kr_keys))


def _when(at: datetime | None) -> str:
    return words("cli.token.never") if at is None else at.strftime("%Y-%m-%d %H:%M")


def _width(cell: str) -> int:
    """Columns `cell` takes in a terminal: a Chinese character takes two."""
    return sum(2 if east_asian_width(char) in "WF" else 1 for char in cell)
