"""What a `/okr` look-up asks for, read from the command text (Slack escapes mentions)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from handlers.payloads import SlashCommand, channel_reference, user_reference

Kind = Literal["me", "person", "channel", "unknown"]


@dataclass(frozen=True)
class LookupQuery:
    """`/okr`, `/okr <@U…|name>`, `/okr <#C…|name>`, or a word the bot does not know."""

    kind: Kind
    slack_id: str = ""
    label: str = ""  # the name Slack put after `|`, if any


def parse_lookup(command: SlashCommand) -> LookupQuery:
    """The look-up named by the first word of `/okr …` (verbs are dispatched before this)."""
    return parse_target(command.verb)


def parse_target(token: str) -> LookupQuery:
    """One token: empty (me), a mention, a channel, or an unknown word."""
    if not token:
        return LookupQuery("me")
    user = user_reference(token)
    if user is not None:
        return LookupQuery("person", slack_id=user, label=_label(token))
    channel = channel_reference(token)
    if channel is not None:
        return LookupQuery("channel", slack_id=channel, label=_label(token))
    return LookupQuery("unknown")


def _label(token: str) -> str:
    """`<@U1|ana>` → `ana`; `<@U1>` → ``."""
    _, bar, rest = token.partition("|")
    return rest.removesuffix(">") if bar else ""
