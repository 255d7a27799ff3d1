"""`okr-bot manifest --url https://… | --socket`: the Slack app manifest, ready to paste.

The manifest is built here from what the code uses: the slash command, the one event, and the
bot scopes below (tests/scenarios/test_manifest.py fails when the code calls a Web API method
whose scope is not listed, or a scope is listed that nothing needs, and validates the output
against Slack's published manifest schema). `app_manifest.yml` in the repository is this
command's output for https://okr.example.com.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any
from urllib.parse import urlsplit

import yaml

from bot.catalogues import words
from bot.commands.bootstrap import Context
from bot.ids import COMMAND

EVENTS_PATH = "/slack/events"
BOT_EVENTS = ("app_home_opened",)
# Each bot scope and why the code needs it.
BOT_SCOPES: dict[str, str] = {
    "commands": "/okr",
    "chat:write": "chat.postMessage, chat.update, chat.postEphemeral: prompts, digests",
    "im:write": "conversations.open: the DM channel for a person's check-in prompt",
    "users:read": "users.info: name, time zone and locale of a person the bot meets",
    "im:history": "conversations.history in DMs: reconcile a post whose answer was lost",
    "channels:history": "conversations.history in public team channels: the same",
    "groups:history": "conversations.history in private team channels: the same",
    "files:write": "files.getUploadURLExternal, files.completeUploadExternal: a digest's chart",
}
LONG_DESCRIPTION = (
    "okr-bot runs your team's OKR rhythm in Slack. On a schedule, in each person's own time "
    "zone, it asks everyone for progress, confidence, blockers and help needed on each Key "
    "Result; it posts a biweekly digest to each team's channel that a lead can act on in two "
    "minutes; and anyone can type /okr to look up anyone's OKRs, because OKRs are public by "
    "design. It coaches as it goes: Objective types, alignment, scoring, review, and KRs written "
    "as tasks. In English and Chinese."
)


class ManifestError(ValueError):
    """The URL given cannot receive Slack's requests."""


def request_url(base: str) -> str:
    """Where Slack sends every request, from the public base URL of `okr-bot serve`."""
    parts = urlsplit(base.strip())
    if parts.scheme != "https" or not parts.hostname:
        raise ManifestError(words("cli.manifest.not_https", url=base))
    if parts.query or parts.fragment:
        raise ManifestError(words("cli.manifest.query", url=base))
    return f"https://{parts.netloc}{parts.path.rstrip('/')}{EVENTS_PATH}"


def build_manifest(*, url: str | None, name: str = "OKR Bot") -> dict[str, Any]:
    """The app manifest (format version 1): over HTTP at `url`, or Socket Mode when None."""
    at = {"request_url": request_url(url)} if url is not None else {}
    command: dict[str, Any] = {
        "command": COMMAND,
        **({"url": at["request_url"]} if at else {}),
        "description": "Look up OKRs, check in, write a new Objective",
        "usage_hint": "[@someone | team <name> | #channel | tree | checkin | new | digest | help]",
        "should_escape": True,
    }
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": name,
            "description": "Weekly OKR check-ins, team digests and /okr look-ups, in your time "
                           "zone.",
            "long_description": LONG_DESCRIPTION,
            "background_color": "#2c5f2d",
        },
        "features": {
            "app_home": {"home_tab_enabled": True, "messages_tab_enabled": True,
                         "messages_tab_read_only_enabled": True},
            "bot_user": {"display_name": "okr", "always_online": True},
            "slash_commands": [command],
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": {
            "event_subscriptions": {**at, "bot_events": list(BOT_EVENTS)},
            "interactivity": {"is_enabled": True, **at},
            "org_deploy_enabled": False,
            "socket_mode_enabled": url is None,
            "token_rotation_enabled": False,
        },
    }


def render(manifest: dict[str, Any], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(manifest, sort_keys=False, allow_unicode=True, width=100)


def run(args: argparse.Namespace, ctx: Context) -> int:
    try:
        manifest = build_manifest(url=None if args.socket else args.url, name=args.name)
    except ManifestError as error:
        print(words("cli.manifest.failed", reason=error), file=sys.stderr)
        return 2
    sys.stdout.write(render(manifest, args.format))
    return 0
