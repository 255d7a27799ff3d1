"""A shell session: the real Bolt app, a Slack stand-in, a movable clock, one person at a time."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App
from slack_bolt.request import BoltRequest
from sqlmodel import select

from bot.app import create_app
from bot.clock import FakeClock
from bot.deps import Deps, make_web_client
from bot.rendering import Renderer
from bot.settings import Settings
from bot.shell.slack_standin import Call, SlackStandIn
from storage.db import Database, make_engine
from storage.models import Person

_ids = itertools.count(1)


@dataclass
class Output:
    """Something the bot showed: where (`ephemeral`, `dm`, `#C…`, `modal`, `home`) and what."""

    surface: str
    payload: dict[str, Any]
    channel: str = ""
    ts: str = ""
    view_id: str = ""
    updated: bool = False


@dataclass
class ShellSession:
    """Everything `okr-bot shell` drives. Build it with `open_session`; close with `close`."""

    settings: Settings
    standin: SlackStandIn
    deps: Deps
    app: App
    clock: FakeClock
    user_id: str
    outputs: list[Output] = field(default_factory=list)
    upload_dir: Path = Path("okr-shell-files")  # where files the bot uploads are saved
    _seen: int = 0
    _shown: int = 0

    # ---- who ---------------------------------------------------------------------------
    def people(self) -> list[Person]:
        with self.deps.db.read() as session:
            return list(session.exec(select(Person).order_by(Person.name)).all())

    def sync_people(self) -> None:
        """Let the stand-in's users.info answer for everyone in the database."""
        for person in self.people():
            self.standin.workspace.add_user(person.slack_user_id, person.name, tz=person.tz,
                                            locale=person.locale)

    def name_of(self, user_id: str) -> str:
        user = self.standin.workspace.users.get(user_id)
        return str(user["name"]) if user else user_id

    def find_user(self, text: str) -> str | None:
        """A Slack id from `@name`, `name` or `U…`."""
        wanted = text.strip().lstrip("@").lower()
        for person in self.people():
            if wanted in (person.slack_user_id.lower(), person.name.lower()):
                return person.slack_user_id
        for person in self.people():
            words = person.name.lower().split()
            if wanted and any(word.startswith(wanted) for word in words):
                return person.slack_user_id
        return None

    # ---- requests into the app ---------------------------------------------------------
    def _dispatch(self, body: str, content_type: str) -> dict[str, Any] | None:
        timestamp = str(int(time.time()))
        secret = self.settings.slack_signing_secret
        assert secret is not None
        signature = "v0=" + hmac.new(
            secret.get_secret_value().encode(), f"v0:{timestamp}:{body}".encode(), hashlib.sha256
        ).hexdigest()
        response = self.app.dispatch(BoltRequest(body=body, headers={
            "content-type": content_type, "x-slack-request-timestamp": timestamp,
            "x-slack-signature": signature,
        }))
        if response.status != 200:
            raise RuntimeError(f"the app answered {response.status}: {response.body}")
        return json.loads(response.body) if response.body else None

    def command(self, text: str) -> dict[str, Any] | None:
        """Type `/okr <text>` as the current person, with mentions escaped as Slack does."""
        form = {
            "token": "shell", "team_id": "T0SHELL", "team_domain": "shell",
            "channel_id": "D" + self.user_id[1:], "channel_name": "directmessage",
            "user_id": self.user_id, "user_name": self.name_of(self.user_id), "command": "/okr",
            "text": self._escape_mentions(text), "api_app_id": "A0SHELL",
            "response_url": self.standin.response_url(f"cmd{next(_ids)}"),
            "trigger_id": f"shell.{next(_ids)}",
        }
        ack = self._dispatch(urlencode(form), "application/x-www-form-urlencoded")
        if ack and (ack.get("blocks") or ack.get("text") or ack.get("response_action")):
            self.outputs.append(Output("ephemeral", ack))
        return ack

    def _escape_mentions(self, text: str) -> str:
        words = []
        for word in text.split():
            if word.startswith("@") and (user := self.find_user(word)):
                word = f"<@{user}|{self.name_of(user)}>"
            elif word.startswith("#") and (channel := self._channel_of(word[1:])):
                word = f"<#{channel}|{word[1:]}>"
            words.append(word)
        return " ".join(words)

    def _channel_of(self, name: str) -> str | None:
        return name if name.startswith("C") and name.isalnum() else None

    def interact(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        payload = {"team": {"id": "T0SHELL", "domain": "shell"}, "api_app_id": "A0SHELL",
                   "token": "shell", "trigger_id": f"shell.{next(_ids)}",
                   "user": {"id": self.user_id, "username": self.name_of(self.user_id),
                            "team_id": "T0SHELL"}, **payload}
        return self._dispatch(urlencode({"payload": json.dumps(payload)}),
                              "application/x-www-form-urlencoded")

    def press(self, output: Output, action_id: str, value: str, block_id: str) -> None:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "actions": [{"type": "button", "action_id": action_id, "block_id": block_id,
                         "value": value, "action_ts": str(time.time())}],
            "response_url": self.standin.response_url(f"act{next(_ids)}"),
        }
        if output.surface in ("modal", "home"):
            payload["view"] = {**output.payload, "id": output.view_id}
            payload["container"] = {"type": "view", "view_id": output.view_id}
        else:
            payload["container"] = {"type": "message", "message_ts": output.ts,
                                    "channel_id": output.channel}
            payload["channel"] = {"id": output.channel}
            payload["message"] = {**output.payload, "ts": output.ts}
        self.interact(payload)

    def submit(self, view: Output, values: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
        stored = self.standin.workspace.views.get(view.view_id, view.payload)
        ack = self.interact({"type": "view_submission", "response_urls": [],
                             "view": {**stored, "state": {"values": values}}})
        if ack and ack.get("response_action") == "update":
            self.outputs.append(Output("modal", ack["view"], view_id=view.view_id))
        return ack

    def open_home(self) -> None:
        self._dispatch(json.dumps({
            "token": "shell", "team_id": "T0SHELL", "api_app_id": "A0SHELL",
            "type": "event_callback", "event_id": f"EvShell{next(_ids)}",
            "event_time": int(time.time()),
            "event": {"type": "app_home_opened", "user": self.user_id, "channel": "D0HOME",
                      "tab": "home", "event_ts": str(time.time())},
        }), "application/json")

    # ---- what came back -----------------------------------------------------------------
    def collect(self) -> list[Output]:
        """Turn the stand-in's new calls into outputs; returns the new ones."""
        calls = self.standin.calls[self._seen:]
        self._seen += len(calls)
        start = self._shown
        for call in calls:
            output = self._output_of(call)
            if output is not None:
                self.outputs.append(output)
        self._shown = len(self.outputs)
        return self.outputs[start:]

    def _output_of(self, call: Call) -> Output | None:
        args = _decode(call.args)
        if not call.ok:
            return None
        if call.method == "chat.postMessage":
            message = self.standin.workspace.messages.get(str(args["channel"]), [])
            ts = message[-1]["ts"] if message else ""
            surface = "dm" if str(args["channel"]).startswith("D") else "channel"
            return Output(surface, args, channel=str(args["channel"]), ts=ts)
        if call.method == "chat.update":
            surface = "dm" if str(args["channel"]).startswith("D") else "channel"
            return Output(surface, args, channel=str(args["channel"]), ts=str(args["ts"]),
                          updated=True)
        if call.method in ("chat.postEphemeral", "response_url"):
            return Output("ephemeral", args)
        if call.method in ("views.open", "views.push", "views.update"):
            view_id = str(args.get("view_id") or self._newest_view_id())
            return Output("modal", args["view"], view_id=view_id)
        if call.method == "views.publish":
            return Output("home", args["view"], view_id="VHOME")
        if call.method == "files.completeUploadExternal":
            return self._saved_files(args)
        return None

    def _saved_files(self, args: dict[str, Any]) -> Output:
        """An upload (the digest's chart) as Slack shows it: the comment, and where the shell
        saved each file so it can be opened."""
        listed = json.loads(args["files"]) if isinstance(args.get("files"), str) else []
        lines = [str(args.get("initial_comment", ""))]
        self.upload_dir.mkdir(parents=True, exist_ok=True)
        for entry in listed:
            stored = self.standin.workspace.files.get(str(entry.get("id")), {})
            path = self.upload_dir / f"{stored.get('id', 'file')}-{stored.get('name', 'upload')}"
            path.write_bytes(stored.get("content") or b"")
            lines.append(f"📎 {stored.get('title', '')}: saved to {path.resolve()}")
        blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": line}} for line in lines]
        return Output("channel", {"text": "\n".join(lines), "blocks": blocks},
                      channel=str(args.get("channel_id", "")))

    def _newest_view_id(self) -> str:
        return list(self.standin.workspace.views)[-1] if self.standin.workspace.views else ""

    def close(self) -> None:
        self.standin.stop()
        self.deps.db.dispose()


def _decode(args: dict[str, Any]) -> dict[str, Any]:
    out = dict(args)
    for key in ("blocks", "view", "metadata"):
        if isinstance(out.get(key), str):
            out[key] = json.loads(out[key])
    return out


def open_session(database_url: str, *, clock: FakeClock, default_locale: str = "en",
                 default_timezone: str = "UTC") -> ShellSession:
    """Start the stand-in and build the real app against it."""
    standin = SlackStandIn().start()
    settings = Settings(
        slack_bot_token="xoxb-shell",  # noqa: S106 - a local stand-in's token
        slack_signing_secret=secrets.token_hex(16),
        slack_api_url=standin.url,
        database_url=database_url,
        default_locale=default_locale,
        default_timezone=default_timezone,
        _env_file=None,
    )
    deps = Deps(settings=settings, db=Database(make_engine(database_url)), clock=clock,
                renderer=Renderer(default_locale=settings.default_locale),
                slack=make_web_client(settings))
    app = create_app(deps, process_before_response=True)
    session = ShellSession(settings, standin, deps, app, clock, user_id="")
    session.sync_people()
    return session
