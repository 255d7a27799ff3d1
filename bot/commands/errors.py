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

from bot.settings import MissingSettingError, SettingsError, load_settings
from storage.migrate import PendingMigrationsError

# Slack's answers that mean "this token is not the right one" (auth.test, apps.connections.open).
TOKEN_ERRORS = {
    "invalid_auth": "the token is not valid (revoked, or from another app)",
    "not_authed": "no token was sent",
    "account_inactive": "the token's app or user was deactivated",
    "token_revoked": "the token was revoked",
    "not_allowed_token_type": "the token is of the wrong kind",
    "missing_scope": "the token lacks a scope it needs",
}


def explain(error: BaseException) -> list[str] | None:
    """The lines to print for `error`, or None when it is not an operator's mistake."""
    if isinstance(error, MissingSettingError | SettingsError | PendingMigrationsError):
        return str(error).splitlines()
    if isinstance(error, ValidationError):
        return [f"invalid setting {'.'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
                for e in error.errors()]
    if isinstance(error, DBAPIError):
        return [f"cannot use the database {_database()}: {_driver_message(error)}"]
    if isinstance(error, ArgumentError | NoSuchModuleError):
        return [f"DATABASE_URL is not a database URL okr-bot can use ({error}); "
                "e.g. sqlite:///okr.db or postgresql://user@host/db"]
    if isinstance(error, SlackApiError):
        return [_slack_refused(error)]
    if isinstance(error, urllib.error.URLError | socket.timeout | ConnectionRefusedError
                  | ConnectionResetError):
        reason = error.reason if isinstance(error, urllib.error.URLError) else error
        return [f"cannot reach Slack at {_slack_url()}: {reason} (check the network, a proxy "
                "such as HTTPS_PROXY, or SLACK_API_URL)"]
    return None


def _driver_message(error: DBAPIError) -> str:
    """The driver's own reason, its lines joined into one."""
    lines = [line.strip() for line in str(error.orig).splitlines() if line.strip()]
    reason = "; ".join(lines) or type(error.orig).__name__
    if "does not exist" in reason:
        reason += " (create it, then run `okr-bot db upgrade`)"
    return reason


def _slack_refused(error: SlackApiError) -> str:
    code = str(error.response.get("error", "") if error.response is not None else "")
    meaning = TOKEN_ERRORS.get(code)
    if meaning is None:
        return f"Slack refused the request: {code or error}"
    return (f"Slack refused the token: {code}: {meaning}. SLACK_BOT_TOKEN is the Bot User OAuth "
            "Token (xoxb-…); SLACK_APP_TOKEN is an app-level token (xapp-…) with "
            "connections:write")


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
