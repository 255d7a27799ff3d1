"""Bearer tokens of the KR value API: create (the secret is shown once), list, revoke, look up.

A token is `okr_` + 32 random bytes (URL-safe base64). The database keeps only the SHA-256
hex of it, so a copy of the database holds no usable token. A token may update the KRs whose
keys it lists, or every KR when it lists none. Creating and revoking are audited (actor `cli`);
the secret never reaches a log or the audit.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.clock import Clock
from storage.db import Database
from storage.models import ApiToken
from storage.queries import audit as audit_queries
from storage.queries import tokens as token_queries

TOKEN_PREFIX = "okr_"  # noqa: S105 - a prefix, not a secret
SECRET_BYTES = 32
MAX_TOKEN_LENGTH = 100  # far above a real token; longer input is not worth hashing
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,59}")
ADMIN_ACTOR = "cli"


@dataclass(frozen=True)
class TokenView:
    """A token as the CLI and the API see it: never its secret nor its hash."""

    id: int
    name: str
    kr_keys: tuple[str, ...]  # empty: every KR
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def allows(self, kr_key: str | None) -> bool:
        """True when this token may update the KR with key `kr_key`."""
        return not self.kr_keys or (kr_key is not None and kr_key in self.kr_keys)


@dataclass(frozen=True)
class CreatedToken:
    token: TokenView
    secret: str  # shown to the admin once; only its hash is stored


@dataclass(frozen=True)
class Revoked:
    token: TokenView
    already: bool  # it was revoked before: nothing changed


class TokenError(ValueError):
    """A token command that cannot be done: `code` names the words (cli.token.<code>),
    `params` fill them."""

    def __init__(self, code: str, **params: str) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


def hash_secret(secret: str) -> str:
    """SHA-256 hex of a token (tokens are random, so no salt or slow hash is needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(SECRET_BYTES)


def create_token(
    db: Database, clock: Clock, *, name: str, kr_keys: Sequence[str] = ()
) -> CreatedToken:
    """A new token named `name` for the KRs with `kr_keys` (every KR when empty)."""
    if not NAME_PATTERN.fullmatch(name):
        raise TokenError("bad_name", name=name)
    keys = sorted(set(kr_keys))
    secret = new_secret()
    now = clock.now()
    with db.write() as session:
        if token_queries.token_by_name(name, session=session) is not None:
            raise TokenError("exists", name=name)
        unknown = sorted(set(keys) - token_queries.existing_kr_keys(keys, session=session))
        if unknown:
            raise TokenError("unknown_kr", keys=", ".join(map(repr, unknown)))
        row = ApiToken(name=name, token_hash=hash_secret(secret), kr_keys=json.dumps(keys),
                       created_at=now)
        session.add(row)
        session.flush()
        audit_queries.add_audit(
            session=session, at=now, actor=ADMIN_ACTOR, action="api_token.create",
            entity="api_token", entity_id=str(row.id),
            after=json.dumps({"name": name, "kr_keys": keys}))
        return CreatedToken(_view(row), secret)


def list_tokens(db: Database) -> list[TokenView]:
    """Every token, revoked ones included, oldest first."""
    with db.read() as session:
        return [_view(row) for row in token_queries.all_tokens(session=session)]


def revoke_token(db: Database, clock: Clock, *, name: str) -> Revoked:
    """Revoke the token `name` at once; revoking a revoked token changes nothing."""
    now = clock.now()
    with db.write() as session:
        row = token_queries.token_by_name(name, session=session)
        if row is None:
            raise TokenError("unknown", name=name)
        already = row.revoked_at is not None
        if not already:
            row.revoked_at = now
            session.add(row)
            audit_queries.add_audit(
                session=session, at=now, actor=ADMIN_ACTOR, action="api_token.revoke",
                entity="api_token", entity_id=str(row.id), after=json.dumps({"name": name}))
        return Revoked(_view(row), already)


def find_token(db: Database, secret: str) -> TokenView | None:
    """The token (revoked or not) whose secret is `secret`, or None."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > MAX_TOKEN_LENGTH:
        return None
    wanted = hash_secret(secret)
    with db.read() as session:
        row = token_queries.token_by_hash(wanted, session=session)
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    return _view(row)


def _view(row: ApiToken) -> TokenView:
    assert row.id is not None
    return TokenView(id=row.id, name=row.name, kr_keys=tuple(json.loads(row.kr_keys)),
                     created_at=row.created_at, revoked_at=row.revoked_at,
                     last_used_at=row.last_used_at)
