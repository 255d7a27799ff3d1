"""The manifest `okr-bot manifest` prints is code: valid against Slack's schema, minimal, and in
step with the listeners and API calls; `app_manifest.yml` is its output for the example URL."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from bot import ids
from bot.cli import main
from bot.commands.manifest import BOT_EVENTS, BOT_SCOPES, build_manifest
from tests.scenarios.conftest import Harness

ROOT = Path(__file__).resolve().parents[2]
MANIFEST = yaml.safe_load((ROOT / "app_manifest.yml").read_text(encoding="utf-8"))
# Slack's reference data (schema, method reference): `shared/` beside the checkout, as CI lays
# it out, or the workplace's copy.
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if p.is_dir()),
              ROOT.parent / "shared")
REFDATA = SHARED / "refdata"
MANIFEST_SCHEMA = REFDATA / "slack-manifest-schema" / "schemas" / "manifest.schema.1.0.0.json"
EVENT = re.compile(r"\.event\(\s*[\"']([a-z_]+)[\"']")
CALL = re.compile(r"\.((?:chat|users|conversations|views|files)_[A-Za-z0-9_]+)\b")
CODE_DIRS = ("bot", "handlers")
SKIP_FILES = {"slack_standin.py"}  # the stand-in answers these methods; it does not call them

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
    ids.CHECKIN_BLOCKER_KRS, ids.CHECKIN_HELP, ids.CHECKIN_HELP_KR, ids.CHECKIN_WHOM,
    ids.REVIEW_SCORE, ids.REVIEW_CAUSE, ids.REVIEW_NOTE,
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


def printed(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with redirect_stdout(out):
        assert main(["manifest", *args]) == 0
    loaded: dict[str, Any] = yaml.safe_load(out.getvalue())
    return loaded


@pytest.mark.parametrize("args", [("--url", "https://okr.example.com/"), ("--socket",),
                                  ("--url", "https://example.org/okr", "--format", "json")])
def test_printed_manifests_are_valid_against_slacks_schema(args: tuple[str, ...]) -> None:
    assert MANIFEST_SCHEMA.is_file(), (
        f"Slack's manifest schema is missing: expected {MANIFEST_SCHEMA} (shared/refdata "
        "beside the checkout)")
    jsonschema.validate(printed(*args), json.loads(MANIFEST_SCHEMA.read_text(encoding="utf-8")))


def test_app_manifest_yml_is_what_the_command_prints_for_the_example_url() -> None:
    assert printed("--url", "https://okr.example.com") == MANIFEST
    assert build_manifest(url="https://okr.example.com") == MANIFEST


def test_the_url_is_used_in_every_place_slack_sends_requests() -> None:
    manifest = printed("--url", "https://okr.example.org/base/")
    target = "https://okr.example.org/base/slack/events"
    assert manifest["features"]["slash_commands"][0]["url"] == target
    assert manifest["settings"]["event_subscriptions"]["request_url"] == target
    assert manifest["settings"]["interactivity"]["request_url"] == target
    assert manifest["settings"]["socket_mode_enabled"] is False


def test_the_socket_mode_manifest_has_no_urls() -> None:
    manifest = printed("--socket")
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "https://" not in json.dumps(manifest)
    assert manifest["settings"]["interactivity"] == {"is_enabled": True}


@pytest.mark.parametrize("url", ["http://okr.example.com", "okr.example.com",
                                 "https://okr.example.com/?x=1"])
def test_a_url_slack_cannot_use_is_refused_in_one_line(
    url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["manifest", "--url", url]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("okr-bot manifest: --url ")


def test_the_slash_command_the_home_tab_and_interactivity_are_declared() -> None:
    [command] = MANIFEST["features"]["slash_commands"]
    assert command["command"] == ids.COMMAND
    assert command["should_escape"] is True
    assert MANIFEST["features"]["app_home"]["home_tab_enabled"] is True
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True
    assert MANIFEST["settings"]["socket_mode_enabled"] is False


def test_the_events_declared_are_those_the_handlers_listen_to() -> None:
    listened = {name for path in (ROOT / "handlers").rglob("*.py")
                for name in EVENT.findall(path.read_text(encoding="utf-8"))}
    assert listened == set(BOT_EVENTS)
    assert MANIFEST["settings"]["event_subscriptions"]["bot_events"] == list(BOT_EVENTS)


def test_every_method_the_code_calls_is_known_to_this_test() -> None:
    unknown = methods_called_by_the_code() - set(METHOD_SCOPES)
    assert unknown == set(), f"add these methods and their scopes to METHOD_SCOPES: {unknown}"


def test_every_scope_the_code_needs_is_declared_and_no_more() -> None:
    declared = set(BOT_SCOPES)
    assert MANIFEST["oauth_config"]["scopes"]["bot"] == list(BOT_SCOPES)
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
