"""What okr-bot prints to a terminal comes from the catalogues (bot.catalogues.words): every key
the code asks for exists, English and Chinese fill the same blanks, and no command prints a
sentence of its own."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from bot.catalogues import catalogue_entries, speaking, words

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "bot").rglob("*.py")) + sorted((ROOT / "storage").rglob("*.py"))
ASKED = re.compile(r"""\bwords\(\s*f?["']([a-z_.]+)(\{)?""")
MESSAGE = re.compile(r"""\bmessage\(\s*["']([a-z_.]+)["']""")
PRINTED = re.compile(r"""\bprint\(\s*f?(["'])(.*?)\1""")
PLACEHOLDER = re.compile(r"\{[^}]*\}")


def blanks(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_every_key_the_code_asks_for_exists() -> None:
    known = set(catalogue_entries("en"))
    missing = []
    for path in SOURCES:
        text = path.read_text(encoding="utf-8")
        for key, formatted in ASKED.findall(text):
            exists = (any(k.startswith(key) for k in known) if formatted else key in known)
            if not exists:
                missing.append(f"{path.relative_to(ROOT)}: {key}")
        missing += [f"{path.relative_to(ROOT)}: okr_file.{code}" for code in MESSAGE.findall(text)
                    if f"okr_file.{code}" not in known
                    and not any(k.startswith(f"okr_file.{code}.") for k in known)]
    assert missing == []


@pytest.mark.parametrize("prefix", ["cli.", "okr_file."])
def test_english_and_chinese_fill_the_same_blanks(prefix: str) -> None:
    english, chinese = catalogue_entries("en"), catalogue_entries("zh")
    differ = [key for key in english if key.startswith(prefix)
              and blanks(english[key]) != blanks(chinese[key])]
    assert differ == []


def test_no_command_prints_a_sentence_of_its_own() -> None:
    commands = [*sorted((ROOT / "bot" / "commands").glob("*.py")), ROOT / "bot" / "cli.py"]
    found = [f"{path.name}: {m.group(0)}" for path in commands
             for m in PRINTED.finditer(path.read_text(encoding="utf-8"))
             if re.search(r"[A-Za-z]{2}", PLACEHOLDER.sub("", m.group(2)))]
    assert found == []


def test_the_terminal_speaks_the_language_it_is_given() -> None:
    with speaking("zh"):
        chinese = words("cli.cycle.none")
    assert chinese == "还没有任何周期。"
    assert words("cli.cycle.none") == "No cycles yet."  # the default outside the block
