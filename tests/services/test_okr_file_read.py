"""Reading OKR files without a database: YAML quirks, schema messages, the writer's output."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.services.okr_file.reader import format_problems, parse_okr_file
from bot.services.okr_file.yaml_io import FlowList, OkrFileError, Quoted, dump_yaml, load_yaml


def test_plain_scalars_follow_yaml_1_2() -> None:
    text = (
        b"a: off\nb: 10:00\nc: 2026-10-01\nd: yes\ne: 1.5\nf: 1e5\ng: 0800\nh: ~\ni: True\n"
        b"j: -3\n"
    )
    assert load_yaml(text).data == {
        "a": "off", "b": "10:00", "c": "2026-10-01", "d": "yes", "e": 1.5, "f": "1e5",
        "g": "0800", "h": None, "i": True, "j": -3,
    }


def test_unquoted_times_and_off_reach_the_schema_as_written() -> None:
    parsed = parse_okr_file(
        b"teams:\n  - name: T\n    schedule:\n      checkin_time: 9:05\n"
        b"      work_start: 08:00\n      digest_cadence: off\n"
    )
    schedule = parsed.doc.teams[0].schedule
    assert parsed.problems == []
    assert schedule is not None
    assert (schedule.checkin_time, schedule.work_start, schedule.digest_cadence) == (
        time(9, 5),
        time(8, 0),
        "off",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("people:\n  - id: U0AAAAAAA01\n", ["people[0].name: required field is missing (line 2)"]),
        ("people: {}\n", ["people: must be a list (line 1)"]),
        ("peeple: []\n", ["peeple: unknown field (expected one of: version, regions, people, "
                          "teams, cycles, objectives) (line 1)"]),
        ("version: 2\n", ["version: must be 1 (the only version of this format) (line 1)"]),
        ("- a\n", ["(file): must be a mapping of field: value (line 1)"]),
        ("cycles:\n  - name: 2026\n    start: 2026-10-01\n    end: 2026-12-31\n",
         ["cycles[0].name: must be text (put numbers and dates in quotes) (line 2)"]),
        ("cycles:\n  - name: Q\n    start: 2026-02-30\n    end: 2026-12-31\n",
         ["cycles[0].start: must be a date like 2026-10-01 (line 3)"]),
        ("teams:\n  - name: T\n    schedule:\n      checkin_time: 7pm\n",
         ["teams[0].schedule.checkin_time: must be a 24-hour time like 10:00 (line 4)"]),
        ("teams:\n  - name: T\n    schedule:\n      checkin_weekdays: mon,funday\n",
         ["teams[0].schedule.checkin_weekdays: must be weekdays separated by commas, such as "
          "mon,thu (mon, tue, wed, thu, fri, sat, sun) (line 4)"]),
        ("teams:\n  - name: T\n    schedule:\n      reminder_after_hours: 0\n",
         ["teams[0].schedule.reminder_after_hours: must be at least 1 (line 4)"]),
        ("teams:\n  - name: T\n    channel: general\n",
         ["teams[0].channel: must be a Slack channel id such as C012AB3CD4E (line 3)"]),
        ("objectives:\n  - key: a\n    cycle: Q\n    title: t\n    owner_team: T\n"
         "    key_results:\n      - title: k\n        target: .inf\n",
         ["objectives[0].key_results[0].target: must be a finite number (line 8)"]),
        ("objectives:\n  - key: a\n    cycle: Q\n    title: \"bad\\0\"\n    owner_team: T\n",
         ["objectives[0].title: must not contain control characters (line 4)"]),
        ("people:\n  - id: U0AAAAAAA01\n    name: x\n    admin: yes\n",
         ["people[0].admin: must be true or false (line 4)"]),
    ],
)
def test_schema_problems_name_their_path_and_line(text: str, expected: list[str]) -> None:
    parsed = parse_okr_file(text.encode())
    assert format_problems(parsed.problems, parsed.lines) == expected


@pytest.mark.parametrize(
    ("raw", "start"),
    [
        (b"", "the file is empty"),
        (b"\xff\xfe", "the file is not UTF-8 text"),
        (b"a: !!python/object:os.system x\n", "line 1, column 4: YAML syntax error"),
        (b"a: [1,\n", "line 2, column 1: YAML syntax error"),
        (b"---\na: 1\n---\nb: 2\n", "line 3, column 1: YAML syntax error"),
        (b"a: \x01\n", "YAML syntax error: unacceptable character"),
    ],
)
def test_unreadable_files_are_refused_with_one_message(raw: bytes, start: str) -> None:
    with pytest.raises(OkrFileError) as caught:
        parse_okr_file(raw)
    assert len(caught.value.errors) == 1
    assert caught.value.errors[0].startswith(start)


def test_dumped_yaml_keeps_order_chinese_flow_lists_and_quoted_times() -> None:
    text = dump_yaml(
        {"name": "市场部", "leads": FlowList(["U1", "U2"]), "at": Quoted("09:00"), "n": "off"}
    )
    assert text == "name: 市场部\nleads: [U1, U2]\nat: '09:00'\nn: 'off'\n"


@settings(max_examples=300, deadline=None)
@given(value=st.text() | st.floats(allow_nan=False) | st.integers() | st.booleans())
def test_whatever_the_writer_writes_reads_back_the_same(value: Any) -> None:
    loaded = load_yaml(dump_yaml({"v": value, "list": [value]}).encode()).data
    assert loaded == {"v": value, "list": [value]}
