"""`okr-bot rehearse` through the real entry point, on the example company: a timeline and a
summary of what everyone would receive; nothing outside anyone's calendar; the real database
and the configured Slack untouched."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from bot.cli import main
from tests.fakes.slack_api import SlackStandIn
from tests.services.okr_io_helpers import EXAMPLE


@pytest.fixture
def company(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, standin: SlackStandIn,
            capsys: pytest.CaptureFixture[str]) -> Path:
    """The example company in a SQLite file; SLACK_API_URL points at a stand-in that must
    hear nothing."""
    db_file = tmp_path / "okr.db"
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{db_file}")
    monkeypatch.setenv("SLACK_API_URL", standin.url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-real")
    assert main(["import", str(EXAMPLE)]) == 0
    capsys.readouterr()
    return db_file


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_rehearsal_prints_who_gets_what_and_touches_nothing(
    company: Path, standin: SlackStandIn, capsys: pytest.CaptureFixture[str]
) -> None:
    before = _digest(company)
    assert main(["rehearse", "--from", "2026-12-07", "--weeks", "1"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Timeline (UTC | recipient's local time | kind | to | outcome)\n")
    assert "| Mon 2026-12-07 10:00 CET | checkin | Emma Schulz | sent" in out
    assert "| Mon 2026-12-07 09:00 EST | checkin | Daniel Brooks | sent" in out
    assert "Outside someone's working hours, weekend or holidays: 0\n" in out
    assert "\nPer person (sent): prompts, reminders, other direct messages\n" in out
    assert "  Emma Schulz: 2 prompt(s)" in out
    assert "\nDigests per team\n" in out
    assert _digest(company) == before  # the real database is as it was
    assert standin.calls == []  # and the configured Slack heard nothing


def test_jsonl_is_one_event_per_line_then_the_summary(
    company: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["rehearse", "--from", "2026-12-07", "--weeks", "1", "--team", "Sales",
                 "--answer-rate", "0", "--format", "jsonl"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    *events, last = lines
    assert events and {"utc", "local", "kind", "to", "outcome", "outside_calendar"} == set(
        events[0])
    assert not any(e["outside_calendar"] for e in events)
    summary = last["summary"]
    assert summary["outside"] == 0
    reminded = [n for n, c in summary["people"].items() if c["reminder"]]
    assert reminded  # nobody answers: every prompt is followed by a reminder
    assert set(summary["digests"]) <= {"Sales"}


def test_an_unknown_team_is_refused(company: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rehearse", "--from", "2026-12-07", "--team", "Nope"]) == 2
    assert "no team called 'Nope'" in capsys.readouterr().err
