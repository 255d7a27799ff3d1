"""bot/domain imports only the standard library and itself (no Slack, SQL, Jinja, settings)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

import bot.domain

DOMAIN = Path(bot.domain.__file__).parent


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module)
    return roots


@pytest.mark.parametrize("path", sorted(DOMAIN.glob("*.py")), ids=lambda p: p.name)
def test_domain_module_imports_only_stdlib(path: Path) -> None:
    foreign = {
        name
        for name in imported_roots(path)
        if name.split(".")[0] not in sys.stdlib_module_names
        and not (name == "bot.domain" or name.startswith("bot.domain."))
    }
    assert foreign == set()
