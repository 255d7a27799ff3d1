"""`okr-bot import FILE.yaml`: load people, teams, cycles and OKRs in one transaction."""

from __future__ import annotations

import argparse
import sys
import time
from typing import TextIO

from bot.clock import SystemClock
from bot.commands.bootstrap import Context
from bot.services.okr_file.importer import ImportReport, import_okr_file
from bot.services.okr_file.messages import message
from bot.services.okr_file.yaml_io import OkrFileError

EXIT_BAD_FILE = 2
PROGRESS_EVERY_S = 1.0


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Import the file, speaking the terminal's language (`--locale`, else DEFAULT_LOCALE)."""
    try:
        raw = args.file.read_bytes()
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(message("cannot_read", file=args.file, reason=reason), file=sys.stderr)
        return EXIT_BAD_FILE
    try:
        report = import_okr_file(ctx.db, raw, clock=SystemClock(), dry_run=args.dry_run,
                                 progress=Progress(sys.stderr))
    except OkrFileError as exc:
        for line in exc.errors:
            print(line, file=sys.stderr)
        print(message("summary_errors", count=len(exc.errors), file=args.file), file=sys.stderr)
        return EXIT_BAD_FILE
    print("\n".join(summary_lines(report, str(args.file))))
    return 0


class Progress:
    """Says on `out` how far a long import got, once every `every` seconds (and its last
    record, once it said anything); a quick import prints nothing."""

    def __init__(self, out: TextIO, every: float = PROGRESS_EVERY_S) -> None:
        self.out, self.every = out, every
        self.next_at = time.monotonic() + every
        self.said = False

    def __call__(self, done: int, total: int) -> None:
        last = done == total
        if time.monotonic() < self.next_at and not (last and self.said):
            return
        print(message("progress", done=done, total=total), file=self.out, flush=True)
        self.said = True
        self.next_at = time.monotonic() + self.every


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
    if report.unowned:
        lines.append(message("unowned", count=len(report.unowned)))
        lines.extend(message(f"unowned_{a.because.value}", kr=a.kr_key or a.kr_title,
                             names=", ".join(a.names)) for a in report.unowned)
    return lines
