"""The door in front of Bolt: size, signature, then shape — before Bolt parses anything.

Order matters. The body is read only up to `MAX_BODY_BYTES` (413 beyond, unread); the
signature is checked on those raw bytes (401 when it is missing, wrong or older than 5
minutes), so nobody without the signing secret can make the app decode or parse a byte; only
then is the body parsed, exactly as Bolt would parse it, and a body that is not a Slack payload
(not UTF-8, not JSON, a list, 200k-deep nesting, a field of the wrong type) is answered 400.
A form's `payload` (every interaction: a check-in submission is 20-30 kB of JSON escaped into
thousands of `%XX`) is decoded here (`form_payload`), not by Bolt's `parse_qsl`, whose megabyte
per check-in was what made `serve`'s memory peak.
Each refusal is one warning line, sampled when it repeats (bot/log_sampling.py); no body is
ever logged.
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import io
import time
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote_to_bytes

from slack_bolt import App, BoltRequest
from slack_bolt.adapter.wsgi.http_response import WsgiHttpResponse

from bot.http_server import MAX_BODY_BYTES
from bot.log_sampling import sampled_logger
from bot.slack_shape import shape_problem

logger = sampled_logger(__name__)

Environ = dict[str, Any]
StartResponse = Any
SIGNATURE_WINDOW_S = 5 * 60


def signature_valid(secret: bytes, raw: bytes, timestamp: str | None,
                    signature: str | None, now: float) -> bool:
    """Slack's `v0` signature of the raw bytes, and a timestamp within 5 minutes of `now`.

    Works on bytes and refuses any odd header without raising: no body is decoded here.
    """
    if not timestamp or not signature or not (timestamp.isascii() and timestamp.isdigit()):
        return False
    if abs(now - int(timestamp)) > SIGNATURE_WINDOW_S:
        return False
    base = b"v0:" + timestamp.encode("ascii") + b":" + raw
    expected = b"v0=" + hmac.new(secret, base, hashlib.sha256).hexdigest().encode("ascii")
    return hmac.compare_digest(expected, signature.encode("latin-1", errors="replace"))


class SlackGate:
    """WSGI app of `POST /slack/events`: refuse what is too big, unsigned or malformed."""

    def __init__(self, app: App, signing_secret: str, *, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.secret = signing_secret.encode("utf-8")
        self.max_body = max_body

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("REQUEST_METHOD") != "POST":
            return _plain(start_response, "405 Method Not Allowed", [("Allow", "POST")])
        raw = self._read(environ)
        if raw is None:
            logger.warning("slack: body over %d bytes refused from %s", self.max_body,
                           environ.get("REMOTE_ADDR", "?"))
            return _plain(start_response, "413 Content Too Large")
        headers = _headers(environ)
        if not signature_valid(self.secret, raw, headers.get("x-slack-request-timestamp"),
                               headers.get("x-slack-signature"), time.time()):
            logger.warning("slack: unsigned or stale request refused from %s",
                           environ.get("REMOTE_ADDR", "?"))
            return _plain(start_response, "401 Unauthorized")
        request = _parse(raw, environ.get("QUERY_STRING", ""), headers)
        if request is None:
            logger.warning("slack: signed request with a malformed body refused")
            return _plain(start_response, "400 Bad Request")
        problem = shape_problem(request.body)
        if problem:
            logger.warning("slack: signed payload refused: %s", problem)
            return _plain(start_response, "400 Bad Request")
        answer = self.app.dispatch(request)
        response = WsgiHttpResponse(status=answer.status, headers=answer.headers, body=answer.body)
        start_response(response.status, response.get_headers())
        return response.get_body()

    def _read(self, environ: Environ) -> bytes | None:
        """The raw body, or None when it is (or claims to be) over the cap."""
        text = environ.get("CONTENT_LENGTH") or "0"
        if not (text.isascii() and text.isdigit()) or int(text) > self.max_body:
            return None
        data: bytes = environ["wsgi.input"].read(int(text))
        environ["wsgi.input"] = io.BytesIO(data)
        return data


def _headers(environ: Environ) -> dict[str, str]:
    headers = {key[5:].lower().replace("_", "-"): str(value)
               for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.lower().replace("_", "-")] = str(environ[key])
    return headers


def _parse(raw: bytes, query: str, headers: dict[str, str]) -> BoltRequest | None:
    """The request as Bolt parses it, or None when it cannot be parsed."""
    bolt_headers: dict[str, str | Sequence[str]] = dict(headers)
    try:
        text = raw.decode("utf-8")
        json_type = headers.get("content-type", "").split(";")[0] == "application/json"
        payload = None if json_type else form_payload(raw)
        request = BoltRequest(body=payload or text, query=query, headers=bolt_headers)
    except (ValueError, RecursionError, AttributeError, TypeError, KeyError, IndexError):
        # not UTF-8 or JSON (ValueError), too deep, or a JSON value that is not an object
        return None
    request.raw_body = text  # what Slack signed: Bolt checks it again, lazy listeners re-parse it
    return request if isinstance(request.body, dict) else None


def form_payload(raw: bytes) -> str | None:
    """The `payload` field of a form body when it holds a JSON object (what Bolt would read:
    `dict(parse_qsl(body, keep_blank_values=True))["payload"]`), else None (Bolt parses it).
    Only for ASCII bodies, which Slack's always are."""
    if raw.startswith(b"{") or b"payload" not in raw or not raw.isascii():
        return None
    value = None
    for field in raw.split(b"&"):
        name, _, encoded = field.partition(b"=")
        if field and _unquote_plus(name) == "payload":
            value = encoded
    if value is None:
        return None
    payload = _unquote_plus(value)
    return payload if payload.startswith("{") else None


def _unquote_plus(encoded: bytes) -> str:
    """`urllib.parse.unquote_plus` of ASCII, without its peak: it splits at every `%`, about
    45 bytes per escape held at once (a megabyte for a check-in), and 1 ms of CPU.

    binascii's quoted-printable decoder does it in C with one output buffer once `%XX` is
    written `=XX`. It gives the same bytes when every `%` starts an escape and there is no raw
    `=`, CR or LF: then each escape is two bytes shorter, which the length checks. Anything
    else goes to urllib."""
    spaced = encoded.replace(b"+", b" ")
    if not (b"=" in spaced or b"\r" in spaced or b"\n" in spaced):
        decoded = binascii.a2b_qp(spaced.replace(b"%", b"="))
        if len(decoded) == len(spaced) - 2 * spaced.count(b"%"):
            return decoded.decode("utf-8", "replace")
    return unquote_to_bytes(spaced).decode("utf-8", "replace")


def _plain(start_response: StartResponse, status: str,
           headers: Iterable[tuple[str, str]] = ()) -> list[bytes]:
    body = status.encode("ascii")
    start_response(status, [("Content-Type", "text/plain; charset=utf-8"),
                            ("Content-Length", str(len(body))), *headers])
    return [body]
