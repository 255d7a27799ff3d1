"""Plain-text rules shared by every layer: the supported languages, clipping, mrkdwn escaping."""

from __future__ import annotations

SUPPORTED_LOCALES = ("en", "zh")


def normalise_locale(locale: str | None, default: str = "en") -> str:
    """Map a Slack locale such as `zh-CN` or `en-US` to a supported one."""
    short = (locale or "").split("-")[0].split("_")[0].lower()
    return short if short in SUPPORTED_LOCALES else default


def escape_mrkdwn(text: str) -> str:
    """Escape `&`, `<`, `>` (in that order) so no person can inject a mention or link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def clip(text: str, limit: int) -> str:
    """Shorten to `limit` characters with an ellipsis; done before escaping, never after."""
    text = str(text)
    return text if len(text) <= limit else text[: max(limit - 1, 0)] + "…"
