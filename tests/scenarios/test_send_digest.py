"""`okr-bot send-digest` through bot.cli.main: a dry run prints, a real run posts a period once."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from sqlmodel import select

from bot.blockkit import violations
from bot.cli import main
from bot.scheduler import make_sender
from bot.settings import load_settings
from bot.wiring import build_deps
from storage.db import Database
from storage.models import Delivery, Team
from tests.fakes.slack_api import Fault, SlackStandIn
from tests.fakes.unreachable import closed_port_url
from tests.services.digest_seed import NOW, seed_growth_team, seed_team_of

PERIOD = 23  # (2026-11-30 - 2026-01-05) // 14
PARTICIPATION = "👥 参与度：被邀请的 4 人中 2 人已打卡（50%）"  # two of the four asked are missing


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, database_url: str,
            standin: SlackStandIn) -> Iterator[None]:
    """The CLI's environment (no .env from the checkout), at the seeded moment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_API_URL", standin.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    with time_machine.travel(NOW, tick=True):
        yield


def deliveries(db: Database) -> list[Delivery]:
    """The digest's outbox rows (the seed also records the check-in prompts people got)."""
    with db.read() as session:
        return list(session.exec(select(Delivery).where(Delivery.kind != "checkin")
                                 .order_by(Delivery.id)))


