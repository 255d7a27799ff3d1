"""`okr-bot send-digest --team NAME [--dry-run]`: a team's digest now, outside the schedule.

`--dry-run` prints the messages (readable text, or `--format json` payloads) and sends
nothing; `--chart FILE` also writes the chart the digest's thread gets, as a PNG.
Otherwise the digest goes into the outbox under this period's key
(`digest:{team}:{period}`, shared with the scheduled digest, so a period is posted once)
and sender passes post it and its thread; the exit status is 1 when it could not be posted.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import col, select

from bot.catalogues import words
from bot.commands.bootstrap import Context
from bot.delivery.sender import Sender, SendReport
from bot.digest_render import render_digest
from bot.scheduler import make_sender
from bot.services.digest.on_demand import (
    NotInTeam,
    OnDemand,
    digest_now,
    enqueue_digest,
    resolve_team,
)
from bot.services.digest.view import DigestView
from bot.services.team_names import TeamNotFound
from bot.shell.blocks_text import display_mrkdwn
from storage.db import Database
from storage.models import Delivery

EXIT_NOT_SENT = 1
MAX_PASSES = 10  # the headline, then its thread replies: a few ticks


def run(args: argparse.Namespace, ctx: Context) -> int:
    if args.chart is not None and not args.dry_run:
        print(words("cli.digest.chart_needs_dry_run"), file=sys.stderr)
        return EXIT_NOT_SENT
    deps = ctx.deps
    db, clock, settings = deps.db, deps.clock, deps.settings
    team = resolve_team(db, name=args.team)
    if isinstance(team, NotInTeam | TeamNotFound):
        names = (team.suggestions or team.known) if isinstance(team, TeamNotFound) else ()
        known = ", ".join(names)
        print(words("cli.digest.unknown_team", name=args.team)
              + (words("cli.digest.known_teams", names=known) if known else ""), file=sys.stderr)
        return EXIT_NOT_SENT
    digest = digest_now(db, clock, team)
    renderer = deps.renderer
    if args.dry_run:
        locale = digest.view.locale(settings.default_locale)
        payloads = render_digest(renderer, digest.view, locale)
        print(_as_json(payloads) if args.format == "json" else _as_text(digest, locale, payloads))
        if args.chart is not None:
            return _write_chart(digest.view, args.chart)
        return 0
    if digest.view.channel_id is None:
        print(words("cli.digest.no_channel", name=team.name), file=sys.stderr)
        return EXIT_NOT_SENT
    if not enqueue_digest(db, clock, digest):
        print(words("cli.digest.already", team=team.name, period=digest.window.period))
        return 0
    report = _drain(db, make_sender(deps),
                    f"digest:{digest.view.team_id}:{digest.window.period}")
    print(words("cli.digest.queued", team=team.name, period=digest.window.period,
                sent=report.sent, failed=report.failed,
                retry=report.retried + report.rate_limited, reconcile=report.ambiguous))
    if report.failed or not report.sent:
        print(words("cli.digest.not_posted"), file=sys.stderr)
        return EXIT_NOT_SENT
    return 0


def _drain(db: Database, sender: Sender, key: str) -> SendReport:
    """Sender ticks while they post and the digest or a reply in its thread waits (a reply is
    claimed once the headline has its ts, a tick later), at most MAX_PASSES; the totals."""
    total = SendReport()
    for _ in range(MAX_PASSES):
        report = sender.tick()
        for name in vars(total):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        with db.read() as session:
            waiting = session.exec(select(func.count()).select_from(Delivery).where(
                col(Delivery.status) == "pending",
                or_(col(Delivery.dedupe_key) == key,
                    col(Delivery.dedupe_key).startswith(f"{key}:")))).one()
        if not waiting or not report.sent:  # done, or stuck: the worker goes on
            break
        time.sleep(sender.pacing.tick.total_seconds())
    return total


def _write_chart(view: DigestView, path: Path) -> int:
    from bot.digest_chart import chart_png  # only where a digest is drawn

    if view.chart is None:
        print(words("cli.digest.no_chart", team=view.team_name), file=sys.stderr)
        return EXIT_NOT_SENT
    path.write_bytes(chart_png(view.chart))
    print(words("cli.digest.chart_written", path=path))
    return 0


def _as_json(payloads: list[dict[str, Any]]) -> str:
    return json.dumps(payloads, ensure_ascii=False, indent=2)


def _as_text(digest: OnDemand, locale: str, payloads: list[dict[str, Any]]) -> str:
    view, window = digest.view, digest.window
    names = _names(view)
    lines = [words("cli.digest.dry_run", team=view.team_name, period=window.period,
                   start=f"{window.start:%Y-%m-%d %H:%M}", end=f"{window.end:%Y-%m-%d %H:%M}",
                   locale=locale, channel=view.channel_id or words("cli.digest.no_channel_short"),
                   count=len(payloads))]
    for number, payload in enumerate(payloads, start=1):
        role = words("cli.digest.channel_post" if number == 1 else "cli.digest.thread_reply")
        lines += ["", words("cli.digest.message", number=number, count=len(payloads), role=role)]
        lines += [display_mrkdwn(text, names) for text in _texts(payload["blocks"])]
    return "\n".join(lines)


def _texts(blocks: list[dict[str, Any]]) -> list[str]:
    texts: list[str] = []
    for block in blocks:
        if "text" in block:
            texts.append(str(block["text"]["text"]))
        texts.extend(str(e.get("text", "")) for e in block.get("elements", []))
    return texts


def _names(view: DigestView) -> Callable[[str], str]:
    people = [*view.not_checked_in,
              *(a.person for a in (*view.blockers, *view.help_requests) if a.person),
              *(a.asks for a in view.help_requests if a.asks)]
    known = {p.slack_user_id: p.name for p in people}
    return lambda slack_id: known.get(slack_id, slack_id)
