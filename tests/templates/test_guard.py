"""Guard rails over every template: values only through escaping filters; words in en and zh."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.rendering import TEMPLATES_DIR, load_catalogue

ALLOWED_LAST_FILTERS = ("json", "mrkdwn", "plain", "mention")
EXPRESSION = re.compile(r"\{\{(.*?)\}\}", re.S)
KEY_USE = re.compile(r"""
    ["']([\w.]+)["'] \s* \)? \s* \| \s* tp?\b              # "key" | t(…), "other") | t(…)
    | \( \s* ["']([\w.]+)["'] \s+ if\b [^()|]* \) \s* \| \s* tp?\b  # ("key" if …) | t(…)
""", re.X)
TEMPLATES = sorted(TEMPLATES_DIR.rglob("*.j2"))


def _last_filter(expression: str) -> str:
    depth, last = 0, ""
    for index, char in enumerate(expression):
        depth += char in "([{"
        depth -= char in ")]}"
        if char == "|" and depth == 0:
            last = expression[index + 1 :]
    return last.strip().split("(")[0].strip()


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(TEMPLATES_DIR)))
def test_every_value_passes_through_an_escaping_filter(path: Path) -> None:
    bad = [
        expr.strip()
        for expr in EXPRESSION.findall(path.read_text(encoding="utf-8"))
        if _last_filter(expr) not in ALLOWED_LAST_FILTERS
    ]
    assert bad == [], f"{path.name}: expressions without json/mrkdwn/plain/mention: {bad}"


def test_the_guard_notices_an_unfiltered_value() -> None:
    assert _last_filter(" person.name ") == ""
    assert _last_filter(' "a" | t(x=(y|esc)) | json ') == "json"
    assert _last_filter(" (a ~ b|esc) ") == ""


def test_english_and_chinese_have_the_same_words() -> None:
    english, chinese = load_catalogue("en").keys(), load_catalogue("zh").keys()
    assert sorted(english - chinese) == [], "missing in zh"
    assert sorted(chinese - english) == [], "missing in en"


def test_every_word_a_template_asks_for_exists() -> None:
    known = load_catalogue("en").keys()
    missing = {
        f"{path.relative_to(TEMPLATES_DIR)}: {key}"
        for path in TEMPLATES
        for found in KEY_USE.finditer(path.read_text(encoding="utf-8"))
        for key in found.groups() if key
        if key not in known and not any(k.startswith(key + ".") for k in known)
    }
    assert sorted(missing) == []
