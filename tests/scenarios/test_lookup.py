"""`/okr` look-ups over signed HTTP: me, @colleague, team, #channel, tree — en and zh."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import select

from bot.blockkit import violations
from storage.models import Person, TeamMember
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed
from tests.slack_text import all_texts


@pytest.fixture
def world(seed: Seed) -> dict[str, Any]:
    """Ana (zh, Shanghai) and Ben (en, New York) in Growth; Q4 with an aligned tree."""
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    ben = seed.make_person("UBEN", name="Ben", tz="America/New_York", locale="en")
    company = seed.make_team("Acme")
    growth = seed.make_team("Growth", channel_id="CGROWTH", parent=company,
                            members=[ben], leads=[ana])
    q4 = seed.make_cycle()
    top = seed.make_objective("Be the most loved tool", owner=company, cycle=q4)
    team_o = seed.make_objective("Fill the pipeline", owner=growth, cycle=q4, parent=top,
                                 type="aspirational")
    seed.make_kr(team_o, "Qualified leads", target=600, current=450, unit="leads",
                 confidence="at_risk")
    ana_o = seed.make_objective("提升品牌曝光", owner=ana, cycle=q4, parent=team_o)
    seed.make_kr(ana_o, "官网月访问量", start=10000, target=15000, current=12500, unit="次")
    ben_o = seed.make_objective("Faster support", owner=ben, cycle=q4, parent=top,
                                type="learning")
    response = seed.make_kr(ben_o, "Response time", start=4, target=1, unit="h")
    # Checked in at 20:00 UTC on Nov 29: still Nov 29 in New York, already Nov 30 in Shanghai.
    seed.make_checkin(response, author=ben, value=2, confidence="on_track",
                      at=seed.clock.now() - timedelta(hours=13))
    seed.make_kr(ben_o, "Runbook published", kind="milestone", current=1)
    return {"ana": ana, "ben": ben, "growth": growth, "q4": q4}


def texts(payload: dict[str, Any]) -> str:
    """Every mrkdwn / plain text of a message's blocks, joined."""
    return "\n".join(all_texts(payload.get("blocks", [])))


# ---- me ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("world")
def test_my_okrs_show_type_score_colour_and_krs_in_english(harness: Harness) -> None:
    reply = harness.ask("")
    body = texts(reply)
    assert "Your OKRs" in reply["text"] and "2026-Q4" in reply["text"]
    assert "Faster support" in body and "_Learning_" in body
    # Response time 4 h → 1 h, now 2 h: 2/3; the milestone is done: (0.67 + 1) / 2 = 0.83.
    assert "score *0.83*" in body and "🟢" in body
    assert "`▓▓▓▓▓▓░░░░` 67%  Response time" in body
    assert "2 h, down to 1 h" in body and "✅ On track" in body
    assert "last check-in Nov 29" in body  # Ben's zone: the afternoon of Nov 29
    assert "✅ done" in body
    assert "Fill the pipeline" not in body  # only Ben's own


@pytest.mark.usefixtures("world")
def test_my_okrs_in_chinese_use_chinese_words_and_my_time_zone(harness: Harness) -> None:
    reply = harness.ask("", user_id="UANA")
    body = texts(reply)
    assert "我的 OKR" in reply["text"]
    assert "提升品牌曝光" in body and "_承诺型_" in body and "得分 *0.50*" in body
    assert "12,500 / 15,000次" in body and "尚未打卡" in body
    assert "🟡" in body


@pytest.mark.usefixtures("world")
def test_me_and_wo_are_the_same_as_no_word(harness: Harness) -> None:
    plain = harness.ask("")
    assert harness.ask("me") == plain
    assert harness.ask("我") == plain


# ---- @colleague ----------------------------------------------------------------------------


@pytest.mark.usefixtures("world")
def test_colleague_by_mention_with_and_without_name(harness: Harness) -> None:
    with_name = harness.ask("<@UANA|ana>")
    without = harness.ask("<@UANA>")
    assert with_name == without
    assert "*Ana's OKRs*" in with_name["text"]
    body = texts(with_name)
    assert "提升品牌曝光" in body and "_Committed_" in body  # the viewer's language


def test_a_lead_with_no_objective_of_their_own_shows_their_teams(
    harness: Harness, seed: Seed, world: dict[str, Any]
) -> None:
    emma = seed.make_person("UEMMA", name="Emma", locale="en")
    seed.make_team("Research", leads=[emma])
    with harness.deps.db.write() as session:
        session.add(TeamMember(team_id=world["growth"].id, person_id=emma.id, is_lead=True))
    harness.slack.workspace.add_user("UEMMA", "Emma")
    body = texts(harness.ask("<@UEMMA|emma>"))
    assert "Fill the pipeline" in body  # Growth's, which she leads
    assert "no OKRs" not in body


