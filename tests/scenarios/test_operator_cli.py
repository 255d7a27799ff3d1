"""An operator's mistakes end in one clear line each, never a traceback (unless --debug), and
`okr-bot --help` loads nothing heavy."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from storage.migrate import HEAD
from tests.fakes.slack_api import Fault, SlackStandIn
from tests.fakes.unreachable import closed_port_url

ROOT = Path(__file__).resolve().parents[2]
BOT_TOKEN = "xoxb-1-okr-test"
APP_TOKEN = "xapp-1-A1-okr-test"


def okr_bot(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("SLACK_", "DATABASE_", "DEFAULT_"))}
    return subprocess.run([sys.executable, "-m", "bot.cli", *args], cwd=cwd, text=True,
                          env={**base, "PYTHONPATH": str(ROOT), **env}, capture_output=True,
                          timeout=60, check=False)


def one_line(done: subprocess.CompletedProcess[str]) -> str:
    """The single line an operator error prints; fails on a traceback or several lines."""
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    return lines[0]


def missing_database_urls(tmp_path: Path) -> list[str]:
    """A SQLite file that cannot be opened, a PostgreSQL server that is not there, and (when
    the tests have PostgreSQL) a database that does not exist on it."""
    nothing_listens = closed_port_url().removeprefix("http://").removesuffix("/api/")
    urls = [f"sqlite:///{tmp_path}/no/such/dir/okr.db",
            f"postgresql://okr:secret@{nothing_listens}/okr"]
    if pg := os.environ.get("TEST_DATABASE_URL"):
        urls.append(make_url(pg).set(database="okr_no_such_database")
                    .render_as_string(hide_password=False))
    return urls


def test_help_answers_without_loading_slack_sqlalchemy_or_pydantic() -> None:
    probe = ("import sys\nfrom bot.cli import main\ntry:\n    main(['--help'])\n"
             "except SystemExit:\n    pass\n"
             "print(sorted(m for m in ('slack_bolt', 'slack_sdk', 'sqlalchemy', 'pydantic', "
             "'jinja2', 'apscheduler') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert "manifest" in done.stdout and "status" in done.stdout


def test_every_missing_setting_is_named_at_once(tmp_path: Path) -> None:
    line = one_line(okr_bot("serve", cwd=tmp_path))
    assert line == ("okr-bot: missing settings SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: set them "
                    "in the environment or in .env")


def test_socket_mode_needs_the_app_token_and_no_signing_secret(tmp_path: Path) -> None:
    line = one_line(okr_bot("socket", cwd=tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN))
    assert line == ("okr-bot: missing setting SLACK_APP_TOKEN: set it in the environment or "
                    "in .env")


def test_socket_with_slack_unreachable_says_so_in_one_line(tmp_path: Path) -> None:
    url = closed_port_url()
    line = one_line(okr_bot("socket", "--no-scheduler", cwd=tmp_path, SLACK_BOT_TOKEN=BOT_TOKEN,
                            SLACK_APP_TOKEN=APP_TOKEN, SLACK_API_URL=url,
                            DATABASE_URL=f"sqlite:///{tmp_path}/okr.db"))
    assert line.startswith(f"okr-bot: cannot reach Slack at {url}: ")
    assert "Connection refused" in line


def test_a_token_slack_refuses_is_named_with_what_to_do(tmp_path: Path) -> None:
    standin = SlackStandIn().start()
    try:
        standin.fail("apps.connections.open", Fault("error", error="invalid_auth"))
        line = one_line(okr_bot("socket", "--no-scheduler", cwd=tmp_path,
                                SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_APP_TOKEN=APP_TOKEN,
                                SLACK_API_URL=standin.url,
                                DATABASE_URL=f"sqlite:///{tmp_path}/okr.db"))
    finally:
        standin.stop()
    assert line.startswith("okr-bot: Slack refused the token: invalid_auth")
    assert "xapp-" in line


@pytest.mark.parametrize("command", [("db", "upgrade"), ("serve",), ("status",)])
def test_a_database_that_does_not_exist_is_one_line(tmp_path: Path,
                                                     command: tuple[str, ...]) -> None:
    for url in missing_database_urls(tmp_path):
        line = one_line(okr_bot(*command, cwd=tmp_path, DATABASE_URL=url,
                                SLACK_BOT_TOKEN=BOT_TOKEN, SLACK_SIGNING_SECRET="s" * 32))
        shown = make_url(url).render_as_string(hide_password=True)
        assert line.startswith(f"okr-bot: cannot use the database {shown}: "), line
        assert "secret" not in line


def test_a_database_a_newer_version_upgraded_is_named_as_such_not_as_behind(
    tmp_path: Path,
) -> None:
    """After a roll-back: one line saying what happened, for starting and for `db upgrade`;
    `db current` says it too (exit 1); the database is left as it was."""
    url = f"sqlite:///{tmp_path}/okr.db"
    assert okr_bot("db", "upgrade", cwd=tmp_path, DATABASE_URL=url).returncode == 0
    with sqlite3.connect(tmp_path / "okr.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099'")
    settings = {"DATABASE_URL": url, "SLACK_BOT_TOKEN": BOT_TOKEN,
                "SLACK_SIGNING_SECRET": "s" * 32}
    for command in (("serve",), ("db", "upgrade")):
        line = one_line(okr_bot(*command, cwd=tmp_path, **settings))
        assert line.startswith(f"okr-bot: the database is at schema 0099, newer than this "
                               f"version's {HEAD}: a newer okr-bot upgraded it"), line
    zh = one_line(okr_bot("serve", cwd=tmp_path, DEFAULT_LOCALE="zh", **settings))
    assert "数据库结构为 0099，比当前版本的" in zh
    current = okr_bot("db", "current", cwd=tmp_path, DATABASE_URL=url)
    assert current.returncode == 1 and "newer than this version's" in current.stdout
    with sqlite3.connect(tmp_path / "okr.db") as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [("0099",)]


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    url = missing_database_urls(tmp_path)[0]
    done = okr_bot("--debug", "db", "upgrade", cwd=tmp_path, DATABASE_URL=url)
    assert done.returncode != 0
    assert "Traceback" in done.stderr and "OperationalError" in done.stderr


def test_an_unknown_locale_is_refused_by_the_argument_parser(tmp_path: Path) -> None:
    done = okr_bot("shell", "--locale", "fr", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "argument --locale: unknown language 'fr': choose en or zh" in done.stderr


def test_an_invalid_setting_is_one_line_per_problem(tmp_path: Path) -> None:
    line = one_line(okr_bot("status", cwd=tmp_path, DEFAULT_LOCALE="fr",
                            DATABASE_URL=f"sqlite:///{tmp_path}/okr.db"))
    assert line.startswith("okr-bot: invalid setting DEFAULT_LOCALE: ")


def test_output_piped_into_a_reader_that_stops_early_ends_quietly(tmp_path: Path) -> None:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_"))}
    reader_gone = subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "manifest", "--socket"], cwd=tmp_path, text=True,
        env={**base, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader_gone.stdout is not None and reader_gone.stderr is not None
    reader_gone.stdout.close()  # like `| head -0`
    with reader_gone.stderr:
        errors = reader_gone.stderr.read()
    assert reader_gone.wait(timeout=60) == 141
    assert errors == ""


def test_the_command_line_speaks_chinese_with_locale_or_default_locale(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path}/okr.db"
    listed = okr_bot("--locale", "zh", "cycle", "list", cwd=tmp_path, DATABASE_URL=database)
    assert listed.returncode == 0 and listed.stdout.strip() == "还没有任何周期。"
    tokens = okr_bot("token", "list", cwd=tmp_path, DATABASE_URL=database, DEFAULT_LOCALE="zh")
    assert tokens.stdout.startswith("还没有 API 令牌")
    status = okr_bot("status", cwd=tmp_path, DATABASE_URL=database, DEFAULT_LOCALE="zh")
    assert status.returncode == 0
    assert status.stdout.splitlines()[0] == "Slack：可以连接（还没有发送成功过）"
    assert "发件箱" in status.stdout and "还没有团队设置日程" in status.stdout
    refused = okr_bot("--locale", "zh", "cycle", "close", "2099-Q9", cwd=tmp_path,
                      DATABASE_URL=database)
    assert refused.returncode == 2
    assert refused.stderr.strip() == (
        "okr-bot cycle：没有名为 “2099-Q9” 的周期（okr-bot cycle list 可以列出所有周期）")
    # English stays the default.
    assert okr_bot("cycle", "list", cwd=tmp_path, DATABASE_URL=database).stdout.strip() == (
        "No cycles yet.")


def test_an_operators_mistake_is_worded_in_chinese_too(tmp_path: Path) -> None:
    line = one_line(okr_bot("--locale", "zh", "serve", cwd=tmp_path))
    assert line == ("okr-bot：缺少设置 SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET："
                    "请在环境变量或 .env 中设置")
    bad = one_line(okr_bot("status", cwd=tmp_path, DEFAULT_LOCALE="zh",
                           DEFAULT_TIMEZONE="Mars/Olympus"))
    assert bad == "okr-bot：设置 DEFAULT_TIMEZONE 无效：未知的 IANA 时区 “Mars/Olympus”"
