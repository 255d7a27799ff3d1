"""The README's `/okr` examples work on the example company (examples/okrs.yaml): every team
they name exists, and each look-up answers with OKRs, not "I don't know" — over HTTP."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bot.services.okr_file.importer import import_okr_file
from storage.queries.teams import team_named
from tests.scenarios.conftest import Harness

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
NAMED_TEAM = re.compile(r"/okr (?:schedule )?(?:team|团队) ([^`<>\s…]+)")


def test_every_team_the_readme_names_is_in_the_example_company(harness: Harness) -> None:
    import_okr_file(harness.deps.db, (ROOT / "examples" / "okrs.yaml").read_bytes(),
                    clock=harness.deps.clock)
    named = sorted(set(NAMED_TEAM.findall(README)))
    assert "苏州工厂" in named and "Marketing" in named
    with harness.deps.db.read() as session:
        assert [name for name in named if team_named(name, session=session) is None] == []
    for verb, name in (("team", "Marketing"), ("团队", "苏州工厂")):
        result = harness.sender.command(f"{verb} {name}", user_id="UANA")
        body = json.dumps(result.json(), ensure_ascii=False)
        assert "I don't know a team" not in body and "没有名为" not in body, body[:300]
