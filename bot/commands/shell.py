"""`okr-bot shell`: try the product without a Slack workspace (a local stand-in for Slack)."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import Any, TextIO

from bot.clock import FakeClock, SystemClock
from bot.commands.bootstrap import Context
from bot.scheduler import make_sender, planner_tick, sender_tick
from bot.services.okr_file.importer import import_okr_file
from bot.services.okr_file.yaml_io import OkrFileError
from bot.shell.console import Console
from bot.shell.session import ShellSession, open_session
from storage.migrate import upgrade

EXAMPLE_CANDIDATES = (
    Path("examples/okrs.yaml"),
    Path(__file__).resolve().parents[2] / "examples" / "okrs.yaml",
)


def run(args: argparse.Namespace, ctx: Context) -> int:
    # The console is the output here: the scheduler's progress lines would drown it.
    logging.getLogger("bot").setLevel(logging.WARNING)
    return run_shell(args.db, args.as_user, args.locale, sys.stdin, sys.stdout)


def run_shell(db_path: Path, as_user: str, locale: str, read: TextIO, write: TextIO) -> int:
    url = f"sqlite:///{db_path}"
    upgrade(url)
    session = open_session(url, clock=FakeClock(SystemClock().now()), default_locale=locale)
    session.upload_dir = db_path.parent / f"{db_path.stem}-files"  # the digest's charts
    try:
        console = Console(session, read, write, ticks=_ticks(session))
        if not session.people() and not _offer_example(console, session):
            console.say("Nothing to show without people and OKRs: "
                        "import a file with `okr-bot import FILE.yaml --db` or load the example.")
            return 1
        session.sync_people()
        user = _first_user(session, as_user)
        if user is None:
            console.say(f"Nobody called {as_user} here.")
            return 2
        session.user_id = user
        console.run()
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
    answer = console.ask(f"No OKRs here yet. Load the example company from {example}? [Y/n] ")
    if answer is None or answer.strip().lower() not in ("", "y", "yes"):
        return False
    try:
        report = import_okr_file(session.deps.db, example.read_bytes(), clock=session.clock)
    except OkrFileError as error:
        console.say(str(error))
        return False
    console.say(f"Loaded {report.total_created} records from {example}.")
    return True


def _first_user(session: ShellSession, wanted: str) -> str | None:
    if wanted:
        return session.find_user(wanted)
    people = session.people()
    admins = [p for p in people if p.is_admin]
    return (admins or people)[0].slack_user_id if people else None
