"""`GET /api/openapi.json` is a valid OpenAPI 3.1 document, and it tells the truth: real
responses of every kind have a documented status, the documented headers and bodies that
validate against the documented schemas."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path
from typing import Any
from wsgiref.util import setup_testing_defaults

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import OpenAPIV31SpecValidator

from bot.api.app import ApiApp
from bot.api.openapi import BY_ID_PATH, BY_KEY_PATH, OPENAPI_PATH, openapi_document
from bot.clock import FakeClock
from bot.services.tokens import create_token, revoke_token
from storage.db import Database, make_engine
from tests.scenarios.api_client import Reply, key_path, post_value, request, value_path
from tests.scenarios.api_world import ApiWorld, make_api_world
from tests.scenarios.conftest import Harness


@pytest.fixture
def world(harness: Harness, clock: FakeClock) -> ApiWorld:
    return make_api_world(harness.deps.db, clock)


@pytest.fixture
def served(harness: Harness) -> dict[str, Any]:
    reply = request(harness.base_url, "GET", OPENAPI_PATH)
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/json")
    document: dict[str, Any] = reply.json()
    return document


def conforms(document: dict[str, Any], template: str, method: str, reply: Reply) -> int:
    """Assert that `reply` is a response `document` describes; returns its status."""
    operation = document["paths"][template][method]
    responses = operation["responses"]
    assert str(reply.status) in responses, f"{reply.status} is not documented for {template}"
    described = responses[str(reply.status)]
    for name, header in described.get("headers", {}).items():
        if header.get("required"):
            assert name.lower() in reply.headers, f"{reply.status} lacks header {name}"
    media = reply.headers["content-type"].split(";")[0]
    schema = described["content"][media]["schema"]
    validator = Draft202012Validator({**schema, "components": document["components"]},
                                     format_checker=FormatChecker())
    errors = [e.message for e in validator.iter_errors(reply.json())]
    assert errors == [], f"{reply.status} body does not match its schema: {errors}"
    return reply.status


def test_document_is_served_and_valid_openapi_3_1(served: dict[str, Any]) -> None:
    OpenAPIV31SpecValidator(served).validate()
    assert served["openapi"] == "3.1.0"
    assert set(served["paths"]) == {BY_ID_PATH, BY_KEY_PATH, OPENAPI_PATH}
    for schema in served["components"]["schemas"].values():
        Draft202012Validator.check_schema(schema)
    body = served["paths"][BY_ID_PATH]["post"]["requestBody"]["content"]["application/json"]
    request_schema = served["components"]["schemas"][body["schema"]["$ref"].split("/")[-1]]
    assert request_schema["required"] == ["value"]
    assert request_schema["additionalProperties"] is False
    assert request_schema["properties"]["note"]["maxLength"] == 2000


def test_public_url_becomes_the_server() -> None:
    document = openapi_document("https://okr.example.com/")
    assert document["servers"] == [{"url": "https://okr.example.com"}]
    OpenAPIV31SpecValidator(document).validate()


def test_real_responses_match_the_document(
    harness: Harness, world: ApiWorld, clock: FakeClock, served: dict[str, Any]
) -> None:
    scoped = create_token(harness.deps.db, clock, name="crm", kr_keys=["cs.nps"])
    gone = create_token(harness.deps.db, clock, name="old")
    revoke_token(harness.deps.db, clock, name="old")
    by_id = value_path(world.leads.id or 0)
    base = harness.base_url
    seen = [
        conforms(served, BY_ID_PATH, "post",
                 post_value(base, by_id, world.secret, {"value": 200, "note": "n"}, key="a")),
        conforms(served, BY_ID_PATH, "post",
                 post_value(base, by_id, world.secret, {"value": 200, "note": "n"}, key="a")),
        conforms(served, BY_KEY_PATH, "post",
                 post_value(base, key_path("mkt.leads"), world.secret, {"value": 210})),
        conforms(served, BY_ID_PATH, "post",
                 post_value(base, value_path(world.unkeyed.id or 0), world.secret, {"value": 9})),
        conforms(served, BY_ID_PATH, "post", post_value(base, by_id, None, {"value": 1})),
        conforms(served, BY_ID_PATH, "post", post_value(base, by_id, gone.secret, {"value": 1})),
        conforms(served, BY_ID_PATH, "post", post_value(base, by_id, scoped.secret, {"value": 1})),
        conforms(served, BY_KEY_PATH, "post",
                 post_value(base, key_path("nope"), world.secret, {"value": 1})),
        conforms(served, BY_KEY_PATH, "post",
                 post_value(base, key_path("q3.leads"), world.secret, {"value": 1})),
        conforms(served, BY_KEY_PATH, "post",
                 post_value(base, key_path("mkt.old"), world.secret, {"value": 1})),
        conforms(served, BY_ID_PATH, "post",
                 post_value(base, by_id, world.secret, raw=b'{"value": "1", "x": 2}')),
        conforms(served, BY_ID_PATH, "post", post_value(base, by_id, world.secret, raw=b"{")),
        conforms(served, BY_ID_PATH, "post",
                 post_value(base, by_id, world.secret, {"value": 300}, key="a")),
        conforms(served, BY_ID_PATH, "post",
                 post_value(base, by_id, world.secret, raw=b" " * 70_000)),
    ]
    assert sorted(set(seen)) == [200, 401, 403, 404, 409, 413, 422]


def test_replayed_answer_is_documented_with_its_header(
    harness: Harness, world: ApiWorld, served: dict[str, Any]
) -> None:
    path = value_path(world.leads.id or 0)
    post_value(harness.base_url, path, world.secret, {"value": 5}, key="r")
    replay = post_value(harness.base_url, path, world.secret, {"value": 5}, key="r")
    header = served["paths"][BY_ID_PATH]["post"]["responses"]["200"]["headers"]
    assert replay.headers["idempotent-replayed"] in header["Idempotent-Replayed"]["schema"]["enum"]


def test_database_failure_is_a_documented_500_that_invites_a_retry(
    harness: Harness, world: ApiWorld, served: dict[str, Any], tmp_path: Path
) -> None:
    # A real database without tables: every query fails, as when the server is down.
    broken = Database(make_engine(f"sqlite:///{tmp_path / 'no-schema.db'}"))
    app = ApiApp(dataclasses.replace(harness.deps, db=broken))
    body = b'{"value": 1}'
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "POST", "PATH_INFO": value_path(world.leads.id or 0),
        "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
        "HTTP_AUTHORIZATION": f"Bearer {world.secret}",
    }
    setup_testing_defaults(environ)
    started: list[Any] = []
    chunks = app(environ, lambda status, headers: started.append((status, dict(headers))))
    broken.dispose()

    status, headers = started[0]
    reply = Reply(int(status.split()[0]), {k.lower(): v for k, v in headers.items()},
                  b"".join(chunks))
    assert conforms(served, BY_ID_PATH, "post", reply) == 500
    assert reply.json()["code"] == "internal"
    assert "retry" in reply.json()["error"]
