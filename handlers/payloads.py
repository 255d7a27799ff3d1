"""The only place that digs into Slack payloads: small typed values out."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_USER = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
# A Slack-escaped reference such as `<@U1|Emma Schulz>` is one word, spaces and all.
_TOKEN = re.compile(r"<[^>]*>|[^\s<]+")
_CHANNEL = re.compile(r"^<#(C[A-Z0-9]+)(?:\|[^>]*)?>$")


@dataclass(frozen=True)
class SlashCommand:
    """`/okr <verb> <rest>` as the bot understands it."""

    user_id: str
    channel_id: str
    verb: str
    rest: str
    trigger_id: str
    raw_text: str
    response_url: str = ""  # for replies after the ack (up to 5 within 30 minutes)


def parse_command(body: dict[str, Any]) -> SlashCommand:
    """Split the command text into its first word (lower-cased) and the rest."""
    text = " ".join(str(body.get("text", "")).split())
    tokens = _TOKEN.findall(text)
    verb = tokens[0] if tokens else ""
    rest = text[len(verb):].strip()
    return SlashCommand(
        user_id=str(body["user_id"]),
        channel_id=str(body.get("channel_id", "")),
        verb=verb.lower() if not verb.startswith("<") else verb,
        rest=rest,
        trigger_id=str(body.get("trigger_id", "")),
        raw_text=text,
        response_url=str(body.get("response_url", "")),
    )


def user_reference(token: str) -> str | None:
    """`<@U123|ana>` or `<@U123>` (how Slack escapes a mention) → `U123`."""
    match = _USER.match(token)
    return match.group(1) if match else None


def channel_reference(token: str) -> str | None:
    """`<#C123|general>` or `<#C123>` → `C123`."""
    match = _CHANNEL.match(token)
    return match.group(1) if match else None


def user_id(body: dict[str, Any]) -> str:
    """The acting user of any interactive payload or event."""
    if "user_id" in body:
        return str(body["user_id"])
    user = body.get("user")
    if isinstance(user, dict):
        return str(user["id"])
    return str(body.get("event", {}).get("user", ""))


def home_tab_user(event: dict[str, Any]) -> str | None:
    """The user who opened the Home tab (`app_home_opened`); None for the Messages tab."""
    if event.get("tab", "home") != "home" or not event.get("user"):
        return None
    return str(event["user"])

