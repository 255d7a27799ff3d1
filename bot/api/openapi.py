"""The OpenAPI 3.1 document of the KR value API, built from the pydantic models' JSON schemas.

Served at `GET /api/openapi.json`. Every status the app can answer on an operation is listed
here, and a scenario test validates real responses against this document.
"""

from __future__ import annotations

from typing import Any

from pydantic.json_schema import models_json_schema

from bot.api.http import IDEMPOTENCY_KEY_MAX, MAX_BODY_BYTES
from bot.api.schemas import ApiError, ValueRecordedResponse, ValueUpdateRequest

OPENAPI_PATH = "/api/openapi.json"
BY_ID_PATH = "/api/v1/key-results/{id}/value"
BY_KEY_PATH = "/api/v1/key-results/by-key/{key}/value"
_REF = "#/components/schemas/{model}"

_DESCRIPTION = """\
Lets a business system set the current value of a key result (OKR guide 三.2: automatic data \
tracking). Each update is recorded as a check-in with source `api`, so it shows in App Home, \
`/okr` and the digests like one made in Slack.

Authenticate with a bearer token from `okr-bot token create --name NAME [--kr KEY …]`. \
Send an `Idempotency-Key` header to make retries safe: the same key with the same body \
answers the first response again (header `Idempotent-Replayed: true`) and records nothing \
more; the same key with another body is refused with 422. Error messages follow \
`Accept-Language` (English or Chinese); `code` is stable."""

_ERRORS = {
    "401": ("The bearer token is missing, unknown or revoked "
            "(`missing_token`, `invalid_token`, `revoked_token`).", True),
    "403": ("The token is scoped to other key results (`forbidden`).", True),
    "404": ("No such key result (`not_found`).", False),
    "409": ("The key result is archived, or its cycle is closed (`archived`, `cycle_closed`).",
            False),
    "413": (f"The body is larger than {MAX_BODY_BYTES} bytes (`too_large`).", False),
    "422": ("The body or a header is not valid, a value is outside the range the check-in "
            "form accepts, a milestone got a value other than 0 or 1, or the Idempotency-Key "
            "was used with another body (`invalid_json`, `not_object`, `invalid_body`, "
            "`bad_idempotency_key`, `out_of_range`, `milestone_value`, `key_reused`, ...).",
            False),
    "429": ("Too many failed authentications from this client; wait `Retry-After` seconds "
            "(`too_many_failures`).", False),
    "500": ("Something failed on the server; nothing was recorded. Retry with the same "
            "Idempotency-Key (`internal`).", False),
    "503": ("The database is busy, full or unreachable; nothing was recorded. Retry after "
            "`Retry-After` seconds with the same Idempotency-Key (`unavailable`).", False),
}
_RETRY_AFTER = {"429", "503"}


def openapi_document(public_url: str | None = None) -> dict[str, Any]:
    """The whole document; `public_url` (the server's base URL) adds a `servers` entry."""
    refs, defs = models_json_schema(
        [(ValueUpdateRequest, "validation"), (ValueRecordedResponse, "serialization"),
         (ApiError, "serialization")],
        ref_template=_REF,
    )
    request = refs[(ValueUpdateRequest, "validation")]
    recorded = refs[(ValueRecordedResponse, "serialization")]
    error = refs[(ApiError, "serialization")]
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "okr-bot KR value API", "version": "1.0.0",
                 "description": _DESCRIPTION},
        "paths": {
            BY_ID_PATH: {"post": _set_value("setValueById", "id", request, recorded, error)},
            BY_KEY_PATH: {"post": _set_value("setValueByKey", "key", request, recorded, error)},
            OPENAPI_PATH: {"get": {
                "operationId": "getOpenApi",
                "summary": "This document.",
                "security": [],
                "responses": {"200": {
                    "description": "The OpenAPI document.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                }},
            }},
        },
        "components": {
            "schemas": defs["$defs"],
            "securitySchemes": {"bearerToken": {
                "type": "http", "scheme": "bearer",
                "description": "A token from `okr-bot token create` (`okr_…`).",
            }},
        },
        "security": [{"bearerToken": []}],
    }
    if public_url:
        document["servers"] = [{"url": public_url.rstrip("/")}]
    return document


def _set_value(
    operation_id: str, name: str, request: dict[str, Any], recorded: dict[str, Any],
    error: dict[str, Any],
) -> dict[str, Any]:
    if name == "id":
        parameter = {"name": "id", "in": "path", "required": True,
                     "description": "The key result's id.",
                     "schema": {"type": "integer", "minimum": 1}}
        summary = "Set a key result's value, naming it by id."
    else:
        parameter = {"name": "key", "in": "path", "required": True,
                     "description": "The key result's stable key, chosen by the admin.",
                     "schema": {"type": "string", "minLength": 1, "maxLength": 100}}
        summary = "Set a key result's value, naming it by its key."
    responses: dict[str, Any] = {"200": {
        "description": "Recorded (or, for a retry, recorded before: the same answer again).",
        "headers": {"Idempotent-Replayed": {
            "description": "`true` when this answers a retry of an earlier request.",
            "schema": {"type": "string", "enum": ["true"]},
        }},
        "content": {"application/json": {"schema": recorded}},
    }}
    for status, (description, challenge) in _ERRORS.items():
        response: dict[str, Any] = {"description": description,
                                    "content": {"application/json": {"schema": error}}}
        if challenge:
            response["headers"] = {"WWW-Authenticate": {
                "description": 'The bearer challenge, e.g. `Bearer realm="okr-bot", '
                               'error="invalid_token"`.',
                "required": True, "schema": {"type": "string"},
            }}
        if status in _RETRY_AFTER:
            response["headers"] = {"Retry-After": {
                "description": "Seconds to wait before trying again.",
                "required": True, "schema": {"type": "string", "pattern": "^[0-9]+$"},
            }}
        responses[status] = response
    return {
        "operationId": operation_id,
        "summary": summary,
        "parameters": [
            parameter,
            {"name": "Idempotency-Key", "in": "header", "required": False,
             "description": "Makes retries safe: the same key and body are recorded once.",
             "schema": {"type": "string", "minLength": 1, "maxLength": IDEMPOTENCY_KEY_MAX,
                        "pattern": "^[\\x21-\\x7e]+$"}},
            {"name": "Accept-Language", "in": "header", "required": False,
             "description": "`en` or `zh`: the language of error messages.",
             "schema": {"type": "string"}},
        ],
        "requestBody": {"required": True,
                        "content": {"application/json": {"schema": request}}},
        "responses": responses,
    }
