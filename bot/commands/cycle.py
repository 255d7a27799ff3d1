"""`okr-bot cycle new|close|list`: open the next OKR cycle, close one (read-only), list them.

Opening the next cycle leaves the current one open until its end and review, and offers owners
to carry unfinished Objectives forward; a close queues the teams' review summaries
(bot.services.cycles.lifecycle).
"""

from __future__ import annotations

import argparse
import sys

from bot.catalogues import words
from bot.clock import SystemClock
from bot.commands.bootstrap import Context
from bot.services.cycles.lifecycle import CLI_ACTOR, CycleError, close_cycle, list_cycles, new_cycle

EXIT_REFUSED = 2


def _fail(error: CycleError) -> int:
    print(words("cli.cycle.failed", reason=words(f"cli.cycle.{error.code}", **error.params)),
          file=sys.stderr)
    return EXIT_REFUSED


def new(args: argparse.Namespace, ctx: Context) -> int:
    try:
        opened = new_cycle(ctx.db, SystemClock(), actor=CLI_ACTOR, name=args.name,
                           start=args.start, end=args.end)
    except CycleError as error:
        return _fail(error)
    cycle = opened.cycle
    print(words("cli.cycle.opened", name=cycle.name, start=cycle.start, end=cycle.end))
    if opened.offered:
        print(words("cli.cycle.offered", names=", ".join(opened.offered),
                    days=ctx.settings.cycle_review_days))
    return 0


def close(args: argparse.Namespace, ctx: Context) -> int:
    try:
        closed = close_cycle(ctx.db, SystemClock(), actor=CLI_ACTOR, name=args.name)
    except CycleError as error:
        return _fail(error)
    print(words("cli.cycle.closed_one", name=closed.name))
    return 0


def listing(args: argparse.Namespace, ctx: Context) -> int:
    rows = list_cycles(ctx.db)
    if not rows:
        print(words("cli.cycle.none"))
    for row in rows:
        print(f"{row.name}\t{row.start}\t{row.end}\t{row.state}")
    return 0
