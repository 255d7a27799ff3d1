"""Every message the OKR file import can print, in one place (for the admin at the CLI)."""

from __future__ import annotations

from typing import Any

MESSAGES: dict[str, str] = {
    # reading the file
    "not_utf8": "the file is not UTF-8 text",
    "too_large": "the file is larger than {limit} MB",
    "empty": "the file is empty",
    "yaml_syntax": "YAML syntax error: {problem}",
    "unreadable_value": "cannot read this value: {problem}",
    "too_deep": "the file is nested too deeply",
    "duplicate_yaml_key": "the key {key!r} appears twice in this mapping",
    # shape and types (pydantic)
    "missing": "required field is missing",
    "unknown_field": "unknown field (expected one of: {allowed})",
    "not_mapping": "must be a mapping of field: value",
    "not_list": "must be a list",
    "not_text": "must be text (put numbers and dates in quotes)",
    "not_bool": "must be true or false",
    "not_int": "must be a whole number",
    "not_number": "must be a number",
    "not_finite": "must be a finite number",
    "too_big_number": "must be between -1e15 and 1e15",
    "at_least": "must be at least {limit}",
    "at_most": "must be at most {limit}",
    "choice": "must be one of {expected}",
    "blank": "must not be empty",
    "too_long": "must be at most {limit} characters long",
    "control_chars": "must not contain control characters",
    "user_id": "must be a Slack user id such as U012AB3CD4E",
    "channel_id": "must be a Slack channel id such as C012AB3CD4E",
    "key": "must be a key of letters, digits, '.', '_' and '-' such as mkt-2026q4-brand",
    "email": "must be an email address",
    "locale": "must be a locale of a supported language ({languages}), e.g. zh-CN or en-US",
    "time_zone": "unknown time zone {value!r}; use an IANA name such as Asia/Shanghai",
    "time": "must be a 24-hour time like 10:00",
    "date": "must be a date like 2026-10-01",
    "weekday": "must be a weekday: {days}",
    "weekdays": "must be weekdays separated by commas, such as mon,thu ({days})",
    "weekday_twice": "names {day!r} twice",
    "version": "must be 1 (the only version of this format)",
    # meaning and references (second pass)
    "duplicate": "{what} {value!r} is already defined at {other}",
    "listed_twice": "{value!r} is listed twice",
    "lead_and_member": "{value!r} is listed in both leads and members",
    "unknown_person": "no person with id {value!r} in this file or in the database",
    "unknown_team": "no team named {value!r} in this file or in the database",
    "unknown_cycle": "no cycle named {value!r} in this file or in the database",
    "unknown_objective": "no objective with key {value!r} in this file or in the database",
    "team_loop": "team parents make a loop: {chain}",
    "alignment_loop": "aligning to {value!r} makes a loop: {chain}",
    "one_owner": "give exactly one owner: owner_team or owner_person",
    "end_before_start": "must be after start ({start})",
    "work_end": "must be after work_start ({start})",
    "target_missing": "required for a metric key result",
    "target_equals_start": "must differ from start ({start})",
    "direction_mismatch": "{direction} needs a target {relation} start ({start} -> {target})",
    "milestone_number": "a milestone has no numbers; write done: true or false instead",
    "done_on_metric": "only a milestone has done; a metric key result has current",
    # outcome (CLI)
    "cannot_read": "cannot read {file}: {reason}",
    "summary_errors": "{count} error(s) in {file}; nothing was imported",
    "summary": "{file}: {created} created, {updated} updated, {deleted} deleted",
    "summary_dry_run": "(dry run: nothing was written)",
    "summary_entity": "  {entity}: {created} created, {updated} updated, {deleted} deleted",
    "unowned": "{count} key result(s) without an owner; check-ins ask about them:",
    "unowned_objective_owner": "  {kr}: {names} (owner of the objective)",
    "unowned_team_leads": "  {kr}: {names} (leads of the owning team)",
    "unowned_nobody": "  {kr}: nobody - the owning team has no lead; give it an owner",
    "no_such_cycle": "no cycle named {name!r}",
    "exported": "wrote {file}",
    "progress": "importing: {done} of {total} records written",
}


def message(code: str, **params: Any) -> str:
    """The message `code` with `params` filled in."""
    return MESSAGES[code].format(**params)
