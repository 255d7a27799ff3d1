"""A small OKR world for the edit scenarios, and Slack modal state as the client sends it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlmodel import col, select

from storage.db import Database
from storage.models import (
    AuditLog,
    Cycle,
    KeyResult,
    KRValueHistory,
    Objective,
    Person,
    Team,
)
from tests.scenarios.conftest import Harness
from tests.scenarios.seed import Seed

NEW = "okr.new.submit"
EDIT = "okr.edit.submit"


@dataclass
class World:
    """Company ⊃ Marketing. Ana (zh) is in Marketing, Lee leads it, Ben (en) is elsewhere."""

    cycle: Cycle
    company: Team
    marketing: Team
    ana: Person
    ben: Person
    lee: Person
    admin: Person
    company_goal: Objective
    marketing_goal: Objective
    ana_goal: Objective
    reads: KeyResult
    launch: KeyResult


def build_world(harness: Harness) -> World:
    seed = Seed(harness.deps.db, harness.deps.clock)
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh")
    ben = seed.make_person("UBEN", name="Ben", tz="America/New_York", locale="en")
    lee = seed.make_person("ULEE", name="Lee", locale="en")
    admin = seed.make_person("UADM", name="Ada", locale="en", is_admin=True)
    company = seed.make_team("Company")
    marketing = seed.make_team("Marketing", parent=company, members=[ana], leads=[lee])
    seed.make_team("Engineering", parent=company, members=[ben])
    cycle = seed.make_cycle()
    company_goal = seed.make_objective("Be the brand readers trust", owner=company, cycle=cycle)
    marketing_goal = seed.make_objective("Grow our readership", owner=marketing, cycle=cycle,
                                         parent=company_goal)
    ana_goal = seed.make_objective("让更多读者读到我们的文章", owner=ana, cycle=cycle,
                                   parent=marketing_goal)
    reads = seed.make_kr(ana_goal, "公众号文章累计阅读量", start=0, target=50000, unit="次",
                         owner=ana)
    launch = seed.make_kr(ana_goal, "新版网站上线", kind="milestone", owner=ana)
    return World(cycle, company, marketing, ana, ben, lee, admin, company_goal,
                 marketing_goal, ana_goal, reads, launch)


def text_input(value: str) -> dict[str, Any]:
    return {"type": "plain_text_input", "value": value or None}


def picked(value: str | None) -> dict[str, Any]:
    option = {"value": value, "text": {"type": "plain_text", "text": "x"}} if value else None
    return {"type": "static_select", "selected_option": option}


def new_state(
    title: str, krs: Sequence[tuple[str, str, str, str]], *, owner: str = "me",
    parent: str | None = None, type_: str = "committed", description: str = "",
    kinds: Sequence[str] = (),
) -> dict[str, dict[str, Any]]:
    """state.values of the new-Objective modal; each KR is (title, start, target, unit)."""
    state: dict[str, dict[str, Any]] = {
        "title": {"title": text_input(title)},
        "description": {"description": text_input(description)},
        "type": {"type": {"type": "radio_buttons",
                          "selected_option": {"value": type_}}},
        "owner": {"owner": picked(owner)},
        "parent": {"parent": picked(parent)},
    }
    for n in range(1, 5):
        kr_title, start, target, unit = krs[n - 1] if n <= len(krs) else ("", "", "", "")
        kind = kinds[n - 1] if n <= len(kinds) else "metric"
        for name, element in (("title", text_input(kr_title)), ("kind", picked(kind)),
                              ("start", text_input(start)), ("target", text_input(target)),
                              ("unit", text_input(unit))):
            state[f"kr{n}_{name}"] = {f"kr{n}_{name}": element}
    return state


def edit_state(view: dict[str, Any], **changes: str) -> dict[str, dict[str, Any]]:
    """state.values of an edit modal as opened (initial values), with `changes` by block id
    (a checkbox block's change: the ticked values joined with ",")."""
    state: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        block_id = block["block_id"]
        if element["type"] == "plain_text_input":
            value = changes.get(block_id, element.get("initial_value", ""))
            state[block_id] = {element["action_id"]: text_input(value)}
        elif element["type"] == "users_select":
            user = changes.get(block_id, element.get("initial_user"))
            state[block_id] = {element["action_id"]: {"type": "users_select",
                                                      "selected_user": user or None}}
        elif element["type"] == "checkboxes":
            ticked = changes.get(block_id)
            options = ([{"value": v} for v in ticked.split(",") if v] if ticked is not None
                       else element.get("initial_options", []))
            state[block_id] = {element["action_id"]: {"type": "checkboxes",
                                                      "selected_options": options}}
        else:
            initial = (element.get("initial_option") or {}).get("value")
            value = changes.get(block_id, initial)
            state[block_id] = {element["action_id"]: {"type": element["type"],
                                                      "selected_option": {"value": value}
                                                      if value else None}}
    return state


def opened_view(harness: Harness, callback_id: str) -> dict[str, Any]:
    """The last view with `callback_id` the app opened, as the stand-in keeps it (id, hash)."""
    views = [v for v in harness.slack.workspace.views.values()
             if v.get("callback_id") == callback_id]
    assert views, f"no {callback_id} view was opened"
    return views[-1]


def objectives_titled(db: Database, title: str) -> list[Objective]:
    with db.read() as session:
        return list(session.exec(select(Objective).where(Objective.title == title)))


def audit_rows(db: Database, action: str | None = None) -> list[AuditLog]:
    with db.read() as session:
        query = select(AuditLog).order_by(col(AuditLog.id))
        if action is not None:
            query = query.where(AuditLog.action == action)
        return list(session.exec(query))


def krs_of(db: Database, objective_id: int) -> list[KeyResult]:
    with db.read() as session:
        query = select(KeyResult).where(KeyResult.objective_id == objective_id)
        return list(session.exec(query.order_by(col(KeyResult.position))))


def target_history(db: Database, kr_id: int) -> list[float | None]:
    with db.read() as session:
        query = select(KRValueHistory).where(KRValueHistory.key_result_id == kr_id)
        rows = session.exec(query.order_by(col(KRValueHistory.at), col(KRValueHistory.id)))
        return [r.target_value for r in rows if r.target_value is not None]



def open_edit(harness: Harness, user: str, objective_id: int) -> dict[str, Any]:
    """Click an Objective's Edit button; the edit modal it opened."""
    result = harness.sender.block_action(f"okr.edit.{objective_id}", str(objective_id),
                                         user_id=user, channel_id="C0GENERAL")
    assert result.status == 200
    return opened_view(harness, EDIT)


def submit(harness: Harness, view: dict[str, Any], state: dict[str, Any],
           user: str) -> dict[str, Any]:
    """Submit a modal over HTTP; the ack's JSON ({} for an empty ack)."""
    result = harness.sender.view_submission(view, state, user_id=user)
    assert result.status == 200
    return result.json() or {}


def save(harness: Harness, view: dict[str, Any], state: dict[str, Any],
         user: str) -> dict[str, Any]:
    """Submit; when the coach answers with warnings, confirm by submitting again."""
    ack = submit(harness, view, state, user)
    if ack.get("view", {}).get("callback_id") in (NEW, EDIT):
        ack = submit(harness, {**ack["view"], "id": view["id"], "hash": "h-confirm"}, state,
                     user)
    assert ack["view"]["title"]["text"] in ("Saved", "已保存"), ack
    return ack
