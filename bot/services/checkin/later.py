""""Remind me in 2 hours" on a check-in prompt: one more reminder of that prompt, due two
hours on, within the person's working hours (bot/services/schedules/calendars.enqueue_for)."""

from __future__ import annotations

from datetime import datetime, timedelta

from bot.clock import Clock
from bot.services.checkin.form import authorised_delivery
from bot.services.people import PersonView
from bot.services.schedules.calendars import enqueue_for
from storage.db import Database
from storage.queries import outbox as outbox_queries

LATER = timedelta(hours=2)


def remind_later(db: Database, clock: Clock, person: PersonView, prompt_id: int
                 ) -> datetime | None:
    """When the extra reminder of prompt `prompt_id` will come (asked again: the same one);
    None when the prompt is not the person's."""
    now = clock.now()
    with db.write() as session:
        prompt = authorised_delivery(session, person, prompt_id)
        if prompt is None or prompt.kind != "checkin":
            return None
        key = f"reminder:later:{prompt.id}"
        enqueue_for(session, kind="reminder", dedupe_key=key, due_at=now + LATER,
                    person_id=person.id, hours_of=prompt.team_id, slot_key=prompt.slot_key,
                    payload={"prompt_id": prompt.id}, created_at=now)
        row = outbox_queries.by_key(key, session=session)
        return row.due_at if row is not None else None