@pytest.mark.usefixtures("world")
def test_viewer_dates_follow_the_viewers_zone_not_the_owners(harness: Harness) -> None:
    ana_sees = texts(harness.ask("<@UBEN|ben>", user_id="UANA"))
    assert "最近打卡 11月30日" in ana_sees  # 20:00 UTC Nov 29 is 04:00 Nov 30 in Shanghai
    ben_sees = texts(harness.ask(""))
    assert "last check-in Nov 29" in ben_sees


@pytest.mark.usefixtures("world")
def test_colleague_not_met_yet_is_created_from_slack(harness: Harness) -> None:
    harness.slack.workspace.add_user("UCAT", "Cat", tz="Europe/Berlin", locale="en-GB")
    reply = harness.ask("<@UCAT|cat>")
    assert "Cat has no OKRs in 2026-Q4 yet — `/okr new` to write one." in texts(reply)
    with harness.deps.db.read() as session:
        cat = session.exec(select(Person).where(Person.slack_user_id == "UCAT")).one()
    assert (cat.name, cat.tz) == ("Cat", "Europe/Berlin")


@pytest.mark.usefixtures("world")
def test_unknown_user_gets_a_helpful_reply_and_nothing_is_written(harness: Harness) -> None:
    with harness.deps.db.read() as session:
        before = len(session.exec(select(Person)).all())
    reply = harness.ask("<@UGHOST|ghost>")
    assert "couldn't find @ghost" in reply["text"]
    zh = harness.ask("<@UGHOST>", user_id="UANA")
    assert "找不到这个人" in zh["text"]
    with harness.deps.db.read() as session:
        assert len(session.exec(select(Person)).all()) == before


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("text", "said"), [
    ("", "你在 2026-Q4 还没有 OKR"),
    ("<@UANA|ana>", "*Ana 的 OKR* · 2026-Q4"),
    ("team Growth", "*Growth 团队* · OKR · 2026-Q4"),
    ("<#CGROWTH|growth>", "*Growth 团队* · OKR · 2026-Q4"),
])
def test_an_asker_not_met_yet_is_met_once_and_answered_in_their_language(
    harness: Harness, text: str, said: str
) -> None:
    harness.slack.workspace.add_user("UDAN", "Dan", tz="Asia/Shanghai", locale="zh-CN")
    assert said in texts(harness.ask(text, user_id="UDAN"))
    assert said in texts(harness.ask(text, user_id="UDAN"))  # met: Slack is not asked again
    assert len(harness.slack.calls_to("users.info")) == 1
    with harness.deps.db.read() as session:
        dan = session.exec(select(Person).where(Person.slack_user_id == "UDAN")).one()
    assert (dan.name, dan.locale) == ("Dan", "zh")


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("text", ["", "<@UANA|ana>", "team Growth", "help"])
def test_an_asker_slack_does_not_know_gets_the_help_and_nothing_is_written(
    harness: Harness, text: str
) -> None:
    with harness.deps.db.read() as session:
        before = len(session.exec(select(Person)).all())
    reply = harness.ask(text, user_id="UGHOST")
    assert reply["text"] == "How to use /okr"  # in the default language
    with harness.deps.db.read() as session:
        assert len(session.exec(select(Person)).all()) == before


# ---- team and channel ----------------------------------------------------------------------


@pytest.mark.usefixtures("world")
def test_team_by_name_is_case_insensitive(harness: Harness) -> None:
    reply = harness.ask("team gROWTH")
    assert "*Team Growth*" in reply["text"]
    body = texts(reply)
    assert "Fill the pipeline" in body and "_Aspirational_" in body
    assert "450 / 600 leads" in body and "⚠️ At risk" in body
    assert "Faster support" not in body
    assert harness.ask("团队 growth", user_id="UANA")["text"].startswith("*Growth 团队*")


def test_team_names_fold_any_case_not_only_ascii(harness: Harness, seed: Seed) -> None:
    """SQLite's lower() folds ASCII only: "ÉQUIPE" must still find "Équipe Öst"."""
    seed.make_team("Équipe Öst")
    seed.make_team("Équipe Nord")
    seed.make_cycle()
    assert "*Team Équipe Öst*" in harness.ask("team ÉQUIPE ÖST")["text"]
    assert "*Team Équipe Öst*" in harness.ask("team équipe öst")["text"]


