"""What Slack would read as mrkdwn in a payload, what in it the bot did not mean, and the
hostile text template tests render to prove it is escaped."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

_TAG = re.compile(r"<([^<>]*)>")
_BARE_AMPERSAND = re.compile(r"&(?!amp;|lt;|gt;)")

HOSTILE = "<!channel> & <@U123> <https://evil|click> &amp; \"q\" \\ 🎯 中文\nnext"
ESCAPED = "&lt;!channel&gt; &amp; &lt;@U123&gt; &lt;https://evil|click&gt; &amp;amp;"
RAW = ("<!channel>", "<@U123>", "<https://evil|click>")


def text_fields(payload: Any) -> Iterator[tuple[dict[str, Any], str]]:
    """The one walk over a payload: every string under a `text` key, with the object holding
    it (metadata, which Slack never shows, is skipped)."""
    if isinstance(payload, dict):
        for key, value in payload.items():
            if key == "text" and isinstance(value, str):
                yield payload, value
            elif key not in ("metadata", "private_metadata"):
                yield from text_fields(value)
    elif isinstance(payload, list):
        for item in payload:
            yield from text_fields(item)


def all_texts(payload: Any) -> list[str]:
    """Every text of a payload, mrkdwn as sent and plain_text alike."""
    return [text for _, text in text_fields(payload)]


def mrkdwn_objects(payload: Any) -> list[str]:
    """The text of every `{"type": "mrkdwn"}` object in a payload."""
    return [text for holder, text in text_fields(payload) if holder.get("type") == "mrkdwn"]


def assert_escaped(texts: list[str]) -> None:
    """HOSTILE reached `texts` escaped, and none of its control sequences raw."""
    assert any(ESCAPED in t for t in texts)
    assert not any(raw in t for t in texts for raw in RAW)


def mrkdwn_strings(payload: Any) -> list[str]:
    """Every string Slack reads as mrkdwn: `text` anywhere except in plain_text objects
    (a message's top-level `text` included; metadata excluded)."""
    return [text for holder, text in text_fields(payload) if holder.get("type") != "plain_text"]


def unsafe(text: str, *, people: Collection[str] = (), channels: Collection[str] = ()
           ) -> list[str]:
    """Control sequences Slack would act on other than mentions of `people` and links to
    `channels`, stray `<`/`>`, and `&` that does not start &amp; &lt; &gt;."""
    problems = []
    for inner in _TAG.findall(text):
        target = inner[1:].split("|")[0]
        if not ((inner.startswith("@") and target in people)
                or (inner.startswith("#") and target in channels)):
            problems.append(f"<{inner}>")
    rest = _TAG.sub("", text)
    if "<" in rest or ">" in rest:
        problems.append("stray < or >")
    problems += [f"bare & at {m.start()}" for m in _BARE_AMPERSAND.finditer(text)]
    return problems
