"""A team that follows along (issue 15, point 8), over HTTP: off by default; `/okr schedule team
… follow on` (admins only, audited); then one post per check-in round in the team's channel and
one reply per person in its thread, only the team's KRs, in the channel's language."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlmodel import select

from storage.models import AuditLog, Cycle, Schedule, Team, TeamMember
from tests.scenarios.checkin_forms import answer_kr
from tests.scenarios.conftest import Harness
from tests.scenarios.test_checkin import World, build_world, full_answer, open_by_command, save
from tests.scenarios.test_help_requests import send_all

CHANNEL = "CGROWTH"


@pytest.fixture
def world(harness: Harness) -> World:
    built = build_world(harness)
    with harness.deps.db.write() as session:
        growth = session.exec(select(Team).where(Team.name == "Growth")).one()
        growth.slack_channel_id = CHANNEL
        session.add(growth)
        session.add(Schedule(team_id=growth.id or 0))
    built.seed.make_person("UADM", name="Ada", is_admin=True)
    return built


def schedule(harness: Harness, text: str, user: str) -> str:
    result = harness.sender.command(f"schedule {text}", user_id=user)
    assert result.status == 200
    return json.dumps(result.json()["blocks"], ensure_ascii=False)


def channel_posts(harness: Harness) -> list[dict[str, Any]]:
    return send_all(harness).get(CHANNEL, [])


def words(post: dict[str, Any]) -> str:
    return json.dumps(post["blocks"], ensure_ascii=False)


def test_off_by_default_nothing_reaches_the_channel(harness: Harness, world: World) -> None:
    save(harness, open_by_command(harness), full_answer(world))
    assert channel_posts(harness) == []


def test_only_an_admin_turns_it_on_and_the_schedule_says_so(
    harness: Harness, world: World
) -> None:
    assert "only an okr-bot admin" in schedule(harness, "team Growth follow on", "UBEN")
    with harness.deps.db.read() as session:
        assert not session.exec(select(Schedule)).one().follow_along
    saved = schedule(harness, "team Growth follow on", "UADM")
    assert "Follow-along: on" in saved
    with harness.deps.db.read() as session:
        assert session.exec(select(Schedule)).one().follow_along
        audits = [a.action for a in session.exec(select(AuditLog))]
    assert audits.count("schedule.update") == 1 and "schedule.refused" in audits
    assert "After `follow` write `on` or `off`" in schedule(harness, "team Growth follow maybe",
                                                          "UADM")
    assert "Follow-along: off" in schedule(harness, "team Growth follow off", "UADM")


def test_each_check_in_is_one_reply_in_the_rounds_thread(harness: Harness, world: World) -> None:
    schedule(harness, "team Growth follow on", "UADM")
    save(harness, open_by_command(harness), full_answer(world))
    ben: dict[str, Any] = {}
    answer_kr(ben, world.ben_kr.id, "150", confidence="at_risk", note="meetup moved")
    save(harness, open_by_command(harness, "UBEN"), ben, "UBEN")
    save(harness, open_by_command(harness), full_answer(world))  # Ana edits: no second reply
    [round_post, *replies] = channel_posts(harness)
    assert "thread_ts" not in round_post
    assert words(round_post).startswith('[{"type": "section", "text": {"type": "mrkdwn", '
                                        '"text": "📝 *Check-ins, week of Nov 30*')
    parent_ts = harness.slack.workspace.messages[CHANNEL][0]["ts"]
    assert [r["thread_ts"] for r in replies] == [parent_ts, parent_ts]
    ana, ben_reply = (words(r) for r in replies)
    assert "*Ana* checked in" in ana and "two webinars done" in ana
    assert "legal review of the landing page" in ana and "1,200 leads → 1,500 leads" in ana
    assert "*Ben* checked in" in ben_reply and "meetup moved" in ben_reply
    assert "Qualified leads" not in ben_reply


def test_a_kr_of_another_teams_objective_stays_out_of_the_thread(
    harness: Harness, world: World
) -> None:
    schedule(harness, "team Growth follow on", "UADM")
    design = world.seed.make_team("Design", members=[world.lia])
    with harness.deps.db.read() as session:
        cycle = session.get(Cycle, world.market.cycle_id)
    assert cycle is not None
    brand = world.seed.make_objective("A brand people remember", owner=design, cycle=cycle)
    logo = world.seed.make_kr(brand, "Logo recognition", target=80, current=20, owner=world.ana)
    state = full_answer(world)
    answer_kr(state, logo.id, "30", note="only for the design team to read")
    save(harness, open_by_command(harness), state)
    [_, reply] = channel_posts(harness)
    assert "Qualified leads" in words(reply)
    assert "Logo recognition" not in words(reply)
    assert "only for the design team" not in words(reply)


def test_the_thread_speaks_the_channels_language_and_escapes_what_people_typed(
    harness: Harness, world: World
) -> None:
    with harness.deps.db.write() as session:
        lee = session.exec(select(TeamMember).where(TeamMember.person_id == world.lee.id)).one()
        session.delete(lee)  # Lia (zh) is now the lead whose language the channel reads
    schedule(harness, "team Growth follow on", "UADM")
    state = full_answer(world)
    answer_kr(state, world.leads.id, "1600", note="<!channel> see <https://evil|here>")
    save(harness, open_by_command(harness), state)
    [round_post, reply] = channel_posts(harness)
    assert "11月30日这一周的打卡" in words(round_post)
    text = words(reply)
    assert "*Ana* 在" in text and "打了卡" in text
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text
