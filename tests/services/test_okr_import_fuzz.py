"""Hypothesis: whatever the file holds, the import answers with a report or with messages.

Nothing else may escape (no KeyError, IntegrityError, ValueError...), and a file that imports
once imports a second time without changing anything.
"""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.clock import FakeClock
from bot.services.okr_file.importer import ImportReport, import_okr_file
from bot.services.okr_file.reader import parse_okr_file
from bot.services.okr_file.yaml_io import OkrFileError
from storage.db import Database
from tests.services.okr_io_helpers import EXAMPLE

FUZZ = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
FIELDS = [
    "version", "people", "teams", "cycles", "objectives", "id", "name", "tz", "locale", "admin",
    "email", "channel", "parent", "leads", "members", "schedule", "holidays", "date", "start",
    "end", "state", "key", "cycle", "title", "type", "owner_team", "owner_person",
    "key_results", "kind", "target", "current", "unit", "direction", "confidence", "done",
    "timezone", "checkin_time", "checkin_weekdays", "digest_cadence", "reminder_after_hours",
    "work_start", "work_end", "anchor_date", "<<", "x",
]
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.sampled_from(
        ["U0AAAAAAA01", "2026-10-01", "2026-02-30", "10:00", "24:00", "Asia/Shanghai", "off",
         "metric", "milestone", "decrease", "on_track", "mon,thu", "a", "Q", "\x00", "\ud800"]
    ),
)
ANY_VALUE = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(FIELDS), inner, max_size=6),
    max_leaves=25,
)
YAML_TEXT = st.text(
    alphabet=st.sampled_from(list("abU0:-[]{}&*!|>'\"#%@ \n\t,.?~<=1\\")), max_size=120
)

# Mostly valid documents over a small world of names, so references, parents, duplicates
# and loops happen often and the write path runs.
PEOPLE = st.sampled_from(["U0AAAAAAA01", "U0AAAAAAA02", "U0AAAAAAA03"])
TEAMS = st.sampled_from(["T1", "T2", "T3"])
KEYS = st.sampled_from(["o1", "o2", "o3", "obj-1", "obj-2147483648"])
CYCLES = st.sampled_from(["Q", "R"])
DAYS = st.sampled_from(["2026-10-01", "2026-12-24", "2026-12-31"])
NUMBERS = st.sampled_from([0, 1, 5, 10, -3, 2.5])
WORDS = st.text(alphabet="ab 中文", min_size=1, max_size=4)
PERSON = st.fixed_dictionaries(
    {"id": PEOPLE, "name": WORDS},
    optional={
        "tz": st.sampled_from(["UTC", "Asia/Shanghai", "Mars/X"]),
        "locale": st.sampled_from(["en", "zh-CN", "fr"]),
        "admin": st.booleans(),
        "email": st.sampled_from(["a@b.example", "nope", None]),
    },
)
SCHEDULE = st.fixed_dictionaries(
    {},
    optional={
        "checkin_time": st.sampled_from(["10:00", "25:00", "09:30"]),
        "checkin_weekdays": st.sampled_from(["mon", "thu,mon", "mon,mon", "xyz"]),
        "work_start": st.sampled_from(["09:00", "18:00"]),
        "work_end": st.sampled_from(["17:00", "18:00"]),
        "digest_cadence": st.sampled_from(["off", "weekly", "daily"]),
        "reminder_after_hours": st.sampled_from([None, 0, 24, 500]),
    },
)
TEAM = st.fixed_dictionaries(
    {"name": TEAMS},
    optional={
        "parent": st.one_of(st.none(), TEAMS),
        "channel": st.sampled_from(["C0AAAAAAA01", "bad", None]),
        "leads": st.lists(PEOPLE, max_size=2),
        "members": st.lists(PEOPLE, max_size=2),
        "schedule": SCHEDULE,
        "holidays": st.lists(st.fixed_dictionaries({"date": DAYS}), max_size=2),
    },
)
CYCLE = st.fixed_dictionaries(
    {"name": CYCLES, "start": DAYS, "end": DAYS},
    optional={"state": st.sampled_from(["active", "closed", "gone"])},
)
KEY_RESULT = st.fixed_dictionaries(
    {"title": WORDS},
    optional={
        "key": st.sampled_from(["k1", "k2", "o1.kr1", "kr-1", "kr-99999999999"]),
        "kind": st.sampled_from(["metric", "milestone"]),
        "start": NUMBERS,
        "target": NUMBERS,
        "current": NUMBERS,
        "direction": st.sampled_from(["increase", "decrease"]),
        "done": st.booleans(),
        "confidence": st.sampled_from(["on_track", "at_risk", None, "bad"]),
        "owner_person": PEOPLE,
        "unit": st.sampled_from(["%", "h", ""]),
    },
)
OBJECTIVE = st.fixed_dictionaries(
    {"key": KEYS, "cycle": CYCLES, "title": WORDS},
    optional={
        "owner_team": TEAMS,
        "owner_person": PEOPLE,
        "parent": st.one_of(st.none(), KEYS),
        "type": st.sampled_from(["committed", "learning", "moonshot"]),
        "state": st.sampled_from(["active", "archived"]),
        "key_results": st.lists(KEY_RESULT, max_size=3),
    },
)
WORLD = st.fixed_dictionaries(
    {},
    optional={
        "people": st.lists(PERSON, max_size=3),
        "teams": st.lists(TEAM, max_size=3),
        "cycles": st.lists(CYCLE, max_size=2),
        "objectives": st.lists(OBJECTIVE, max_size=3),
    },
)


def _import_or_messages(db: Database, raw: bytes, clock: FakeClock) -> ImportReport | None:
    """The report, or None after checking the refusal is a list of printable messages."""
    try:
        return import_okr_file(db, raw, clock=clock)
    except OkrFileError as exc:
        assert exc.errors and all(isinstance(e, str) and e for e in exc.errors)
        return None


def _dump(doc: Any) -> bytes:
    return yaml.safe_dump(doc, allow_unicode=True).encode("utf-8", "surrogatepass")


@FUZZ
@given(raw=st.binary(max_size=200) | YAML_TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")))
def test_arbitrary_bytes_never_raise_anything_else(
    db: Database, clock: FakeClock, raw: bytes
) -> None:
    _import_or_messages(db, raw, clock)


@FUZZ
@given(doc=st.dictionaries(st.sampled_from(FIELDS), ANY_VALUE, max_size=5) | ANY_VALUE)
def test_arbitrary_yaml_structures_never_raise_anything_else(
    db: Database, clock: FakeClock, doc: Any
) -> None:
    _import_or_messages(db, _dump(doc), clock)


@FUZZ
@given(doc=WORLD)
def test_plausible_files_import_idempotently_or_are_refused(
    db: Database, clock: FakeClock, doc: dict[str, Any]
) -> None:
    raw = _dump(doc)
    report = _import_or_messages(db, raw, clock)
    if report is not None:
        again = import_okr_file(db, raw, clock=clock)
        assert (again.total_created, again.total_updated, again.total_deleted) == (0, 0, 0)


@settings(max_examples=150, deadline=None)
@given(cut=st.integers(min_value=0, max_value=20_000), junk=st.sampled_from(
    ["", ":", "- ", "  ", "key: [", "\t", "*a", "&a ", "!!int x", "'", "中"]
))
def test_damaged_example_is_read_or_refused(cut: int, junk: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    cut %= len(text)
    try:
        parse_okr_file((text[:cut] + junk + text[cut + 1 :]).encode("utf-8"))
    except OkrFileError as exc:
        assert exc.errors
