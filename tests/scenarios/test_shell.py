"""`okr-bot shell` driven through its input and output, as a scripted session."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from bot.commands.shell import run_shell
from tests.scenarios.shell_support import drive

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def transcript(tmp_path: Path, script: str, *, as_user: str = "", locale: str = "en") -> str:
    output = io.StringIO()
    run_shell(tmp_path / "shell.db", as_user, locale, io.StringIO(script), output, at=AT)
    return output.getvalue()


def test_first_run_offers_the_example_and_shows_my_okrs(tmp_path: Path) -> None:
    out = transcript(tmp_path, "y\n/okr\n:quit\n", as_user="@Chen")
    assert "Load the example company" in out
    assert "You are 陈静 Chen Jing" in out
    assert "only visible to you" in out
    assert "▓" in out or "░" in out


def test_declining_the_example_says_how_to_import_and_exits_cleanly(tmp_path: Path) -> None:
    output = io.StringIO()
    code = run_shell(tmp_path / "shell.db", "", "en", io.StringIO("n\n"), output)
    out = output.getvalue()
    assert code == 0 and "Nothing to show" in out
    # `okr-bot import` has no --db: the hint names the setting it reads
    assert f"DATABASE_URL=sqlite:///{tmp_path / 'shell.db'} okr-bot import FILE.yaml" in out
    assert "--db" not in out


def test_a_command_or_the_end_of_input_at_the_first_question_is_taken_kindly(
    tmp_path: Path,
) -> None:
    output = io.StringIO()
    code = run_shell(tmp_path / "a.db", "", "en", io.StringIO("/okr\n:help\n"), output)
    out = output.getvalue()
    assert code == 0
    assert out.count("First answer y to load the example company, or n") == 2
    assert out.rstrip().endswith("okr-bot import FILE.yaml")
    code = run_shell(tmp_path / "b.db", "", "en", io.StringIO(""), io.StringIO())
    assert code == 0


def test_end_of_input_inside_a_form_leaves_the_shell_with_success(tmp_path: Path) -> None:
    output = io.StringIO()
    code = run_shell(tmp_path / "shell.db", "@Daniel", "en",
                     io.StringIO("y\n/okr checkin\ny\n"), output, at=AT)
    assert code == 0
    assert output.getvalue().rstrip().endswith("bye")


def test_look_up_a_colleague_switch_user_and_see_raw_blocks(tmp_path: Path) -> None:
    out = transcript(tmp_path, "y\n/okr @Daniel\n:blocks\n:as @Emma\n/okr help\n:quit\n")
    assert "Daniel Brooks" in out
    raw = out.split(":blocks\n", 1)[1].split("\n> ", 1)[0]
    assert json.loads(raw)["response_type"] == "ephemeral"
    assert "You are now Emma Schulz." in out
    assert "How to use /okr" in out


def test_people_are_found_by_names_with_spaces_and_an_ambiguous_start_lists_them(
    tmp_path: Path,
) -> None:
    out = transcript(tmp_path, "y\n:as @Liu Yang\n:as @li\n/okr @Marcus Reid\n/okr @li\n")
    assert "You are now 刘洋 Liu Yang." in out
    assert "@li could be @刘洋 Liu Yang, @李娜 Li Na: type more of the name." in out
    assert out.count("could be") == 2  # also in /okr @li, which then goes as typed
    assert "Marcus Reid" in out.split("> /okr @Marcus Reid", 1)[1]


def test_mistyped_shell_commands_get_guidance_not_errors(tmp_path: Path) -> None:
    out = transcript(tmp_path, "y\n:press 9\n:advance soon\n:as @nobody\nhello\n:quit\n")
    assert "Press which?" in out
    assert "Advance by what?" in out
    assert "Nobody called @nobody here." in out
    assert "Type /okr" in out
    assert out.rstrip().endswith("bye")


def test_the_clock_starts_where_asked_moves_by_weeks_and_days_and_is_remembered(
    tmp_path: Path,
) -> None:
    db = tmp_path / "shell.db"
    code, out = drive(db, ["y", ":time", ":advance 1w", ":advance 6d10h"], as_user="@Emma",
                      at=datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    assert code == 0
    assert "It is now Mon 2027-03-01 09:00 UTC (Mon 10:00 for you, Europe/Berlin)." in out
    assert "It is now Mon 2027-03-08 09:00 UTC" in out
    assert "It is now Sun 2027-03-14 19:00 UTC" in out
    code, out = drive(db, [":time"])  # no --at: where it was left, as whom it was left
    assert "You are Emma Schulz." in out
    assert "It is now Sun 2027-03-14 19:00 UTC" in out


def test_logs_go_to_a_file_beside_the_database_not_into_the_transcript(tmp_path: Path) -> None:
    db = tmp_path / "shell.db"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "shell", "--db", str(db), "--at", "2026-12-03T09:00",
         "--as", "@Emma"],
        input="y\n:advance 1d\n:quit\n", capture_output=True, text=True, cwd=tmp_path, env=env,
        timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "It is now Fri 2026-12-04 09:00 UTC" in done.stdout
    assert " INFO " not in done.stdout + done.stderr
    log = (tmp_path / "shell.log").read_text(encoding="utf-8")
    assert "INFO bot.scheduler" in log


def test_an_unknown_start_time_is_one_line(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "shell", "--db", str(tmp_path / "s.db"),
         "--at", "next monday"],
        capture_output=True, text=True, cwd=tmp_path, timeout=60, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2
    assert "'next monday' is not a date and time like 2027-03-01T09:00" in done.stderr
    assert "Traceback" not in done.stderr


def test_okr_shell_files_are_ignored_by_git() -> None:
    ignored = (ROOT / ".gitignore").read_text(encoding="utf-8").split()
    assert {"okr-shell.db", "okr-shell.log"} <= set(ignored)
