"""Plain-text rules shared by every layer: the supported languages, clipping, mrkdwn escaping,
and how close a typed word is to a known one."""

from __future__ import annotations

from collections.abc import Sequence

SUPPORTED_LOCALES = ("en", "zh")


def normalise_locale(locale: str | None, default: str = "en") -> str:
    """Map a Slack locale such as `zh-CN` or `en-US` to a supported one."""
    short = (locale or "").split("-")[0].split("_")[0].lower()
    return short if short in SUPPORTED_LOCALES else default


_CONTROLS = dict.fromkeys([*range(0x09), *range(0x0b, 0x20), 0x7f])


def without_controls(text: str) -> str:
    """`text` without control characters other than tab and newline: nobody types them, and
    PostgreSQL refuses a NUL in a query."""
    return text.translate(_CONTROLS)


def escape_mrkdwn(text: str) -> str:
    """Escape `&`, `<`, `>` (in that order) so no person can inject a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten to `limit` characters with an ellipsis; done before escaping, never after."""
    text = str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance: the fewest letters inserted, deleted or changed to turn a into b."""
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice `word` was probably meant to be: one or two typos away (one for words of up
    to four letters), the nearest first, ties in the order given; None when none is."""
    allowed = 1 if len(word) <= 4 else 2
    scored = [(edit_distance(word, choice), index, choice)
              for index, choice in enumerate(choices) if choice != word]
    best = min(scored, default=None)
    return best[2] if best is not None and best[0] <= allowed else None
