"""One vocabulary for confidence (issue 15): its words live once, in common.yaml, in both
languages, and every template that names a confidence asks for those words."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.catalogues import TEMPLATES_DIR, catalogue_entries

LEVELS = ("on_track", "at_risk", "off_track")


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_confidence_words_are_written_once(locale: str) -> None:
    entries = catalogue_entries(locale)
    holders = {key for key in entries if key.rsplit(".", 1)[-1] in LEVELS}
    assert holders == {f"common.confidence.{level}" for level in LEVELS}
    marks = {entries[key].split()[0] for key in holders}
    assert marks.isdisjoint({"🟢", "🟡", "🔴"})  # the score colours mean something else


def test_every_template_naming_a_confidence_uses_the_one_vocabulary() -> None:
    templates = [p for p in Path(TEMPLATES_DIR).rglob("*.j2")
                 if "confidence_words" in p.read_text(encoding="utf-8")]
    assert templates
    for path in templates:
        text = path.read_text(encoding="utf-8")
        assert '"common.confidence.on_track" | tp' in text, path.name


def test_english_counts_have_singular_and_plural_forms() -> None:
    entries = catalogue_entries("en")
    plural_nouns = re.compile(r"\{count\} (?:more |older )?(?:[A-Z][a-z]+ )?[A-Za-z]+s\b")
    always_many = ("coach.too_many_krs.", "coach.too_many_objectives.")  # counts above a max
    lonely = [key for key, text in entries.items()
              if plural_nouns.search(text) and not key.endswith(".other")
              and not key.startswith(always_many)]
    assert lonely == []
    plurals = {key.removesuffix(".other") for key in entries if key.endswith(".other")}
    assert plurals and all("{count}" not in entries[f"{key}.one"] for key in plurals)
    chinese = catalogue_entries("zh")
    assert all(f"{key}.one" in chinese and f"{key}.other" in chinese for key in plurals)


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_the_coachs_examples_are_not_dated_to_a_year_that_passes(locale: str) -> None:
    dated = {key: text for key, text in catalogue_entries(locale).items()
             if key.startswith("coach.") and re.search(r"\b20\d\d\b|20\d\d年", text)}
    assert dated == {}
