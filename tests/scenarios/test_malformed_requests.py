"""Bodies that are not Slack payloads: refused with a status, never a traceback.

Unsigned ones are 401 before anything is parsed; signed ones that cannot be parsed, or whose
fields have types Slack never sends, are 400; a body over the cap is 413 unread. The log holds
one warning per kind of refusal, sampled when it repeats, and never the body.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.http_server import MAX_BODY_BYTES
from bot.log_sampling import RepeatSampler
from tests.fakes.slack_requests import sign_bytes
from tests.scenarios.conftest import Harness

FORM = "application/x-www-form-urlencoded"
DEEP = "[" * 100_000 + "]" * 100_000

UNPARSABLE: list[tuple[str, str]] = [
    ("not json {", "application/json"),
    ("[1, 2, 3]", "application/json"),
    ('"just a string"', "application/json"),
    ("payload=%7Bnot-json", FORM),
    ("payload=" + urlencode({"x": DEEP})[2:], FORM),
    (DEEP, "application/json"),
    ('{"a": ' * 100_000 + "1" + "}" * 100_000, "application/json"),
]

INTERACTIVE: dict[str, Any] = {
    "type": "block_actions", "team": {"id": "T0001"}, "api_app_id": "A0001",
    "user": {"id": "UANA"}, "trigger_id": "t.1", "response_url": "http://127.0.0.1:9/r",
    "actions": [{"type": "button", "action_id": "review.open", "block_id": "b", "value": "1"}],
}
WRONG_TYPES: list[dict[str, Any]] = [
    {**INTERACTIVE, "user": "UANA"},
    {**INTERACTIVE, "user": {"id": 7}},
    {**INTERACTIVE, "actions": []},
    {**INTERACTIVE, "actions": "review.open"},
    {**INTERACTIVE, "actions": [["review.open"]]},
    {**INTERACTIVE, "actions": [{"action_id": 12, "value": "1"}]},
    {**INTERACTIVE, "actions": [{"action_id": "review.open", "value": 2**70}]},
    {**INTERACTIVE, "type": "view_submission", "actions": None, "view": []},
    {**INTERACTIVE, "type": "view_submission", "view": {"id": "V1", "state": {"values": []}}},
    {**INTERACTIVE, "type": "view_submission", "view": {"id": "V1", "callback_id": "x"}},
    {**INTERACTIVE, "type": "view_submission",
     "view": {"id": "V1", "private_metadata": {"c": 1}}},
    {**INTERACTIVE, "channel": "C1"},
    {**INTERACTIVE, "team": "T0001"},
    {**INTERACTIVE, "trigger_id": 12345678901234567890123},
]
WRONG_EVENTS: list[dict[str, Any]] = [
    {"type": "event_callback", "event_id": "Ev1", "event": "app_home_opened"},
    {"type": "event_callback", "event_id": "Ev2", "event": {"type": "app_home_opened",
                                                           "user": {"id": "UANA"}}},
    {"type": "event_callback", "event_id": 2**64, "event": {"type": "app_home_opened"}},
    {"type": ["url_verification"], "challenge": "c"},
]


@pytest.fixture(autouse=True)
def _fresh_samplers() -> None:
    """Each test sees its own first warning (the samplers live on module loggers)."""
    for name in ("bot.slack_gate",):
        for sampler in logging.getLogger(name).filters:
            if isinstance(sampler, RepeatSampler):
                sampler.reset()


def _no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR] == []


@pytest.mark.parametrize(("body", "content_type"), UNPARSABLE)
def test_unsigned_garbage_is_401_before_any_parsing(
    harness: Harness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    result = harness.sender.post(body, content_type, signature="v0=" + "0" * 64)
    assert result.status == 401
    _no_tracebacks(caplog)


@pytest.mark.parametrize(("body", "content_type"), UNPARSABLE)
def test_signed_garbage_is_400_without_a_traceback(
    harness: Harness, caplog: pytest.LogCaptureFixture, body: str, content_type: str
) -> None:
    result = harness.sender.post(body, content_type)
    assert result.status == 400
    _no_tracebacks(caplog)
    assert harness.slack.calls == []


def test_a_signed_body_that_is_not_utf8_is_400(harness: Harness) -> None:
    raw = b"command=%2Fokr&text=\xff\xfe"
    status = _post_bytes(harness, raw, FORM, signed=True)
    assert status == 400


@pytest.mark.parametrize("payload", WRONG_TYPES)
def test_signed_payloads_with_wrong_types_are_400(
    harness: Harness, caplog: pytest.LogCaptureFixture, payload: dict[str, Any]
) -> None:
    assert harness.sender.interactive(payload).status == 400
    _no_tracebacks(caplog)
    assert harness.slack.calls == []


@pytest.mark.parametrize("envelope", WRONG_EVENTS)
def test_signed_events_with_wrong_types_are_400(
    harness: Harness, caplog: pytest.LogCaptureFixture, envelope: dict[str, Any]
) -> None:
    assert harness.sender.post(json.dumps(envelope), "application/json").status == 400
    _no_tracebacks(caplog)


def test_a_well_shaped_payload_still_reaches_the_app(harness: Harness) -> None:
    assert harness.sender.command("help", user_id="UBEN").status == 200


def test_a_body_over_the_cap_is_413_unread(harness: Harness) -> None:
    """Refused on its Content-Length: the app answers before the client sends a byte of it."""
    port = int(harness.base_url.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: okr\r\nContent-Type: " + FORM.encode()
                     + b"\r\nContent-Length: %d\r\n\r\n" % (MAX_BODY_BYTES + 1))
        answer = sock.recv(4096)
    assert answer.split(b" ", 2)[1] == b"413"


def test_repeated_refusals_log_one_line_then_a_count(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="bot.slack_gate")
    for _ in range(30):
        harness.sender.post("[1]", "application/json", signature="v0=00")
    for _ in range(30):
        harness.sender.post("[1]", "application/json")
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.slack_gate"]
    assert len(lines) == 2
    assert "[1]" not in " ".join(lines)


def _post_bytes(harness: Harness, body: bytes, content_type: str, *, signed: bool) -> int:
    ts = int(time.time())
    request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1 only
        harness.base_url + "/slack/events", data=body, method="POST",
        headers={"Content-Type": content_type, "X-Slack-Request-Timestamp": str(ts),
                 "X-Slack-Signature": sign_bytes(body, ts) if signed else "v0=00"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


HUGE = str(2**70)
HUGE_IDS: list[dict[str, Any]] = [
    {**INTERACTIVE, "actions": [{"type": "button", "action_id": action, "block_id": "b",
                                 "value": value}]}
    for action, value in (("review.open", HUGE), ("checkin.open", HUGE), ("okr.edit", HUGE),
                          ("okr.archive", HUGE), ("review.open", str(2**31)),
                          (f"review.carry.{HUGE}", HUGE))
] + [
    {**{k: v for k, v in INTERACTIVE.items() if k != "actions"}, "type": "view_submission",
     "view": {"id": "V1", "type": "modal", "hash": "h", "callback_id": callback,
              "private_metadata": json.dumps(meta), "state": {"values": {
                  f"review.score.{HUGE}": {f"review.score.{HUGE}": {"type": "plain_text_input",
                                                                    "value": "0.5"}},
                  f"checkin.value.{HUGE}": {f"checkin.value.{HUGE}": {
                      "type": "plain_text_input", "value": "1"}}}}}}
    for callback, meta in (("review.submit", {"c": 2**70, "p": 0, "o": 1}),
                           ("review.submit", {"c": 1, "p": 0, "o": 2**64}),
                           ("checkin.submit", {"d": 2**70, "p": 0}),
                           ("okr.edit.submit", {"o": 2**70}),
                           ("okr.edit.submit", {"o": 1, "k": [2**70, -1]}))
]


@pytest.mark.parametrize("payload", HUGE_IDS)
def test_ids_out_of_range_get_a_polite_answer_without_a_traceback(
    harness: Harness, caplog: pytest.LogCaptureFixture, payload: dict[str, Any]
) -> None:
    harness.sender.command("help", user_id="UANA")  # Ana is met, so her payloads reach listeners
    reply = harness.sender.interactive(payload)
    assert reply.status == 200
    harness.drain()
    _no_tracebacks(caplog)


def test_repeated_unhandled_payloads_log_one_line_a_minute(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    for sampler in logging.getLogger("slack_bolt").filters:
        if isinstance(sampler, RepeatSampler):
            sampler.reset()
    unknown = {**INTERACTIVE, "actions": [{"type": "button", "action_id": "no.such.action",
                                           "block_id": "b", "value": "1"}]}
    for _ in range(10):
        assert harness.sender.interactive(unknown).status == 404
    assert len([r for r in caplog.records if r.name == "slack_bolt"]) == 1
