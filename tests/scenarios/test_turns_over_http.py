"""Answers that take turns at the interpreter (bot/turns.py) still answer while one of them
waits on Slack: the real app over HTTP, with Slack's answer to one call held back."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from bot import ids
from tests.fakes.slack_api import Call
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed

WAIT_S = 10


@contextmanager
def held(harness: Harness, method: str) -> Iterator[threading.Event]:
    """Within the block the stand-in holds its answer to `method` (the event says one arrived);
    after it, the answer goes out."""
    arrived, released = threading.Event(), threading.Event()

    def hold(call: Call) -> None:
        if call.method == method:
            arrived.set()
            released.wait(WAIT_S)

    harness.slack.listeners.append(hold)
    try:
        yield arrived
    finally:
        released.set()


def test_a_look_up_is_answered_while_another_answer_waits_on_slack(
    harness: Harness, seed: Seed
) -> None:
    ana = seed.make_person("UANA", name="Ana")
    seed.make_person("UBEN", name="Ben")
    market = seed.make_objective("Win the market", owner=ana, cycle=seed.make_cycle())
    seed.make_kr(market, "Qualified leads", target=6000, current=1200)
    with ThreadPoolExecutor(1) as client:
        with held(harness, "views.open") as opening:
            checkin = client.submit(harness.sender.command, "checkin", user_id="UANA")
            assert opening.wait(WAIT_S)  # `/okr checkin` now waits on Slack for its modal
            lookup = harness.ask("<@UANA>", user_id="UBEN")
            assert not checkin.done()  # answered while the other still waited
        assert "Win the market" in json.dumps(lookup, ensure_ascii=False)
        assert checkin.result(WAIT_S).status == 200


def test_work_after_an_answer_goes_on_while_a_respond_waits_on_slack(
    harness: Harness, seed: Seed
) -> None:
    seed.make_person("UANA", name="Ana")
    seed.make_person("UBEN", name="Ben")
    with held(harness, "response_url") as responding:
        # "Remind me later" on a prompt that is gone: answered with `respond` after the ack
        assert harness.sender.block_action(ids.CHECKIN_LATER, "999999").status == 200
        assert responding.wait(WAIT_S)
        opened = harness.sender.event({"type": "app_home_opened", "user": "UBEN",
                                       "channel": "D1", "tab": "home"})
        assert opened.status == 200
        harness.slack.wait_for("views.publish", 1, timeout=WAIT_S)  # while `respond` waits
