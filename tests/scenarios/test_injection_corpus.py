"""An injection corpus through every path that shows what people typed: nothing unescaped
reaches Slack.

Names, team names, Objective and KR titles and check-in notes carry `<!channel>`, `<!here>`,
`<!everyone>`, `<@U…>`, `<#C…>`, `<https://x|y>`, `&`, zero-width and right-to-left characters
and 3,000-character texts. Then: `/okr` look-ups (person, team, tree, unknown words), the
check-in prompt, the check-in summary, the help alert, the digest (preview and channel post),
the coach's warnings in `/okr new` and the App Home. Every mrkdwn text of every ack and of
every call the Slack stand-in received may hold only the bot's own control sequences
(mentions of stored people, links to stored channels) and only the entities &amp; &lt; &gt;.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from bot import ids
from bot.delivery.claims import Pacing
from bot.delivery.sender import Sender
from bot.deps import make_web_client
from bot.rendering import Renderer
from bot.services.schedules.planner import plan_now
from bot.settings import load_settings
from storage.models import Delivery
from storage.queries.outbox import enqueue
from tests.scenarios.checkin_forms import State, notes
from tests.scenarios.conftest import Harness
from tests.scenarios.okr_edit_support import new_state, opened_view
from tests.scenarios.seed import Seed
from tests.slack_text import mrkdwn_strings, unsafe

CORPUS = ["<!channel>", "<!here>", "<!everyone>", "<@U0EVIL>", "<#C0EVIL>",
          "<https://evil.example|click here>", "Tom & Jerry &amp; co", "zero\u200bwidth\u200d",
          "\u202eright-to-left\u202c", "<!subteam^S0EVIL>", "a > b < c"]
MIXED = " ".join(CORPUS)
LONG = (MIXED + " 长文本 ") * (3000 // (len(MIXED) + 5))  # just under 3,000 characters
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
VIEW_METHODS = ("views.open", "views.update", "views.push", "views.publish")
PEOPLE = {"UEVE", "ULEE"}
CHANNELS = {"CGROWTH"}


def problems_in(text: str) -> list[str]:
    return unsafe(text, people=PEOPLE, channels=CHANNELS)


def decoded(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value


def sent_payloads(harness: Harness) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for call in harness.slack.calls:
        if call.method in MESSAGE_METHODS:
            out.append((call.method, {k: decoded(v) for k, v in call.args.items()
                                      if k in ("text", "blocks", "attachments")}))
        elif call.method in VIEW_METHODS:
            out.append((call.method, decoded(call.args["view"])))
    return out


def test_nothing_people_typed_reaches_slack_unescaped(harness: Harness) -> None:
    db, clock = harness.deps.db, harness.deps.clock
    seed = Seed(db, clock)
    eve = seed.make_person("UEVE", name="Eve <!channel> & <@U0EVIL>", locale="en")
    lee = seed.make_person("ULEE", name="Lee <!here> \u202eevil\u202c", locale="zh")
    team_name = "R&D <!everyone> <#C0EVIL>"
    team = seed.make_team(team_name, channel_id="CGROWTH", members=[eve, lee], leads=[lee])
    seed.make_schedule(team)
    cycle = seed.make_cycle()
    team_goal = seed.make_objective("<https://evil.example|click> team goal & more",
                                    owner=team, cycle=cycle)
    seed.make_kr(team_goal, "<#C0EVIL> shipped", kind="milestone", owner=lee)
    goal = seed.make_objective(((MIXED + " ") * 4)[:500], owner=eve, cycle=cycle, parent=team_goal)
    leads = seed.make_kr(goal, "Leads <@U0EVIL> \u200b&", target=600, unit="<&>", owner=eve)
    seed.make_kr(goal, "Ship <!everyone>", kind="milestone", owner=eve)
    seed.make_checkin(leads, author=eve, value=90, blockers=LONG, help_needed=MIXED,
                      at=clock.now() - timedelta(days=2))
    acks: list[tuple[str, Any]] = []

    def command(text: str, user: str) -> None:
        answer = harness.sender.command(text, user_id=user)
        assert answer.status == 200, text
        acks.append((f"/okr {text}", answer.json()))

    # Look-ups: a person, oneself, the tree, a team by name, unknown words and people.
    for text, user in (("<@UEVE|eve>", "ULEE"), ("", "UEVE"), ("tree", "ULEE"),
                       (f"team {team_name}", "UEVE"), ("team <#C0EVIL> & <!here>", "UEVE"),
                       ("<!channel>", "UEVE"), ("<https://evil.example|x>", "ULEE"),
                       ("<@U0EVIL>", "UEVE")):
        command(text, user)

    # The check-in prompt, the form opened from it, the summary and the help alert.
    plan_now(db, clock, team_ids=[team.id or 0])
    settings = load_settings(slack_bot_token="xoxb-test", slack_api_url=harness.slack.url,
                             _env_file=None)
    sender = Sender(db, clock, make_web_client(settings, retries=False, timeout=5), Renderer(),
                    grace=timedelta(hours=6), pacing=Pacing(per_minute=600))
    assert sender.tick().sent == 2
    with db.read() as session:
        prompt = session.get(Delivery, 1)
        assert prompt is not None and prompt.person_id == eve.id
    opened = harness.sender.block_action(ids.CHECKIN_OPEN, str(prompt.id), user_id="UEVE")
    assert opened.status == 200
    form = opened_view(harness, ids.CHECKIN_SUBMIT)
    state: State = {f"{ids.CHECKIN_VALUE}.{leads.id}": {
        f"{ids.CHECKIN_VALUE}.{leads.id}": {"type": "plain_text_input", "value": "120"}},
        f"{ids.CHECKIN_PROGRESS}.{leads.id}": {
        f"{ids.CHECKIN_PROGRESS}.{leads.id}": {"type": "plain_text_input", "value": LONG}}}
    notes(state, blockers=LONG, blocker_krs=[leads.id], help_needed=LONG, help_kr=leads.id)
    submitted = harness.sender.view_submission(form, state, user_id="UEVE")
    assert submitted.json() == {"response_action": "clear"}
    harness.slack.wait_for("chat.update")
    clock.advance(timedelta(seconds=2))  # one post a second to Lee's DM
    assert sender.tick().sent == 1  # the help alert to Lee

    # The digest: Lee's preview, and the channel post through the outbox.
    command("digest", "ULEE")
    harness.slack.wait_for("response_url")
    with db.write() as session:
        enqueue(session, kind="digest", dedupe_key="digest:corpus", due_at=clock.now(),
                team_id=team.id, channel_id="CGROWTH",
                payload={"period": 1,
                         "period_start": (clock.now() - timedelta(days=14)).isoformat(),
                         "period_end": clock.now().isoformat()})
    assert sender.tick().sent == 1

    # The coach's warnings on a new Objective, and the App Home.
    command("new", "UEVE")
    new_form = opened_view(harness, ids.OKR_NEW_SUBMIT)
    warned = harness.sender.view_submission(
        new_form,
        new_state(MIXED, [("写10篇文章 " + MIXED, "0", "10", "篇"), (MIXED, "0", "5", "&")]),
        user_id="UEVE")
    assert warned.json()["response_action"] == "update", warned.json()
    acks.append(("okr.new.submit", warned.json()))
    before = len(harness.slack.calls_to("views.publish"))
    harness.sender.event({"type": "app_home_opened", "user": "UEVE", "tab": "home"})
    harness.slack.wait_for("views.publish", before + 1)

    payloads = acks + sent_payloads(harness)
    problems = {(where, problem, text[:120])
                for where, payload in payloads
                for text in mrkdwn_strings(payload)
                for problem in problems_in(text)}
    assert sorted(problems) == [], "\n".join(map(str, sorted(problems)))
    assert harness.slack.invalid == []
    # Every path ran and showed the corpus, escaped (so the checks above had something to read).
    shown = {where for where, payload in payloads
             if any("&lt;!" in t for t in mrkdwn_strings(payload))}
    assert {"/okr <@UEVE|eve>", "/okr ", "/okr tree", f"/okr team {team_name}",
            "/okr <!channel>", "okr.new.submit", "chat.postMessage", "chat.update",
            "response_url", "views.publish"} <= shown, shown
