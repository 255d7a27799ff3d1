"""The JSON of the KR value API as pydantic models: they validate request bodies, write
responses and give the OpenAPI document its schemas, so the three cannot drift apart."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from bot.domain.okr_draft import NUMBER_LIMIT
from bot.services.checkin.kr_value import ValueRecorded

NOTE_MAX = 2000
# Newlines and tabs are fine in a note; other control characters (NUL breaks PostgreSQL) not.
NOTE_PATTERN = r"^[^\x00-\x08\x0b-\x1f\x7f]*$"


class ValueUpdateRequest(BaseModel):
    """The new value of a KR, with an optional note (shown as the check-in's progress)."""

    model_config = ConfigDict(extra="forbid", strict=True)

    value: float = Field(
        allow_inf_nan=False, ge=-NUMBER_LIMIT, le=NUMBER_LIMIT,
        description="The KR's new current value (a milestone takes 0 = not done or 1 = done).",
    )
    note: str = Field(
        default="", max_length=NOTE_MAX, pattern=NOTE_PATTERN,
        description="What moved the value; shown with the check-in.",
    )


class KeyResultState(BaseModel):
    """The KR after the update."""

    id: int
    key: str | None = Field(description="The stable key the admin gave the KR, if any.")
    title: str
    kind: str = Field(description="`metric` or `milestone`.")
    unit: str
    start_value: float
    target_value: float
    current_value: float
    progress: float = Field(ge=0, le=1, description="Progress 0..1 from start to target.")


class ValueRecordedResponse(BaseModel):
    """The check-in that recorded the value. A retry with the same Idempotency-Key and body
    gets this same answer (with the header `Idempotent-Replayed: true`)."""

    checkin_id: int
    key_result: KeyResultState
    previous_value: float
    value: float
    note: str
    period: str = Field(description="ISO week of the update in UTC, e.g. `2026-W49`.")
    recorded_at: AwareDatetime

    @classmethod
    def of(cls, recorded: ValueRecorded) -> ValueRecordedResponse:
        return cls.model_validate(recorded, from_attributes=True)


class ErrorDetail(BaseModel):
    """One problem with one field of the body."""

    field: str = Field(description="The field's name; empty for the body as a whole.")
    message: str


class ApiError(BaseModel):
    """Every error: a stable `code`, a message in the caller's language (Accept-Language:
    en or zh) and, for a bad body, one detail per bad field."""

    code: str
    error: str
    details: list[ErrorDetail]

