"""The routing page (handlers/__init__.py): every way into okr-bot is listed there once, and
points at a module-level function of a handlers module."""

from __future__ import annotations

import importlib
import inspect
import logging
import re
from pathlib import Path
from typing import cast

import pytest
from slack_bolt import App

from bot import ids
from bot.deps import Deps
from bot.rendering import TEMPLATES_DIR
from handlers import register_all
from handlers.routing import Routes, ack_at_once, logging_failures

CJK = re.compile(r"[\u4e00-\u9fff]")
# An interactive element of a template and the id it carries: `ids.NAME`, maybe `~ "." ~ id`.
BUTTON = re.compile(
    r'"type": "(?:button|checkboxes|overflow)"[^{}]*?"action_id": \{\{ \(?ids\.(\w+)')
CALLBACK = re.compile(r'"callback_id": \{\{ ids\.(\w+)')


@pytest.fixture(scope="module")
def routes() -> Routes:
    app = App(token="xoxb-test", signing_secret="s" * 32, token_verification_enabled=False)
    return register_all(app, cast(Deps, object()))


def _templates() -> str:
    return "\n".join(p.read_text(encoding="utf-8") for p in TEMPLATES_DIR.rglob("*.j2"))


def test_every_listener_is_a_module_level_function_of_a_handlers_module(routes: Routes) -> None:
    verbs = list(routes.commands.verbs.values())
    for function in [r.listener for r in routes.routes] + verbs:
        module = importlib.import_module(function.__module__)
        assert module.__name__.startswith("handlers."), function
        assert getattr(module, function.__name__) is function, f"{function.__qualname__} is nested"


def test_every_verb_can_be_typed_in_english_and_in_chinese(routes: Routes) -> None:
    assert len(routes.verbs) >= 15
    for names in routes.verbs:
        assert any(CJK.search(name) for name in names), names
        assert any(name.isascii() for name in names), names


def test_every_button_and_modal_a_template_sends_has_a_route(routes: Routes) -> None:
    text = _templates()
    buttons = set(BUTTON.findall(text))
    modals = set(CALLBACK.findall(text))
    assert {"CHECKIN_OPEN", "OKR_EDIT", "REVIEW_CARRY"} <= buttons
    assert {"CHECKIN_SUBMIT", "OKR_NEW_SUBMIT"} <= modals
    for kind, names in (("action", buttons), ("view", modals)):
        for name in names:
            value = getattr(ids, name)
            assert any(r.kind == kind and (r.matches(value) or r.matches(f"{value}.12"))
                       for r in routes.routes), f"no {kind} route for ids.{name}"


def test_the_page_lists_each_route_on_a_line_of_its_own() -> None:
    page = Path(importlib.import_module("handlers").__file__ or "").read_text(encoding="utf-8")
    lines = [line.strip() for line in page.splitlines() if line.strip().startswith("on.")]
    app = App(token="xoxb-test", signing_secret="s" * 32, token_verification_enabled=False)
    routes = register_all(app, cast(Deps, object()))
    assert len(lines) == len(routes.routes) + len(routes.verbs) + 1  # + the fallback


def test_okr_is_the_first_listener_bolt_tries() -> None:
    """Bolt matches listeners in the order they were registered: `/okr`, the most frequent
    request, is tried first, and the modal submissions before the buttons."""
    app = App(token="xoxb-test", signing_secret="s" * 32, token_verification_enabled=False)
    routes = register_all(app, cast(Deps, object()))
    names = [getattr(listener.ack_function, "__name__", "") for listener in app._listeners]
    assert names[0] == "on_okr"
    kinds = [route.kind for route in routes.routes]
    assert kinds == sorted(kinds, key=["view", "event", "action"].index)


def test_listeners_whose_work_may_outlast_the_answer_are_lazy(routes: Routes) -> None:
    """The app answers when its listener returns (bot/app.py): the Home's event and Refresh,
    the prompt's Later and Skip and the other `after_ack` routes are acked at once by Bolt and
    run as its lazy listeners."""
    after_ack = {r.listener.__name__ for r in routes.routes if r.after_ack}
    assert {"on_home_opened", "on_refresh", "on_later", "on_skip_week"} <= after_ack
    app = routes.app
    lazy = {f.__name__ for listener in app._listeners for f in listener.lazy_functions}
    assert lazy == after_ack
    for listener in app._listeners:
        if listener.lazy_functions:
            assert listener.ack_function is ack_at_once


def test_a_listener_failing_after_its_ack_is_logged_with_its_traceback(
        caplog: pytest.LogCaptureFixture) -> None:
    def on_click(body: dict[str, str]) -> None:
        raise RuntimeError(body["boom"])

    logged = logging_failures(on_click)
    assert inspect.getfullargspec(inspect.unwrap(logged)).args == ["body"]  # what Bolt reads
    with caplog.at_level(logging.ERROR, logger="handlers.routing"):
        logged(body={"boom": "the database went away"})
    [record] = caplog.records
    assert "on_click failed after its ack" in record.getMessage()
    assert record.exc_info is not None and "the database went away" in str(record.exc_info[1])
