"""Send requests to the app as Slack does: signed, form- or JSON-encoded, over real HTTP."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

SIGNING_SECRET = "test-signing-secret"
_ids = itertools.count(1)


@dataclass
class HttpResult:
    status: int
    body: str

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


def sign(body: str, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    return sign_bytes(body.encode(), timestamp, secret)


def sign_bytes(body: bytes, timestamp: int, secret: str = SIGNING_SECRET) -> str:
    base = b"v0:%d:%s" % (timestamp, body)
    return "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


class SlackSender:
    """A signed-request client for `POST /slack/events` of the app under test."""

    def __init__(self, base_url: str, response_url: str, secret: str = SIGNING_SECRET) -> None:
        self.base_url = base_url.rstrip("/")
        self.response_url = response_url
        self.secret = secret

    def post(
        self,
        body: str,
        content_type: str,
        *,
        timestamp: int | None = None,
        signature: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> HttpResult:
        ts = int(time.time()) if timestamp is None else timestamp
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
            self.base_url + "/slack/events",
            data=body.encode(),
            method="POST",
            headers={
                "Content-Type": content_type,
                "X-Slack-Request-Timestamp": str(ts),
                "X-Slack-Signature": signature or sign(body, ts, self.secret),
                **(headers or {}),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
                return HttpResult(response.status, response.read().decode())
        except urllib.error.HTTPError as error:
            return HttpResult(error.code, error.read().decode())

    def command(self, text: str, *, user_id: str = "UANA", channel_id: str = "C0GENERAL",
                **extra: str) -> HttpResult:
        form = {
            "token": "legacy", "team_id": "T0001", "team_domain": "acme",
            "channel_id": channel_id, "channel_name": "general", "user_id": user_id,
            "user_name": user_id.lower(), "command": "/okr", "text": text,
            "api_app_id": "A0001", "is_enterprise_install": "false",
            "response_url": self.response_url, "trigger_id": f"trig.{next(_ids)}", **extra,
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")

    def interactive(self, payload: dict[str, Any], **kwargs: Any) -> HttpResult:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def block_action(self, action_id: str, value: str = "", *, user_id: str = "UANA",
                     container: dict[str, Any] | None = None, view: dict[str, Any] | None = None,
                     message: dict[str, Any] | None = None, block_id: str = "b",
                     channel_id: str | None = None) -> HttpResult:
        payload: dict[str, Any] = {
            "type": "block_actions", "team": {"id": "T0001", "domain": "acme"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": "T0001"},
            "api_app_id": "A0001", "token": "legacy", "trigger_id": f"trig.{next(_ids)}",
            "container": container or {"type": "message"},
            "response_url": self.response_url,
            "actions": [{"type": "button", "action_id": action_id, "block_id": block_id,
                         "value": value, "action_ts": str(time.time())}],
        }
        if view is not None:
            payload["view"] = view
        if message is not None:
            payload["message"] = message
        if channel_id is not None:
            payload["channel"] = {"id": channel_id, "name": "dm"}
        return self.interactive(payload)

    def view_submission(self, view: dict[str, Any], values: dict[str, dict[str, Any]], *,
                        user_id: str = "UANA") -> HttpResult:
        """Submit `view` (as the stand-in stored it) with `values` as Slack's state.values."""
        submitted = {**view, "state": {"values": values}}
        payload = {
            "type": "view_submission", "team": {"id": "T0001", "domain": "acme"},
            "user": {"id": user_id, "username": user_id.lower(), "team_id": "T0001"},
            "api_app_id": "A0001", "token": "legacy", "trigger_id": f"trig.{next(_ids)}",
            "view": submitted, "response_urls": [],
        }
        return self.interactive(payload)

    def event(self, event: dict[str, Any], *, event_id: str | None = None,
              retry_num: int | None = None) -> HttpResult:
        envelope = {
            "token": "legacy", "team_id": "T0001", "api_app_id": "A0001", "type": "event_callback",
            "event_id": event_id or f"Ev{next(_ids):08d}", "event_time": int(time.time()),
            "event": event,
        }
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(json.dumps(envelope), "application/json", headers=headers)
