"""The shape of the Slack payloads okr-bot reads, checked before any listener runs.

A signed payload still comes from a program that can be wrong (or from someone who holds the
signing secret). Bolt and the handlers read fields such as `user.id`, `actions[0].action_id`,
`view.state.values` and `event.user` as Slack documents them; a field of another type would
surface as a TypeError deep in a listener. This one function says what is wrong with a payload
in a short phrase (never quoting it), or None when the fields that are present have the types
Slack sends.
"""

from __future__ import annotations

from typing import Any

_TEXT_FIELDS = ("type", "user_id", "channel_id", "team_id", "command", "text", "trigger_id",
                "response_url", "callback_id", "event_id", "api_app_id", "token", "challenge")
_OBJECT_FIELDS = ("channel", "container", "message", "enterprise")
_ACTION_TEXT = ("action_id", "block_id", "value", "type", "action_ts", "selected_user")
_VIEW_TEXT = ("id", "hash", "callback_id", "private_metadata", "type", "root_view_id")
_HOME_EVENT_TEXT = ("user", "channel", "tab")  # app_home_opened, the one event subscribed


def shape_problem(body: dict[str, Any]) -> str | None:
    """What is wrong with the types in `body`, or None when it is shaped as Slack sends it."""
    problem = _fields(body, "", _TEXT_FIELDS, str) or _fields(body, "", _OBJECT_FIELDS, dict)
    if problem:
        return problem
    checks = (
        ("user", _user), ("team", _team), ("actions", _actions), ("view", _view),
        ("event", _event),
    )
    for name, check in checks:
        if name in body:
            problem = check(body[name])
            if problem:
                return f"{name}: {problem}"
    if body.get("type") in ("view_submission", "view_closed"):
        view = body.get("view")
        if not isinstance(view, dict) or not all(isinstance(view.get(k), str)
                                                 for k in ("id", "type", "callback_id")):
            return "view: no id, type or callback_id"
    return None


def _fields(obj: dict[str, Any], prefix: str, names: tuple[str, ...], kind: type) -> str | None:
    for name in names:
        if name in obj and obj[name] is not None and not isinstance(obj[name], kind):
            return f"{prefix}{name} is not {'text' if kind is str else 'an object'}"
    return None


def _user(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "not an object"
    if not isinstance(value.get("id"), str):
        return "no id"
    return None


def _team(value: Any) -> str | None:
    return None if value is None or isinstance(value, dict) else "not an object"


def _actions(value: Any) -> str | None:
    if not isinstance(value, list) or not value:
        return "not a non-empty list"
    for action in value:
        if not isinstance(action, dict):
            return "an action is not an object"
        problem = _fields(action, "", _ACTION_TEXT, str)
        if problem:
            return problem
        if not isinstance(action.get("selected_option"), dict | None):
            return "selected_option is not an object"
        if not isinstance(action.get("selected_options", []), list):
            return "selected_options is not a list"
    return None


def _view(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "not an object"
    problem = _fields(value, "", _VIEW_TEXT, str)
    if problem:
        return problem
    state = value.get("state", {})
    if not isinstance(state, dict) or not isinstance(state.get("values", {}), dict):
        return "state is not an object"
    for block in state.get("values", {}).values():
        if not isinstance(block, dict) or not all(isinstance(e, dict) for e in block.values()):
            return "a state value is not an object"
    return None


def _event(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "not an object"
    if not isinstance(value.get("type"), str):
        return "no type"
    if value["type"] == "app_home_opened":
        return _fields(value, "", _HOME_EVENT_TEXT, str)
    return None
