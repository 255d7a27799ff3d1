"""What the API reads from a WSGI request: bearer token, Idempotency-Key, language, body."""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from bot.api.problem import Problem
from bot.domain.text import SUPPORTED_LOCALES, normalise_locale

MAX_BODY_BYTES = 64 * 1024
# A body too large but below this is read and dropped before the 413, so that closing the
# connection does not reset it under the client before it reads the answer.
DRAIN_LIMIT = 1024 * 1024
_CHUNK = 64 * 1024
IDEMPOTENCY_KEY_MAX = 128
_IDEMPOTENCY_KEY = re.compile(rf"[\x21-\x7e]{{1,{IDEMPOTENCY_KEY_MAX}}}")  # visible ASCII
_BEARER = re.compile(r"Bearer +(\S+) *", re.IGNORECASE)

Environ = dict[str, Any]


def bearer_secret(environ: Environ) -> str | None:
    """The token of an `Authorization: Bearer …` header, or None without one."""
    match = _BEARER.fullmatch(environ.get("HTTP_AUTHORIZATION", ""))
    return match.group(1) if match else None


def idempotency_key(environ: Environ) -> str | None:
    """The caller's Idempotency-Key, None when absent; 422 when malformed."""
    key = environ.get("HTTP_IDEMPOTENCY_KEY")
    if key is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(key):
        raise Problem(HTTPStatus.UNPROCESSABLE_ENTITY, "bad_idempotency_key",
                      params={"limit": IDEMPOTENCY_KEY_MAX})
    return str(key)


def request_locale(environ: Environ, default: str) -> str:
    """The first supported language of Accept-Language by preference (`zh-CN,en;q=0.5`)."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate(environ.get("HTTP_ACCEPT_LANGUAGE", "").split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        ranked.append((-quality, index, tag.strip()))
    for negative_quality, _, tag in sorted(ranked):
        locale = normalise_locale(tag, "")
        if negative_quality < 0 and locale in SUPPORTED_LOCALES:
            return locale
    return default


def read_body(environ: Environ) -> bytes:
    """The request body, at most `MAX_BODY_BYTES` (413 beyond)."""
    stream = environ["wsgi.input"]
    length_text = environ.get("CONTENT_LENGTH") or ""
    if length_text.isdigit():
        length = int(length_text)
        if length > MAX_BODY_BYTES:
            _drain(stream, min(length, DRAIN_LIMIT))
            raise _too_large()
        return bytes(stream.read(length)) if length else b""
    if environ.get("wsgi.input_terminated"):  # chunked, and the server ends the stream for us
        data = bytes(stream.read(MAX_BODY_BYTES + 1))
        if len(data) > MAX_BODY_BYTES:
            raise _too_large()
        return data
    return b""


def _drain(stream: Any, length: int) -> None:
    while length > 0:
        chunk = stream.read(min(length, _CHUNK))
        if not chunk:
            return
        length -= len(chunk)


def _too_large() -> Problem:
    return Problem(HTTPStatus.REQUEST_ENTITY_TOO_LARGE, "too_large",
                   params={"limit": MAX_BODY_BYTES})
