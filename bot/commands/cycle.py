"""`okr-bot cycle new|close|list`: open the next OKR cycle, close one (read-only), list them.

Opening a cycle closes the active cycles that started before it; each close queues the teams'
review summaries and offers owners to carry unfinished Objectives forward
(bot.services.cycles.lifecycle).
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

from bot.clock import SystemClock
from bot.services.cycles.lifecycle import CLI_ACTOR, CycleError, close_cycle, list_cycles, new_cycle
from bot.settings import load_settings
from bot.wiring import prepare_database
from storage.db import Database, make_engine

EXIT_REFUSED = 2
MESSAGES = {
    "name": "give the cycle a name of at most 64 characters",
    "dates": "the end ({end}) must come after the start ({start})",
    "exists": "a cycle called {name!r} exists already",
    "unknown": "no cycle is called {name!r} (okr-bot cycle list shows them)",
    "closed": "cycle {name!r} is closed already",
    "refused": "refused",
}


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "cycle", help="open the next OKR cycle, close one, or list them"
    )
    actions = parser.add_subparsers(dest="cycle_command", metavar="ACTION", required=True)
    new = actions.add_parser(
        "new", help="open a cycle (closes the active cycles that started before it)")
    new.add_argument("--name", required=True, help="e.g. 2027-Q1")
    new.add_argument("--start", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    new.add_argument("--end", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    new.set_defaults(run=_new)
    close = actions.add_parser("close", help="close a cycle: it becomes read-only")
    close.add_argument("name", help="the cycle's name")
    close.set_defaults(run=_close)
    listing = actions.add_parser("list", help="list cycles, newest first")
    listing.set_defaults(run=_list)


def _database() -> Database:
    settings = load_settings()
    prepare_database(settings.database_url)
    return Database(make_engine(settings.database_url))


def _fail(error: CycleError) -> int:
    print(f"okr-bot cycle: {MESSAGES[error.code].format(**error.params)}", file=sys.stderr)
    return EXIT_REFUSED


def _new(args: argparse.Namespace) -> int:
    db = _database()
    try:
        opened = new_cycle(db, SystemClock(), actor=CLI_ACTOR, name=args.name,
                           start=args.start, end=args.end)
    except CycleError as error:
        return _fail(error)
    finally:
        db.dispose()
    cycle = opened.cycle
    print(f"Opened cycle {cycle.name} ({cycle.start} – {cycle.end}).")
    if opened.closed:
        print(f"Closed (read-only now): {', '.join(opened.closed)}; owners will be offered "
              "to carry unfinished Objectives forward.")
    return 0


def _close(args: argparse.Namespace) -> int:
    db = _database()
    try:
        closed = close_cycle(db, SystemClock(), actor=CLI_ACTOR, name=args.name)
    except CycleError as error:
        return _fail(error)
    finally:
        db.dispose()
    print(f"Closed cycle {closed.name}: it is read-only now.")
    return 0


def _list(args: argparse.Namespace) -> int:
    db = _database()
    try:
        rows = list_cycles(db)
    finally:
        db.dispose()
    if not rows:
        print("No cycles yet.")
    for row in rows:
        print(f"{row.name}\t{row.start}\t{row.end}\t{row.state}")
    return 0
