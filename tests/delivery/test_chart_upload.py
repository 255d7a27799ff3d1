"""The digest's chart: weekly scores read back from history, drawn as a PNG in a child process,
and uploaded into the digest's thread with files_upload_v2 over real HTTP (the stand-in)."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta

from bot.clock import FakeClock
from bot.delivery.chart_upload import upload_digest_chart
from bot.deps import make_web_client
from bot.digest_chart import PNG_MAGIC, chart_png
from bot.rendering import Renderer
from bot.services.digest.builder import build_digest
from bot.services.digest.view import DigestView
from bot.settings import load_settings
from storage.db import Database
from tests.fakes.slack_api import SlackStandIn
from tests.scenarios.seed import Seed
from tests.slack_text import HOSTILE

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # the conftest clock


def growth_digest(db: Database, clock: FakeClock, seed: Seed) -> DigestView:
    clock.set(datetime(2026, 10, 1, tzinfo=UTC))  # the OKRs are written when the cycle opens
    ben = seed.make_person("UBEN", name="Ben")
    team = seed.make_team("Growth", channel_id="CGROWTH", leads=[ben])
    q4 = seed.make_cycle()  # Oct 1 - Dec 31
    pipeline = seed.make_objective("Fill the pipeline", owner=team, cycle=q4)
    leads = seed.make_kr(pipeline, "Qualified leads", target=600)
    for weeks_ago, value in ((3, 100), (2, 150), (1, 200), (0, 250)):
        seed.make_checkin(leads, author=ben, value=value, at=NOW - timedelta(weeks=weeks_ago))
    hostile = seed.make_objective(HOSTILE, owner=team, cycle=q4)
    seed.make_kr(hostile, "Untouched", target=10)
    clock.set(NOW)
    assert team.id is not None
    return build_digest(db, clock, team.id, period_start=NOW - timedelta(days=14),
                        period_end=NOW + timedelta(minutes=1))


def test_the_chart_reads_each_objectives_score_by_week(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    chart = growth_digest(db, clock, seed).chart
    assert chart is not None
    assert (chart.cycle_name, chart.start, chart.end, chart.today) == (
        "2026-Q4", date(2026, 10, 1), date(2026, 12, 31), date(2026, 11, 30))
    pipeline, hostile = chart.series
    assert pipeline.label == "O1" and hostile.label == "O2"
    points = dict(pipeline.points)
    # Weekly from Oct 1 (a Thursday): Nov 5 is before the first check-in (Nov 9), Nov 12 after
    # it, Nov 26 after the third; the last point is today.
    assert points[date(2026, 11, 5)] == 0
    assert points[date(2026, 11, 12)] == 100 / 600
    assert points[date(2026, 11, 26)] == 200 / 600
    assert points[date(2026, 11, 30)] == 250 / 600
    assert pipeline.forecast is not None and 0.78 < pipeline.forecast < 0.8
    assert hostile.forecast is None  # one KR without data: no Objective forecast


def test_the_chart_is_a_png_drawn_in_a_child_process(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    chart = growth_digest(db, clock, seed).chart
    assert chart is not None
    png = chart_png(chart)
    assert png.startswith(PNG_MAGIC) and len(png) > 5_000


def test_the_chart_is_uploaded_into_the_digest_thread(
    db: Database, clock: FakeClock, seed: Seed
) -> None:
    digest = growth_digest(db, clock, seed)
    standin = SlackStandIn().start()
    try:
        settings = load_settings(slack_bot_token="xoxb-test", slack_api_url=standin.url,
                                 _env_file=None)
        slack = make_web_client(settings, retries=False)
        headline = slack.chat_postMessage(channel="CGROWTH", text="digest")
        for locale in ("en", "zh"):
            file_id = upload_digest_chart(slack, Renderer(), digest, locale, channel="CGROWTH",
                                          thread_ts=headline["ts"])
            assert file_id is not None
            assert standin.workspace.files[file_id]["content"].startswith(PNG_MAGIC)
        calls = [c.method for c in standin.calls]
        assert calls.count("files.getUploadURLExternal") == 2 and calls.count("upload") == 2
        complete = standin.calls_to("files.completeUploadExternal")[0].args
        assert (complete["channel_id"], complete["thread_ts"]) == ("CGROWTH", headline["ts"])
        thread = slack.conversations_replies(channel="CGROWTH", ts=headline["ts"])["messages"]
        en, zh = (m for m in thread if m.get("files"))
        assert en["files"][0]["title"] == "Growth · 2026-Q4: scores by week"
        assert "O1: Fill the pipeline" in en["text"]
        assert "&lt;!channel&gt;" in en["text"] and "<!channel>" not in en["text"]
        assert "O1：Fill the pipeline" in zh["text"] and "各目标每周得分" in zh["text"]
    finally:
        standin.stop()


def test_serving_and_sending_never_import_the_plotting_library() -> None:
    """matplotlib loads only in the chart's child process: serve's memory does not grow."""
    code = ("import sys, bot.http_server, bot.server, bot.wiring, bot.scheduler, "
            "bot.delivery.sender, bot.delivery.renderers, bot.delivery.chart_upload, "
            "bot.commands.send_digest; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] == 'matplotlib'))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.strip() == "[]"
