"""build_digest on a seeded team: every list classified, absences respected, fixed statements."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.clock import FakeClock
from bot.digest_render import render_digest
from bot.rendering import Renderer
from bot.services.digest.builder import TeamNotFoundError, build_digest
from bot.services.digest.view import DigestView
from storage.db import Database
from storage.models import CheckIn, Team, TeamMember
from tests.services.digest_seed import (
    INJECTION,
    NOW,
    PERIOD_START,
    Growth,
    period,
    seed_growth_team,
    seed_team_of,
)
from tests.statements import counting


@pytest.fixture
def growth(db: Database) -> Growth:
    return seed_growth_team(db)


@pytest.fixture
def digest(db: Database, clock: FakeClock, growth: Growth) -> DigestView:
    return build_digest(db, clock, growth.team_id, **period())


def kr_ids(lines: Any) -> list[int]:
    return [line.id for line in lines]


def test_objectives_show_score_colour_and_change_since_the_last_digest(
    digest: DigestView, growth: Growth
) -> None:
    by_id = {o.id: o for o in digest.objectives}
    leads = by_id[growth.objective["leads"]]
    # now: (0.5 + 0.1 + 1 + 0.5 + 0.8 + 1) / 6 = 0.65; before: (1/6 + .5 + 0 + .8 + .6 + .9) / 6
    # Green, not the bands' yellow: on Nov 29, 59 of the cycle's 91 days (0.65) are gone.
    assert (leads.score, leads.colour, leads.trend, leads.delta) == ("0.65", "green", "up", "0.16")
    assert leads.owner_name == ""
    onboarding = by_id[growth.objective["onboarding"]]
    assert (onboarding.owner_name, onboarding.colour, onboarding.trend) == ("Dee", "red", "flat")
    assert digest.objectives[0].id == growth.objective["leads"]  # the team's own first
    assert "Draft idea" not in [o.title for o in digest.objectives]
    assert "Keep the lights on" not in [o.title for o in digest.objectives]


def test_krs_are_classified_moved_red_stalled_and_wins(digest: DigestView, growth: Growth) -> None:
    kr = growth.kr
    # Colours are judged against the time gone (time_colour): 0.6 half-way through the cycle is
    # on pace already, so Demos did not "turn" green, it moved.
    assert kr_ids(digest.moved) == [kr["monthly"], kr["demos"]]
    assert (digest.moved[0].value_before, digest.moved[0].value_now) == ("500 leads", "700 leads")
    # Every KR red at the digest is listed (two thirds of the cycle gone): the one that just
    # turned red and those that stayed red, lowest score first.
    assert kr_ids(digest.turned_red) == [kr["nps"], kr["offers"], kr["conversion"], kr["pages"]]
    conversion = digest.turned_red[2]
    assert (conversion.score_before, conversion.score_now) == ("0.50", "0.10")
    assert [(w.id, w.win) for w in digest.wins] == [
        (kr["referral"], "milestone_done"), (kr["signups"], "reached_target")]
    stalled = {line.id: (line.stall, line.quiet_days) for line in digest.stalled}
    assert stalled == {kr["partners"]: ("no_change", 45), kr["response"]: ("no_checkin", 28)}
    assert [line.quiet_days for line in digest.stalled] == [45, 28]


def test_target_changes_mid_cycle_are_listed(digest: DigestView, growth: Growth) -> None:
    [change] = digest.target_changes
    assert (change.key_result_id, change.old, change.new, change.by_name, change.on) == (
        growth.kr["partners"], "5", "8", "Lin", date(2026, 11, 24))


def test_open_blockers_and_help_requests_name_their_owner(
    digest: DigestView, growth: Growth
) -> None:
    [blocker] = digest.blockers
    assert blocker.person is not None and blocker.person.slack_user_id == "UANA"
    assert (blocker.kr_title, blocker.text) == ("Leads per month", INJECTION)
    [ask] = digest.help_requests
    assert ask.person is not None and ask.person.slack_user_id == "UBEN"
    assert ask.text == "Need a design review of the funnel"  # one line
    assert ask.asks is not None and ask.asks.slack_user_id == "ULIN"
    everything = str(digest.blockers) + str(digest.help_requests)
    assert "old blocker" not in everything  # superseded by the author's later check-in
    assert "waiting on legal" not in everything  # closed by a later check-in
    assert "Ops-only blocker" not in everything  # another team's


def test_not_checked_in_lists_members_asked_who_answered_none(digest: DigestView) -> None:
    # Dee was asked and never checked in; Cai and Gus were away (their prompts skipped); Eve
    # owns only a draft's KR; Lin owns none; Ana, Ben, Fay checked in.
    assert [p.name for p in digest.not_checked_in] == ["Dee"]
    assert [p.name for p in digest.away] == ["Cai", "Gus"]


def test_team_facts_and_language(digest: DigestView, growth: Growth) -> None:
    assert (digest.team_name, digest.channel_id, digest.lead_locale) == ("Growth", "CGROWTH", "zh")
    assert digest.locale("en") == "zh"
    assert (digest.first_day, digest.last_day) == (date(2026, 11, 16), date(2026, 11, 30))
    assert not digest.is_quiet


def test_a_team_without_lead_reads_the_default_language(
    db: Database, clock: FakeClock, growth: Growth
) -> None:
    with db.write() as session:
        leads = select(TeamMember).where(TeamMember.team_id == growth.team_id,
                                         col(TeamMember.is_lead))
        for member in session.exec(leads):
            member.is_lead = False
            session.add(member)
    digest = build_digest(db, clock, growth.team_id, **period())
    assert digest.lead_locale is None
    assert digest.locale("en") == "en"


def test_a_quiet_period_says_so(db: Database, clock: FakeClock, growth: Growth) -> None:
    later = NOW + timedelta(days=400)
    digest = build_digest(db, clock, growth.team_id, period_start=later,
                          period_end=later + timedelta(days=1))
    assert digest.objectives == () and digest.is_quiet


def test_an_unknown_team_or_empty_period_is_refused(db: Database, clock: FakeClock) -> None:
    with pytest.raises(TeamNotFoundError):
        build_digest(db, clock, 999, **period())
    with pytest.raises(ValueError, match="end after"):
        build_digest(db, clock, 1, period_start=NOW, period_end=PERIOD_START)



def test_statement_count_does_not_grow_with_the_team(db: Database, clock: FakeClock) -> None:
    small, big = seed_team_of(db, 5, name="Small"), seed_team_of(db, 50, name="Large")
    with counting(db) as for_small:
        small_digest = build_digest(db, clock, small, **period())
    with counting(db) as for_big:
        big_digest = build_digest(db, clock, big, **period())
    # it did load ten times the team: half check in, half (but those away) do not
    assert (len(small_digest.blockers), len(big_digest.blockers)) == (3, 25)
    assert (len(small_digest.not_checked_in), len(big_digest.not_checked_in)) == (2, 20)
    assert (len(small_digest.stalled), len(big_digest.stalled)) == (5, 50)
    assert len(for_small) == len(for_big)
    assert len([s for s in for_big if s.lstrip().upper().startswith("SELECT")]) <= 11


def test_a_member_of_two_teams_counts_in_both(db: Database, clock: FakeClock,
                                              growth: Growth) -> None:
    with db.write() as session:
        ops = session.exec(select(Team).where(Team.name == "Ops")).one()
        session.add(TeamMember(team_id=ops.id, person_id=growth.person["Dee"]))
    ops_id = ops.id
    assert ops_id is not None
    digest = build_digest(db, clock, ops_id, **period())
    assert "Make onboarding effortless" in [o.title for o in digest.objectives]
    assert "Double qualified leads" not in [o.title for o in digest.objectives]
    assert [p.name for p in digest.not_checked_in] == ["Dee"]  # Zed checked in


@pytest.mark.parametrize(("locale", "line"), [
    ("en", "• _Leads per month_ (Ana): ✅ On track → ⚠️ At risk"),
    ("zh", "• _Leads per month_ （Ana）：✅ 进展顺利 → ⚠️ 有风险"),
])
def test_every_confidence_drop_of_the_period_is_listed(
    db: Database, clock: FakeClock, growth: Growth, locale: str, line: str
) -> None:
    said = {(growth.kr["monthly"], 1): "on_track", (growth.kr["monthly"], 18): "on_track",
            (growth.kr["monthly"], 23): "at_risk",  # fell this period
            (growth.kr["demos"], 1): "at_risk", (growth.kr["demos"], 26): "on_track"}  # rose
    with db.write() as session:
        for row in session.exec(select(CheckIn)):
            confidence = said.get((row.key_result_id, row.created_at.day))
            if confidence and row.created_at.month == 11:
                row.confidence = confidence
                session.add(row)
    digest = build_digest(db, clock, growth.team_id, **period())
    assert [(d.key_result_id, d.before, d.now) for d in digest.confidence_drops] == [
        (growth.kr["monthly"], "on_track", "at_risk")]
    posted = json.dumps(render_digest(Renderer(), digest, locale), ensure_ascii=False)
    assert line in posted
