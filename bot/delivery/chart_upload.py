"""A digest's chart in the digest's thread: drawn by bot/digest_chart.py (in a child process),
described in the team's language, and posted by the sender as an upload payload: slack-sdk's
`files_upload_v2` (files.getUploadURLExternal, the upload URL, files.completeUploadExternal
with the thread's `thread_ts`)."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient

from bot.delivery.rows import Payload
from bot.digest_chart import ChartError, chart_png
from bot.rendering import Renderer
from bot.services.digest.view import DigestView

FILENAME = "okr-digest-chart.png"
UPLOAD_KEYS = ("file", "filename", "title", "initial_comment")  # an upload payload's fields
logger = logging.getLogger(__name__)


def chart_payload(renderer: Renderer, digest: DigestView, locale: str) -> Payload | None:
    """The chart as an upload payload for the digest's thread; None when there is nothing to
    chart or it could not be drawn (the digest goes out without it)."""
    if digest.chart is None:
        return None
    try:
        png = chart_png(digest.chart)
    except (ChartError, OSError) as error:
        logger.warning("digest chart for team %s not drawn: %s", digest.team_id, error)
        return None
    words = renderer.render("digest/chart", locale, chart=digest.chart, team=digest.team_name)
    return {"file": png, "filename": FILENAME, "title": words["title"],
            "initial_comment": words["text"]}


def is_upload(payload: Payload) -> bool:
    return "file" in payload


def upload_args(payload: Payload) -> dict[str, Any]:
    """The `files_upload_v2` arguments of an upload payload (from `chart_payload`)."""
    return {k: payload[k] for k in UPLOAD_KEYS}


def upload_digest_chart(
    slack: WebClient, renderer: Renderer, digest: DigestView, locale: str, *, channel: str,
    thread_ts: str,
) -> str | None:
    """Draw and upload the digest's chart into the thread `thread_ts`; the file id, or None
    when the digest has nothing to chart."""
    payload = chart_payload(renderer, digest, locale)
    if payload is None:
        return None
    response = slack.files_upload_v2(channel=channel, thread_ts=thread_ts,
                                     **upload_args(payload))
    return str(response["file"]["id"])
