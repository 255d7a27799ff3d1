"""A first import stores what the file says (null included), and a long one shows progress."""

from __future__ import annotations

import io

from sqlmodel import select

from bot.clock import FakeClock
from bot.commands.import_cmd import Progress
from bot.services.okr_file.importer import import_okr_file
from storage.db import Database
from storage.models import Schedule
from tests.services.okr_io_helpers import table_dump

NEVER_REMIND = b"""\
teams:
  - name: Quiet
    schedule: {reminder_after_hours: null, checkin_time: "09:30"}
  - name: Default
    schedule: {checkin_time: "09:30"}
"""


def _reminders(db: Database) -> dict[int, int | None]:
    with db.read() as session:
        return {s.team_id: s.reminder_after_hours for s in session.exec(select(Schedule))}


def test_null_in_a_first_import_is_stored_as_never_and_a_second_import_changes_nothing(
    db: Database, clock: FakeClock
) -> None:
    first = import_okr_file(db, NEVER_REMIND, clock=clock)
    assert sorted(_reminders(db).values(), key=str) == [24, None]
    before = table_dump(db)
    second = import_okr_file(db, NEVER_REMIND, clock=clock)
    assert first.total_created > 0
    assert (second.total_created, second.total_updated, second.total_deleted) == (0, 0, 0)
    assert table_dump(db) == before


def test_progress_is_reported_per_record_and_printed_only_for_a_long_import(
    db: Database, clock: FakeClock
) -> None:
    seen: list[tuple[int, int]] = []
    import_okr_file(db, NEVER_REMIND, clock=clock, progress=lambda d, t: seen.append((d, t)))
    assert seen == [(1, 2), (2, 2)]

    quick, slow = io.StringIO(), io.StringIO()
    for done in (1, 2):
        Progress(quick, every=60)(done, 2)
    every_call = Progress(slow, every=0)
    for done in (1, 2):
        every_call(done, 2)
    assert quick.getvalue() == ""
    assert slow.getvalue().splitlines() == ["importing: 1 of 2 records written",
                                            "importing: 2 of 2 records written"]

