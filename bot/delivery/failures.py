"""What a failed Slack call means for an outbox row (RELIABILITY.md §7).

- `RATE_LIMITED`: 429 / `ratelimited`: try again after Retry-After; not counted as an attempt.
- `DEFINITE`: Slack refused the request (`channel_not_found`, `invalid_blocks`…); it was not
  posted and never will be by retrying: the row fails with the error.
- `AMBIGUOUS`: it may have reached Slack (5xx, `fatal_error`, a timeout, a connection reset after
  the request went out): reconcile by reading the channel before any re-send.
- `NOT_SENT`: the request never left (connection refused, DNS): safe to retry with backoff.
"""

from __future__ import annotations

import http.client
import socket
import urllib.error
from dataclasses import dataclass
from enum import StrEnum

from slack_sdk.errors import SlackApiError

DEFAULT_RETRY_AFTER = 30.0
RATE_LIMIT_ERRORS = frozenset({"ratelimited", "rate_limited", "message_limit_exceeded"})
# ok:false errors that mean "it may have happened": Slack's own trouble, not our request.
UNCERTAIN_ERRORS = frozenset({"fatal_error", "internal_error", "request_timeout",
                              "service_unavailable"})


# How `classify` words the errors that mean "Slack could not be reached or did not answer".
UNREACHABLE_PREFIXES = ("connection failed:", "connection lost:", "timeout", "http_5")


def means_unreachable(error: str) -> bool:
    """True when a row's `last_error` says Slack was not reached (not a refusal by Slack)."""
    return error.startswith(UNREACHABLE_PREFIXES)


class FailureKind(StrEnum):
    RATE_LIMITED = "rate_limited"
    DEFINITE = "definite"
    AMBIGUOUS = "ambiguous"
    NOT_SENT = "not_sent"


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    error: str
    retry_after: float | None = None


def classify(error: Exception) -> Failure:
    """Sort an exception raised by a WebClient call into one of the four kinds."""
    if isinstance(error, SlackApiError):
        return _classify_api_error(error)
    if isinstance(error, urllib.error.URLError) and not isinstance(
        error.reason, (TimeoutError, socket.timeout)
    ):
        # urllib wraps errors raised while connecting: the request was never sent.
        return Failure(FailureKind.NOT_SENT, f"connection failed: {error.reason}")
    if isinstance(error, (TimeoutError, socket.timeout)):
        return Failure(FailureKind.AMBIGUOUS, "timeout")
    if isinstance(error, (ConnectionError, http.client.HTTPException, OSError)):
        return Failure(FailureKind.AMBIGUOUS, f"connection lost: {type(error).__name__}")
    return Failure(FailureKind.AMBIGUOUS, f"unexpected: {type(error).__name__}")


def _classify_api_error(error: SlackApiError) -> Failure:
    response = error.response
    status = int(getattr(response, "status_code", 200) or 200)
    data = response.data if isinstance(response.data, dict) else {}
    code = str(data.get("error") or f"http_{status}")
    if status == 429 or code in RATE_LIMIT_ERRORS:
        return Failure(FailureKind.RATE_LIMITED, code, _retry_after(response.headers))
    if status >= 500 or code in UNCERTAIN_ERRORS:
        return Failure(FailureKind.AMBIGUOUS, code if status < 500 else f"http_{status}")
    return Failure(FailureKind.DEFINITE, code)


def _retry_after(headers: object) -> float:
    value = None
    if isinstance(headers, dict):
        value = headers.get("Retry-After") or headers.get("retry-after")
    try:
        return max(float(str(value)), 0.0) if value is not None else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
