"""`okr-bot token create|list|revoke`: bearer tokens of the KR value API.

`create` prints the secret once, alone on stdout (so `SECRET=$(okr-bot token create …)`
works), and the explanation on stderr; only its hash is stored, so it cannot be shown again.
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime

from bot.clock import SystemClock
from bot.commands.bootstrap import Context
from bot.services.tokens import TokenError, TokenView, create_token, list_tokens, revoke_token

EXIT_REFUSED = 2


def create(args: argparse.Namespace, ctx: Context) -> int:
    try:
        created = create_token(ctx.db, SystemClock(), name=args.name, kr_keys=args.kr)
    except TokenError as exc:
        print(f"okr-bot token: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    print(f"Created API token {created.token.name!r} for {_scope(created.token)}.\n"
          "Its secret follows, shown this once: store it now (only a hash of it is kept).",
          file=sys.stderr)
    print(created.secret)
    return 0


def listing(args: argparse.Namespace, ctx: Context) -> int:
    rows = list_tokens(ctx.db)
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


def revoke(args: argparse.Namespace, ctx: Context) -> int:
    try:
        revoked = revoke_token(ctx.db, SystemClock(), name=args.name)
    except TokenError as exc:
        print(f"okr-bot token: {exc}", file=sys.stderr)
        return EXIT_REFUSED
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
