"""`okr-bot shell` driven through its input and output, as a scripted session."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.commands.shell import run_shell


def transcript(tmp_path: Path, script: str, *, as_user: str = "", locale: str = "en") -> str:
    output = io.StringIO()
    run_shell(tmp_path / "shell.db", as_user, locale, io.StringIO(script), output)
    return output.getvalue()


def test_first_run_offers_the_example_and_shows_my_okrs(tmp_path: Path) -> None:
    out = transcript(tmp_path, "y\n/okr\n:quit\n", as_user="@Chen")
    assert "Load the example company" in out
    assert "You are 陈静 Chen Jing" in out
    assert "only visible to you" in out
    assert "▓" in out or "░" in out


def test_declining_the_example_leaves_an_empty_database_and_says_what_to_do(
    tmp_path: Path,
) -> None:
    out = transcript(tmp_path, "n\n")
    assert "Nothing to show" in out


def test_look_up_a_colleague_switch_user_and_see_raw_blocks(tmp_path: Path) -> None:
    out = transcript(tmp_path, "y\n/okr @Daniel\n:blocks\n:as @Emma\n/okr help\n:quit\n")
    assert "Daniel Brooks" in out
    raw = out.split(":blocks\n", 1)[1].split("\n> ", 1)[0]
    assert json.loads(raw)["response_type"] == "ephemeral"
    assert "You are now Emma Schulz." in out
    assert "How to use /okr" in out


def test_mistyped_shell_commands_get_guidance_not_errors(tmp_path: Path) -> None:
    out = transcript(tmp_path, "y\n:press 9\n:advance soon\n:as @nobody\nhello\n:quit\n")
    assert "Press which?" in out
    assert "Advance by what?" in out
    assert "Nobody called @nobody here." in out
    assert "Type /okr" in out
    assert out.rstrip().endswith("bye")
