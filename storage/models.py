"""Every table of okr-bot, in one module. Timestamps are tz-aware UTC.

String columns with a fixed vocabulary (types, states, kinds) are plain strings guarded by
CHECK constraints, so both SQLite and PostgreSQL accept the same migration.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Index, MetaData, UniqueConstraint
from sqlalchemy.types import Text
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Stable constraint names on both databases (Alembic needs them to alter constraints).
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata

OBJECTIVE_TYPES = ("committed", "aspirational", "learning")
OBJECTIVE_STATES = ("draft", "active", "archived")
CYCLE_STATES = ("planning", "active", "closed")
KR_KINDS = ("metric", "milestone")
DIRECTIONS = ("increase", "decrease")
CONFIDENCES = ("on_track", "at_risk", "off_track")
CHECKIN_SOURCES = ("slack", "api", "import", "shell")
HELP_ANSWERS = ("can_help", "not_now")
DELIVERY_STATES = ("pending", "sending", "sent", "failed", "ambiguous", "skipped")


def _in(column: str, values: tuple[str, ...]) -> str:
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"


def _utc(**kw: object) -> object:
    return Field(sa_type=UTCDateTime, **kw)  # type: ignore[call-overload]


class Person(SQLModel, table=True):
    """Someone in the Slack workspace."""

    id: int | None = Field(default=None, primary_key=True)
    slack_user_id: str = Field(max_length=32, unique=True)
    name: str = Field(max_length=200)
    email: str | None = Field(default=None, max_length=320)
    tz: str = Field(default="UTC", max_length=64)
    locale: str = Field(default="en", max_length=16)
    is_admin: bool = False
    dm_channel_id: str | None = Field(default=None, max_length=32)
    # Own working hours (`/okr hours 10:00-19:00`); NULL: the team's, read in the person's zone.
    work_start: time | None = None
    work_end: time | None = None
    # A region whose holidays apply to the person (RegionHoliday), e.g. "de-by"; NULL: none.
    region: str | None = Field(default=None, max_length=64)
    created_at: datetime = _utc()  # type: ignore[assignment]
    updated_at: datetime = _utc()  # type: ignore[assignment]


class Team(SQLModel, table=True):
    """A team, department or the company itself; `parent_id` nests them."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    slack_channel_id: str | None = Field(default=None, max_length=32, index=True)
    parent_id: int | None = Field(default=None, foreign_key="team.id", index=True)
    created_at: datetime = _utc()  # type: ignore[assignment]


class TeamMember(SQLModel, table=True):
    """A person's membership of a team; leads are members with `is_lead`."""

    __tablename__ = "team_member"
    team_id: int = Field(foreign_key="team.id", primary_key=True)
    person_id: int = Field(foreign_key="person.id", primary_key=True, index=True)
    is_lead: bool = False


class Cycle(SQLModel, table=True):
    """An OKR period such as a quarter."""

    __table_args__ = (
        CheckConstraint(_in("state", CYCLE_STATES), name="state"),
        CheckConstraint("end_date > start_date", name="dates"),
    )
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=64, unique=True)
    start_date: date
    end_date: date
    state: str = Field(default="active", max_length=16)


