"""Reading and writing OKR files as YAML, with the line of every value for error messages.

Plain scalars follow YAML 1.2 rather than PyYAML's YAML 1.1: only `true`/`false` are booleans
(`off`, `no`, `on` stay text: `digest_cadence: off`), `10:00` is text (not the base-60 number
600) and dates stay text until the schema reads them. Every implicit type here is a subset of
YAML 1.1's, so what PyYAML's safe dumper writes reads back unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from bot.services.okr_file.messages import message

try:  # libyaml's parser reads the example file about six times faster
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

Loc = tuple[str | int, ...]

MAX_FILE_BYTES = 5 * 1024 * 1024
_MERGE_TAG = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Problem:
    """One error: where in the file (`path`, or an explicit line) and what is wrong."""

    path: Loc
    message: str
    line: int | None = None
    column: int | None = None


class OkrFileError(Exception):
    """The file cannot be imported; `errors` holds one printable line per problem."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("\n".join(errors))
        self.errors = errors


class _Loader(_BaseLoader):
    """SafeLoader with YAML 1.2-like plain scalars (see the module docstring)."""


_Loader.yaml_implicit_resolvers = {}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:null", re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:int", re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?[0-9]+\.[0-9]*(?:[eE][-+][0-9]+)?|\.[0-9]+(?:[eE][-+][0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)
_Loader.add_implicit_resolver(_MERGE_TAG, re.compile(r"^<<$"), ["<"])


@dataclass
class LineMap:
    """Where each path of the document starts (1-based lines)."""

    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def line_of(self, path: Loc) -> int | None:
        """The line of `path`, or of its nearest ancestor present in the file."""
        for end in range(len(path), -1, -1):
            mark = self.marks.get(path[:end])
            if mark is not None:
                return mark[0]
        return None


@dataclass(frozen=True)
class LoadedYaml:
    data: Any
    lines: LineMap
    problems: list[Problem]


def load_yaml(raw: bytes) -> LoadedYaml:
    """Parse `raw`; raise OkrFileError for anything that is not readable YAML."""
    if len(raw) > MAX_FILE_BYTES:
        raise OkrFileError([message("too_large", limit=MAX_FILE_BYTES // (1024 * 1024))])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise OkrFileError([message("not_utf8")]) from None
    loader: _Loader | None = None
    try:
        loader = _Loader(text)
        node = loader.get_single_node()
        if node is None:
            raise OkrFileError([message("empty")])
        lines, problems = _walk(node)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        raise OkrFileError([_syntax_line(exc)]) from None
    except yaml.YAMLError as exc:
        raise OkrFileError([message("yaml_syntax", problem=str(exc))]) from None
    except RecursionError:
        raise OkrFileError([message("too_deep")]) from None
    except (ValueError, TypeError, OverflowError) as exc:
        raise OkrFileError([message("unreadable_value", problem=str(exc))]) from None
    finally:
        if loader is not None:
            loader.dispose()
    return LoadedYaml(data, lines, problems)


def _syntax_line(exc: yaml.MarkedYAMLError) -> str:
    problem = ": ".join(p for p in (exc.context, exc.problem) if p) or "unreadable"
    text = message("yaml_syntax", problem=problem)
    mark = exc.problem_mark or exc.context_mark
    if mark is None:
        return text
    return f"line {mark.line + 1}, column {mark.column + 1}: {text}"


def _walk(root: Node) -> tuple[LineMap, list[Problem]]:
    """Record the position of every value and report keys written twice in one mapping."""
    lines = LineMap()
    problems: list[Problem] = []
    seen: set[int] = set()
    stack: list[tuple[Node, Loc]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        lines.marks.setdefault(path, (node.start_mark.line + 1, node.start_mark.column + 1))
        if id(node) in seen:  # an alias: its first occurrence already describes it
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))
        elif isinstance(node, MappingNode):
            names: set[str] = set()
            for key, value in node.value:
                if not isinstance(key, ScalarNode) or key.tag == _MERGE_TAG:
                    continue
                if key.value in names:
                    problems.append(
                        Problem(
                            (*path, key.value),
                            message("duplicate_yaml_key", key=key.value),
                            line=key.start_mark.line + 1,
                        )
                    )
                names.add(key.value)
                stack.append((value, (*path, key.value)))
    return lines, problems


class FlowList(list[Any]):
    """A list written on one line: `[U012AB3CD4E, U034EF5GH6I]`."""


class Quoted(str):
    """Text always written in quotes, such as times (`'09:00'`): YAML 1.1 reads some as numbers."""

    __slots__ = ()


class _Dumper(yaml.SafeDumper):
    """Indents list items under their key; multi-line text as `|` blocks."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


_ODD_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to YAML readers; escaped in "..."


def _represent_str(dumper: yaml.SafeDumper, data: str) -> ScalarNode:
    style: str | None = "|" if "\n" in data else None
    if any(mark in data for mark in _ODD_BREAKS):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


def _represent_quoted(dumper: yaml.SafeDumper, data: Quoted) -> ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style="'")


def _represent_flow_list(dumper: yaml.SafeDumper, data: FlowList) -> SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(FlowList, _represent_flow_list)
_Dumper.add_representer(Quoted, _represent_quoted)


def dump_yaml(data: Mapping[str, Any], *, header: str = "") -> str:
    """`data` as block-style YAML in the given key order, Chinese kept as is."""
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=4096,
    )
    return header + body