@pytest.mark.usefixtures("world")
def test_unknown_team_suggests_close_matches_then_known_names(harness: Harness) -> None:
    close = harness.ask("team grwth")
    assert "“grwth”" in texts(close) and "Did you mean: Growth?" in texts(close)
    far = harness.ask("team zebra", user_id="UANA")
    assert "我不知道叫“zebra”的团队" in texts(far)
    assert "我知道的团队：Acme、Growth" in texts(far)
    bare = harness.ask("team")
    assert "Which team?" in texts(bare) and "Acme, Growth" in texts(bare)


@pytest.mark.usefixtures("world")
def test_channel_shows_the_team_that_owns_it(harness: Harness) -> None:
    by_channel = harness.ask("<#CGROWTH|growth>")
    assert by_channel == harness.ask("team Growth")
    assert harness.ask("team <#CGROWTH>") == by_channel


@pytest.mark.usefixtures("world")
def test_channel_without_team_says_so(harness: Harness) -> None:
    reply = harness.ask("<#CRANDOM|random>")
    assert "No team has #random as its channel" in reply["text"]
    zh = harness.ask("<#CRANDOM>", user_id="UANA")
    assert "这个频道" in zh["text"]


# ---- tree ----------------------------------------------------------------------------------


@pytest.mark.usefixtures("world")
def test_tree_nests_objectives_from_the_company_down(harness: Harness) -> None:
    reply = harness.ask("tree")
    lines = texts(reply).splitlines()
    order = [next(i for i, line in enumerate(lines) if title in line)
             for title in ("Be the most loved tool", "Fill the pipeline", "提升品牌曝光",
                           "Faster support")]
    assert order == sorted(order)
    top, team, ana, ben = (lines[i] for i in order)
    assert top.startswith("⚪ *Be the most loved tool* · Acme · —")
    assert team.startswith("\u2003\u2003↳ 🟢 *Fill the pipeline* · Growth · 0.75")
    assert ana.startswith("\u2003\u2003\u2003\u2003↳ 🟡 *提升品牌曝光* · Ana · 0.50")
    assert ben.startswith("\u2003\u2003↳ 🟢 *Faster support* · Ben · 0.83")
    assert "对齐关系" in harness.ask("树", user_id="UANA")["text"]


def test_big_company_tree_is_truncated_within_block_kit_limits(
    harness: Harness, seed: Seed
) -> None:
    boss = seed.make_person("UBEN", name="Ben", locale="en")
    company = seed.make_team("Acme")
    q4 = seed.make_cycle()
    top = seed.make_objective("&" * 500, owner=company, cycle=q4)
    for n in range(400):
        seed.make_objective(f"<!channel> {n} " + "&" * 480, owner=boss, cycle=q4, parent=top,
                            position=n)
    reply = harness.ask("tree")
    assert len(reply["blocks"]) <= 50
    body = texts(reply)
    shown = body.count(" · Ben · ") + body.count(" · Acme · ")
    assert 100 <= shown < 401
    hint = "For one team, try `/okr team &lt;name&gt;`."
    assert f"…and {401 - shown} more Objectives. {hint}" in body
    assert "<!channel>" not in json.dumps(reply)


# ---- empty, unknown, no cycle ----------------------------------------------------------------


def test_empty_results_say_what_to_do(harness: Harness, seed: Seed) -> None:
    seed.make_person("UBEN", name="Ben")
    seed.make_person("UANA", name="Ana", locale="zh")
    seed.make_team("Quiet")
    seed.make_cycle()
    assert "You have no OKRs in 2026-Q4 yet — `/okr new` to write one." in texts(harness.ask(""))
    assert "Ana has no OKRs in 2026-Q4 yet" in texts(harness.ask("<@UANA|ana>"))
    assert "Team Quiet has no OKRs in 2026-Q4 yet" in texts(harness.ask("team quiet"))
    assert "还没有人写 OKR" in texts(harness.ask("tree", user_id="UANA"))
    assert "你在 2026-Q4 还没有 OKR" in texts(harness.ask("", user_id="UANA"))


def test_no_active_cycle_is_explained(harness: Harness, seed: Seed) -> None:
    seed.make_person("UBEN", name="Ben")
    seed.make_team("Growth")
    seed.make_cycle(state="closed")
    for text in ("", "tree", "team growth", "<@UBEN>"):
        assert "There is no active OKR cycle yet" in harness.ask(text)["text"]


@pytest.mark.usefixtures("world")
def test_unknown_word_gets_help_in_the_persons_language(harness: Harness) -> None:
    assert "I don't know `bananas`" in texts(harness.ask("bananas"))
    assert "我不认识 `香蕉`" in texts(harness.ask("香蕉", user_id="UANA"))


