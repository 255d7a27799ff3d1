"""Hypothesis over the YAML import into a company that already exists: change one value of the
example file to anything, and the import either applies or refuses with printable messages,
and a refusal leaves every row as it was (all or nothing).

tests/services/test_okr_import_fuzz.py covers arbitrary bytes and structures on an empty
database; this covers the update path, where half-writes would show.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.services.okr_file.importer import import_okr_file
from bot.services.okr_file.yaml_io import OkrFileError
from storage.db import Database
from tests.services.okr_io_helpers import EXAMPLE, table_dump

DOCUMENT = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
ODD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True),
    st.text(max_size=40), st.lists(st.integers(), max_size=2), st.dictionaries(
        st.sampled_from(["id", "key", "title", "x"]), st.text(max_size=5), max_size=2),
    st.sampled_from(["", "<!channel>", "U0NOBODY", "no-such-team", "2026-02-30", "25:00",
                     "Mars/Olympus", "-1", "1e309", "milestone", "decrease", "\u202e", "长" * 600]),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path to a value in the document (dict keys and list indexes)."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


PATHS = _paths(DOCUMENT)


def _replaced(path: tuple[Any, ...], value: Any) -> bytes:
    doc = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    node = doc
    for step in path[:-1]:
        node = node[step]
    node[path[-1]] = value
    return yaml.safe_dump(doc, allow_unicode=True).encode("utf-8")


@settings(max_examples=80, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(path=st.sampled_from(PATHS), value=ODD_VALUES)
def test_one_odd_value_in_an_existing_company_applies_or_changes_nothing(
    db: Database, clock: FakeClock, path: tuple[Any, ...], value: Any
) -> None:
    import_okr_file(db, EXAMPLE.read_bytes(), clock=clock)  # idempotent: same rows each time
    before = table_dump(db)
    try:
        import_okr_file(db, _replaced(path, value), clock=clock)
    except OkrFileError as refusal:
        assert refusal.errors
        assert all(isinstance(e, str) and e.strip() and "\n" not in e for e in refusal.errors)
        assert table_dump(db) == before
