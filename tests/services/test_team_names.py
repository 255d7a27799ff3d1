"""One answer when a typed name matches no team (bot/services/team_names.py), shared by
`/okr team`, `/okr digest`, `/okr schedule` and `okr-bot send-digest`."""

from __future__ import annotations

from bot.clock import FakeClock
from bot.services.team_names import MAX_KNOWN_TEAMS, TeamNotFound, team_not_found
from storage.db import Database
from tests.scenarios.seed import Seed


def test_close_and_partial_names_are_suggested_as_names_are_matched(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    for name in ("Growth", "Équipe Öst", "Platform", "Platform Ops"):
        seed.make_team(name)
    with db.read() as session:
        typo = team_not_found("grwth", session=session)
        folded = team_not_found("ÉQUIPE", session=session)
        part = team_not_found("platform o", session=session)
    assert typo.suggestions == ("Growth",)
    assert folded.suggestions == ("Équipe Öst",)  # compared by name_key: case and accents
    assert part.suggestions[0] == "Platform Ops" and "Platform" in part.suggestions
    assert sorted(typo.known) == ["Growth", "Platform", "Platform Ops", "Équipe Öst"]


def test_without_a_close_name_the_first_teams_are_listed_and_the_rest_counted(
    db: Database, clock: FakeClock
) -> None:
    seed = Seed(db, clock)
    for n in range(MAX_KNOWN_TEAMS + 3):
        seed.make_team(f"Team {n:02d}")
    with db.read() as session:
        found = team_not_found("zebra", session=session)
    assert found == TeamNotFound("zebra", (), tuple(f"Team {n:02d}" for n in range(20)), 3)
