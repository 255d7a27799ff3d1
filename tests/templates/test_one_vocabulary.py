"""One vocabulary for confidence (issue 15): its words live once, in common.yaml, in both
languages, and every template that names a confidence asks for those words."""

from __future__ import annotations

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
        assert 'tp("common.confidence.on_track")' in text, path.name
