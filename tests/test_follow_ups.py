"""bot/follow_ups.py: work after the answer runs in order on its own thread, a key waiting is
not queued twice, a failure is logged and does not stop what follows."""

from __future__ import annotations

import logging
import threading

import pytest

from bot.follow_ups import FollowUps


def test_work_waiting_under_a_key_is_not_queued_twice_and_runs_in_order() -> None:
    follow_ups = FollowUps()
    gate, ran = threading.Event(), []
    try:
        follow_ups.submit("busy", lambda: gate.wait(10))
        for key in ("home:A", "home:B", "home:A", "prompt:1", "home:B"):
            follow_ups.submit(key, lambda key=key: ran.append(key))
        assert ran == []  # held behind the busy one
    finally:
        gate.set()
    follow_ups.flush()
    assert ran == ["home:A", "home:B", "prompt:1"]
    follow_ups.submit("home:A", lambda: ran.append("home:A again"))  # it ran: queued anew
    follow_ups.flush()
    assert ran[-1] == "home:A again"
    follow_ups.close()


def test_a_failure_is_logged_and_what_follows_still_runs(
    caplog: pytest.LogCaptureFixture
) -> None:
    follow_ups = FollowUps()
    ran = []

    def broken() -> None:
        raise RuntimeError("Slack said no")

    with caplog.at_level(logging.ERROR, logger="bot.follow_ups"):
        follow_ups.submit("home:A", broken)
        follow_ups.submit("home:B", lambda: ran.append("home:B"))
        follow_ups.flush()
    assert ran == ["home:B"]
    assert [r.getMessage() for r in caplog.records] == ["follow-up home:A failed"]
    assert caplog.records[0].exc_info is not None
    follow_ups.close()


def test_inline_runs_at_once_in_the_callers_thread() -> None:
    follow_ups = FollowUps(inline=True)
    threads = []
    follow_ups.submit("home:A", lambda: threads.append(threading.current_thread()))
    assert threads == [threading.current_thread()]
