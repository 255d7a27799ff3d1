"""People: by Slack id, by id, admins. Keyword-only `session`, no commits."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import RowMapping, bindparam
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from storage.db import run_core
from storage.models import Person


def person_by_slack_id(slack_user_id: str, *, session: Session) -> Person | None:
    return session.exec(_PERSON_BY_SLACK_ID, params={"slack_user_id": slack_user_id}).first()


_PERSON_BY_SLACK_ID = select(Person).where(
    col(Person.slack_user_id) == bindparam("slack_user_id"))


def who_is(slack_user_id: str, *, session: Session, lock: bool = False) -> RowMapping | None:
    """Id, Slack id, name, zone, language and admin flag of the person with `slack_user_id`,
    as a plain row: every request asks this first, and an ORM object costs five times more.
    `lock`: also serialise this transaction with others of the same person (a PostgreSQL row
    lock; SQLite write transactions are serial already)."""
    query = _WHO_IS_LOCKED if lock else _WHO_IS
    return run_core(session, query, {"slack_user_id": slack_user_id}).mappings().first()


def who_are(slack_user_ids: Collection[str], *, session: Session) -> dict[str, RowMapping]:
    """`who_is` of each of `slack_user_ids` that okr-bot has met, by Slack id, in one
    statement (the person asking and the person they look up)."""
    rows = run_core(session, _WHO_ARE, {"slack_user_ids": list(slack_user_ids)}).mappings()
    return {row["slack_user_id"]: row for row in rows.all()}


_PERSON = Person.__table__.c  # type: ignore[attr-defined]
_WHO = sa_select(_PERSON.id, _PERSON.slack_user_id, _PERSON.name, _PERSON.tz, _PERSON.locale,
                 _PERSON.is_admin)
_WHO_IS = _WHO.where(_PERSON.slack_user_id == bindparam("slack_user_id"))
_WHO_IS_LOCKED = _WHO_IS.with_for_update()
_WHO_ARE = _WHO.where(_PERSON.slack_user_id.in_(bindparam("slack_user_ids", expanding=True)))


def people_by_slack_ids(slack_ids: Collection[str], *, session: Session) -> dict[str, Person]:
    """The people among `slack_ids` that exist, by Slack user id."""
    rows = session.exec(select(Person).where(col(Person.slack_user_id).in_(list(slack_ids))))
    return {p.slack_user_id: p for p in rows}


def all_people(*, session: Session) -> list[Person]:
    """Everyone, by name then Slack id."""
    return list(session.exec(select(Person).order_by(col(Person.name), col(Person.slack_user_id))))


def people_by_ids(ids: Collection[int], *, session: Session) -> dict[int, Person]:
    """The people among `ids`, by id."""
    rows = session.exec(_PEOPLE_BY_IDS, params={"ids": list(ids)})
    return {p.id: p for p in rows if p.id is not None}


_PEOPLE_BY_IDS = select(Person).where(col(Person.id).in_(bindparam("ids", expanding=True)))


def names_by_ids(ids: Collection[int], *, session: Session) -> dict[int, str]:
    """The names of the people among `ids`, by id."""
    rows = run_core(session, _NAMES_BY_IDS, {"ids": list(ids)}).all()
    return {row.id: row.name for row in rows}


_NAMES_BY_IDS = sa_select(_PERSON.id, _PERSON.name).where(
    _PERSON.id.in_(bindparam("ids", expanding=True)))


def admin_ids(*, session: Session) -> set[int]:
    """The ids of the admins."""
    return {pid for pid in session.exec(select(Person.id).where(col(Person.is_admin)))
            if pid is not None}
