"""People: who someone is, in their own time zone and language."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.clock import Clock
from bot.domain.text import normalise_locale
from storage.db import Database
from storage.models import Person
from storage.queries.people import people_by_slack_ids, person_by_slack_id, who_are, who_is


@dataclass(frozen=True)
class PersonView:
    id: int
    slack_user_id: str
    name: str
    tz: str
    locale: str
    is_admin: bool


@dataclass(frozen=True)
class SlackProfile:
    """What `users.info` tells about a person."""

    slack_user_id: str
    name: str
    tz: str | None
    locale: str | None


@dataclass(frozen=True)
class NotMet:
    """okr-bot has not met this Slack user yet: the caller meets them, then asks again."""

    slack_user_id: str


Found = TypeVar("Found")


@dataclass(frozen=True)
class Answer(Generic[Found]):
    """What a request found or did, and who asked, found in the same session (their zone and
    language shape the answer)."""

    viewer: PersonView
    found: Found


def view_of(person: Person) -> PersonView:
    assert person.id is not None
    return PersonView(person.id, person.slack_user_id, person.name, person.tz, person.locale,
                      person.is_admin)


def find_person(db: Database, slack_user_id: str) -> PersonView | None:
    with db.read() as session:
        return person_in(session, slack_user_id)


def person_in(session: Session, slack_user_id: str, *, lock: bool = False) -> PersonView | None:
    """The person with `slack_user_id`, read in `session` (None before okr-bot met them);
    `lock`: their row locked until the transaction ends (`who_is`)."""
    found = who_is(slack_user_id, session=session, lock=lock)
    return PersonView(**found) if found else None


def people_in(session: Session, slack_user_ids: Collection[str]) -> dict[str, PersonView]:
    """The people among `slack_user_ids` okr-bot has met, by Slack id, read in `session`."""
    return {slack_id: PersonView(**row)
            for slack_id, row in who_are(slack_user_ids, session=session).items()}


def unknown_people(db: Database, slack_user_ids: Sequence[str]) -> list[str]:
    """Those of `slack_user_ids` okr-bot has not met yet, in the order given."""
    with db.read() as session:
        known = people_by_slack_ids(slack_user_ids, session=session)
    return [slack_id for slack_id in slack_user_ids if slack_id not in known]


def save_profile(
    db: Database, clock: Clock, profile: SlackProfile, *, default_tz: str, default_locale: str
) -> PersonView:
    """Create the person from their Slack profile, or refresh name, zone and language."""
    tz = profile.tz if profile.tz and _is_zone(profile.tz) else default_tz
    locale = normalise_locale(profile.locale, default_locale)
    try:
        return _save(db, clock, profile, tz, locale)
    except IntegrityError:
        # Met by two requests at once (an event and its retry): on PostgreSQL both may find
        # nobody and insert; the loser finds the winner's row now (test_request_integrity.py).
        return _save(db, clock, profile, tz, locale)


def _save(db: Database, clock: Clock, profile: SlackProfile, tz: str, locale: str) -> PersonView:
    now = clock.now()
    with db.write() as session:
        person = person_by_slack_id(profile.slack_user_id, session=session)
        if person is None:
            person = Person(slack_user_id=profile.slack_user_id, created_at=now, name="")
        person.name = profile.name[:200]
        person.tz = tz
        person.locale = locale
        person.updated_at = now
        session.add(person)
        session.flush()
        return view_of(person)


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True
