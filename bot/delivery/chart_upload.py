"""A digest's chart in the digest's thread: drawn by bot/digest_chart.py (in a child process),
described in the reader's language, uploaded with slack-sdk's `files_upload_v2`
(files.getUploadURLExternal, the upload URL, files.completeUploadExternal with `thread_ts`)."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.digest_chart import chart_png
from bot.rendering import Renderer
from bot.services.digest.view import DigestView

FILENAME = "okr-digest-chart.png"


def upload_digest_chart(
    slack: WebClient, renderer: Renderer, digest: DigestView, locale: str, *, channel: str,
    thread_ts: str,
) -> str | None:
    """Draw and upload the digest's chart into the thread `thread_ts`; the file id, or None
    when the digest has nothing to chart."""
    if digest.chart is None:
        return None
    words = renderer.render("digest/chart", locale, chart=digest.chart, team=digest.team_name)
    response = slack.files_upload_v2(
        channel=channel, thread_ts=thread_ts, file=chart_png(digest.chart), filename=FILENAME,
        title=words["title"], initial_comment=words["text"],
    )
    return str(response["file"]["id"])
