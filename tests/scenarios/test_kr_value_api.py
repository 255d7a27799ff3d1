"""The KR value API over real HTTP: a business system sets a KR's value with a bearer token,
and it is recorded once as a check-in with source `api`, also when retried or raced."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.clock import FakeClock
from bot.services.tokens import create_token, revoke_token
from storage.models import ApiRequest, ApiToken, AuditLog, CheckIn, KeyResult, KRValueHistory
from tests.scenarios.api_client import (
    Reply,
    key_path,
    post_value,
    request,
    snapshot,
    value_path,
)
from tests.scenarios.api_world import ApiWorld, make_api_world
from tests.scenarios.conftest import Harness


@pytest.fixture
def world(harness: Harness, clock: FakeClock) -> ApiWorld:
    return make_api_world(harness.deps.db, clock)


def rows(harness: Harness, model: Any) -> list[Any]:
    with harness.deps.db.read() as session:
        return list(session.exec(select(model).order_by(col(model.id))))


def kr(harness: Harness, kr_id: int | None) -> KeyResult:
    with harness.deps.db.read() as session:
        found = session.get(KeyResult, kr_id)
    assert found is not None
    return found


def ok(reply: Reply) -> dict[str, Any]:
    assert reply.status == 200, reply.body
    body: dict[str, Any] = reply.json()
    return body


# ---- recording -------------------------------------------------------------------------------


def test_value_update_is_a_checkin_with_source_api_history_and_audit(
    harness: Harness, world: ApiWorld, clock: FakeClock
) -> None:
    reply = post_value(harness.base_url, value_path(world.leads.id or 0), world.secret,
                       {"value": 240, "note": "CRM sync: 140 new leads"})

    body = ok(reply)
    assert reply.headers["content-type"].startswith("application/json")
    assert "idempotent-replayed" not in reply.headers
    [checkin] = rows(harness, CheckIn)
    assert body == {
        "checkin_id": checkin.id,
        "key_result": {"id": world.leads.id, "key": "mkt.leads", "title": "Qualified leads",
                       "kind": "metric", "unit": "leads", "start_value": 0.0,
                       "target_value": 600.0, "current_value": 240.0, "progress": 0.4},
        "previous_value": 100.0, "value": 240.0, "note": "CRM sync: 140 new leads",
        "period": "2026-W49", "recorded_at": "2026-11-30T09:00:00Z",
    }
    assert (checkin.source, checkin.author_id, checkin.value, checkin.previous_value) == (
        "api", None, 240.0, 100.0)
    assert (checkin.progress, checkin.period_key, checkin.created_at) == (
        "CRM sync: 140 new leads", "2026-W49", clock.now())
    assert checkin.idempotency_key.startswith(f"apiauto:{world.token_id}:")
    stored = kr(harness, world.leads.id)
    assert (stored.current_value, stored.last_checkin_at) == (240.0, clock.now())
    [history] = rows(harness, KRValueHistory)
    assert (history.key_result_id, history.value, history.source, history.checkin_id) == (
        world.leads.id, 240.0, "api", checkin.id)
    audit = [a for a in rows(harness, AuditLog) if a.entity == "checkin"]
    assert [(a.actor, a.action, a.entity_id) for a in audit] == [
        ("api:erp", "checkin.create", str(checkin.id))]
    assert "CRM sync" not in (audit[0].after or "")  # the audit keeps numbers, not notes
    [token] = rows(harness, ApiToken)
    assert token.last_used_at == clock.now()
    assert rows(harness, ApiRequest) == []  # no Idempotency-Key: nothing to replay


def test_api_update_shows_in_the_owners_okr_lookup(harness: Harness, world: ApiWorld) -> None:
    ok(post_value(harness.base_url, value_path(world.leads.id or 0), world.secret,
                  {"value": 321}))

    reply = harness.sender.command("", user_id="UANA").json()
    assert "321" in str(reply["blocks"])


def test_by_key_endpoint_updates_the_kr_with_that_key(harness: Harness, world: ApiWorld) -> None:
    body = ok(post_value(harness.base_url, key_path("cs.nps"), world.secret, {"value": 45}))

    assert body["key_result"]["id"] == world.nps.id
    assert body["key_result"]["progress"] == pytest.approx(0.75)
    assert kr(harness, world.nps.id).current_value == 45.0
    assert kr(harness, world.leads.id).current_value == 100.0


def test_unchanged_value_is_a_checkin_without_a_history_row(
    harness: Harness, world: ApiWorld, clock: FakeClock
) -> None:
    ok(post_value(harness.base_url, value_path(world.leads.id or 0), world.secret,
                  {"value": 100, "note": "no new leads"}))

    assert [c.value for c in rows(harness, CheckIn)] == [100.0]
    assert rows(harness, KRValueHistory) == []
    assert kr(harness, world.leads.id).last_checkin_at == clock.now()


def test_milestone_takes_one_for_done(harness: Harness, world: ApiWorld) -> None:
    body = ok(post_value(harness.base_url, key_path("mkt.launch"), world.secret, {"value": 1}))

    assert body["key_result"]["progress"] == 1.0
    assert kr(harness, world.launch.id).current_value == 1.0


def test_token_scoped_to_krs_updates_them_by_id_and_by_key(
    harness: Harness, world: ApiWorld, clock: FakeClock
) -> None:
    scoped = create_token(harness.deps.db, clock, name="crm", kr_keys=["mkt.leads", "cs.nps"])

    ok(post_value(harness.base_url, value_path(world.leads.id or 0), scoped.secret,
                  {"value": 200}))
    ok(post_value(harness.base_url, key_path("cs.nps"), scoped.secret, {"value": 40}))

    assert [c.key_result_id for c in rows(harness, CheckIn)] == [world.leads.id, world.nps.id]
    audit = [a.actor for a in rows(harness, AuditLog) if a.entity == "checkin"]
    assert audit == ["api:crm", "api:crm"]


# ---- idempotency ---------------------------------------------------------------------------


def test_retry_with_the_same_key_is_stored_once_and_answered_the_same(
    harness: Harness, world: ApiWorld, clock: FakeClock
) -> None:
    path, payload = value_path(world.leads.id or 0), {"value": 250, "note": "nightly"}
    first = post_value(harness.base_url, path, world.secret, payload, key="sync-2026-11-30")
    clock.advance(timedelta(minutes=5))
    second = post_value(harness.base_url, path, world.secret, payload, key="sync-2026-11-30")

    assert ok(first) == ok(second)
    assert first.body == second.body
    assert second.headers["idempotent-replayed"] == "true"
    [checkin] = rows(harness, CheckIn)
    assert checkin.idempotency_key == f"api:{world.token_id}:sync-2026-11-30"
    assert len(rows(harness, KRValueHistory)) == 1
    assert len([a for a in rows(harness, AuditLog) if a.entity == "checkin"]) == 1
    [stored] = rows(harness, ApiRequest)
    assert (stored.token_id, stored.checkin_id) == (world.token_id, checkin.id)


def test_retry_by_key_of_a_request_made_by_id_is_the_same_request(
    harness: Harness, world: ApiWorld
) -> None:
    first = post_value(harness.base_url, value_path(world.nps.id or 0), world.secret,
                       {"value": 44}, key="k1")
    second = post_value(harness.base_url, key_path("cs.nps"), world.secret, {"value": 44},
                        key="k1")

    assert first.body == second.body
    assert len(rows(harness, CheckIn)) == 1


def test_same_key_with_another_body_is_refused_and_changes_nothing(
    harness: Harness, world: ApiWorld
) -> None:
    path = value_path(world.leads.id or 0)
    ok(post_value(harness.base_url, path, world.secret, {"value": 250}, key="sync-1"))
    before = snapshot(harness.deps.db)

    reply = post_value(harness.base_url, path, world.secret, {"value": 260}, key="sync-1")

    assert reply.status == 422
    assert reply.json()["code"] == "key_reused"
    assert "sync-1" in reply.json()["error"]
    assert snapshot(harness.deps.db) == before


def test_keys_belong_to_their_token(harness: Harness, world: ApiWorld, clock: FakeClock) -> None:
    other = create_token(harness.deps.db, clock, name="bi")
    path = value_path(world.leads.id or 0)

    ok(post_value(harness.base_url, path, world.secret, {"value": 250}, key="same"))
    reply = post_value(harness.base_url, path, other.secret, {"value": 270}, key="same")

    assert "idempotent-replayed" not in reply.headers
    assert ok(reply)["value"] == 270.0
    assert len(rows(harness, CheckIn)) == 2


def test_retry_after_the_kr_was_archived_still_gets_the_first_answer(
    harness: Harness, world: ApiWorld
) -> None:
    path = value_path(world.leads.id or 0)
    first = post_value(harness.base_url, path, world.secret, {"value": 250}, key="late")
    with harness.deps.db.write() as session:
        stored = session.get(KeyResult, world.leads.id)
        assert stored is not None
        stored.state = "archived"
        session.add(stored)

    again = post_value(harness.base_url, path, world.secret, {"value": 250}, key="late")

    assert (again.status, again.body) == (200, first.body)
    fresh = post_value(harness.base_url, path, world.secret, {"value": 250}, key="new")
    assert fresh.status == 409


def _race(count: int, send: Any) -> list[Reply]:
    """`send(i)` from `count` threads released together."""
    barrier = threading.Barrier(count)
    replies: list[Reply | None] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        replies[index] = send(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(reply is not None for reply in replies)
    return [reply for reply in replies if reply is not None]


def test_ten_concurrent_retries_with_one_key_record_one_checkin(
    harness: Harness, world: ApiWorld
) -> None:
    path = value_path(world.leads.id or 0)
    replies = _race(10, lambda _: post_value(harness.base_url, path, world.secret,
                                             {"value": 333, "note": "race"}, key="race-1"))

    assert [r.status for r in replies] == [200] * 10, [r.body for r in replies]
    assert len({r.body for r in replies}) == 1
    assert sum("idempotent-replayed" in r.headers for r in replies) == 9
    assert len(rows(harness, CheckIn)) == 1
    assert len(rows(harness, KRValueHistory)) == 1
    assert len(rows(harness, ApiRequest)) == 1
    assert len([a for a in rows(harness, AuditLog) if a.entity == "checkin"]) == 1


def test_concurrent_updates_without_keys_each_see_the_value_before_them(
    harness: Harness, world: ApiWorld
) -> None:
    path = value_path(world.leads.id or 0)
    replies = _race(8, lambda i: post_value(harness.base_url, path, world.secret,
                                            {"value": 200 + i}))

    assert [r.status for r in replies] == [200] * 8
    checkins = rows(harness, CheckIn)
    assert len(checkins) == 8
    # The KR row lock orders them: each one's previous value is the one before it.
    chain = [100.0] + [c.value for c in checkins]
    assert [c.previous_value for c in checkins] == chain[:-1]
    assert kr(harness, world.leads.id).current_value == checkins[-1].value


# ---- tokens ---------------------------------------------------------------------------------


def test_revoked_token_is_refused_at_once(
    harness: Harness, world: ApiWorld, clock: FakeClock
) -> None:
    path = value_path(world.leads.id or 0)
    ok(post_value(harness.base_url, path, world.secret, {"value": 150}))
    revoke_token(harness.deps.db, clock, name="erp")
    before = snapshot(harness.deps.db)

    reply = post_value(harness.base_url, path, world.secret, {"value": 160})

    assert reply.status == 401
    assert reply.json()["code"] == "revoked_token"
    assert reply.headers["www-authenticate"] == 'Bearer realm="okr-bot", error="invalid_token"'
    assert snapshot(harness.deps.db) == before


def test_only_the_hash_of_a_token_is_stored(harness: Harness, world: ApiWorld) -> None:
    [token] = rows(harness, ApiToken)
    assert world.secret.startswith("okr_") and len(world.secret) == 4 + 43
    assert world.secret not in str(token.model_dump())
    assert len(token.token_hash) == 64


# ---- routing and language -------------------------------------------------------------------


def test_other_methods_and_paths_get_json_errors(harness: Harness, world: ApiWorld) -> None:
    wrong_method = request(harness.base_url, "GET", value_path(world.leads.id or 0))
    assert (wrong_method.status, wrong_method.headers["allow"]) == (405, "POST")
    assert wrong_method.json()["code"] == "method_not_allowed"
    nowhere = request(harness.base_url, "POST", "/api/v2/anything")
    assert (nowhere.status, nowhere.json()["code"]) == (404, "no_route")


def test_errors_follow_accept_language(harness: Harness, world: ApiWorld) -> None:
    path = value_path(world.leads.id or 0)
    chinese = post_value(harness.base_url, path, world.secret, {"value": "12"},
                         language="zh-CN,en;q=0.5")
    english = post_value(harness.base_url, path, world.secret, {"value": "12"},
                         language="fr, en;q=0.8, zh;q=0.7")

    assert chinese.json()["error"] == "请求体不是有效的数值更新，详见 details。"
    assert chinese.json()["details"] == [{"field": "value", "message": "必须是数字"}]
    assert chinese.headers["content-language"] == "zh"
    assert english.json()["details"] == [{"field": "value", "message": "must be a number"}]
