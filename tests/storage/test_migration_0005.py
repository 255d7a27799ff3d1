"""Revision 0005 keeps every note written per Objective and marks it as about the Objective."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import alembic_config, upgrade

ROWS = [  # id, kr, source, progress, blockers, help
    (1, 1, "slack", "two webinars done", "legal", "a designer"),
    (2, 2, "slack", "", "", ""),
    (3, 1, "api", "synced from the CRM", "", ""),
    (4, 2, "shell", "", "", "budget"),
]


def test_per_objective_notes_migrate_without_loss(empty_database_url: str) -> None:
    command.upgrade(alembic_config(empty_database_url), "0004")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            conn.execute(text(
                "INSERT INTO person (id, slack_user_id, name, tz, locale, is_admin, created_at,"
                " updated_at) VALUES (1, 'UANA', 'Ana', 'UTC', 'en', false, :t, :t)"),
                {"t": "2026-11-30 10:00:00+00:00"})
            conn.execute(text("INSERT INTO cycle (id, name, start_date, end_date, state)"
                              " VALUES (1, 'Q4', '2026-10-01', '2026-12-31', 'active')"))
            conn.execute(text(
                "INSERT INTO objective (id, cycle_id, title, description, type, state,"
                " owner_person_id, position, created_at, updated_at) VALUES"
                " (1, 1, 'Win', '', 'committed', 'active', 1, 0, :t, :t)"),
                {"t": "2026-11-30 10:00:00+00:00"})
            for kr in (1, 2):
                conn.execute(text(
                    "INSERT INTO key_result (id, objective_id, title, kind, start_value,"
                    " target_value, current_value, unit, direction, state, position,"
                    " created_at, updated_at) VALUES (:id, 1, 'KR', 'metric', 0, 10, 0, '',"
                    " 'increase', 'active', :id, :t, :t)"),
                    {"id": kr, "t": "2026-11-30 10:00:00+00:00"})
            for row in ROWS:
                conn.execute(text(
                    "INSERT INTO checkin (id, key_result_id, author_id, period_key, progress,"
                    " blockers, help_needed, source, idempotency_key, version, created_at,"
                    " updated_at) VALUES (:id, :kr, 1, '2026-W49', :p, :b, :h, :s, :k, 1,"
                    " :t, :t)"),
                    {"id": row[0], "kr": row[1], "s": row[2], "p": row[3], "b": row[4],
                     "h": row[5], "k": f"k{row[0]}", "t": "2026-11-30 10:00:00+00:00"})
        upgrade(empty_database_url)
        with engine.connect() as conn:
            found = conn.execute(text(
                "SELECT id, progress, blockers, help_needed, about_objective FROM checkin"
                " ORDER BY id")).all()
    finally:
        engine.dispose()
    assert [tuple(r) for r in found] == [
        (1, "two webinars done", "legal", "a designer", True),
        (2, "", "", "", False),
        (3, "synced from the CRM", "", "", False),  # the API's notes were per KR already
        (4, "", "", "budget", True),
    ]
