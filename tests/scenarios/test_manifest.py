"""`app_manifest.yml` is code: valid, minimal, and in step with the listeners and API calls."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from bot import ids
from tests.scenarios.conftest import Harness

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / "app_manifest.yml").read_text(encoding="utf-8"))
REFDATA = ROOT.parent / "shared" / "refdata"
CALL = re.compile(r"\.((?:chat|users|conversations|views|files)_[A-Za-z0-9_]+)\b")
CODE_DIRS = ("bot", "handlers")
SKIP_FILES = {"standin.py"}  # the stand-in answers these methods; it does not call them

# Bot scopes each Web API method needs, as Slack's method reference lists them (any one of them
# will do); `refdata` is checked against this table where it is present.
METHOD_SCOPES: dict[str, set[str]] = {
    "chat.postMessage": {"chat:write"},
    "chat.update": {"chat:write"},
    "chat.postEphemeral": {"chat:write"},
    "users.info": {"users:read"},
    "conversations.open": {"im:write"},
    "conversations.history": {"im:history", "channels:history", "groups:history"},
    "conversations.replies": {"im:history", "channels:history", "groups:history"},
    "views.open": set(),
    "views.update": set(),
    "views.push": set(),
    "views.publish": set(),
    "files.getUploadURLExternal": {"files:write"},
    "files.completeUploadExternal": {"files:write"},
}
# slack-sdk helpers that call several Web API methods.
SDK_HELPERS = {
    "files.upload_v2": ("files.getUploadURLExternal", "files.completeUploadExternal"),
}
# Ids of fields inside `input` blocks: they are read from view state, never sent as actions.
INPUT_ONLY = {
    ids.CHECKIN_VALUE, ids.CHECKIN_CONFIDENCE, ids.CHECKIN_PROGRESS, ids.CHECKIN_BLOCKERS,
    ids.CHECKIN_HELP, ids.CHECKIN_WHOM, ids.REVIEW_SCORE, ids.REVIEW_CAUSE, ids.REVIEW_NOTE,
    ids.REVIEW_WORKED, ids.REVIEW_KEEP, ids.REVIEW_AVOID, ids.REVIEW_LEARNED,
}


def methods_called_by_the_code() -> set[str]:
    found = set()
    for folder in CODE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            if path.name in SKIP_FILES:
                continue
            for name in CALL.findall(path.read_text(encoding="utf-8")):
                family, method = name.split("_", 1)
                found.update(SDK_HELPERS.get(f"{family}.{method}", (f"{family}.{method}",)))
    return found


def test_manifest_is_valid_against_slacks_schema_where_the_schema_is_at_hand() -> None:
    schema_file = REFDATA / "slack-manifest-schema" / "schemas" / "manifest.schema.1.0.0.json"
    if not schema_file.exists():
        pytest.skip("Slack's manifest schema (shared/refdata) is not beside this checkout")
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(MANIFEST, json.loads(schema_file.read_text(encoding="utf-8")))


def test_the_slash_command_the_home_tab_and_interactivity_are_declared() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == ids.COMMAND
    assert command["should_escape"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == ["app_home_opened"]
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is False


def test_every_method_the_code_calls_is_known_to_this_test() -> None:
    unknown = methods_called_by_the_code() - set(METHOD_SCOPES)
    assert unknown == set(), f"add these methods and their scopes to METHOD_SCOPES: {unknown}"


def test_every_scope_the_code_needs_is_declared_and_no_more() -> None:
    declared = set(MANIFEST["oauth_config"]["scopes"]["bot"])
    called = methods_called_by_the_code()
    for method in called:
        needed = METHOD_SCOPES[method]
        assert not needed or needed & declared, f"{method} needs one of {needed}"
    used = {"commands"} | {s for m in called for s in METHOD_SCOPES[m]}
    assert declared - used == set(), "declared but never used"


def test_scope_table_agrees_with_slacks_method_reference_where_at_hand() -> None:
    methods_dir = REFDATA / "slack-docs-reference-json" / "methods"
    if not methods_dir.exists():
        pytest.skip("Slack's method reference (shared/refdata) is not beside this checkout")
    for method, scopes in METHOD_SCOPES.items():
        reference = json.loads((methods_dir / f"{method}.json").read_text(encoding="utf-8"))
        assert scopes <= set(reference["scope"].get("bot", [])), method


@pytest.mark.parametrize("name", sorted(ids.ALL))
def test_every_interactive_id_has_a_listener(harness: Harness, name: str) -> None:
    """Bolt answers 404 to an interactive request no listener matches."""
    value = ids.ALL[name]
    if value in INPUT_ONLY:
        return
    if value.endswith(".submit"):
        view = {"id": "V1", "hash": "h1", "type": "modal", "callback_id": value,
                "private_metadata": "", "blocks": []}
        result = harness.sender.view_submission(view, {}, user_id="UBEN")
        assert result.status != 404, f"no listener for view {value}"
        return
    # Buttons use the id itself, or the id with a row id appended ("okr.edit.<objective id>").
    statuses = {harness.sender.block_action(action, "1", user_id="UBEN").status
                for action in (value, value + ".1")}
    assert statuses != {404}, f"no listener for action {value}"
