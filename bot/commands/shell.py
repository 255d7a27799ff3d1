"""`okr-bot shell`: try the product without a Slack workspace (a local stand-in for Slack)."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from bot.clock import FakeClock, SystemClock
from bot.commands.bootstrap import Context
from bot.scheduler import make_sender, planner_tick, sender_tick
from bot.services.okr_file.importer import import_okr_file
from bot.services.okr_file.yaml_io import OkrFileError
from bot.shell import memory
from bot.shell.console import Console
from bot.shell.session import ShellSession, open_session
from storage.migrate import upgrade

EXAMPLE_CANDIDATES = (
    Path("examples/okrs.yaml"),
    Path(__file__).resolve().parents[2] / "examples" / "okrs.yaml",
)


def run(args: argparse.Namespace, ctx: Context) -> int:
    _log_to(args.db.with_suffix(".log"))
    return run_shell(args.db, args.as_user, args.locale, sys.stdin, sys.stdout, at=args.at)


def _log_to(path: Path) -> None:
    """The console is the output here: log lines go to a file instead of the terminal."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


def run_shell(db_path: Path, as_user: str, locale: str, read: TextIO, write: TextIO, *,
              at: datetime | None = None) -> int:
    url = f"sqlite:///{db_path}"
    upgrade(url)
    clock = FakeClock(at or SystemClock().now())
    session = open_session(url, clock=clock, default_locale=locale)
    session.upload_dir = db_path.parent / f"{db_path.stem}-files"  # the digest's charts
    left_off = memory.recall(session.deps.db)
    if at is None and left_off is not None:
        clock.set(left_off.clock)

    def keep_place() -> None:
        memory.remember(session.deps.db, clock.now(), session.user_id)

    try:
        console = Console(session, read, write, ticks=_ticks(session), on_time=keep_place)
        if not session.people() and not _offer_example(console, session):
            console.say("Nothing to show without people and OKRs. Load the example next time, "
                        f"or import your own: DATABASE_URL=sqlite:///{db_path} "
                        "okr-bot import FILE.yaml")
            return 0
        session.sync_people()
        user = _first_user(console, session, as_user, left_off)
        if user is None:
            return 2
        session.user_id = user
        keep_place()
        console.run()
        keep_place()
    finally:
        session.close()
    return 0


def _ticks(session: ShellSession) -> list[Any]:
    sender = make_sender(session.deps)
    return [lambda: planner_tick(session.deps), lambda: sender_tick(sender)]


def _offer_example(console: Console, session: ShellSession) -> bool:
    example = next((p for p in EXAMPLE_CANDIDATES if p.exists()), None)
    if example is None:
        return False
    question = f"No OKRs here yet. Load the example company from {example}? [Y/n] "
    while (answer := console.ask(question)) is not None:
        word = answer.strip().lower()
        if word in ("n", "no"):
            return False
        if word in ("", "y", "yes"):
            break
        console.say("First answer y to load the example company, or n to leave the shell.")
    else:
        return False
    try:
        report = import_okr_file(session.deps.db, example.read_bytes(), clock=session.clock)
    except OkrFileError as error:
        console.say(str(error))
        return False
    console.say(f"Loaded {report.total_created} records from {example}.")
    return True


def _first_user(console: Console, session: ShellSession, wanted: str,
                left_off: memory.LeftOff | None) -> str | None:
    """Who types first: `--as`, else who typed last time, else the first admin."""
    if wanted:
        found = session.find_people(wanted)
        if len(found) != 1:
            console.switch_user(wanted)  # says who is meant, or that nobody is
            return None
        return found[0]
    people = session.people()
    if left_off and any(p.slack_user_id == left_off.slack_user_id for p in people):
        return left_off.slack_user_id
    admins = [p for p in people if p.is_admin]
    return (admins or people)[0].slack_user_id if people else None
