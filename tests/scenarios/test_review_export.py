"""`okr-bot export` of a cycle's review: scores, verdicts, causes and lessons as CSV and YAML
(Markdown: test_review_markdown.py)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from bot.clock import FakeClock
from bot.services.okr_file.exporter import ExportError
from bot.services.review.export import export_review
from storage.db import Database
from tests.scenarios.review_support import World, reviewed_world


@pytest.fixture
def world(db: Database, clock: FakeClock) -> World:
    return reviewed_world(
        db, clock, leads_detail="Market | shrank",
        market_lessons={"what_worked": "Partner webinars", "avoid": "=HYPERLINK(\"x\")"},
        explore_lessons={"learned": "SEA buyers want local payment"},
    )


def test_csv_has_a_row_per_kr_and_is_safe_in_a_spreadsheet(db: Database, world: World) -> None:
    rows = list(csv.DictReader(io.StringIO(export_review(db, cycle="2026-Q4", fmt="csv"))))
    assert [(r["objective"], r["key_result"], r["final_score"], r["verdict"]) for r in rows] == [
        ("Win the market", "Qualified leads", "0.90", "missed"),
        ("Win the market", "Launch the partner program", "1.00", "missed"),
        ("Make the brand known", "Brand awareness", "0.65", "success"),
        ("Explore the SEA market", "Customer interviews", "0.20", "learned"),
        ("Answer faster", "Response time", "0.50", "missed"),
    ]
    first = rows[0]
    assert (first["team"], first["objective_score"], first["colour"], first["cause"],
            first["cause_note"], first["reviewed"]) == (
        "Growth", "0.95", "yellow", "objective", "Market | shrank", "yes")
    assert first["avoid"] == "'=HYPERLINK(\"x\")"  # never a formula
    assert rows[-1]["reviewed"] == "no"


def test_yaml_holds_the_same_review(db: Database, world: World) -> None:
    doc = yaml.safe_load(export_review(db, cycle="2026-Q4", fmt="yaml"))
    assert (doc["cycle"], doc["state"]) == ("2026-Q4", "active")
    [growth] = doc["teams"]
    market = growth["objectives"][0]
    assert (market["title"], market["score"], market["verdict"], market["what_worked"]) == (
        "Win the market", 0.95, "missed", "Partner webinars")
    assert market["key_results"][0] == {
        "title": "Qualified leads", "measured": 0.9, "final": 0.9, "reviewed": True,
        "cause": "objective", "cause_note": "Market | shrank"}
    assert [o["verdict"] for o in growth["objectives"]] == [
        "missed", "success", "learned", "missed"]


def test_an_unknown_cycle_is_an_error(db: Database, world: World) -> None:
    with pytest.raises(ExportError, match="2025-Q1"):
        export_review(db, cycle="2025-Q1", fmt="csv")


def test_the_command_line_writes_the_review(
    db: Database, world: World, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["export", "--cycle", "2026-Q4", "--format", "md"]) == 0
    printed = capsys.readouterr().out
    assert "### Make the brand known" in printed
    # The calibration section closes the review: Growth's committed 0 of 2, aspirational 1 of 1.
    assert printed.index("### Make the brand known") < printed.index("## Calibration across")
    assert "| 2026-Q4 | 0/2 | 1/1 | 0 | 0/0 | 0 |" in printed
    out = tmp_path / "review.csv"
    assert main(["export", "--cycle", "2026-Q4", "--review", "--format", "csv",
                 "--out", str(out)]) == 0
    assert "Customer interviews" in out.read_text(encoding="utf-8-sig")
    assert main(["export", "--format", "md"]) == 2
    assert "--cycle" in capsys.readouterr().err
