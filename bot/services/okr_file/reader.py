"""Reading an OKR file: YAML to schema-checked entries, and problems as `path: message` lines.

Each entry (person, team, cycle, objective, key result) is validated on its own, so one bad
entry does not hide the problems of the others, nor those the second pass
(`import_checks`) finds in the good ones.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from bot.services.okr_file.messages import message
from bot.services.okr_file.model import (
    CHANNEL_ID_PATTERN,
    EMAIL_PATTERN,
    KEY_PATTERN,
    USER_ID_PATTERN,
    CycleIn,
    HolidayIn,
    KeyResultIn,
    ObjectiveIn,
    OkrFile,
    PersonIn,
    RegionIn,
    ScheduleIn,
    Section,
    TeamIn,
)
from bot.services.okr_file.model import kr_keys as derive_kr_keys
from bot.services.okr_file.yaml_io import LineMap, Loc, Problem, load_yaml

# The section model at each path (list indices left out), for "unknown field" hints.
_SECTIONS: dict[tuple[str, ...], type[Section]] = {
    (): OkrFile,
    ("people",): PersonIn,
    ("people", "holidays"): HolidayIn,
    ("regions",): RegionIn,
    ("regions", "holidays"): HolidayIn,
    ("teams",): TeamIn,
    ("teams", "schedule"): ScheduleIn,
    ("teams", "holidays"): HolidayIn,
    ("cycles",): CycleIn,
    ("objectives",): ObjectiveIn,
    ("objectives", "key_results"): KeyResultIn,
}
_PATTERNS = {
    USER_ID_PATTERN: "user_id",
    CHANNEL_ID_PATTERN: "channel_id",
    KEY_PATTERN: "key",
    EMAIL_PATTERN: "email",
}
_SIMPLE = {
    "missing": "missing",
    "model_type": "not_mapping",
    "model_attributes_type": "not_mapping",
    "dict_type": "not_mapping",
    "list_type": "not_list",
    "string_type": "not_text",
    "string_too_short": "blank",
    "bool_type": "not_bool",
    "int_type": "not_int",
    "int_parsing": "not_int",
    "int_from_float": "not_int",
}


@dataclass(frozen=True)
class ParsedFile:
    """The entries that passed the schema, and the problems of those that did not.

    `places[section][i]` is the index in the file of `doc.<section>[i]`, and
    `kr_places[i][j]` that of `doc.objectives[i].key_results[j]`. `loose[section]` maps the
    index of each entry that failed to its natural key (when readable), so that references
    to it are not reported as unknown and duplicates of it are still found. `orphans` holds
    the valid key results of objectives that failed, with their path and key (when known),
    so that their own problems are reported too.
    """

    doc: OkrFile
    lines: LineMap
    problems: list[Problem]
    places: dict[str, list[int]]
    kr_places: list[list[int]]
    loose: dict[str, dict[int, str]]
    orphans: list[tuple[Loc, KeyResultIn, str | None]]

    def path(self, section: str, index: int, *rest: str | int) -> Loc:
        """The file path of `doc.<section>[index]` (and `rest` inside it)."""
        return (section, self.places[section][index], *rest)

    def kr_path(self, objective: int, kr: int, *rest: str | int) -> Loc:
        """The file path of `doc.objectives[objective].key_results[kr]`."""
        position = self.kr_places[objective][kr]
        return self.path("objectives", objective, "key_results", position, *rest)

    def kr_keys(self, objective: int) -> list[str]:
        """The keys of `doc.objectives[objective]`'s key results, derived from file positions."""
        return derive_kr_keys(self.doc.objectives[objective], self.kr_places[objective])


_ENTRIES: dict[str, tuple[type[Section], str]] = {
    "regions": (RegionIn, "name"),
    "people": (PersonIn, "id"),
    "teams": (TeamIn, "name"),
    "cycles": (CycleIn, "name"),
    "objectives": (ObjectiveIn, "key"),
}


