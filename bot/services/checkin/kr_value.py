"""Setting a KR's value from a business system (the KR value API): a check-in with source `api`.

All in ONE transaction. The token is marked used first, by a conditional UPDATE that also
refuses a revoked token and (on PostgreSQL) serialises the requests of one token, so retries
racing with the same Idempotency-Key take turns. Then the KR row is locked (so concurrent
updates each see the value before them). A retry is answered from its `ApiRequest` record;
otherwise a `CheckIn` (author none, the note as progress), the KR's value and last check-in
time, a `KRValueHistory` row when the value moved, an audit entry and the idempotency record
are written. A refusal raises `ValueRefused` inside the transaction, so
nothing at all is written.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.clock import Clock
from bot.domain.checkin_input import period_key, range_problem, value_bounds
from bot.domain.formatting import format_number
from bot.domain.scoring import KRState, kr_score
from bot.domain.vocabulary import Direction, KRKind
from bot.services.cycles import guard as cycle_guard
from bot.services.tokens import TokenView
from storage.db import Database
from storage.models import ApiRequest, CheckIn, Cycle, KeyResult, KRValueHistory, Objective
from storage.queries import audit as audit_queries
from storage.queries import tokens as token_queries


@dataclass(frozen=True)
class KRRef:
    """How the caller named the KR: by id or by its admin-chosen key (exactly one)."""

    id: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        return f"#{self.id}" if self.id is not None else repr(self.key)


@dataclass(frozen=True)
class ValueUpdate:
    value: float  # finite; the API layer checked it
    note: str


class Refusal(StrEnum):
    REVOKED = "revoked"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    KEY_REUSED = "key_reused"
    ARCHIVED = "archived"
    CYCLE_CLOSED = "cycle_closed"
    MILESTONE_VALUE = "milestone_value"
    OUT_OF_RANGE = "out_of_range"


class ValueRefused(Exception):
    """The update is refused; `params` fill the message of `refusal`."""

    def __init__(self, refusal: Refusal, **params: str) -> None:
        super().__init__(refusal.value)
        self.refusal = refusal
        self.params = params


@dataclass(frozen=True)
class KRValueView:
    id: int
    key: str | None
    title: str
    kind: str
    unit: str
    start_value: float
    target_value: float
    current_value: float
    progress: float  # 0..1


@dataclass(frozen=True)
class ValueRecorded:
    """What the API answers, the first time and on every retry of the same request."""

    checkin_id: int
    key_result: KRValueView
    previous_value: float
    value: float
    note: str
    period: str  # ISO week of the update in UTC, "2026-W49"
    recorded_at: datetime


@dataclass(frozen=True)
class Recorded:
    result: ValueRecorded
    replayed: bool  # True when answered from an earlier request with the same key


def record_value(
    db: Database, clock: Clock, *, token: TokenView, ref: KRRef, update: ValueUpdate,
    idempotency_key: str | None,
) -> Recorded:
    """Set the value of the KR `ref` as `token`; raises `ValueRefused` and writes nothing when
    the update is not allowed."""
    now = clock.now()
    with db.write() as session:
        if not token_queries.mark_token_used(token.id, now, session=session):
            raise ValueRefused(Refusal.REVOKED)
        found = token_queries.kr_for_update(session=session, kr_id=ref.id, kr_key=ref.key)
        if found is None:
            raise ValueRefused(Refusal.NOT_FOUND, kr=str(ref))
        kr, objective, cycle = found
        if not token.allows(kr.key):
            raise ValueRefused(Refusal.FORBIDDEN, kr=str(ref))
        request_hash = _request_hash(kr, update)
        if idempotency_key is not None:
            earlier = token_queries.api_request(token.id, idempotency_key, session=session)
            if earlier is not None:
                if earlier.request_hash != request_hash:
                    raise ValueRefused(Refusal.KEY_REUSED, key=idempotency_key)
                return Recorded(_from_record(earlier.response), replayed=True)
        _check_writable(kr, objective, cycle, update, str(ref))
        result = _store(session, token, kr, update, idempotency_key, now)
        if idempotency_key is not None:
            session.add(ApiRequest(token_id=token.id, idempotency_key=idempotency_key,
                                   request_hash=request_hash, checkin_id=result.checkin_id,
                                   response=_to_record(result), created_at=now))
        return Recorded(result, replayed=False)


def _check_writable(
    kr: KeyResult, objective: Objective, cycle: Cycle, update: ValueUpdate, ref: str
) -> None:
    if "archived" in (kr.state, objective.state):
        raise ValueRefused(Refusal.ARCHIVED, kr=ref)
    if cycle_guard.is_read_only(cycle):
        raise ValueRefused(Refusal.CYCLE_CLOSED, kr=ref, cycle=cycle.name)
    if kr.kind == KRKind.MILESTONE:
        if update.value not in (0.0, 1.0):
            raise ValueRefused(Refusal.MILESTONE_VALUE, kr=ref)
        return
    if range_problem(update.value, kr.start_value, kr.target_value) is not None:
        low, high = value_bounds(kr.start_value, kr.target_value)  # the form's own check
        raise ValueRefused(Refusal.OUT_OF_RANGE, kr=ref, low=format_number(low),
                           high=format_number(high))


def _store(
    session: Session, token: TokenView, kr: KeyResult, update: ValueUpdate,
    idempotency_key: str | None, now: datetime,
) -> ValueRecorded:
    assert kr.id is not None
    key = (f"api:{token.id}:{idempotency_key}" if idempotency_key is not None
           else f"apiauto:{token.id}:{uuid.uuid4().hex}")  # another prefix: never a caller's key
    previous = kr.current_value
    row = CheckIn(key_result_id=kr.id, author_id=None, period_key=period_key(now.date()),
                  value=update.value, previous_value=previous, progress=update.note,
                  source="api", idempotency_key=key, version=1, created_at=now, updated_at=now)
    session.add(row)
    session.flush()
    assert row.id is not None
    kr.current_value = update.value
    kr.last_checkin_at = kr.updated_at = now
    session.add(kr)
    if update.value != previous:
        session.add(KRValueHistory(key_result_id=kr.id, at=now, value=update.value,
                                   source="api", checkin_id=row.id))
    audit_queries.add_audit(
        session=session, at=now, actor=f"api:{token.name}", action="checkin.create",
        entity="checkin", entity_id=str(row.id),
        # Numbers only: the audit keeps no text people (or systems) wrote.
        after=json.dumps({"kr": kr.id, "value": update.value, "previous": previous,
                          "source": "api"}))
    return ValueRecorded(
        checkin_id=row.id, key_result=_kr_view(kr), previous_value=previous,
        value=update.value, note=update.note, period=row.period_key, recorded_at=now)


def _kr_view(kr: KeyResult) -> KRValueView:
    assert kr.id is not None
    state = KRState(KRKind(kr.kind), kr.start_value, kr.target_value, kr.current_value,
                    Direction(kr.direction))
    return KRValueView(id=kr.id, key=kr.key, title=kr.title, kind=kr.kind, unit=kr.unit,
                       start_value=kr.start_value, target_value=kr.target_value,
                       current_value=kr.current_value, progress=kr_score(state))


def _request_hash(kr: KeyResult, update: ValueUpdate) -> str:
    """What makes two requests "the same": the KR (however it was named), value and note."""
    canonical = json.dumps({"kr": kr.id, "value": update.value, "note": update.note},
                           sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _to_record(result: ValueRecorded) -> str:
    data = asdict(result)
    data["recorded_at"] = result.recorded_at.isoformat()
    return json.dumps(data, ensure_ascii=False)


def _from_record(text: str) -> ValueRecorded:
    data = json.loads(text)
    return ValueRecorded(
        checkin_id=data["checkin_id"], key_result=KRValueView(**data["key_result"]),
        previous_value=data["previous_value"], value=data["value"], note=data["note"],
        period=data["period"], recorded_at=datetime.fromisoformat(data["recorded_at"]))