@pytest.mark.usefixtures("cli_env")
def test_dry_run_prints_the_digest_in_the_teams_language(
    db: Database, standin: SlackStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_growth_team(db)
    assert main(["send-digest", "--team", "Growth", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert f"Growth: digest of period {PERIOD} (2026-11-20 16:00 → 2026-11-30 09:" in out
    assert "language zh, channel CGROWTH, 1 message(s) — dry run, nothing sent" in out
    assert "--- message 1/1 (channel post) ---" in out
    assert "OKR 周报 · Growth" in out
    # readable: mentions as names, entities as the characters people typed
    assert "• @Ana 在 _Leads per month_ 上受阻：CRM export broken <!channel> & <@U123>" in out
    assert "• @Ben 在 _Conversion rate_ 上需要帮助：Need a design review of the funnel → @Lin" \
        in out
    assert deliveries(db) == [] and standin.calls == []


@pytest.mark.usefixtures("cli_env")
def test_dry_run_json_is_the_payloads(db: Database, capsys: pytest.CaptureFixture[str]) -> None:
    seed_team_of(db, 200, name="Huge", blocker="<&>" * 100)
    assert main(["send-digest", "--team", "huge", "--dry-run", "--format", "json"]) == 0
    payloads = json.loads(capsys.readouterr().out)
    assert len(payloads) > 1
    assert all(violations(p, "message") == [] for p in payloads)
    assert payloads[0]["text"].startswith("OKR digest for Huge")  # no lead locale: default en
    assert deliveries(db) == []


@pytest.mark.usefixtures("cli_env")
def test_send_queues_and_posts_a_period_once(
    db: Database, standin: SlackStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    growth = seed_growth_team(db)
    assert main(["send-digest", "--team", "Growth"]) == 0
    assert f"digest of period {PERIOD} queued; sender pass: 2 sent" in capsys.readouterr().out
    row, reply = deliveries(db)
    assert (row.kind, row.dedupe_key, row.status, row.channel_id) == (
        "digest", f"digest:{growth.team_id}:{PERIOD}", "sent", "CGROWTH")
    assert (reply.kind, reply.dedupe_key, reply.status, reply.parent_id) == (
        "digest_reply", f"digest:{growth.team_id}:{PERIOD}:details", "sent", row.id)
    post, details = standin.calls_to("chat.postMessage")
    assert post.args["channel"] == details.args["channel"] == "CGROWTH"
    # the channel gets a headline; the details are a reply in its thread
    assert post.args["blocks"][0]["text"]["text"] == "OKR 周报 · Growth"
    assert "thread_ts" not in post.args and details.args["thread_ts"] == row.ts
    headline = str(post.args["blocks"])
    assert "团队得分" in headline and "未打卡 2" in headline and "阻碍 1" in headline
    assert PARTICIPATION in headline
    assert "<@UDEE>、<@UFAY>" in str(details.args["blocks"])
    # The chart follows in the digest's thread: uploaded with files_upload_v2.
    ts = row.ts
    [complete] = standin.calls_to("files.completeUploadExternal")
    assert (complete.args["channel_id"], complete.args["thread_ts"]) == ("CGROWTH", ts)
    [chart] = [m for m in standin.workspace.messages["CGROWTH"] if m.get("files")]
    assert chart["thread_ts"] == ts and "各目标每周得分" in chart["text"]
    assert standin.workspace.files[chart["files"][0]["id"]]["content"].startswith(b"\x89PNG")

    assert main(["send-digest", "--team", "Growth"]) == 0
    assert "already queued or sent; nothing new to send" in capsys.readouterr().out
    assert len(standin.calls_to("chat.postMessage")) == 2
    assert len(deliveries(db)) == 2
    assert standin.invalid == []


@pytest.mark.usefixtures("cli_env")
def test_a_refused_chart_upload_does_not_fail_the_digest(
    db: Database, standin: SlackStandIn
) -> None:
    seed_growth_team(db)
    standin.fail("files.getUploadURLExternal", Fault("error", error="missing_scope"))
    assert main(["send-digest", "--team", "Growth"]) == 0
    assert len(standin.calls_to("chat.postMessage")) == 2  # the headline and its details
    assert standin.calls_to("files.completeUploadExternal") == []
    assert [row.status for row in deliveries(db)] == ["sent", "sent"]


@pytest.mark.usefixtures("cli_env")
def test_a_long_digest_continues_in_the_thread(db: Database, standin: SlackStandIn) -> None:
    seed_team_of(db, 200, name="Huge", blocker="<&>" * 100)
    assert main(["send-digest", "--team", "Huge"]) == 0
    first, *replies = standin.calls_to("chat.postMessage")
    assert len(replies) > 1 and "thread_ts" not in first.args
    assert len(first.args["blocks"]) <= 5  # a headline; every page of details in the thread
    ts = standin.workspace.messages["CHUGE"][0]["ts"]
    assert all(reply.args["thread_ts"] == ts for reply in replies)
    assert standin.invalid == []
    assert [row.status for row in deliveries(db)] == ["sent", "sent"]


@pytest.mark.usefixtures("cli_env")
def test_unknown_team_or_no_channel_sends_nothing(
    db: Database, standin: SlackStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_growth_team(db)
    with db.write() as session:
        session.add(Team(name="Lonely", slack_channel_id=None, created_at=NOW))
    assert main(["send-digest", "--team", "Nope"]) == 1
    assert "no team called 'Nope' (teams: Growth, Lonely, Ops)" in capsys.readouterr().err
    assert main(["send-digest", "--team", "Lonely"]) == 1
    assert "has no channel to post to" in capsys.readouterr().err
    assert deliveries(db) == [] and standin.calls == []


@pytest.mark.usefixtures("cli_env")
def test_dry_run_writes_the_chart(
    db: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_growth_team(db)
    out_file = tmp_path / "out.png"
    assert main(["send-digest", "--team", "Growth", "--dry-run", "--chart", str(out_file)]) == 0
    assert f"chart written to {out_file}" in capsys.readouterr().out
    assert out_file.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert main(["send-digest", "--team", "Growth", "--chart", str(out_file)]) == 1
    assert "--chart needs --dry-run" in capsys.readouterr().err


@pytest.mark.usefixtures("cli_env")
def test_a_digest_that_cannot_reach_slack_exits_1_and_waits_in_the_outbox(
    db: Database, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    seed_growth_team(db)
    monkeypatch.setenv("SLACK_API_URL", closed_port_url())
    assert main(["send-digest", "--team", "Growth"]) == 1
    captured = capsys.readouterr()
    assert "sender pass: 0 sent, 0 failed, 1 to retry" in captured.out
    assert "the digest was not posted; it waits in the outbox" in captured.err
    # the headline and the reply waiting for its thread
    assert [row.status for row in deliveries(db)] == ["pending", "pending"]


@pytest.mark.usefixtures("cli_env")
def test_a_chart_upload_whose_answer_was_lost_is_not_uploaded_twice(
    db: Database, standin: SlackStandIn
) -> None:
    seed_growth_team(db)
    # Slack shares the file in the thread, then the answer never arrives.
    standin.fail("files.completeUploadExternal", Fault("drop"))
    main(["send-digest", "--team", "Growth"])
    assert [row.status for row in deliveries(db)] == ["sent", "ambiguous"]
    with time_machine.travel(NOW + timedelta(minutes=10), tick=True):
        deps = build_deps(load_settings())
        sender = make_sender(deps)
        try:
            for _ in range(4):  # the scheduler's later passes: read the thread, finish the row
                sender.tick()
        finally:
            deps.db.dispose()
    assert [row.status for row in deliveries(db)] == ["sent", "sent"]
    charts = [m for m in standin.workspace.messages["CGROWTH"] if m.get("files")]
    assert len(charts) == 1
    assert len(standin.calls_to("files.completeUploadExternal")) == 1
    assert len(standin.calls_to("files.getUploadURLExternal")) == 1  # not uploaded again
    assert len(standin.calls_to("chat.postMessage")) == 2  # the headline and its details
