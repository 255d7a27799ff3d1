"""Turns at the interpreter (bot/turns.py): one thread at a time in a turn, given up only while
waiting and holding no database connection."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import text

from bot.turns import Turn, TurnTakingExecutor, current, given_up
from bot.wiring import serving_turns
from storage.db import Database, connections_held

WAIT_S = 10


def _enter_from_another_thread(turn: Turn) -> tuple[threading.Event, threading.Thread]:
    """A thread that takes `turn` and leaves it at once; the event says it got in."""
    entered = threading.Event()

    def take() -> None:
        with turn.taken():
            entered.set()

    thread = threading.Thread(target=take, daemon=True)
    thread.start()
    return entered, thread


def test_a_second_thread_waits_until_the_first_leaves_its_turn() -> None:
    turn = Turn()
    with turn.taken():
        assert current() is turn
        entered, thread = _enter_from_another_thread(turn)
        assert not entered.wait(0.3)
    assert entered.wait(WAIT_S)
    thread.join(WAIT_S)
    assert current() is None


def test_a_thread_waiting_outside_its_turn_lets_another_in_and_then_takes_it_back() -> None:
    turn = Turn()
    with turn.taken():
        with given_up():
            assert current() is None
            entered, thread = _enter_from_another_thread(turn)
            assert entered.wait(WAIT_S)
            thread.join(WAIT_S)
        assert current() is turn
        late, other = _enter_from_another_thread(turn)
        assert not late.wait(0.3)  # taken back: nobody else gets in
    assert late.wait(WAIT_S)
    other.join(WAIT_S)


def test_a_turn_taken_again_in_the_same_thread_does_not_wait_for_itself() -> None:
    turn = Turn()
    with turn.taken(), turn.taken(), Turn().taken():
        assert current() is turn


def test_giving_up_outside_any_turn_does_nothing() -> None:
    with given_up():
        assert current() is None


def test_connections_held_counts_this_threads_pooled_connections(db: Database) -> None:
    assert connections_held() == 0
    with db.read() as session:
        session.execute(text("SELECT 1"))
        assert connections_held() == 1
        with ThreadPoolExecutor(1) as other:
            assert other.submit(connections_held).result(WAIT_S) == 0
    assert connections_held() == 0


def test_a_thread_holding_a_database_connection_keeps_its_turn(db: Database) -> None:
    turn = Turn(lambda: connections_held() == 0)
    with turn.taken(), db.read() as session:
        session.execute(text("SELECT 1"))
        with given_up():
            assert current() is turn
            entered, thread = _enter_from_another_thread(turn)
            assert not entered.wait(0.3)
    assert entered.wait(WAIT_S)
    thread.join(WAIT_S)


def test_work_submitted_to_a_turn_taking_executor_runs_in_its_turn() -> None:
    turn = Turn()
    with ThreadPoolExecutor(2) as pool:
        executor = TurnTakingExecutor(pool, turn)
        assert executor.submit(current).result(WAIT_S) is turn
        assert pool.submit(current).result(WAIT_S) is None


def test_answers_and_the_work_after_them_take_turns_in_lanes_of_their_own() -> None:
    turns = serving_turns()
    assert turns.answers is not None and turns.after_answer is not None
    assert turns.answers is not turns.after_answer  # an ack never waits for after-work


def test_threads_get_the_turn_in_the_order_they_asked_for_it() -> None:
    turn, order = Turn(), []
    threads = []
    with turn.taken():
        for name in "abcde":
            asked = len(turn._waiting)
            thread = threading.Thread(target=_take_and_note, args=(turn, order, name))
            thread.start()
            _wait_until(lambda asked=asked: len(turn._waiting) > asked)
            threads.append(thread)
    for thread in threads:
        thread.join(WAIT_S)
    assert order == list("abcde")


def test_a_thread_taking_the_turn_back_waits_behind_those_that_asked_meanwhile() -> None:
    turn, order = Turn(), []
    with turn.taken():
        with given_up(), turn.taken():  # taken as another thread would: held while b asks
            b = threading.Thread(target=_take_and_note, args=(turn, order, "b"))
            b.start()
            _wait_until(lambda: len(turn._waiting) == 1)
        order.append("a")  # back in the turn only after b had it
    b.join(WAIT_S)
    assert order == ["b", "a"]


def _take_and_note(turn: Turn, order: list[str], name: str) -> None:
    with turn.taken():
        order.append(name)


def _wait_until(condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.001)
