"""`okr-bot cycle new|close|list`: open the next OKR cycle, close one (read-only), list them.

Opening a cycle closes the active cycles that started before it; each close queues the teams'
review summaries and offers owners to carry unfinished Objectives forward
(bot.services.cycles.lifecycle).
"""

from __future__ import annotations

import argparse
import sys

from bot.clock import SystemClock
from bot.commands.bootstrap import Context
from bot.services.cycles.lifecycle import CLI_ACTOR, CycleError, close_cycle, list_cycles, new_cycle

EXIT_REFUSED = 2
MESSAGES = {
    "name": "give the cycle a name of at most 64 characters",
    "dates": "the end ({end}) must come after the start ({start})",
    "exists": "a cycle called {name!r} exists already",
    "unknown": "no cycle is called {name!r} (okr-bot cycle list shows them)",
    "closed": "cycle {name!r} is closed already",
    "refused": "refused",
}


def _fail(error: CycleError) -> int:
    print(f"okr-bot cycle: {MESSAGES[error.code].format(**error.params)}", file=sys.stderr)
    return EXIT_REFUSED


def new(args: argparse.Namespace, ctx: Context) -> int:
    try:
        opened = new_cycle(ctx.db, SystemClock(), actor=CLI_ACTOR, name=args.name,
                           start=args.start, end=args.end)
    except CycleError as error:
        return _fail(error)
    cycle = opened.cycle
    print(f"Opened cycle {cycle.name} ({cycle.start} – {cycle.end}).")
    if opened.closed:
        print(f"Closed (read-only now): {', '.join(opened.closed)}; owners will be offered "
              "to carry unfinished Objectives forward.")
    return 0


def close(args: argparse.Namespace, ctx: Context) -> int:
    try:
        closed = close_cycle(ctx.db, SystemClock(), actor=CLI_ACTOR, name=args.name)
    except CycleError as error:
        return _fail(error)
    print(f"Closed cycle {closed.name}: it is read-only now.")
    return 0


def listing(args: argparse.Namespace, ctx: Context) -> int:
    rows = list_cycles(ctx.db)
    if not rows:
        print("No cycles yet.")
    for row in rows:
        print(f"{row.name}\t{row.start}\t{row.end}\t{row.state}")
    return 0
