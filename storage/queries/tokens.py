"""Queries of the KR value API and its tokens: keyword-only `session`, no commits, no rules."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from storage.models import ApiRequest, ApiToken, Cycle, KeyResult, Objective


def token_by_hash(token_hash: str, *, session: Session) -> ApiToken | None:
    """The token whose secret hashes to `token_hash`, revoked or not."""
    return session.exec(select(ApiToken).where(col(ApiToken.token_hash) == token_hash)).first()


def token_by_name(name: str, *, session: Session) -> ApiToken | None:
    return session.exec(select(ApiToken).where(col(ApiToken.name) == name)).first()


def all_tokens(*, session: Session) -> list[ApiToken]:
    """Every token, oldest first."""
    return list(session.exec(select(ApiToken).order_by(col(ApiToken.id))))


def mark_token_used(token_id: int, at: datetime, *, session: Session) -> bool:
    """Set `last_used_at` of a token that is not revoked; False when it is revoked (or gone).

    On PostgreSQL the row lock it takes serialises the requests of one token until commit.
    """
    statement = (
        update(ApiToken)
        .where(col(ApiToken.id) == token_id, col(ApiToken.revoked_at).is_(None))
        .values(last_used_at=at)
    )
    result: Any = session.execute(statement)
    return bool(result.rowcount == 1)


def existing_kr_keys(keys: Collection[str], *, session: Session) -> set[str]:
    """The keys among `keys` that some KR has."""
    if not keys:
        return set()
    query = select(KeyResult.key).where(col(KeyResult.key).in_(list(keys)))
    return {key for key in session.exec(query) if key is not None}


def kr_for_update(
    *, session: Session, kr_id: int | None = None, kr_key: str | None = None
) -> tuple[KeyResult, Objective, Cycle] | None:
    """A KR by id or by key, with its Objective and cycle; the KR row is locked (PostgreSQL)."""
    query = (
        select(KeyResult, Objective, Cycle)
        .join(Objective, col(Objective.id) == col(KeyResult.objective_id))
        .join(Cycle, col(Cycle.id) == col(Objective.cycle_id))
        .with_for_update(of=KeyResult)
    )
    if kr_id is not None:
        query = query.where(col(KeyResult.id) == kr_id)
    else:
        query = query.where(col(KeyResult.key) == kr_key)
    row = session.exec(query).first()
    return None if row is None else (row[0], row[1], row[2])


def api_request(token_id: int, idempotency_key: str, *, session: Session) -> ApiRequest | None:
    """The request this token already made under `idempotency_key`, if any."""
    query = select(ApiRequest).where(
        col(ApiRequest.token_id) == token_id, col(ApiRequest.idempotency_key) == idempotency_key
    )
    return session.exec(query).first()
