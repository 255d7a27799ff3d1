"""`okr-bot import` and `okr-bot export` through the real command line entry point."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from bot.cli import main
from storage.db import Database
from tests.services.okr_io_helpers import EXAMPLE, table_counts, table_dump

BROKEN = """\
people:
  - id: U0AAAAAAA01
    name: Li
    locale: fr-FR
teams:
  - name: Support
    parent: Nowhere
objectives:
  - key: sup-q4
    cycle: 2026-Q4
    title: Answer fast
    owner_team: Support
    key_results:
      - title: Resolution time
        start: 48
        target: 48
"""


def _sqlite_bytes(url: str) -> bytes | None:
    """The SQLite file's bytes (None on PostgreSQL)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    return hashlib.sha256(Path(parsed.database).read_bytes()).digest()


def test_cli_import_then_export_round_trips(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    out = tmp_path / "export.yaml"

    assert main(["import", str(EXAMPLE)]) == 0
    assert "88 created, 0 updated, 0 deleted" in capsys.readouterr().out
    assert main(["export", "--cycle", "2026-Q4", "--out", str(out)]) == 0
    assert main(["import", str(out)]) == 0
    assert "0 created, 0 updated, 0 deleted" in capsys.readouterr().out
    assert "key: mkt-2026q4-brand" in out.read_text(encoding="utf-8")


def test_cli_export_to_stdout_and_unknown_cycle(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    main(["import", str(EXAMPLE)])
    capsys.readouterr()

    assert main(["export"]) == 0
    assert "title: 提升品牌曝光与线索数量,支持销售增长" in capsys.readouterr().out
    assert main(["export", "--cycle", "1999-Q1"]) == 2
    assert "no cycle named '1999-Q1'" in capsys.readouterr().err


def test_cli_broken_file_prints_every_error_exits_2_and_changes_nothing(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["import", str(EXAMPLE)]) == 0
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN, encoding="utf-8")
    rows, counts, file_bytes = table_dump(db), table_counts(db), _sqlite_bytes(database_url)
    capsys.readouterr()

    assert main(["import", str(bad)]) == 2

    err = capsys.readouterr().err.splitlines()
    assert err == [
        "people[0].locale: must be a locale of a supported language (en, zh), e.g. zh-CN or "
        "en-US (line 4)",
        "teams[0].parent: no team named 'Nowhere' in this file or in the database (line 7)",
        "objectives[0].key_results[0].target: must differ from start (48) (line 16)",
        f"3 error(s) in {bad}; nothing was imported",
    ]
    assert table_counts(db) == counts
    assert table_dump(db) == rows
    assert _sqlite_bytes(database_url) == file_bytes


def test_cli_import_migrates_a_new_sqlite_database(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'new.db'}")

    assert main(["import", str(EXAMPLE)]) == 0
    assert main(["import", str(EXAMPLE), "--dry-run"]) == 0

    out = capsys.readouterr().out
    assert "88 created" in out and "(dry run: nothing was written)" in out


def test_cli_missing_file_exits_2(
    database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["import", str(tmp_path / "nope.yaml")]) == 2
    assert "cannot read" in capsys.readouterr().err


@pytest.mark.parametrize(
    "flags", [["--checkins-csv", "{out}"], ["--format", "csv", "--out", "{out}"]]
)
def test_cli_exports_checkins_csv(
    flags: list[str], database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    out = tmp_path / "checkins.csv"
    main(["import", str(EXAMPLE)])

    assert main(["export", *(f.format(out=out) for f in flags)]) == 0

    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # spreadsheet programs then read UTF-8
    header = next(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert header[:3] == ["kr_key", "objective_key", "author_slack_id"]


def test_cli_import_says_who_is_asked_about_each_kr_without_an_owner(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["import", "--dry-run", str(EXAMPLE)]) == 0
    dry = capsys.readouterr().out
    assert main(["import", str(EXAMPLE)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if "without an owner" in line)
    asked = lines[header + 1:]
    count = int(lines[header].split()[0])
    assert count == len(asked) > 0
    assert all(line.startswith("  ") and ": " in line for line in asked)
    assert any("(leads of the owning team)" in line for line in asked)
    assert not any("nobody" in line for line in asked)  # every team of the example has a lead
    assert lines[header:] == dry.splitlines()[-len(lines[header:]):]  # a dry run says the same


def test_cli_import_speaks_the_admins_language(
    db: Database, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    bad = tmp_path / "bad.yaml"
    bad.write_text(BROKEN, encoding="utf-8")
    assert main(["import", str(EXAMPLE), "--locale", "en"]) == 0
    assert "88 created, 0 updated, 0 deleted" in capsys.readouterr().out

    assert main(["import", str(bad), "--locale", "zh"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "people[0].locale: 必须是受支持语言（en, zh）的区域代码，例如 zh-CN 或 en-US（第 4 行）",
        "teams[0].parent: 文件和数据库中都没有名为 'Nowhere' 的团队（第 7 行）",
        "objectives[0].key_results[0].target: 必须与起始值（48）不同（第 16 行）",
        f"{bad} 中有 3 处错误；没有导入任何内容",
    ]
    monkeypatch.setenv("DEFAULT_LOCALE", "zh")
    assert main(["import", str(EXAMPLE), "--dry-run"]) == 0
    assert "（试运行：没有写入任何内容）" in capsys.readouterr().out
    assert main(["export", "--cycle", "1999-Q1"]) == 2
    assert "没有名为 '1999-Q1' 的周期" in capsys.readouterr().err
