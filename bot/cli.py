"""The `okr-bot` command: parse, prepare what the command needs once, run it.

An operator's mistake (a setting missing or wrong, a database that cannot be reached or is
behind, Slack unreachable or refusing a token) ends the command with one line per problem on
stderr and exit status 2; `--debug` shows the traceback instead. Everything heavy is imported
only once a command runs, so `--help` is quick.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence

from bot.commands import Command, build_parser

EXIT_SETUP = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141  # as a shell reports a process ended by SIGPIPE


def configure_logging(verbose: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    for noisy in ("slack_bolt", "slack_sdk", "sqlalchemy", "apscheduler", "alembic"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    configure_logging(args.verbose or args.debug)
    from bot.catalogues import speaking

    with speaking(_terminal_locale(args)):
        return _run(args)


def _terminal_locale(args: argparse.Namespace) -> str:
    """The language of what the command prints: its own --locale (import, export), the global
    one, else DEFAULT_LOCALE (English when that is not a language okr-bot speaks)."""
    chosen = getattr(args, "locale", None) or args.terminal_locale
    if chosen:
        return str(chosen)
    from bot.settings import terminal_default_locale

    return terminal_default_locale()


def _run(args: argparse.Namespace) -> int:
    command: Command = args.command
    try:
        from bot.commands.bootstrap import prepared

        module, function = command.run.split(":")
        run = getattr(importlib.import_module(module), function)
        with prepared(command, args) as context:
            result: int = run(args, context)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `okr-bot status | head`: the reader had enough
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if args.debug:
            raise
        from bot.commands.errors import explain

        lines = explain(exc)
        if lines is None:
            raise
        from bot.catalogues import words

        for line in lines:
            print(words("cli.failed", line=line), file=sys.stderr)
        return EXIT_SETUP
    return result


if __name__ == "__main__":
    sys.exit(main())
