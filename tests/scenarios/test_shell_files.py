"""The shell shows a file the bot uploads (the digest's chart) and saves it where it says."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from bot.clock import FakeClock
from bot.shell.session import open_session
from storage.migrate import upgrade


def test_an_uploaded_file_is_saved_and_its_path_printed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shell.db'}"
    upgrade(url)
    session = open_session(url, clock=FakeClock(datetime(2026, 11, 30, tzinfo=UTC)))
    session.upload_dir = tmp_path / "files"
    try:
        slack = session.deps.slack
        post = slack.chat_postMessage(channel="CGROWTH", text="digest")
        slack.files_upload_v2(channel="CGROWTH", thread_ts=post["ts"], file=b"\x89PNG fake",
                              filename="chart.png", title="Growth · 2026-Q4",
                              initial_comment="📈 *Growth*")
        upload = [o for o in session.collect() if "saved to" in o.payload.get("text", "")]
        [output] = upload
        text = output.payload["text"]
        assert text.startswith("📈 *Growth*\n📎 Growth · 2026-Q4: saved to ")
        saved = Path(text.rsplit("saved to ", 1)[1])
        assert saved.parent == (tmp_path / "files").resolve()
        assert saved.read_bytes() == b"\x89PNG fake"
    finally:
        session.close()

