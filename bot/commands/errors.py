"""An operator's mistake as sentences: what is wrong and what to do, one line per problem.

`explain` knows the errors a setup can cause — settings, the database, Slack's reachability and
its verdict on a token — and returns None for anything else (a bug keeps its traceback).
"""

from __future__ import annotations

import socket
import urllib.error

from pydantic import ValidationError
from slack_sdk.errors import SlackApiError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError

from bot.catalogues import words
from bot.settings import MissingSettingError, SettingsError, invalid_lines, load_settings
from storage.migrate import HEAD, PendingMigrationsError, SchemaAheadError

# Slack's answers that mean "this token is not the right one" (auth.test, apps.connections.open);
# their meaning is worded in cli.errors.token.<code>.
TOKEN_ERRORS = frozenset({"invalid_auth", "not_authed", "account_inactive", "token_revoked",
                          "not_allowed_token_type", "missing_scope"})


def explain(error: BaseException) -> list[str] | None:
    """The lines to print for `error`, or None when it is not an operator's mistake."""
    if isinstance(error, MissingSettingError | SettingsError):
        return str(error).splitlines()
    if isinstance(error, PendingMigrationsError):
        return [words("cli.errors.pending")]
    if isinstance(error, SchemaAheadError):
        return [words("cli.errors.ahead", current=error.revision, head=HEAD)]
    if isinstance(error, ValidationError):
        return invalid_lines(error)
    if isinstance(error, DBAPIError):
        return [words("cli.errors.database", database=_database(),
                      reason=_driver_message(error))]
    if isinstance(error, ArgumentError | NoSuchModuleError):
        return [words("cli.errors.database_url", error=error)]
    if isinstance(error, SlackApiError):
        return [_slack_refused(error)]
    if isinstance(error, urllib.error.URLError | socket.timeout | ConnectionRefusedError
                  | ConnectionResetError):
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        return [words("cli.errors.slack_unreachable", url=_slack_url(), reason=reason)]
    return None


def _driver_message(error: DBAPIError) -> str:
    """The driver's own reason, its lines joined into one."""
    lines = [line.strip() for line in str(error.orig).splitlines() if line.strip()]
    reason = "; ".join(lines) or type(error.orig).__name__
    if "does not exist" in reason:
        reason = words("cli.errors.database_missing", reason=reason)
    return reason


def _slack_refused(error: SlackApiError) -> str:
    code = str(error.response.get("error", "") if error.response is not None else "")
    if code not in TOKEN_ERRORS:
        return words("cli.errors.slack_refused", code=code or error)
    return words("cli.errors.slack_token", code=code, meaning=words(f"cli.errors.token.{code}"))


def _database() -> str:
    """DATABASE_URL without its password, as far as the settings can be read."""
    try:
        url = load_settings().database_url
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "DATABASE_URL"


def _slack_url() -> str:
    try:
        return load_settings().slack_api_url
    except Exception:
        return "SLACK_API_URL"
