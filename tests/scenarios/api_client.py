"""A tiny HTTP client for the KR value API tests, plus a snapshot of every row it may write."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlmodel import SQLModel, col, select

from storage.db import Database
from storage.models import ApiRequest, ApiToken, AuditLog, CheckIn, KeyResult, KRValueHistory


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(
    base_url: str, method: str, path: str, *, body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Reply:
    """One request on a fresh connection (`path` is sent as given, already percent-encoded)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return Reply(response.status, {k.lower(): v for k, v in response.getheaders()},
                     response.read())
    finally:
        connection.close()


def post_value(
    base_url: str, path: str, token: str | None, payload: Any = None, *,
    raw: bytes | None = None, key: str | None = None, language: str | None = None,
) -> Reply:
    """POST a value update: `payload` as JSON, or `raw` bytes as they are."""
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if key is not None:
        headers["Idempotency-Key"] = key
    if language is not None:
        headers["Accept-Language"] = language
    body = raw if raw is not None else json.dumps(payload).encode("utf-8")
    return request(base_url, "POST", path, body=body, headers=headers)


def value_path(kr_id: int) -> str:
    return f"/api/v1/key-results/{kr_id}/value"


def key_path(kr_key: str) -> str:
    return f"/api/v1/key-results/by-key/{kr_key}/value"


_WRITTEN: tuple[type[SQLModel], ...] = (
    CheckIn, KRValueHistory, AuditLog, ApiRequest, KeyResult, ApiToken,
)


def snapshot(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table an API request may write, to compare before and after."""
    with db.read() as session:
        return {
            model.__name__: [row.model_dump() for row in
                             session.exec(select(model).order_by(col(model.id)))]  # type: ignore[attr-defined]
            for model in _WRITTEN
        }
