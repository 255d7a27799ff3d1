"""Every `okr-bot` command's arguments and what it needs before it runs, on one page.

This module imports only the standard library, so `okr-bot --help` (and a mistyped argument)
answers without loading Slack, SQLAlchemy or pydantic: a command's own module is imported
only when that command runs (`Command.run` names it).
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

Database = Literal["none", "ready", "open"]


@dataclass(frozen=True)
class Command:
    """What `bot.cli` prepares before calling `run` ("module:function", imported on use).

    `secrets`: settings the command cannot work without (all missing ones are named at once;
    a `--dry-run` never talks to Slack and needs none). `database`: "none" (the command opens
    what it needs itself), "ready" (migrated on SQLite, checked up to date on PostgreSQL, not
    kept open by the CLI), "open" (ready, and a Database handed to the command).
    `deps`: the process's wired dependencies (engine, clock, renderer, Slack client, metrics).
    """

    run: str
    secrets: tuple[str, ...] = ()
    database: Database = "none"
    deps: bool = False


SHELL_DB = Path("okr-shell.db")
# Names of settings (not their values).
BOT_TOKEN = "slack_bot_token"  # noqa: S105
SIGNING_SECRET = "slack_signing_secret"  # noqa: S105
APP_TOKEN = "slack_app_token"  # noqa: S105


def locale(value: str) -> str:
    """An argparse type: a language okr-bot speaks (`zh-CN` is read as `zh`)."""
    from bot.domain.text import SUPPORTED_LOCALES

    short = value.split("-")[0].split("_")[0].lower()
    if short not in SUPPORTED_LOCALES:
        raise argparse.ArgumentTypeError(
            f"unknown language {value!r}: choose {' or '.join(SUPPORTED_LOCALES)}")
    return short


def start_time(text: str) -> datetime:
    """An argparse type: `okr-bot shell --at`, an ISO date and time, UTC unless it says."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a date and time like 2027-03-01T09:00") from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def day(text: str) -> date:
    """An argparse type: a date like 2027-03-01."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2027-03-01") from None


def _command(parser: argparse.ArgumentParser, command: Command) -> None:
    parser.set_defaults(command=command)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="okr-bot",
        description="Run a team's OKR rhythm in Slack: check-ins, digests, /okr look-ups.",
    )
    parser.add_argument("--locale", dest="terminal_locale", type=locale, default=None,
                        help="language of what okr-bot prints: en or zh (default: "
                             "DEFAULT_LOCALE; --help stays in English)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log debug details")
    parser.add_argument("--debug", action="store_true",
                        help="log debug details and show the full traceback of any error")
    sub = parser.add_subparsers(dest="name", metavar="COMMAND", required=True)
    for add in (_shell, _serve, _socket, _worker, _db, _import, _export, _cycle,
                _send_checkins, _send_digest, _rehearse, _status, _token, _manifest):
        add(sub)
    return parser


def _shell(sub: Any) -> None:
    parser = sub.add_parser(
        "shell", help="try okr-bot in the terminal, with a local stand-in for Slack")
    parser.add_argument("--as", dest="as_user", default="",
                        help="who you are: @name or a Slack id (default: who you were last "
                             "time, else the first admin)")
    parser.add_argument("--db", type=Path, default=SHELL_DB,
                        help="SQLite file to use (default okr-shell.db; kept apart from okr.db; "
                             "the log goes beside it, e.g. okr-shell.log)")
    parser.add_argument("--locale", type=locale, default="en",
                        help="default language: en or zh")
    parser.add_argument("--at", type=start_time, default=None, metavar="YYYY-MM-DDTHH:MM",
                        help="start the clock here, in UTC (default: where the shell left it "
                             "last time, else now)")
    _command(parser, Command("bot.commands.shell:run"))


def _serve(sub: Any) -> None:
    parser = sub.add_parser(
        "serve", help="serve Slack requests over HTTP (POST /slack/events) on waitress")
    _listen(parser, "Slack's requests, /healthz, /metrics and the KR API")
    _command(parser, Command("bot.commands.serve:run", (BOT_TOKEN, SIGNING_SECRET), "ready",
                             deps=True))


def _socket(sub: Any) -> None:
    parser = sub.add_parser(
        "socket", help="run the app over Socket Mode (no public URL; needs SLACK_APP_TOKEN); "
                       "/healthz, /metrics and the KR API on a local port")
    _listen(parser, "/healthz, /metrics and the KR API")
    _command(parser, Command("bot.commands.socket:run", (BOT_TOKEN, APP_TOKEN), "ready",
                             deps=True))


def _listen(parser: argparse.ArgumentParser, what: str) -> None:
    """Where and how the HTTP server listens, and whether this process runs the scheduler."""
    from bot.http_server import ServerLimits

    parser.add_argument("--host", default="127.0.0.1",
                        help=f"address to bind for {what} (default 127.0.0.1; 0.0.0.0 for every "
                             "interface)")
    parser.add_argument("--port", type=int, default=3000, help="port (default 3000)")
    parser.add_argument("--threads", type=int, default=ServerLimits.threads,
                        help=f"request threads (default {ServerLimits.threads})")
    parser.add_argument("--connection-limit", type=int, default=ServerLimits.connection_limit,
                        help="open connections at most; more wait in the listen backlog "
                             f"(default {ServerLimits.connection_limit})")
    parser.add_argument("--no-scheduler", action="store_true",
                        help="do not plan or send scheduled messages in this process")


def _worker(sub: Any) -> None:
    parser = sub.add_parser(
        "worker", help="run the planner and the outbox sender until SIGTERM or Ctrl-C")
    _command(parser, Command("bot.commands.worker:run", (BOT_TOKEN,), "ready", deps=True))


def _db(sub: Any) -> None:
    parser = sub.add_parser("db", help="manage the database schema (db upgrade, db current)")
    actions = parser.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    up = actions.add_parser("upgrade", help="apply pending migrations to DATABASE_URL")
    _command(up, Command("bot.commands.db:upgrade"))
    current = actions.add_parser(
        "current", help="show DATABASE_URL's schema revision (exit 1 when migrations are pending)")
    _command(current, Command("bot.commands.db:current"))


def _import(sub: Any) -> None:
    parser = sub.add_parser(
        "import",
        help="import people, teams, schedules, cycles and OKRs from a YAML file",
        description="Create or update everything the file describes, in one transaction. "
        "A file with any error changes nothing; every error is printed with its place.",
    )
    parser.add_argument("file", type=Path, metavar="FILE.yaml", help="the OKR file")
    parser.add_argument(
        "--dry-run", action="store_true", help="check the file and report changes, write nothing")
    parser.add_argument("--locale", type=locale, default=None,
                        help="language of the messages: en or zh (default: DEFAULT_LOCALE)")
    _command(parser, Command("bot.commands.import_cmd:run", database="open"))


def _export(sub: Any) -> None:
    parser = sub.add_parser(
        "export", help="write the OKR tree as YAML (the import format), or check-ins as CSV")
    parser.add_argument("--cycle", metavar="NAME", help="only this cycle (default: all)")
    parser.add_argument(
        "--format", choices=("yaml", "csv", "md"), default="yaml",
        help="yaml: OKR tree; csv: check-ins; md: the cycle's review (needs --cycle)",
    )
    parser.add_argument(
        "--review", action="store_true",
        help="the cycle's review (scores, verdicts, causes, lessons) in --format csv|yaml|md",
    )
    parser.add_argument("--locale", type=locale, default=None,
                        help="language of the messages and the Markdown review: en or zh "
                             "(default: DEFAULT_LOCALE)")
    target = parser.add_mutually_exclusive_group()
    target.add_argument("--out", type=Path, metavar="FILE", help="write here (default: stdout)")
    target.add_argument(
        "--checkins-csv", type=Path, metavar="FILE", help="write check-ins as CSV to FILE")
    _command(parser, Command("bot.commands.export:run", database="open"))


def _cycle(sub: Any) -> None:
    parser = sub.add_parser("cycle", help="open the next OKR cycle, close one, or list them")
    actions = parser.add_subparsers(dest="cycle_command", metavar="ACTION", required=True)
    new = actions.add_parser(
        "new", help="open a cycle; the current one stays open until its end and review")
    new.add_argument("--name", required=True, help="e.g. 2027-Q1")
    new.add_argument("--start", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    new.add_argument("--end", required=True, type=date.fromisoformat, metavar="YYYY-MM-DD")
    _command(new, Command("bot.commands.cycle:new", database="open"))
    close = actions.add_parser("close", help="close a cycle: it becomes read-only")
    close.add_argument("name", help="the cycle's name")
    _command(close, Command("bot.commands.cycle:close", database="open"))
    listing = actions.add_parser("list", help="list cycles, newest first")
    _command(listing, Command("bot.commands.cycle:listing", database="open"))


def _send_checkins(sub: Any) -> None:
    parser = sub.add_parser(
        "send-checkins", help="send check-in prompts now (all scheduled teams, or --team NAME)")
    parser.add_argument("--team", action="append", metavar="NAME",
                        help="only this team (repeat for more)")
    parser.add_argument("--wait", type=int, default=300, metavar="SECONDS",
                        help="give up sending after this long; the worker goes on (default 300)")
    _command(parser, Command("bot.commands.send_checkins:run", (BOT_TOKEN,), "ready",
                             deps=True))


def _rehearse(sub: Any) -> None:
    parser = sub.add_parser(
        "rehearse",
        help="show what everyone would receive over the next weeks, before a schedule is on",
        description="Run the real planner and sender on a scratch copy of the database with a "
        "moved clock and a local stand-in for Slack; simulated people answer at --answer-rate. "
        "Prints a timeline and a summary. Never writes to the database, never calls Slack.",
    )
    parser.add_argument("--from", dest="from_date", type=day, required=True,
                        metavar="YYYY-MM-DD", help="the first day (00:00 UTC)")
    parser.add_argument("--weeks", type=int, default=2, choices=range(1, 14), metavar="N",
                        help="how many weeks (1-13, default 2)")
    parser.add_argument("--team", metavar="NAME", help="only this team (default: every team)")
    parser.add_argument("--answer-rate", type=float, default=0.7, metavar="0..1",
                        help="share of prompts the simulated people answer (default 0.7)")
    parser.add_argument("--seed", type=int, default=1, help="of the simulated answers")
    parser.add_argument("--format", choices=("text", "jsonl"), default="text")
    _command(parser, Command("bot.commands.rehearse:run", database="open"))


def _send_digest(sub: Any) -> None:
    parser = sub.add_parser(
        "send-digest",
        help="post a team's digest now (or print it with --dry-run)",
        description="Build the team's digest since its last scheduled one. Without --dry-run "
        "it is queued under this period's key and one sender pass posts it; a period's digest "
        "is posted once, however often this runs. Exits 1 when it could not be posted.",
    )
    parser.add_argument("--team", required=True, metavar="NAME", help="the team's name")
    parser.add_argument("--dry-run", action="store_true",
                        help="print the messages instead of sending them")
    parser.add_argument("--format", choices=("text", "json"), default="text",
                        help="--dry-run output: readable text (default) or the JSON payloads")
    parser.add_argument("--chart", metavar="FILE", type=Path,
                        help="with --dry-run: write the digest's chart (PNG) to FILE")
    _command(parser, Command("bot.commands.send_digest:run", (BOT_TOKEN,), "ready", deps=True))


def _status(sub: Any) -> None:
    parser = sub.add_parser(
        "status", help="show the outbox: whether Slack is reachable, messages by state, rows "
        "waiting to retry, the next slots, the last errors")
    parser.add_argument("--errors", type=int, default=10, metavar="N",
                        help="how many recent errors and retries to show (default 10)")
    _command(parser, Command("bot.commands.status:run", database="open"))


def _token(sub: Any) -> None:
    parser = sub.add_parser(
        "token", help="manage bearer tokens of the KR value API (create, list, revoke)")
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
    _command(create, Command("bot.commands.token:create", database="open"))
    listing = actions.add_parser("list", help="list tokens (never their secrets)")
    _command(listing, Command("bot.commands.token:listing", database="open"))
    revoke = actions.add_parser("revoke", help="revoke a token: its requests get 401 at once")
    revoke.add_argument("name", help="the token's name")
    _command(revoke, Command("bot.commands.token:revoke", database="open"))


def _manifest(sub: Any) -> None:
    parser = sub.add_parser(
        "manifest", help="print the Slack app manifest, ready to paste at api.slack.com/apps",
        description="Print the app manifest for https://api.slack.com/apps → Create New App → "
        "From a manifest: with --url for `okr-bot serve` behind that public HTTPS address, or "
        "with --socket for `okr-bot socket` (no public address).",
    )
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", metavar="https://HOST",
                       help="the public HTTPS address where `okr-bot serve` listens")
    where.add_argument("--socket", action="store_true", help="for Socket Mode (`okr-bot socket`)")
    parser.add_argument("--name", default="OKR Bot", help="the app's name (default OKR Bot)")
    parser.add_argument("--format", choices=("yaml", "json"), default="yaml",
                        help="YAML (default) or JSON: Slack's form takes either")
    _command(parser, Command("bot.commands.manifest:run"))
