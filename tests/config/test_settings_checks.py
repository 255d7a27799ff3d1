"""Settings are checked when they are read: a bad secret, token or URL stops a command at once,
and every problem is named together (one line each)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.settings import SettingsError, is_loopback, load_settings

GOOD = {"slack_bot_token": "xoxb-1-2-abc", "slack_signing_secret": "0123456789abcdef0123",
        "slack_app_token": "xapp-1-A1-abc", "slack_api_url": "https://slack.com/api/"}


def _problems(**overrides: object) -> list[str]:
    with pytest.raises(SettingsError) as raised:
        load_settings(**{**GOOD, **overrides}, _env_file=None)
    return str(raised.value).splitlines()


def test_good_settings_load() -> None:
    settings = load_settings(**GOOD, _env_file=None)
    assert settings.slack_api_url == "https://slack.com/api/"


@pytest.mark.parametrize("secret", [" ", "    \t   ", "x", "short-secret"])
def test_a_blank_or_short_signing_secret_is_refused(secret: str) -> None:
    (line,) = _problems(slack_signing_secret=secret)
    assert line.startswith("invalid setting SLACK_SIGNING_SECRET:")
    assert secret.strip() == "" or secret not in line  # the secret is never echoed


def test_an_empty_value_means_unset() -> None:
    settings = load_settings(**{**GOOD, "slack_app_token": ""}, _env_file=None)
    assert settings.slack_app_token is None


@pytest.mark.parametrize(("name", "value"), [
    ("slack_bot_token", "xoxp-user-token"), ("slack_bot_token", "xapp-1-A1"),
    ("slack_app_token", "xoxb-1-2"), ("slack_app_token", "garbage"),
])
def test_a_token_of_the_wrong_kind_is_refused(name: str, value: str) -> None:
    (line,) = _problems(**{name: value})
    assert line.startswith(f"invalid setting {name.upper()}:")
    assert value not in line


@pytest.mark.parametrize("url", ["http://slack.example.com/api/", "http://10.0.0.5/api/",
                                 "ftp://slack.com/api/", "slack.com/api"])
def test_a_slack_url_without_https_off_this_host_is_refused(url: str) -> None:
    (line,) = _problems(slack_api_url=url)
    assert line.startswith("invalid setting SLACK_API_URL:")


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/api", "http://localhost/api/",
                                 "http://[::1]:9000/api/"])
def test_plain_http_on_this_host_is_allowed(url: str) -> None:
    assert load_settings(**{**GOOD, "slack_api_url": url}, _env_file=None).slack_api_url.endswith(
        "/")


def test_the_development_flag_allows_plain_http_elsewhere() -> None:
    settings = load_settings(**{**GOOD, "slack_api_url": "http://stand-in:8080/api/"},
                             slack_api_allow_http=True, _env_file=None)
    assert settings.slack_api_url == "http://stand-in:8080/api/"


def test_an_unknown_locale_is_refused() -> None:
    (line,) = _problems(default_locale="fr")
    assert line.startswith("invalid setting DEFAULT_LOCALE:")


def test_every_problem_is_reported_at_once() -> None:
    lines = _problems(slack_signing_secret=" ", slack_bot_token="xoxp-1",
                      slack_app_token="xoxb-2", slack_api_url="http://evil.example/api/",
                      default_locale="fr")
    named = {line.split(":", 1)[0].removeprefix("invalid setting ") for line in lines}
    assert named == {"SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "SLACK_APP_TOKEN",
                     "SLACK_API_URL", "DEFAULT_LOCALE"}


def test_loopback_hosts() -> None:
    assert [is_loopback(h) for h in ("localhost", "127.0.0.2", "::1", "10.0.0.1", "evil")] == [
        True, True, True, False, False]


def test_serve_with_a_one_character_secret_stops_with_one_line_saying_why(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_SIGNING_SECRET": "x",
           "DATABASE_URL": f"sqlite:///{tmp_path / 'okr.db'}"}
    done = subprocess.run([sys.executable, "-m", "bot.cli", "serve", "--no-scheduler"],
                          env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60,
                          check=False)
    assert done.returncode != 0
    assert "SLACK_SIGNING_SECRET" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "okr.db").exists()  # stopped before touching anything
