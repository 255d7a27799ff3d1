"""The Alembic revisions build exactly the schema of storage/models.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.db import make_engine
from storage.migrate import (
    HEAD,
    MIGRATIONS_DIR,
    SchemaAheadError,
    SchemaState,
    alembic_config,
    current_revision,
    known_revisions,
    prepare_database,
    schema_state,
    upgrade,
)
from storage.models import metadata

MODEL_TABLES = set(metadata.tables)


def _diff(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return list(compare_metadata(MigrationContext.configure(conn), metadata))
    finally:
        engine.dispose()


def _table_names(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_builds_every_model_table_on_an_empty_database(empty_database_url: str) -> None:
    assert schema_state(current_revision(empty_database_url)) is SchemaState.BEHIND
    assert current_revision(empty_database_url) is None

    upgrade(empty_database_url)

    assert _table_names(empty_database_url) == MODEL_TABLES | {"alembic_version"}
    assert current_revision(empty_database_url) == HEAD
    assert schema_state(current_revision(empty_database_url)) is not SchemaState.BEHIND


def test_autogenerate_finds_no_difference_between_models_and_migrations(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)

    assert _diff(empty_database_url) == []


def test_upgrade_twice_changes_nothing(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    upgrade(empty_database_url)

    assert current_revision(empty_database_url) == HEAD
    assert _diff(empty_database_url) == []


def test_every_named_constraint_of_the_models_exists_in_the_database(
    empty_database_url: str,
) -> None:
    # Autogenerate does not compare CHECK constraints, so check them (and the unique ones) by name.
    upgrade(empty_database_url)
    engine = make_engine(empty_database_url)
    try:
        inspector = inspect(engine)
        for table in metadata.sorted_tables:
            wanted = {
                str(c.name)
                for c in table.constraints
                if c.__visit_name__ in ("check_constraint", "unique_constraint")
            }
            found = {c["name"] for c in inspector.get_check_constraints(table.name)}
            found |= {c["name"] for c in inspector.get_unique_constraints(table.name)}
            assert wanted <= found, f"{table.name}: missing {wanted - found}"
    finally:
        engine.dispose()


def test_downgrade_to_base_removes_every_table_and_upgrade_rebuilds_them(
    empty_database_url: str,
) -> None:
    upgrade(empty_database_url)

    command.downgrade(alembic_config(empty_database_url), "base")
    assert _table_names(empty_database_url) == {"alembic_version"}
    assert current_revision(empty_database_url) is None

    upgrade(empty_database_url)
    assert _diff(empty_database_url) == []


def test_revisions_form_one_line_and_import_no_application_code() -> None:
    script = ScriptDirectory(str(MIGRATIONS_DIR))
    assert script.get_heads() == [HEAD]
    for revision in script.walk_revisions():
        source = Path(revision.path).read_text(encoding="utf-8")
        for module in ("sqlmodel", "storage", "bot"):
            assert f"import {module}" not in source, revision.path
            assert f"from {module}" not in source, revision.path


_UPGRADER = """
import sys
from storage.migrate import upgrade
print("ready", flush=True)
sys.stdin.readline()
upgrade(sys.argv[1])
"""


def test_processes_upgrading_at_the_same_moment_all_succeed(empty_database_url: str) -> None:
    """Replicas that start together migrate one after the other (advisory lock on PostgreSQL,
    BEGIN IMMEDIATE on SQLite) instead of racing to create the same tables."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _UPGRADER, empty_database_url],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for process in processes:  # all imported and waiting: release them together
        assert process.stdout is not None and process.stdout.readline() == "ready\n"
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    errors = [process.communicate()[1] for process in processes]

    assert [process.returncode for process in processes] == [0, 0, 0, 0], errors
    assert current_revision(empty_database_url) == HEAD
    assert _diff(empty_database_url) == []


def test_known_revisions_are_alembics_own() -> None:
    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    assert known_revisions() == {script.revision for script in scripts.walk_revisions()}


@pytest.mark.parametrize(("revision", "state"), [
    (None, SchemaState.BEHIND), ("0001", SchemaState.BEHIND), (HEAD, SchemaState.CURRENT),
    (f"{int(HEAD) + 1:04d}", SchemaState.AHEAD), ("ae1f00d", SchemaState.AHEAD),
])
def test_schema_state_of_a_revision(revision: str | None, state: SchemaState) -> None:
    assert schema_state(revision) is state


def _stamp(url: str, revision: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": revision})
    finally:
        engine.dispose()


def test_a_database_a_newer_version_migrated_is_refused_and_left_alone(
    empty_database_url: str,
) -> None:
    """Running an older okr-bot (a roll-back) on it: not "behind", and no upgrade attempted."""
    upgrade(empty_database_url)
    _stamp(empty_database_url, "0099")
    assert schema_state(current_revision(empty_database_url)) is not SchemaState.BEHIND
    for step in (prepare_database, upgrade):
        with pytest.raises(SchemaAheadError) as refused:
            step(empty_database_url)
        assert refused.value.revision == "0099"
    assert current_revision(empty_database_url) == "0099"
    assert _table_names(empty_database_url) == MODEL_TABLES | {"alembic_version"}


_SERVER_START = """
import sys
from storage.migrate import prepare_database
from bot.settings import Settings
from bot.wiring import build_deps, build_wsgi_app
prepare_database(sys.argv[1])
build_wsgi_app(build_deps(Settings(database_url=sys.argv[1], slack_bot_token="xoxb-t",
                                    slack_signing_secret="a-test-signing-secret")))
other = "sqlite" if sys.argv[1].startswith("postgresql") else "postgresql"
print(sorted(name for name in sys.modules
             if name.split(".")[0] == "alembic" or name == f"sqlalchemy.dialects.{other}"))
"""


def test_a_server_loads_neither_alembic_nor_the_other_database_s_dialect(
    database_url: str,
) -> None:
    """Alembic costs a serving process about 11 MiB; at `HEAD` one SELECT says so instead. The
    dialect not in use (storage.db.conflict_insert) is another 0.6-2.5 MiB."""
    started = subprocess.run([sys.executable, "-c", _SERVER_START, database_url],
                             capture_output=True, text=True, check=False)
    assert (started.returncode, started.stdout.strip()) == (0, "[]"), started.stderr


def test_starting_on_an_empty_sqlite_file_migrates_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert schema_state(current_revision(url)) is SchemaState.BEHIND

    prepare_database(url)

    assert current_revision(url) == HEAD
    assert _diff(url) == []


def test_fixture_database_is_at_head_after_other_tests_cleaned_it(database_url: str) -> None:
    # On PostgreSQL earlier tests' TRUNCATE must have left alembic_version alone.
    assert current_revision(database_url) == HEAD


def test_fixture_database_starts_with_empty_tables(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            counts = {
                table: conn.exec_driver_sql(f'SELECT COUNT(*) FROM "{table}"').scalar_one()
                for table in MODEL_TABLES
            }
    finally:
        engine.dispose()
    assert set(counts.values()) == {0}, counts
