"""The App Home over signed HTTP: published on app_home_opened, Refresh, and publish_home."""

from __future__ import annotations

import json
from datetime import time
from typing import Any

from bot import ids
from bot.blockkit import violations
from handlers.home import publish_home
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed
from tests.scenarios.test_lookup import texts


def open_home(harness: Harness, user: str = "UBEN", count: int = 1, **kw: Any) -> dict[str, Any]:
    result = harness.sender.event({"type": "app_home_opened", "user": user, "channel": "D1",
                                   "tab": "home"}, **kw)
    assert result.status == 200
    call = harness.slack.wait_for("views.publish", count)[count - 1]
    assert call.args["user_id"] == user
    view = published(call.args)
    assert violations(view, "home") == []
    return view


def published(args: dict[str, Any]) -> dict[str, Any]:
    view = args["view"]
    return json.loads(view) if isinstance(view, str) else dict(view)


def buttons(view: dict[str, Any]) -> dict[str, str]:
    return {e["action_id"]: e["text"]["text"] for b in view["blocks"] if b["type"] == "actions"
            for e in b["elements"]}


def test_home_shows_my_okrs_next_checkin_and_my_team(harness: Harness, seed: Seed) -> None:
    ben = seed.make_person("UBEN", name="Ben", tz="America/New_York")
    other = seed.make_person(name="Dana")
    growth = seed.make_team("Growth", members=[ben, other])
    seed.make_schedule(growth, checkin_weekdays="tue", checkin_time=time(9, 30))
    q4 = seed.make_cycle()
    mine = seed.make_objective("Faster support", owner=ben, cycle=q4)
    kr = seed.make_kr(mine, "Response time", start=4, target=1, unit="h")
    seed.make_checkin(kr, author=ben, value=2.5, confidence="at_risk")
    team_o = seed.make_objective("Fill the pipeline", owner=growth, cycle=q4)
    seed.make_kr(team_o, "Leads", target=600, current=600, unit="leads")
    seed.make_objective("Dana's own", owner=other, cycle=q4)

    view = open_home(harness)
    body = texts(view)
    assert view["type"] == "home"
    # Next Tuesday 09:30 in New York (Mon 04:00 there now).
    assert "Next check-in: *Tue, Dec 1, 09:30*" in body
    assert buttons(view) == {ids.CHECKIN_OPEN: "Check in now", ids.HOME_REFRESH: "Refresh"}
    assert "*Your Objectives* · 2026-Q4" in body
    assert "🟡 *Faster support*" in body and "`▓▓▓▓▓░░░░░` 50%  Response time" in body
    assert "2.5 h, down to 1 h · ⚠️ At risk · last check-in Nov 30" in body
    assert "*Team Growth*" in body and "🟢 *Fill the pipeline*" in body
    assert "Dana's own" not in body
    assert body.index("Faster support") < body.index("Team Growth") < body.index("Fill the")


def test_home_is_in_chinese_for_a_chinese_speaker(harness: Harness, seed: Seed) -> None:
    seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    seed.make_cycle()
    view = open_home(harness, "UANA")
    body = texts(view)
    assert "我的 OKR" in body and "还没有打卡安排" in body
    assert "你在 2026-Q4 还没有 OKR" in body
    assert buttons(view)[ids.CHECKIN_OPEN] == "立即打卡"


def test_first_home_opening_meets_the_person_through_users_info(harness: Harness) -> None:
    view = open_home(harness, "UANA")  # the stand-in knows Ana; the database does not yet
    assert "目前还没有进行中的 OKR 周期" in texts(view)
    assert len(harness.slack.calls_to("users.info")) == 1


def test_messages_tab_publishes_nothing(harness: Harness, seed: Seed) -> None:
    seed.make_person("UBEN", name="Ben")
    harness.sender.event({"type": "app_home_opened", "user": "UBEN", "channel": "D1",
                          "tab": "messages"})
    open_home(harness)  # a later Home opening is the first publish
    assert len(harness.slack.calls_to("views.publish")) == 1


def test_a_retried_event_publishes_the_same_home_again(harness: Harness, seed: Seed) -> None:
    ben = seed.make_person("UBEN", name="Ben")
    seed.make_objective("Faster support", owner=ben, cycle=seed.make_cycle())
    first = open_home(harness, event_id="Ev1")
    again = open_home(harness, count=2, event_id="Ev1", retry_num=1)
    assert again == first


def test_refresh_button_and_publish_home_show_changes(harness: Harness, seed: Seed) -> None:
    ben = seed.make_person("UBEN", name="Ben")
    q4 = seed.make_cycle()
    before = open_home(harness)
    assert "You have no OKRs in 2026-Q4 yet" in texts(before)
    seed.make_objective("Faster support", owner=ben, cycle=q4)
    result = harness.sender.block_action(ids.HOME_REFRESH, "home", user_id="UBEN",
                                         container={"type": "view", "view_id": "VHOME"})
    assert result.status == 200
    after = published(harness.slack.wait_for("views.publish", 2)[1].args)
    assert "Faster support" in texts(after)
    seed.make_objective("Happier users", owner=ben, cycle=q4)
    assert publish_home(harness.deps, "UBEN") is True
    assert "Happier users" in texts(harness.slack.workspace.home["UBEN"])
    assert publish_home(harness.deps, "UNOBODY") is False


def test_a_full_home_stays_within_100_blocks(harness: Harness, seed: Seed) -> None:
    ben = seed.make_person("UBEN", name="<!channel> " + "&" * 180)
    q4 = seed.make_cycle()
    for o in range(5):
        objective = seed.make_objective(f"<!channel> {o} " + "&" * 480, owner=ben, cycle=q4)
        for k in range(4):
            seed.make_kr(objective, f"<@U123> {k} " + "&" * 480, current=30)
    for t in range(4):
        team = seed.make_team(f"Team{t} " + "&" * 150, members=[ben])
        for o in range(25):
            objective = seed.make_objective(f"T{t} objective {o}", owner=team, cycle=q4)
            seed.make_kr(objective, "KR")
    view = open_home(harness)
    assert harness.slack.invalid == []
    assert len(view["blocks"]) <= 100
    body = texts(view)
    assert body.count("&lt;!channel&gt; ") == 5 + 5  # every title and the owner line of each
    assert "<!channel>" not in json.dumps(view) and "<@U123>" not in json.dumps(view)
    assert "more — `/okr team" in body
    assert "…and 1 more of your teams" in body


def test_home_never_says_untrue_things_about_a_paused_lead(harness: Harness, seed: Seed) -> None:
    ben = seed.make_person("UBEN", name="Ben", tz="America/New_York")
    growth = seed.make_team("Growth", leads=[ben])
    seed.make_schedule(growth, checkin_weekdays="tue", checkin_time=time(9, 30))
    q4 = seed.make_cycle()
    team_o = seed.make_objective("Fill the pipeline", owner=growth, cycle=q4)
    seed.make_kr(team_o, "Leads", target=600, current=300, owner=ben)
    assert harness.sender.command("pause 2026-12-20", user_id="UBEN").status == 200
    body = texts(open_home(harness))
    # Paused, not "no schedule"; the team's Objective is under Ben's own, not "no OKRs".
    assert "You are away until *Dec 20*" in body and "No check-in schedule" not in body
    assert "Team Growth's Objectives are shown above" in body
    assert "has no OKRs" not in body
