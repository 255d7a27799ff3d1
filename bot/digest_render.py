"""A digest as Slack messages within Block Kit limits: the channel post, then thread replies.

`message_templates/digest/digest.json.j2` renders the whole digest as one draft in which
each list is a `{"type": "lines", "title": …, "lines": […]}` block. Here those are packed
into section blocks of at most 3000 characters (a line is never split; a list that goes on
in the next message repeats its title), and the blocks into messages of at most 50. The
first message is the channel post; `digest_continued.json.j2` wraps each further page as
a thread reply (the sender sets `thread_ts`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from bot.blockkit import MAX_BLOCKS, TEXT_LIMITS
from bot.domain.local_dates import format_date
from bot.ids import TEMPLATE_IDS
from bot.rendering import Renderer
from bot.services.digest.view import DigestView

Block = dict[str, Any]
SECTION_TEXT = TEXT_LIMITS["section"]
MESSAGE_BLOCKS = MAX_BLOCKS["message"]
# A cut must not leave half an entity (`&am`) or half a mention or link (`<@U12`).
_TORN_TAIL = re.compile(r"(&[#\w]*|<[^>]*)$")


def render_headline(renderer: Renderer, digest: DigestView, locale: str) -> dict[str, Any]:
    """The digest's channel post: team score and change, counts of reds, blockers, help
    requests and check-ins. The details (`render_digest`) are replies in its thread."""
    return renderer.render("digest/headline", locale, digest=digest, day=_day(renderer, digest,
                                                                                locale))


def _day(renderer: Renderer, digest: DigestView, locale: str) -> Any:
    return lambda day: format_date(day, renderer.catalogue(locale).locale, today=digest.last_day)


def render_digest(
    renderer: Renderer, digest: DigestView, locale: str, *, preview: bool = False,
    mine: bool = False,
) -> list[dict[str, Any]]:
    """The digest as message payloads: [channel post, thread reply, …], each within limits.

    The channel post carries a "Read in my language" button (`ids.DIGEST_MINE`). `preview`
    renders the ephemeral copy `/okr digest` shows its caller (with a note saying how many
    messages the channel gets); `mine` the ephemeral copy that button shows its reader.
    """
    context: dict[str, Any] = {
        "digest": digest,
        "preview": preview,
        "mine": mine,
        "ids": TEMPLATE_IDS,
        "day": _day(renderer, digest, locale),
    }
    reply_overhead = len(
        renderer.render("digest/digest_continued", locale, part=2, parts=2, blocks=[],
                        **context)["blocks"]
    )
    draft = renderer.render("digest/digest", locale, parts=1, **context)
    pages = paginate(draft["blocks"], first=MESSAGE_BLOCKS, rest=MESSAGE_BLOCKS - reply_overhead)
    if preview and len(pages) > 1:
        # Only the note's wording changes, so the packing stays the same.
        draft = renderer.render("digest/digest", locale, parts=len(pages), **context)
        pages = paginate(draft["blocks"], first=MESSAGE_BLOCKS,
                         rest=MESSAGE_BLOCKS - reply_overhead)
    first = {**draft, "blocks": pages[0]}
    replies = [
        renderer.render("digest/digest_continued", locale, part=number, parts=len(pages),
                        blocks=page, **context)
        for number, page in enumerate(pages[1:], start=2)
    ]
    return [first, *replies]


@dataclass
class _Pages:
    """Blocks filling messages of `first` blocks, then of `rest` blocks."""

    first: int
    rest: int
    pages: list[list[Block]] = field(default_factory=lambda: [[]])

    @property
    def full(self) -> bool:
        capacity = self.first if len(self.pages) == 1 else self.rest
        return len(self.pages[-1]) >= capacity

    def add(self, block: Block) -> None:
        if self.full:
            self.pages.append([])
        self.pages[-1].append(block)


def paginate(blocks: list[Block], *, first: int, rest: int) -> list[list[Block]]:
    """Expand `lines` blocks into sections and split all blocks into messages."""
    if first < 1 or rest < 1:
        raise ValueError("every message must have room for a block")
    pages = _Pages(first, rest)
    for block in blocks:
        if block.get("type") == "lines":
            _add_lines(pages, str(block["title"]), [str(line) for line in block["lines"]])
        else:
            pages.add(block)
    return pages.pages


def _add_lines(pages: _Pages, title: str, lines: list[str]) -> None:
    text = title
    for line in lines:
        line = fit(line)
        joined = f"{text}\n{line}" if text else line
        if len(joined) <= SECTION_TEXT:
            text = joined
            continue
        pages.add(_section(text))
        # The next section opens a new message: say again which list goes on.
        with_title = f"{title}\n{line}"
        text = with_title if pages.full and len(with_title) <= SECTION_TEXT else line
    if text:
        pages.add(_section(text))


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def fit(line: str, limit: int = SECTION_TEXT) -> str:
    """`line` cut to `limit` characters without tearing an entity, mention or link."""
    if len(line) <= limit:
        return line
    return _TORN_TAIL.sub("", line[: limit - 1]) + "…"