def parse_okr_file(raw: bytes) -> ParsedFile:
    """Read an OKR file and check each entry against the schema.

    Raises OkrFileError only when the file is not readable YAML; schema problems are in
    `ParsedFile.problems`, so the second pass can add its own before anything is reported.
    """
    loaded = load_yaml(raw)
    problems = list(loaded.problems)
    data = loaded.data
    if not isinstance(data, dict):
        problems.append(Problem((), message("not_mapping")))
        data = {}
    for name in data:
        if name not in OkrFile.model_fields:
            text = message("unknown_field", allowed=", ".join(OkrFile.model_fields))
            problems.append(Problem((_loc_part(name),), text))
    version = data.get("version", 1)
    if version != 1 or isinstance(version, bool):
        problems.append(Problem(("version",), message("version")))
    entries: dict[str, list[Any]] = {}
    places: dict[str, list[int]] = {}
    kr_places: list[list[int]] = []
    loose: dict[str, dict[int, str]] = {}
    orphans: list[tuple[Loc, KeyResultIn, str | None]] = []
    for section, (model, natural_key) in _ENTRIES.items():
        entries[section], places[section], loose[section] = [], [], {}
        items = data.get(section, [])
        if not isinstance(items, list):
            problems.append(Problem((section,), message("not_list")))
            continue
        for index, item in enumerate(items):
            loc: Loc = (section, index)
            raw_krs: Any = []
            if model is ObjectiveIn and isinstance(item, dict):
                item = dict(item)  # an alias may share the mapping with another entry
                raw_krs = item.pop("key_results", [])
            entry = _validate(model, item, loc, problems)
            krs, positions = _key_results(raw_krs, (*loc, "key_results"), problems)
            if entry is None:
                key = item.get(natural_key) if isinstance(item, dict) else None
                if isinstance(key, str):
                    loose[section][index] = key.strip()
                for kr, position in zip(krs, positions, strict=True):
                    derived = f"{key.strip()}.kr{position + 1}" if isinstance(key, str) else None
                    orphans.append(((*loc, "key_results", position), kr, kr.key or derived))
                continue
            if model is ObjectiveIn:
                entry = entry.model_copy(update={"key_results": krs})
                kr_places.append(positions)
            entries[section].append(entry)
            places[section].append(index)
    doc = OkrFile.model_construct(
        regions=entries["regions"],
        people=entries["people"],
        teams=entries["teams"],
        cycles=entries["cycles"],
        objectives=entries["objectives"],
    )
    return ParsedFile(doc, loaded.lines, problems, places, kr_places, loose, orphans)


def _validate(model: type[Section], item: Any, loc: Loc, problems: list[Problem]) -> Any:
    """`item` validated as `model`, or None after adding its problems."""
    try:
        return model.model_validate(item)
    except ValidationError as exc:
        problems.extend(_problem(err, loc) for err in exc.errors(include_url=False))
        return None


def _key_results(
    raw: Any, loc: Loc, problems: list[Problem]
) -> tuple[list[KeyResultIn], list[int]]:
    """The valid key results of an objective and their positions in the file."""
    if not isinstance(raw, list):
        problems.append(Problem(loc, message("not_list")))
        return [], []
    valid: list[KeyResultIn] = []
    positions: list[int] = []
    for index, item in enumerate(raw):
        kr = _validate(KeyResultIn, item, (*loc, index), problems)
        if kr is not None:
            valid.append(kr)
            positions.append(index)
    return valid, positions


def _loc_part(value: object) -> str | int:
    return value if isinstance(value, str | int) and not isinstance(value, bool) else str(value)


def _problem(err: Any, prefix: Loc) -> Problem:
    loc: Loc = (*prefix, *(_loc_part(part) for part in err["loc"]))
    kind: str = err["type"]
    ctx: dict[str, Any] = err.get("ctx") or {}
    if kind in _SIMPLE:
        text = message(_SIMPLE[kind])
    elif kind == "extra_forbidden":
        text = message("unknown_field", allowed=", ".join(_allowed_fields(loc[:-1])))
    elif kind == "value_error":
        text = str(ctx.get("error", err["msg"]))
    elif kind == "literal_error":
        text = message("choice", expected=ctx.get("expected", "?"))
    elif kind == "string_pattern_mismatch" and ctx.get("pattern") in _PATTERNS:
        text = message(_PATTERNS[ctx["pattern"]])
    elif kind == "string_too_long":
        text = message("too_long", limit=ctx.get("max_length", "?"))
    elif kind == "greater_than_equal":
        text = message("at_least", limit=ctx.get("ge", "?"))
    elif kind == "less_than_equal":
        text = message("at_most", limit=ctx.get("le", "?"))
    else:
        text = str(err["msg"])
    return Problem(loc, text)


def _allowed_fields(loc: Loc) -> list[str]:
    section = _SECTIONS.get(tuple(p for p in loc if isinstance(p, str)))
    if section is None:
        return []
    return [info.alias or name for name, info in section.model_fields.items()]


def format_path(path: Loc) -> str:
    """`("objectives", 2, "key_results", 0, "target")` -> `objectives[2].key_results[0].target`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or message("whole_file")


def format_problems(problems: list[Problem], lines: LineMap) -> list[str]:
    """One line per problem, in the order they appear in the file."""
    rows: list[tuple[float, int, str]] = []
    for index, problem in enumerate(problems):
        line = problem.line if problem.line is not None else lines.line_of(problem.path)
        text = f"{format_path(problem.path)}: {problem.message}"
        if line is not None:
            text = message("at_line", text=text, line=line)
        rows.append((line if line is not None else math.inf, index, text))
    return [text for _, _, text in sorted(rows)]
