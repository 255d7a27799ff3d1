"""`okr-bot import FILE.yaml`: load people, teams, cycles and OKRs in one transaction."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.clock import SystemClock
from bot.services.okr_file.importer import ImportReport, import_okr_file
from bot.services.okr_file.messages import message
from bot.services.okr_file.yaml_io import OkrFileError
from bot.settings import load_settings
from storage.db import Database, make_engine
from storage.migrate import upgrade

EXIT_BAD_FILE = 2


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "import",
        help="import people, teams, schedules, cycles and OKRs from a YAML file",
        description="Create or update everything the file describes, in one transaction. "
        "A file with any error changes nothing; every error is printed with its place.",
    )
    parser.add_argument("file", type=Path, metavar="FILE.yaml", help="the OKR file")
    parser.add_argument(
        "--dry-run", action="store_true", help="check the file and report changes, write nothing"
    )
    parser.set_defaults(run=_run)


def _run(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(message("cannot_read", file=args.file, reason=reason), file=sys.stderr)
        return EXIT_BAD_FILE
    upgrade(settings.database_url)
    db = Database(make_engine(settings.database_url))
    try:
        report = import_okr_file(db, raw, clock=SystemClock(), dry_run=args.dry_run)
    except OkrFileError as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        print(message("summary_errors", count=len(exc.errors), file=args.file), file=sys.stderr)
        return EXIT_BAD_FILE
    finally:
        db.dispose()
    print("\n".join(summary_lines(report, str(args.file))))
    return 0


def summary_lines(report: ImportReport, file: str) -> list[str]:
    """What the import did, in total and per kind of row."""
    lines = [
        message(
            "summary",
            file=file,
            created=report.total_created,
            updated=report.total_updated,
            deleted=report.total_deleted,
        )
    ]
    if report.dry_run:
        lines.append(message("summary_dry_run"))
    kinds = sorted({*report.created, *report.updated, *report.deleted})
    for kind in kinds:
        lines.append(
            message(
                "summary_entity",
                entity=kind,
                created=report.created.get(kind, 0),
                updated=report.updated.get(kind, 0),
                deleted=report.deleted.get(kind, 0),
            )
        )
    return lines
