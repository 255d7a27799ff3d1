"""`okr-bot export`: the OKR tree as importable YAML, or check-ins as CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.catalogues import terminal_locale
from bot.commands.bootstrap import Context
from bot.rendering import load_catalogue
from bot.review_markdown import review_markdown
from bot.services.okr_file.exporter import ExportError, export_checkins_csv, export_okr_yaml
from bot.services.okr_file.messages import message
from bot.services.review.export import export_review, review_calibrations, review_report
from storage.db import Database

EXIT_BAD_ARGUMENT = 2


def run(args: argparse.Namespace, ctx: Context) -> int:
    """Export, in the terminal's language (`--locale`, else DEFAULT_LOCALE)."""
    locale = terminal_locale()
    db = ctx.db
    as_csv = args.format == "csv" or args.checkins_csv is not None
    out: Path | None = args.checkins_csv or args.out
    try:
        if args.review or args.format == "md":
            text = _review(db, args, locale)
        elif as_csv:
            text = export_checkins_csv(db, cycle=args.cycle)
        else:
            text = export_okr_yaml(db, cycle=args.cycle)
    except ExportError as exc:
        print(message("failed", reason=exc), file=sys.stderr)
        return EXIT_BAD_ARGUMENT
    if out is None:
        sys.stdout.write(text)
        return 0
    # A byte-order mark lets spreadsheet programs read the CSV's Chinese text as UTF-8.
    out.write_text(text, encoding="utf-8-sig" if as_csv else "utf-8", newline="")
    print(message("exported", file=out), file=sys.stderr)
    return 0


def _review(db: Database, args: argparse.Namespace, locale: str) -> str:
    if args.cycle is None:
        raise ExportError(message("review_needs_cycle"))
    if args.format == "md":
        return review_markdown(review_report(db, cycle=args.cycle), load_catalogue(locale),
                               review_calibrations(db, cycle=args.cycle))
    return export_review(db, cycle=args.cycle, fmt=args.format)
