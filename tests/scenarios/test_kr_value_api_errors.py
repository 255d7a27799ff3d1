"""Every refusal of the KR value API: the right status, a clear JSON message, and no row
written — not a check-in, not a history or audit row, not even the token's last use."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pytest

from bot.clock import FakeClock
from bot.services.tokens import create_token, revoke_token
from tests.scenarios.api_client import Reply, key_path, post_value, request, snapshot, value_path
from tests.scenarios.api_world import ApiWorld, make_api_world
from tests.scenarios.conftest import Harness

REALM = 'Bearer realm="okr-bot"'


@pytest.fixture
def world(harness: Harness, clock: FakeClock) -> ApiWorld:
    return make_api_world(harness.deps.db, clock)


def refused(harness: Harness, send: Any, status: int, code: str) -> dict[str, Any]:
    """Send, expect `status` with error `code`, and check that nothing changed."""
    before = snapshot(harness.deps.db)
    reply: Reply = send()
    assert reply.status == status, reply.body
    body: dict[str, Any] = reply.json()
    assert body["code"] == code
    assert isinstance(body["error"], str) and body["error"]
    assert isinstance(body["details"], list)
    assert snapshot(harness.deps.db) == before
    return {"body": body, "headers": reply.headers}


# ---- authentication and scope -----------------------------------------------------------------


@pytest.mark.parametrize(("authorization", "code", "challenge"), [
    (None, "missing_token", REALM),
    ("Basic dXNlcjpwYXNz", "missing_token", REALM),
    ("Bearer", "missing_token", REALM),
    ("Bearer okr_thisisnotatokenthisisnotatokenthisisnota", "invalid_token",
     f'{REALM}, error="invalid_token"'),
    ("Bearer xoxb-not-ours", "invalid_token", f'{REALM}, error="invalid_token"'),
    ("Bearer " + "okr_" + "a" * 5000, "invalid_token", f'{REALM}, error="invalid_token"'),
])
def test_bad_bearer_token_gets_401_with_a_challenge(
    harness: Harness, world: ApiWorld, authorization: str | None, code: str, challenge: str
) -> None:
    headers = {"Content-Type": "application/json"}
    if authorization is not None:
        headers["Authorization"] = authorization
    result = refused(harness, lambda: request(
        harness.base_url, "POST", value_path(world.leads.id or 0), body=b'{"value": 1}',
        headers=headers), 401, code)
    assert result["headers"]["www-authenticate"] == challenge


def test_bearer_scheme_is_case_insensitive(harness: Harness, world: ApiWorld) -> None:
    reply = request(harness.base_url, "POST", value_path(world.leads.id or 0),
                    body=b'{"value": 1}', headers={"Authorization": f"bearer {world.secret}"})
    assert reply.status == 200


def test_revoked_token_gets_401(harness: Harness, world: ApiWorld, clock: FakeClock) -> None:
    revoke_token(harness.deps.db, clock, name="erp")
    refused(harness, lambda: post_value(harness.base_url, value_path(world.leads.id or 0),
                                        world.secret, {"value": 1}), 401, "revoked_token")


def test_token_scoped_to_other_krs_gets_403(
    harness: Harness, world: ApiWorld, clock: FakeClock
) -> None:
    scoped = create_token(harness.deps.db, clock, name="crm", kr_keys=["cs.nps"])
    for path in (value_path(world.leads.id or 0), key_path("mkt.leads"),
                 value_path(world.unkeyed.id or 0)):
        result = refused(harness, lambda p=path: post_value(harness.base_url, p, scoped.secret,
                                                            {"value": 1}), 403, "forbidden")
        assert "insufficient_scope" in result["headers"]["www-authenticate"]


@pytest.mark.parametrize("path", [
    value_path(987654), key_path("no.such.kr"), value_path(99_999_999_999),
    key_path("%E5%93%81%E7%89%8C"),  # a Chinese key nobody has
])
def test_unknown_kr_gets_404(harness: Harness, world: ApiWorld, path: str) -> None:
    result = refused(harness, lambda: post_value(harness.base_url, path, world.secret,
                                                 {"value": 1}), 404, "not_found")
    assert result["body"]["error"].startswith("No key result")


# ---- state of the KR ------------------------------------------------------------------------


def test_archived_kr_gets_409(harness: Harness, world: ApiWorld) -> None:
    result = refused(harness, lambda: post_value(harness.base_url, key_path("mkt.old"),
                                                 world.secret, {"value": 1}), 409, "archived")
    assert "archived" in result["body"]["error"]


def test_kr_of_a_closed_cycle_gets_409(harness: Harness, world: ApiWorld) -> None:
    result = refused(harness, lambda: post_value(harness.base_url, key_path("q3.leads"),
                                                 world.secret, {"value": 1}), 409, "cycle_closed")
    assert "2026-Q3" in result["body"]["error"]


def test_milestone_refuses_values_other_than_0_and_1(harness: Harness, world: ApiWorld) -> None:
    refused(harness, lambda: post_value(harness.base_url, key_path("mkt.launch"), world.secret,
                                        {"value": 0.5}), 422, "milestone_value")


# ---- bodies and headers ---------------------------------------------------------------------


@dataclass(frozen=True)
class BadBody:
    raw: bytes
    code: str
    details: list[tuple[str, str]]  # (field, message)


def _json(data: Any) -> bytes:
    return json.dumps(data).encode("utf-8")


BAD_BODIES = {
    "string value": BadBody(_json({"value": "12"}), "invalid_body",
                            [("value", "must be a number")]),
    "boolean value": BadBody(_json({"value": True}), "invalid_body",
                             [("value", "must be a number")]),
    "null value": BadBody(_json({"value": None}), "invalid_body",
                          [("value", "must be a number")]),
    "NaN": BadBody(b'{"value": NaN}', "invalid_body", [("value", "must be a finite number")]),
    "Infinity": BadBody(b'{"value": -Infinity}', "invalid_body",
                        [("value", "must be a finite number")]),
    "overflow to infinity": BadBody(b'{"value": 1e999}', "invalid_body",
                                    [("value", "must be a finite number")]),
    "too big": BadBody(_json({"value": 2e15}), "invalid_body",
                       [("value", "must be between -1e+15 and 1e+15")]),
    "missing value": BadBody(_json({"note": "forgot it"}), "invalid_body",
                             [("value", "is required")]),
    "extra field": BadBody(_json({"value": 1, "confidence": "on_track"}), "invalid_body",
                           [("confidence", "is not a field of a value update (fields: value, "
                                           "note)")]),
    "huge note": BadBody(_json({"value": 1, "note": "长" * 2001}), "invalid_body",
                         [("note", "must be at most 2000 characters long")]),
    "note not text": BadBody(_json({"value": 1, "note": 5}), "invalid_body",
                             [("note", "must be text")]),
    "NUL in note": BadBody(_json({"value": 1, "note": "a\x00b"}), "invalid_body",
                           [("note", "must not contain control characters (newlines and tabs "
                                     "are fine)")]),
    "two problems": BadBody(_json({"value": "x", "extra": 1}), "invalid_body",
                            [("value", "must be a number"),
                             ("extra", "is not a field of a value update (fields: value, "
                                       "note)")]),
    "invalid JSON": BadBody(b'{"value": 12', "invalid_json", []),
    "empty body": BadBody(b"", "invalid_json", []),
    "not an object": BadBody(b"[12]", "not_object", []),
    "bare number": BadBody(b"12", "not_object", []),
    "not UTF-8": BadBody(b'{"value": 1, "note": "\xff\xfe"}', "not_utf8", []),
    "nested too deep": BadBody(b"[" * 10_000 + b"]" * 10_000, "too_deep", []),
    "too many digits": BadBody(b'{"value": ' + b"9" * 5000 + b"}", "invalid_body",
                               [("", "is not valid")]),
}


@pytest.mark.parametrize("case", BAD_BODIES.values(), ids=BAD_BODIES.keys())
def test_bad_body_gets_422_with_a_message_per_field(
    harness: Harness, world: ApiWorld, case: BadBody
) -> None:
    result = refused(harness, lambda: post_value(
        harness.base_url, value_path(world.leads.id or 0), world.secret, raw=case.raw,
        key="k-1"), 422, case.code)
    details = [(d["field"], d["message"]) for d in result["body"]["details"]]
    assert details == case.details


def test_invalid_json_says_where(harness: Harness, world: ApiWorld) -> None:
    result = refused(harness, lambda: post_value(
        harness.base_url, value_path(world.leads.id or 0), world.secret,
        raw=b'{\n  "value": 12,\n}'), 422, "invalid_json")
    assert result["body"]["error"] == "The body is not valid JSON (line 3, column 1)."


def test_note_of_2000_chinese_characters_is_accepted(harness: Harness, world: ApiWorld) -> None:
    reply = post_value(harness.base_url, value_path(world.leads.id or 0), world.secret,
                       {"value": 1, "note": "长" * 2000})
    assert reply.status == 200


def test_body_over_64_kib_gets_413(harness: Harness, world: ApiWorld) -> None:
    raw = _json({"value": 1, "note": "x" * 70_000})
    refused(harness, lambda: post_value(harness.base_url, value_path(world.leads.id or 0),
                                        world.secret, raw=raw), 413, "too_large")


@pytest.mark.parametrize("key", ["", "has space", "x" * 129, "ключ"])
def test_malformed_idempotency_key_gets_422(harness: Harness, world: ApiWorld, key: str) -> None:
    headers = {"Authorization": f"Bearer {world.secret}", "Idempotency-Key": key}
    refused(harness, lambda: request(
        harness.base_url, "POST", value_path(world.leads.id or 0), body=_json({"value": 1}),
        headers={k: v.encode("utf-8").decode("latin-1") for k, v in headers.items()}),
        422, "bad_idempotency_key")


# ---- pushing back: failed authentication, values out of range ---------------------------------


def test_repeated_failed_authentication_is_slowed_with_429_and_retry_after(
    harness: Harness, world: ApiWorld, caplog: pytest.LogCaptureFixture
) -> None:
    path = value_path(world.leads.id or 0)
    statuses = [post_value(harness.base_url, path, "okr_wrong" + str(i), {"value": 1}).status
                for i in range(30)]
    limit = statuses.index(429)
    assert statuses[:limit] == [401] * limit and 0 < limit <= 10
    assert set(statuses[limit:]) == {429}
    slowed = refused(harness, lambda: post_value(harness.base_url, path, world.secret,
                                                 {"value": 1}), 429, "too_many_failures")
    assert 1 <= int(slowed["headers"]["retry-after"]) <= 60
    api_lines = [r for r in caplog.records if r.name == "bot.api.app"]
    assert len(api_lines) <= 3  # sampled, not a line per try


def test_successful_calls_are_not_slowed(harness: Harness, world: ApiWorld) -> None:
    path = value_path(world.leads.id or 0)
    for value in range(15):
        assert post_value(harness.base_url, path, world.secret, {"value": value}).status == 200


@pytest.mark.parametrize("value", [-999_999_999_999_999, -1, 600_001, 30_000_000])
def test_a_value_the_checkin_form_refuses_is_refused(
    harness: Harness, world: ApiWorld, value: float
) -> None:
    result = refused(harness, lambda: post_value(
        harness.base_url, value_path(world.leads.id or 0), world.secret, {"value": value},
        language="en"), 422, "out_of_range")
    assert result["body"]["error"] == (
        f"Key result #{world.leads.id} takes values from 0 to 600,000, as in the check-in form.")
