"""A shell session: the real Bolt app, the shell's Slack, a movable clock, one person at a time.

Requests go into the app signed, as Slack sends them; what the app sends to Slack is kept in
the stand-in's workspace — every message to every channel and DM, each person's modal stack —
and handed to the console as `Output`s, each marked with who may see it.
"""

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
from bot.follow_ups import FollowUps, RunNow
from bot.rendering import Renderer
from bot.settings import Settings
from bot.shell.blocks_text import Button, Input
from bot.shell.people import find_people
from bot.shell.slack_standin import Call, SlackStandIn, decoded, dm_channel
from storage.db import Database, make_engine
from storage.models import Person

_ids = itertools.count(1)


@dataclass
class Output:
    """Something the bot showed: where (`ephemeral`, `dm`, `channel`, `modal`, `home`), what,
    and to whom (`audience`: a Slack user id, or "" for everyone in a channel)."""

    surface: str
    payload: dict[str, Any]
    channel: str = ""
    ts: str = ""
    view_id: str = ""
    updated: bool = False
    audience: str = ""


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
    _acked: list[Output] = field(default_factory=list)  # shown in the ack, not via the API

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

    def tz_of(self, user_id: str) -> str:
        user = self.standin.workspace.users.get(user_id)
        return str(user["tz"]) if user else "UTC"

    def find_people(self, text: str) -> list[str]:
        """Slack ids of the people `text` (`@name`, a name with spaces, a prefix, `U…`) may
        mean: one when it is clear, several when it is ambiguous, none when nobody."""
        return find_people(self.people(), text)

    def find_user(self, text: str) -> str | None:
        found = self.find_people(text)
        return found[0] if len(found) == 1 else None

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
        """Type `/okr <text>` as the current person (mentions already escaped)."""
        form = {
            "token": "shell", "team_id": "T0SHELL", "team_domain": "shell",
            "channel_id": dm_channel(self.user_id), "channel_name": "directmessage",
            "user_id": self.user_id, "user_name": self.name_of(self.user_id), "command": "/okr",
            "text": text, "api_app_id": "A0SHELL",
            "response_url": self.standin.response_url(f"cmd{next(_ids)}"),
            "trigger_id": self.standin.trigger(self.user_id),
        }
        ack = self._dispatch(urlencode(form), "application/x-www-form-urlencoded")
        if ack and (ack.get("blocks") or ack.get("text")):
            self._acked.append(Output("ephemeral", ack, audience=self.user_id))
        return ack

    def interact(self, payload: dict[str, Any]) -> dict[str, Any] | None:
        payload = {"team": {"id": "T0SHELL", "domain": "shell"}, "api_app_id": "A0SHELL",
                   "token": "shell", "trigger_id": self.standin.trigger(self.user_id),
                   "user": {"id": self.user_id, "username": self.name_of(self.user_id),
                            "team_id": "T0SHELL"}, **payload}
        return self._dispatch(urlencode({"payload": json.dumps(payload)}),
                              "application/x-www-form-urlencoded")

    def press(self, output: Output, button: Button) -> None:
        """Click `button` of `output` (a message, the App Home or the open modal)."""
        self._block_action(output, {"type": "button", "action_id": button.action_id,
                                    "block_id": button.block_id, "value": button.value})

    def choose(self, modal: Output, field_: Input, state: dict[str, Any]) -> None:
        """A form element outside an input block changed: Slack tells the app at once."""
        self._block_action(modal, {"action_id": field_.action_id, "block_id": field_.block_id,
                                   **state})

    def _block_action(self, output: Output, action: dict[str, Any]) -> None:
        payload: dict[str, Any] = {
            "type": "block_actions",
            "actions": [{**action, "action_ts": str(time.time())}],
            "response_url": self.standin.response_url(f"act{next(_ids)}"),
        }
        if output.surface in ("modal", "home"):
            stored = self.standin.workspace.views.get(output.view_id, output.payload)
            payload["view"] = {**stored, "id": output.view_id}
            payload["container"] = {"type": "view", "view_id": output.view_id}
        else:
            payload["container"] = {"type": "message", "message_ts": output.ts,
                                    "channel_id": output.channel}
            payload["channel"] = {"id": output.channel}
            payload["message"] = {**output.payload, "ts": output.ts}
        self.interact(payload)

    def modal(self) -> Output | None:
        """The modal the current person is looking at (the top of their stack)."""
        view = self.standin.workspace.top_view(self.user_id)
        if view is None:
            return None
        return Output("modal", view, view_id=str(view["id"]), audience=self.user_id)

    def submit(self, modal: Output, values: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
        """Press the modal's submit button with `values` as its state; Slack then applies the
        app's answer (errors, update, push, clear, or close)."""
        stored = self.standin.workspace.views.get(modal.view_id, modal.payload)
        ack = self.interact({"type": "view_submission", "response_urls": [],
                             "view": {**stored, "state": {"values": values}}})
        self.standin.answer_submission(self.user_id, modal.view_id, ack)
        return ack

    def close_modal(self) -> None:
        self.standin.close_view(self.user_id)

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
        """Turn the stand-in's new calls into outputs (kept for everyone); returns the new."""
        calls = self.standin.calls[self._seen:]
        self._seen += len(calls)
        new, self._acked = self._acked, []
        new += [o for o in (self._output_of(call) for call in calls) if o is not None]
        self.outputs.extend(new)
        return new

    def _output_of(self, call: Call) -> Output | None:
        args = decoded(call.args)
        if not call.ok:
            return None
        if call.method in ("chat.postMessage", "chat.update"):
            channel = str(args["channel"])
            ts = str((call.answer or {}).get("ts") or args.get("ts", ""))
            audience = self._dm_recipient(channel)
            return Output("dm" if audience else "channel", args, channel=channel, ts=ts,
                          updated=call.method == "chat.update", audience=audience)
        if call.method == "chat.postEphemeral":
            return Output("ephemeral", args, channel=str(args.get("channel", "")),
                          audience=str(args.get("user", "")))
        if call.method == "response_url":
            return Output("ephemeral", args, audience=self.user_id)
        if call.method == "views.publish":
            return Output("home", args["view"], view_id="VHOME",
                          audience=str(args.get("user_id", "")))
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

    def _dm_recipient(self, channel: str) -> str:
        """Whose DM with the bot `channel` is ("" for a channel)."""
        for user_id in self.standin.workspace.users:
            if dm_channel(user_id) == channel:
                return user_id
        return ""

    def close(self) -> None:
        self.standin.stop()
        self.deps.db.dispose()


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
                slack=make_web_client(settings), follow_ups=FollowUps(inline=True))
    app = create_app(deps, executor=RunNow())  # lazy listeners too, before the reply
    session = ShellSession(settings, standin, deps, app, clock, user_id="")
    session.sync_people()
    return session
