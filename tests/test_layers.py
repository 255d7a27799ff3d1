"""Imports run one way: edges → use cases → rules and data; nothing imports handlers; no cycles.

Every module under bot/, handlers/ and storage/ is parsed (imports inside functions count too)
and each import is checked against the layer order of STYLE.md "Layers and where things live":

    edges     handlers, bot.api, bot.commands, bot.shell, bot.delivery, the server, CLI and
              monitoring routes
    words     bot.rendering, bot.digest_render, bot.digest_chart, bot.review_markdown,
              bot.blockkit, bot.deps (what edges render with)
    config    bot.settings (read by the edges; use cases get values, not settings)
    use cases bot.services
    rules     bot.domain (pure)              data  storage
    neutral   bot.clock, bot.ids (importable from anywhere, import nothing above)

A module may import its own layer's modules or any layer below it; `rules` and `data` may not
import each other. `handlers` is imported by no product module except the composition root
`bot.app`, which hands the Bolt app to the routing page.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "storage")

# (prefix, layer); the longest matching prefix wins.
LAYER_OF_PREFIX = {
    "handlers": "edge",
    "bot.api": "edge",
    "bot.commands": "edge",
    "bot.shell": "edge",
    "bot.delivery": "edge",
    "bot.cli": "edge",
    "bot.app": "edge",
    "bot.wiring": "edge",
    "bot.server": "edge",
    "bot.monitoring": "edge",
    "bot.http_server": "edge",
    "bot.slack_gate": "edge",
    "bot.slack_shape": "edge",
    "bot.scheduler": "edge",
    "bot.rendering": "words",
    "bot.digest_render": "words",
    "bot.digest_chart": "words",
    "bot.review_markdown": "words",
    "bot.blockkit": "words",
    "bot.deps": "words",
    "bot.services": "services",
    "bot.domain": "rules",
    "storage": "data",
    "bot.clock": "neutral",
    "bot.settings": "config",
    "bot.ids": "neutral",
    "bot.log_sampling": "neutral",
    "bot": "neutral",
}
MAY_IMPORT = {
    "edge": {"edge", "words", "config", "services", "rules", "data", "neutral"},
    "words": {"words", "config", "services", "rules", "data", "neutral"},
    "config": {"config", "rules", "neutral"},
    "services": {"services", "rules", "data", "neutral"},
    "rules": {"rules", "neutral"},
    "data": {"data", "neutral"},
    "neutral": {"neutral"},
}
COMPOSITION_ROOT = "bot.app"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def product_modules() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue  # Alembic scripts are loaded by Alembic, not imported
            found[module_name(path)] = path
    return found


MODULES = product_modules()


def layer_of(module: str) -> str:
    best = max((p for p in LAYER_OF_PREFIX if module == p or module.startswith(p + ".")), key=len)
    return LAYER_OF_PREFIX[best]


def imports_of(module: str, path: Path) -> Iterator[tuple[str, int]]:
    """The product modules `module` imports, with line numbers.

    `from a import b` counts as importing `a.b` when that is a module, else `a`.
    """
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                for alias in node.names
            ]
        else:
            continue
        for target in targets:
            if target.split(".")[0] in PACKAGES:
                yield target, node.lineno


GRAPH = {name: sorted(set(imports_of(name, path))) for name, path in MODULES.items()}


def test_every_product_module_is_found() -> None:
    assert "bot.services.digest.builder" in MODULES
    assert "handlers" in MODULES
    assert all(target in MODULES for edges in GRAPH.values() for target, _ in edges), (
        "an import names a module that does not exist"
    )


def test_imports_follow_the_layer_order() -> None:
    upward = [
        f"{source}:{line} ({layer_of(source)}) imports {target} ({layer_of(target)})"
        for source, edges in GRAPH.items()
        for target, line in edges
        if layer_of(target) not in MAY_IMPORT[layer_of(source)]
    ]
    assert upward == []


def test_nothing_outside_handlers_imports_handlers() -> None:
    intruders = [
        f"{source}:{line} imports {target}"
        for source, edges in GRAPH.items()
        for target, line in edges
        if (target == "handlers" or target.startswith("handlers."))
        and not (source == "handlers" or source.startswith("handlers."))
        and not (source == COMPOSITION_ROOT and target == "handlers")
    ]
    assert intruders == []


def strongly_connected(graph: dict[str, list[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the groups of modules that reach each other."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
    return groups


def test_no_import_cycles() -> None:
    graph = {source: [t for t, _ in edges if t != source] for source, edges in GRAPH.items()}
    cycles = [group for group in strongly_connected(graph) if len(group) > 1]
    assert cycles == []


@pytest.mark.parametrize(
    ("graph", "expected"),
    [
        ({"a": ["b"], "b": ["a"], "c": ["a"]}, [["a", "b"]]),
        ({"a": ["b"], "b": ["c"], "c": []}, []),
        ({"a": ["b"], "b": ["c"], "c": ["a"], "d": []}, [["a", "b", "c"]]),
    ],
)
def test_cycle_finder_finds_cycles(graph: dict[str, list[str]], expected: list[list[str]]) -> None:
    assert [g for g in strongly_connected(graph) if len(g) > 1] == expected


def test_layer_check_would_catch_a_service_importing_delivery() -> None:
    assert layer_of("bot.delivery.sender") not in MAY_IMPORT[layer_of("bot.services.home")]
    assert layer_of("bot.rendering") not in MAY_IMPORT[layer_of("bot.services.people")]
    assert layer_of("storage.models") not in MAY_IMPORT[layer_of("bot.domain.scoring")]
