"""`/okr digest` over signed HTTP: an ephemeral preview in the caller's language, nothing posted.

The ack is empty (a big team's digest may take longer than Slack's 3 s to build); the preview
comes through the command's response_url.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlmodel import select

from bot.digest_render import render_digest
from bot.services.digest.on_demand import TeamRef, digest_now, resolve_team
from storage.models import Delivery, Person
from tests.scenarios.conftest import Harness
from tests.services.digest_seed import seed_growth_team, seed_team_of
from tests.slack_text import all_texts


def texts(reply: dict[str, Any]) -> str:
    return "\n".join(all_texts(reply))


def preview(harness: Harness, text: str, user_id: str) -> list[dict[str, Any]]:
    """Send `/okr <text>`; the messages that came back through the response_url."""
    result = harness.sender.command(text, user_id=user_id)
    assert (result.status, result.body) == (200, "")
    first = harness.slack.wait_for("response_url")[0].args
    parts = 1
    match = re.search(r"gets it as (\d+) messages|分 (\d+) 条消息", texts(first))
    if match:
        parts = int(match.group(1) or match.group(2))
    calls = harness.slack.wait_for("response_url", count=min(parts, 5))
    for call in calls:
        assert call.args["response_type"] == "ephemeral"
    return [call.args for call in calls]


def assert_nothing_posted(harness: Harness) -> None:
    assert harness.slack.invalid == []
    assert harness.slack.calls_to("chat.postMessage") == []
    with harness.deps.db.read() as session:
        assert session.exec(select(Delivery).where(Delivery.kind != "checkin")).all() == []


def test_lead_previews_the_team_digest_in_chinese(harness: Harness) -> None:
    seed_growth_team(harness.deps.db)
    [reply] = preview(harness, "digest", "ULIN")
    text = texts(reply)
    assert reply["text"].startswith("Growth 的 OKR 周报")
    assert "预览：只有你能看到" in text
    # since the last scheduled digest (Fri Nov 20 16:00 UTC) until now
    assert "11月20日 – 11月30日" in text
    assert "• <@UANA> 在 _Leads per month_ 上受阻：CRM export broken &lt;!channel&gt; &amp; " \
           "&lt;@U123&gt; &lt;https://evil|click&gt; &amp;amp;" in text
    assert "• <@UBEN> 在 _Conversion rate_ 上需要帮助：Need a design review of the funnel " \
           "→ <@ULIN>" in text
    assert "*⏰ 本期未打卡*\n<@UDEE>、<@UFAY>" in text  # Fay's last check-in was the 16th
    assert "<!channel>" not in str(reply) and "<@U123>" not in str(reply)
    assert_nothing_posted(harness)


def test_member_previews_in_english_with_the_chinese_verb(harness: Harness) -> None:
    seed_growth_team(harness.deps.db)
    [reply] = preview(harness, "周报", "UBEN")
    text = texts(reply)
    assert reply["text"].startswith("OKR digest for Growth")
    assert "Preview: only you can see this. The channel gets it as one message." in text
    assert "• _Conversion rate_ (Ben): score 0.50 → 0.10" in text
    assert "• _Sign partners_: target changed from 5 to 8 (Lin, Nov 24)" in text
    assert_nothing_posted(harness)


def test_another_team_by_name_ignoring_case(harness: Harness) -> None:
    seed_growth_team(harness.deps.db)
    [reply] = preview(harness, "digest ops", "UZED")
    text = texts(reply)
    assert reply["text"].startswith("OKR digest for Ops")
    assert "Ops-only blocker" in text and "Leads per month" not in text
    assert_nothing_posted(harness)


def test_another_teams_digest_shows_its_numbers_but_not_its_words(harness: Harness) -> None:
    """Free text is for the team, its leads, admins and the person asked (README table)."""
    seed_growth_team(harness.deps.db)
    [reply] = preview(harness, "digest growth", "UZED")  # Ops' lead, not in Growth
    text = texts(reply)
    assert reply["text"].startswith("OKR digest for Growth")
    assert "Leads per month" in text and "score 0.50 → 0.10" in text  # numbers are public
    for words in ("CRM export broken", "design review", "waiting on legal", "webinar"):
        assert words not in text


def test_an_admin_reads_another_teams_words(harness: Harness) -> None:
    seed_growth_team(harness.deps.db)
    with harness.deps.db.write() as session:
        zed = session.exec(select(Person).where(Person.slack_user_id == "UZED")).one()
        zed.is_admin = True
        session.add(zed)
    admin = texts(preview(harness, "digest growth", "UZED")[0])
    assert "CRM export broken" in admin and "design review" in admin
    assert "*📝 Progress notes*" in admin
    assert "on _Demos booked_: Two demos booked from the webinar" in admin


def test_unknown_team_is_answered_in_the_callers_language(harness: Harness) -> None:
    seed_growth_team(harness.deps.db)
    english = harness.sender.command("digest <!channel> team", user_id="UBEN").json()
    assert english["response_type"] == "ephemeral"
    text = texts(english)
    assert "There is no team called “&lt;!channel&gt; team”" in text
    assert "Teams I know: Growth, Ops" in text
    chinese = texts(harness.sender.command("周报 Nope", user_id="ULIN").json())
    assert "没有名为“Nope”的团队" in chinese and "我知道的团队：Growth、Ops" in chinese
    typo = texts(harness.sender.command("digest grwth", user_id="UBEN").json())
    assert "Did you mean: Growth?" in typo  # as `/okr team` and `/okr schedule` answer
    assert_nothing_posted(harness)


def test_someone_in_no_team_is_told_how_to_name_one(harness: Harness) -> None:
    seed_growth_team(harness.deps.db)
    now = datetime(2026, 11, 30, tzinfo=UTC)
    with harness.deps.db.write() as session:
        session.add(Person(slack_user_id="UNOTEAM", name="Noa", locale="zh", created_at=now,
                           updated_at=now))
    reply = harness.sender.command("digest", user_id="UNOTEAM").json()
    assert "你还不在任何团队中" in texts(reply)
    assert_nothing_posted(harness)


def test_a_huge_teams_preview_shows_the_thread_replies_too(harness: Harness) -> None:
    seed_team_of(harness.deps.db, 200, name="Huge", blocker="<&>" * 100)
    first, *replies = preview(harness, "digest", "UHUGELEAD")
    match = re.search(r"The channel gets it as (\d+) messages", texts(first))
    assert match is not None
    parts = int(match.group(1))
    assert parts >= 2 and len(replies) == min(parts, 5) - 1
    for number, reply in enumerate(replies, start=2):
        assert reply["replace_original"] is False
        assert f"({number}/{parts})" in reply["text"]
    assert all(len(p["blocks"]) <= 50 for p in [first, *replies])
    assert_nothing_posted(harness)


def test_read_in_my_language_shows_the_channel_digest_privately(harness: Harness) -> None:
    seed_growth_team(harness.deps.db)
    team = resolve_team(harness.deps.db, name="Growth")
    assert isinstance(team, TeamRef)
    view = digest_now(harness.deps.db, harness.deps.clock, team).view
    post = render_digest(harness.deps.renderer, view, "zh")[0]  # the lead reads Chinese
    [button] = [e for b in post["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert button["text"]["text"] == "用我的语言阅读 · Read in my language"

    result = harness.sender.block_action(button["action_id"], button["value"], user_id="UBEN")
    assert (result.status, result.body) == (200, "")
    reply = harness.slack.wait_for("response_url")[0].args
    assert reply["response_type"] == "ephemeral" and reply["replace_original"] is False
    assert reply["text"].startswith("OKR digest for Growth")  # Ben reads English
    assert "CRM export broken &lt;!channel&gt;" in texts(reply)
    assert all(b["type"] != "actions" for b in reply["blocks"])  # no button on the copy
    assert harness.slack.invalid == []
    assert harness.slack.calls_to("chat.postMessage") == []  # nothing new in the channel

    bad = harness.sender.block_action(button["action_id"], "nonsense", user_id="UBEN")
    assert bad.status == 200
    assert len(harness.slack.calls_to("response_url")) == 1  # a bad value shows nothing