@pytest.mark.usefixtures("world")
def test_a_mistyped_verb_gets_a_suggestion_not_the_whole_help(harness: Harness) -> None:
    reply = texts(harness.ask("teem Growth"))
    assert reply == "I don't know `teem`. Did you mean `/okr team`? (`/okr help` lists everything.)"
    chinese = texts(harness.ask("chekin", user_id="UANA"))
    assert chinese.startswith("我不认识 `chekin`。你是想用 `/okr checkin` 吗？")
    assert "Here is what I can do" in texts(harness.ask("bananas"))  # nothing close: the help


# ---- limits and escaping -------------------------------------------------------------------


def test_five_objectives_of_four_krs_fit_one_message(harness: Harness, seed: Seed) -> None:
    ben = seed.make_person("UBEN", name="B" * 200, locale="en")
    q4 = seed.make_cycle()
    for o in range(5):
        objective = seed.make_objective(f"{o} " + "<&>" * 166, owner=ben, cycle=q4)
        for k in range(4):
            kr = seed.make_kr(objective, f"{k} " + "&" * 498, target=100, unit="<&>" * 10,
                              owner=seed.make_person(name="&" * 200))
            seed.make_checkin(kr, author=ben, value=50.5, confidence="off_track")
    reply = harness.ask("")
    assert violations(reply, "message") == []
    assert harness.slack.invalid == []
    assert texts(reply).count("🛑 Off track") == 20  # every KR, none dropped
    assert not any("more" in b.get("text", {}).get("text", "") for b in reply["blocks"])


def test_team_with_many_objectives_is_truncated_gracefully(harness: Harness, seed: Seed) -> None:
    seed.make_person("UBEN", name="Ben")
    team = seed.make_team("Big")
    q4 = seed.make_cycle()
    for o in range(30):
        objective = seed.make_objective(f"Objective {o}", owner=team, cycle=q4)
        for k in range(3):
            seed.make_kr(objective, f"KR {o}.{k}")
    reply = harness.ask("team big")
    assert len(reply["blocks"]) <= 50
    body = texts(reply)
    assert "Objective 0" in body and "Objective 29" not in body
    shown = sum(f"*Objective {o}*" in body for o in range(30))
    assert f"…and {30 - shown} more Objectives that don't fit here" in body


def test_names_and_titles_from_people_are_escaped(harness: Harness, seed: Seed) -> None:
    evil = "<!channel> <@U123> <https://evil|click> &amp; 中文 🚀"
    ben = seed.make_person("UBEN", name=evil, locale="en")
    team = seed.make_team(evil, channel_id="CEVIL", members=[ben])
    q4 = seed.make_cycle()
    top = seed.make_objective(evil, owner=team, cycle=q4)
    objective = seed.make_objective(evil, owner=ben, cycle=q4, parent=top)
    kr = seed.make_kr(objective, evil, unit="<!here>", owner=seed.make_person(name=evil))
    seed.make_checkin(kr, author=ben, value=5)
    for text in ("", "<@UBEN>", "<#CEVIL>", "tree", "team <!channel> <@U123> <https://evil|click>"
                 " &amp; 中文 🚀"):
        result = harness.sender.command(text, user_id="UBEN")
        raw = result.body
        reply = result.json()
        for bad in ("<!channel>", "<@U123>", "<https://evil", "<!here>"):
            assert bad not in raw and bad not in json.dumps(reply, ensure_ascii=False)
        body = texts(reply)
        assert "&lt;!channel&gt; &lt;@U123&gt; &lt;https://evil|click&gt; &amp;amp; 中文 🚀" in body
        assert violations(reply, "message") == []


@pytest.mark.parametrize(("user_id", "mark"), [
    ("UBEN", "⚠️ _aligns to nothing above_"), ("UANA", "⚠️ _未对齐到上级目标_")])
def test_tree_flags_a_team_objective_that_aligns_to_nothing_above(
    harness: Harness, seed: Seed, world: dict[str, Any], user_id: str, mark: str
) -> None:
    seed.make_objective("Run more webinars", owner=world["growth"], cycle=world["q4"])
    lines = texts(harness.ask("tree", user_id=user_id)).splitlines()
    loose = next(line for line in lines if "Run more webinars" in line)
    assert loose.endswith(mark)
    assert not any(mark in line for line in lines if "Fill the pipeline" in line)
    assert not any(mark in line for line in lines if "Be the most loved tool" in line)