class Objective(SQLModel, table=True):
    """A qualitative, ambitious goal owned by one person or one team in one cycle."""

    __table_args__ = (
        CheckConstraint(_in("type", OBJECTIVE_TYPES), name="type"),
        CheckConstraint(_in("state", OBJECTIVE_STATES), name="state"),
        CheckConstraint(
            "(owner_person_id IS NULL) <> (owner_team_id IS NULL)", name="one_owner"
        ),
        Index("ix_objective_cycle_owner_person", "cycle_id", "owner_person_id"),
        Index("ix_objective_cycle_owner_team", "cycle_id", "owner_team_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    cycle_id: int = Field(foreign_key="cycle.id")
    key: str | None = Field(default=None, max_length=100, unique=True)
    title: str = Field(max_length=500)
    description: str = Field(default="", sa_type=Text)
    type: str = Field(default="committed", max_length=16)
    state: str = Field(default="active", max_length=16)
    owner_person_id: int | None = Field(default=None, foreign_key="person.id")
    owner_team_id: int | None = Field(default=None, foreign_key="team.id")
    parent_id: int | None = Field(default=None, foreign_key="objective.id", index=True)
    position: int = 0
    created_at: datetime = _utc()  # type: ignore[assignment]
    updated_at: datetime = _utc()  # type: ignore[assignment]


class KeyResult(SQLModel, table=True):
    """A measurable result: a metric from start to target, or a milestone (done / not done)."""

    __tablename__ = "key_result"
    __table_args__ = (
        CheckConstraint(_in("kind", KR_KINDS), name="kind"),
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint(_in("state", OBJECTIVE_STATES), name="state"),
        CheckConstraint(
            "confidence IS NULL OR " + _in("confidence", CONFIDENCES), name="confidence"
        ),
        CheckConstraint("kind = 'milestone' OR target_value <> start_value", name="target"),
    )
    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    key: str | None = Field(default=None, max_length=100, unique=True)
    title: str = Field(max_length=500)
    owner_person_id: int | None = Field(default=None, foreign_key="person.id", index=True)
    kind: str = Field(default="metric", max_length=16)
    start_value: float = 0.0
    target_value: float = 1.0
    current_value: float = 0.0
    unit: str = Field(default="", max_length=32)
    direction: str = Field(default="increase", max_length=16)
    confidence: str | None = Field(default=None, max_length=16)
    state: str = Field(default="active", max_length=16)
    position: int = 0
    last_checkin_at: datetime | None = _utc(default=None)  # type: ignore[assignment]
    created_at: datetime = _utc()  # type: ignore[assignment]
    updated_at: datetime = _utc()  # type: ignore[assignment]


class CheckIn(SQLModel, table=True):
    """One answer about one KR: progress, confidence, blockers, help needed.

    `about_objective` marks notes written when the form asked for them once per Objective
    (before revision 0005): they are kept on the Objective's first KR, and shown as about the
    whole Objective. `help_answer` is what the person asked for help (`help_from_person_id`)
    answered: "I can help" or "Not now"; a changed request clears it.

    `idempotency_key` makes every way of recording a check-in safe to retry: a Slack
    submission uses `slack:{person}:{kr}:{period}` (so a re-submission edits it), the API the
    caller's Idempotency-Key.
    """

    __tablename__ = "checkin"
    __table_args__ = (
        CheckConstraint(_in("source", CHECKIN_SOURCES), name="source"),
        CheckConstraint(
            "confidence IS NULL OR " + _in("confidence", CONFIDENCES), name="confidence"
        ),
        CheckConstraint("help_answer IS NULL OR " + _in("help_answer", HELP_ANSWERS),
                        name="help_answer"),
        Index("ix_checkin_kr_created", "key_result_id", "created_at"),
        Index("ix_checkin_author_created", "author_id", "created_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key_result_id: int = Field(foreign_key="key_result.id")
    author_id: int | None = Field(default=None, foreign_key="person.id")
    period_key: str = Field(max_length=32)
    value: float | None = None
    previous_value: float | None = None
    confidence: str | None = Field(default=None, max_length=16)
    progress: str = Field(default="", sa_type=Text)
    blockers: str = Field(default="", sa_type=Text)
    help_needed: str = Field(default="", sa_type=Text)
    help_from_person_id: int | None = Field(default=None, foreign_key="person.id")
    about_objective: bool = False
    help_answer: str | None = Field(default=None, max_length=16)  # the named helper's answer
    help_answered_at: datetime | None = _utc(default=None)  # type: ignore[assignment]
    source: str = Field(default="slack", max_length=16)
    idempotency_key: str = Field(max_length=200, unique=True)
    version: int = 1
    created_at: datetime = _utc()  # type: ignore[assignment]
    updated_at: datetime = _utc()  # type: ignore[assignment]


class KRValueHistory(SQLModel, table=True):
    """Every change of a KR's current or target value, with where it came from."""

    __tablename__ = "kr_value_history"
    __table_args__ = (Index("ix_kr_value_history_kr_at", "key_result_id", "at"),)
    id: int | None = Field(default=None, primary_key=True)
    key_result_id: int = Field(foreign_key="key_result.id")
    at: datetime = _utc()  # type: ignore[assignment]
    value: float | None = None
    target_value: float | None = None
    source: str = Field(max_length=16)
    checkin_id: int | None = Field(default=None, foreign_key="checkin.id")
    changed_by_id: int | None = Field(default=None, foreign_key="person.id")


class AuditLog(SQLModel, table=True):
    """Append-only record of every change and every refusal."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _utc(index=True)  # type: ignore[assignment]
    actor: str = Field(max_length=64, description="Slack user id, 'cli', 'api:<token>'")
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str = Field(default="", max_length=64)
    before: str | None = Field(default=None, sa_type=Text)
    after: str | None = Field(default=None, sa_type=Text)


class Schedule(SQLModel, table=True):
    """A team's rhythm: when prompts, reminders and digests go out (local times)."""

    __table_args__ = (
        CheckConstraint(_in("checkin_cadence", ("weekly", "biweekly", "weekdays")), name="cad"),
        CheckConstraint(_in("digest_cadence", ("weekly", "biweekly", "off")), name="digest"),
    )
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id", unique=True)
    timezone: str = Field(default="UTC", max_length=64)
    checkin_cadence: str = Field(default="weekly", max_length=16)
    checkin_weekdays: str = Field(default="mon", max_length=40)
    checkin_time: time = time(10, 0)
    # None means "never remind". The default lives on the Python side only: a column default
    # would make the ORM insert 24 for an explicit None (importing `null` must store NULL).
    reminder_after_hours: int | None = Field(default=24, sa_column_kwargs={"default": None})
    digest_cadence: str = Field(default="biweekly", max_length=16)
    digest_weekday: str = Field(default="fri", max_length=3)
    digest_time: time = time(16, 0)
    digest_channel_id: str | None = Field(default=None, max_length=32)
    anchor_date: date = date(2026, 1, 5)
    work_start: time = time(9, 0)
    work_end: time = time(18, 0)
    # The team's days off each week ("fri,sat"; "" for none); people's calendars use it.
    weekend: str = Field(default="sat,sun", max_length=40,
                         sa_column_kwargs={"server_default": "sat,sun"})
    # Post each check-in as a reply in one thread per round in the team's channel.
    follow_along: bool = False


class Holiday(SQLModel, table=True):
    """A day on which nobody in the team is prompted, reminded or counted as missing."""

    __table_args__ = (UniqueConstraint("team_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    team_id: int = Field(foreign_key="team.id")
    day: date
    name: str = Field(default="", max_length=200)


class PersonHoliday(SQLModel, table=True):
    """A day off of one person (on their local date), besides their teams' holidays."""

    __tablename__ = "person_holiday"
    __table_args__ = (UniqueConstraint("person_id", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    day: date
    name: str = Field(default="", max_length=200)


class RegionHoliday(SQLModel, table=True):
    """A public holiday of a region: it applies to every person whose `region` names it."""

    __tablename__ = "region_holiday"
    __table_args__ = (UniqueConstraint("region", "day"),)
    id: int | None = Field(default=None, primary_key=True)
    region: str = Field(max_length=64)
    day: date
    name: str = Field(default="", max_length=200)


class Absence(SQLModel, table=True):
    """A person away ('skip this check-in' or 'pause until'), inclusive local dates."""

    __table_args__ = (
        Index("ix_absence_person_dates", "person_id", "start_date", "end_date"),
        CheckConstraint("end_date >= start_date", name="dates"),
    )
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id")
    start_date: date
    end_date: date
    reason: str = Field(default="", max_length=200)


class Delivery(SQLModel, table=True):
    """The outbox: one row per message a schedule or a change causes (RELIABILITY.md §5–11)."""

    __table_args__ = (
        CheckConstraint(_in("status", DELIVERY_STATES), name="status"),
        Index("ix_delivery_due", "status", "next_attempt_at"),
        Index("ix_delivery_kind_person_slot", "kind", "person_id", "slot_key"),
    )
    id: int | None = Field(default=None, primary_key=True)
    # A reply in the thread of another row's message: claimed only once that row is sent.
    parent_id: int | None = Field(default=None, foreign_key="delivery.id", index=True)
    kind: str = Field(max_length=32)
    dedupe_key: str = Field(max_length=200, unique=True)
    person_id: int | None = Field(default=None, foreign_key="person.id")
    team_id: int | None = Field(default=None, foreign_key="team.id")
    slot_key: str = Field(default="", max_length=64)
    due_at: datetime = _utc()  # type: ignore[assignment]
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    next_attempt_at: datetime = _utc()  # type: ignore[assignment]
    lease_owner: str | None = Field(default=None, max_length=64)
    lease_expires_at: datetime | None = _utc(default=None)  # type: ignore[assignment]
    channel_id: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    payload: str = Field(default="{}", sa_type=Text)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _utc()  # type: ignore[assignment]
    sent_at: datetime | None = _utc(default=None)  # type: ignore[assignment]


class SendPace(SQLModel, table=True):
    """The earliest time the next Slack post may go out, shared by every sender
    (bot/delivery/pace.py): one row per workspace."""

    __tablename__ = "send_pace"
    workspace: str = Field(primary_key=True, max_length=32)
    next_slot_at: datetime = _utc()  # type: ignore[assignment]


class InboxEntry(SQLModel, table=True):
    """Inbound Slack requests already handled (event_id, view id + hash, action keys)."""

    __tablename__ = "inbox"
    key: str = Field(primary_key=True, max_length=200)
    received_at: datetime = _utc()  # type: ignore[assignment]


class ApiToken(SQLModel, table=True):
    """A bearer token of the KR value API. Only the SHA-256 (hex) of its secret is stored;
    `kr_keys` is a JSON list of the KR keys it may update, `[]` for every KR."""

    __tablename__ = "api_token"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=60, unique=True)
    token_hash: str = Field(max_length=64, unique=True)
    kr_keys: str = Field(default="[]", sa_type=Text)
    created_at: datetime = _utc()  # type: ignore[assignment]
    revoked_at: datetime | None = _utc(default=None)  # type: ignore[assignment]
    last_used_at: datetime | None = _utc(default=None)  # type: ignore[assignment]


class ApiRequest(SQLModel, table=True):
    """A KR value API request answered under the caller's Idempotency-Key: a retry with the
    same request gets `response` again; one with another request is refused."""

    __tablename__ = "api_request"
    __table_args__ = (UniqueConstraint("token_id", "idempotency_key"),)
    id: int | None = Field(default=None, primary_key=True)
    token_id: int = Field(foreign_key="api_token.id")
    idempotency_key: str = Field(max_length=200)
    request_hash: str = Field(max_length=64)
    checkin_id: int = Field(foreign_key="checkin.id")
    response: str = Field(sa_type=Text)
    created_at: datetime = _utc()  # type: ignore[assignment]


CAUSE_KINDS = ("objective", "subjective")  # external vs internal (guide 三.3)


class KRReview(SQLModel, table=True):
    """The end-of-cycle review of one KR: its final score and, when it fell short, the cause."""

    __tablename__ = "kr_review"
    __table_args__ = (
        CheckConstraint("final_score >= 0 AND final_score <= 1", name="score"),
        CheckConstraint("cause_kind IS NULL OR " + _in("cause_kind", CAUSE_KINDS), name="cause"),
    )
    id: int | None = Field(default=None, primary_key=True)
    key_result_id: int = Field(foreign_key="key_result.id", unique=True)
    final_score: float
    cause_kind: str | None = Field(default=None, max_length=16)
    cause_note: str = Field(default="", sa_type=Text)
    reviewer_id: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = _utc()  # type: ignore[assignment]


class ObjectiveReview(SQLModel, table=True):
    """The end-of-cycle review of one Objective: what worked, lessons, what was learned."""

    __tablename__ = "objective_review"
    id: int | None = Field(default=None, primary_key=True)
    objective_id: int = Field(foreign_key="objective.id", unique=True)
    what_worked: str = Field(default="", sa_type=Text)
    keep: str = Field(default="", sa_type=Text)
    avoid: str = Field(default="", sa_type=Text)
    learned: str = Field(default="", sa_type=Text)
    reviewer_id: int | None = Field(default=None, foreign_key="person.id")
    updated_at: datetime = _utc()  # type: ignore[assignment]


class CarriedObjective(SQLModel, table=True):
    """An unfinished Objective carried into a later cycle as a draft: one per source and cycle."""

    __tablename__ = "carried_objective"
    __table_args__ = (UniqueConstraint("source_objective_id", "cycle_id"),)
    id: int | None = Field(default=None, primary_key=True)
    source_objective_id: int = Field(foreign_key="objective.id")
    cycle_id: int = Field(foreign_key="cycle.id")
    draft_objective_id: int = Field(foreign_key="objective.id", unique=True)
    created_at: datetime = _utc()  # type: ignore[assignment]


class ShellState(SQLModel, table=True):
    """Where `okr-bot shell` left off in its own database: its clock and who was typing.
    One row (id 1); a real deployment never has one."""

    __tablename__ = "shell_state"
    id: int | None = Field(default=None, primary_key=True)
    clock: datetime = _utc()  # type: ignore[assignment]
    slack_user_id: str = Field(default="", max_length=32)
