"""The shell's Slack: a stand-in for the Slack Web API, a real HTTP server on 127.0.0.1.

`okr-bot shell` points `SLACK_API_URL` at it. It keeps a small workspace as Slack would —
users, every message in every channel and DM, ephemeral notes, views with each person's modal
stack, the App Home, uploaded files — records every call with its decoded body, and refuses
Block Kit that breaks Slack's limits. Tests and benchmarks extend it with faults and pacing
(tests/fakes/slack_api.py); nothing here is for them alone.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from bot.blockkit import Surface, violations

VIEW_SURFACES: dict[str, Surface] = {
    "views.open": "modal",
    "views.update": "modal",
    "views.push": "modal",
    "views.publish": "home",
}
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")
MAX_STACK = 3  # Slack keeps at most three views in a modal's stack


@dataclass
class Call:
    """One request the stand-in received."""

    method: str
    args: dict[str, Any]
    ok: bool = True
    error: str | None = None
    answer: dict[str, Any] | None = None  # what the stand-in answered, when it did


@dataclass
class Reply:
    """How the HTTP server answers a call; `answer=False` drops the connection unanswered."""

    status: int
    body: dict[str, Any] | None
    headers: dict[str, str] = field(default_factory=dict)
    answer: bool = True


@dataclass
class Workspace:
    """The state the stand-in keeps."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    stacks: dict[str, list[str]] = field(default_factory=dict)  # user → open view ids, top last
    home: dict[str, dict[str, Any]] = field(default_factory=dict)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # by file id, with "content"

    def add_user(
        self, user_id: str, name: str, *, tz: str = "UTC", locale: str = "en-US", **extra: Any
    ) -> None:
        self.users[user_id] = {"id": user_id, "name": name, "real_name": name, "tz": tz,
                               "locale": locale, **extra}

    def top_view(self, user_id: str) -> dict[str, Any] | None:
        """The modal `user_id` is looking at, if any."""
        stack = self.stacks.get(user_id) or []
        return self.views.get(stack[-1]) if stack else None


class SlackStandIn:
    """Start with `start()`, stop with `stop()`; `url` is the base for `WebClient(base_url=…)`."""

    def __init__(self, *, bot_user_id: str = "UBOT") -> None:
        self.workspace = Workspace()
        self.bot_user_id = bot_user_id
        self.calls: list[Call] = []
        self.invalid: list[tuple[str, list[str]]] = []
        self._lock = threading.Condition()
        # Ids unique across runs, as Slack's are: a shell database outlives the stand-in.
        self._run = secrets.token_hex(3).upper()
        self._epoch = int(time.time())
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self._triggers: dict[str, str] = {}  # trigger id → the user who caused it
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def response_url(self, name: str = "r") -> str:
        return self.url.replace("/api/", f"/response/{name}")

    def start(self) -> SlackStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    # ---- what Slack does on the person's side -----------------------------------------------
    def trigger(self, user_id: str) -> str:
        """A trigger id for an interaction by `user_id` (views.open/push find the user by it)."""
        trigger_id = f"{next(self._ids)}.shell.{user_id}"
        with self._lock:
            self._triggers[trigger_id] = user_id
        return trigger_id

    def answer_submission(self, user_id: str, view_id: str, ack: dict[str, Any] | None) -> None:
        """Apply an app's answer to a view submission as Slack does: `update` replaces the
        submitted view, `push` adds one on top, `clear` closes them all, `errors` keeps the
        view; anything else closes the submitted view (the one below shows again)."""
        action = (ack or {}).get("response_action")
        with self._lock:
            stack = self.workspace.stacks.setdefault(user_id, [])
            if action == "errors":
                return
            if action == "update":
                self._store_view(view_id, ack["view"] if ack else {})
            elif action == "push" and len(stack) < MAX_STACK:
                stack.append(self._store_view(None, ack["view"] if ack else {})["id"])
            elif action == "clear":
                stack.clear()
            elif view_id in stack:
                del stack[stack.index(view_id):]

    def close_view(self, user_id: str) -> None:
        """The person pressed the modal's Close: the view below, if any, shows again."""
        with self._lock:
            stack = self.workspace.stacks.get(user_id) or []
            if stack:
                stack.pop()

    def _store_view(self, view_id: str | None, view: dict[str, Any]) -> dict[str, Any]:
        view_id = view_id or f"V{self._run}{next(self._ids):06d}"
        stored = {**view, "id": view_id, "hash": f"{self._run}.{next(self._ids)}"}
        self.workspace.views[view_id] = stored
        return stored

    # ---- the Web API ---------------------------------------------------------------------
    def answer(self, method: str, args: dict[str, Any]) -> Reply:
        """Answer and record one call (tests' fakes wrap this with faults and pacing)."""
        status, body = self.handle(method, args)
        ok = bool(body.get("ok"))
        self._record(Call(method, args, ok, None if ok else str(body.get("error")), body))
        return Reply(status, body)

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()

    def handle(self, method: str, args: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """Answer one Web API call as Slack would, without recording it."""
        problems = self._limits(method, args)
        if problems:
            with self._lock:
                self.invalid.append((method, problems))
            return 200, {"ok": False, "error": "invalid_blocks", "errors": problems}
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            return 200, {"ok": False, "error": "unknown_method"}
        body: dict[str, Any] = answer(args)
        return 200, body

    def _limits(self, method: str, args: dict[str, Any]) -> list[str]:
        if method in VIEW_SURFACES:
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            return violations(view or {}, VIEW_SURFACES[method])
        if method in MESSAGE_METHODS and "blocks" in args:
            blocks = args["blocks"]
            blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
            return violations({"blocks": blocks, "text": args.get("text", "")}, "message")
        return []

    def _auth_test(self, _: dict[str, Any]) -> dict[str, Any]:
        return {"ok": True, "user_id": self.bot_user_id, "team_id": "T0001", "bot_id": "B0001"}

    def _users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        user = self.workspace.users.get(str(args.get("user")))
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        users = str(args.get("users", ""))
        return {"ok": True, "channel": {"id": dm_channel(users.split(",")[0])}}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        ts = f"{self._epoch + next(self._ts)}.000100"
        message = {"ts": ts, **decoded(args)}
        with self._lock:
            self.workspace.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel")), str(args.get("ts"))
        with self._lock:
            for message in self.workspace.messages.get(channel, []):
                if message["ts"] == ts:
                    message.update(decoded(args))
                    return {"ok": True, "channel": channel, "ts": ts}
        return {"ok": False, "error": "message_not_found"}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.workspace.ephemeral.append(decoded(args))
        return {"ok": True, "message_ts": f"{self._epoch + next(self._ts)}.000200"}

    def _conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages, newest first; metadata only with `include_all_metadata` (as
        Slack does). `oldest` is not applied: the stand-in's ts are counters, not times."""
        with self._lock:
            stored = list(reversed(self.workspace.messages.get(str(args.get("channel")), [])))
        messages = [_shown(m, args) for m in stored if m.get("thread_ts", m["ts"]) == m["ts"]]
        return {"ok": True, "messages": messages, "has_more": False}

    def _conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent, then its replies, oldest first."""
        thread = str(args.get("ts"))
        with self._lock:
            stored = list(self.workspace.messages.get(str(args.get("channel")), []))
        messages = [_shown(m, args) for m in stored
                    if m["ts"] == thread or m.get("thread_ts") == thread]
        if not messages:
            return {"ok": False, "error": "thread_not_found"}
        return {"ok": True, "messages": messages, "has_more": False}

    def _files_getUploadURLExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 1 of files_upload_v2: a file id and the URL to send its bytes to."""
        if not args.get("filename") or not str(args.get("length", "")).isdigit():
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{self._run}{next(self._ids):06d}"
        with self._lock:
            self.workspace.files[file_id] = {"id": file_id, "name": str(args["filename"]),
                                             "length": int(args["length"]), "content": None}
        return {"ok": True, "file_id": file_id,
                "upload_url": self.url.replace("/api/", f"/upload/{file_id}")}

    def _upload(self, file_id: str, content: bytes) -> bool:
        """Step 2: the bytes, POSTed to the upload URL."""
        with self._lock:
            stored = self.workspace.files.get(file_id)
            if stored is None:
                return False
            stored["content"] = content
        return True

    def _files_completeUploadExternal(self, args: dict[str, Any]) -> dict[str, Any]:
        """Step 3: share the uploaded files in a channel (and thread), as one message."""
        listed: Any = args.get("files")
        if isinstance(listed, str):
            with contextlib.suppress(json.JSONDecodeError):
                listed = json.loads(listed)
        if not isinstance(listed, list) or not listed:
            return {"ok": False, "error": "invalid_arguments"}
        with self._lock:
            stored = [self.workspace.files.get(str(f.get("id"))) for f in listed]
            if any(f is None or f["content"] is None for f in stored):
                return {"ok": False, "error": "file_not_found"}
            shared = []
            for entry, file in zip(listed, stored, strict=True):
                assert file is not None
                file.update(title=str(entry.get("title") or file["name"]),
                            channel=args.get("channel_id"), thread_ts=args.get("thread_ts"))
                shared.append({"id": file["id"], "name": file["name"], "title": file["title"]})
        channel = args.get("channel_id")
        if channel:
            message = {"text": str(args.get("initial_comment", "")), "files": shared,
                       "user": self.bot_user_id}
            if args.get("thread_ts"):
                message["thread_ts"] = str(args["thread_ts"])
            self._chat_postMessage({"channel": channel, **message})
        return {"ok": True, "files": shared}

    def _views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """A new modal: the person's stack starts again with it."""
        view = decoded(args)["view"]
        with self._lock:
            stored = self._store_view(None, view)
            user = self._triggers.get(str(args.get("trigger_id")))
            if user is not None:
                self.workspace.stacks[user] = [stored["id"]]
        return {"ok": True, "view": stored}

    def _views_push(self, args: dict[str, Any]) -> dict[str, Any]:
        """A modal on top of the one open (at most three)."""
        view = decoded(args)["view"]
        with self._lock:
            user = self._triggers.get(str(args.get("trigger_id")))
            stack = self.workspace.stacks.setdefault(user, []) if user else []
            if len(stack) >= MAX_STACK:
                return {"ok": False, "error": "push_limit_reached"}
            stored = self._store_view(None, view)
            stack.append(stored["id"])
        return {"ok": True, "view": stored}

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        decoded_args = decoded(args)
        view_id = str(decoded_args.get("view_id", ""))
        with self._lock:
            if view_id not in self.workspace.views:
                return {"ok": False, "error": "not_found"}
            stored = self._store_view(view_id, decoded_args["view"])
        return {"ok": True, "view": stored}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        decoded_args = decoded(args)
        with self._lock:
            self.workspace.home[str(decoded_args["user_id"])] = decoded_args["view"]
        return {"ok": True, "view": {**decoded_args["view"], "id": "VHOME"}}

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                return

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length)
                if self.path.startswith("/upload/"):
                    file_id = self.path.removeprefix("/upload/")
                    known = standin._upload(file_id, data)
                    standin._record(Call("upload", {"file_id": file_id, "bytes": len(data)},
                                         known, None if known else "file_not_found"))
                    self._send(Reply(200 if known else 404, {"ok": known}))
                    return
                raw = data.decode("utf-8")
                args = _parse_body(raw, self.headers.get("Content-Type", ""))
                if self.path.startswith("/response/"):
                    standin._record(Call("response_url", args))
                    self._send(Reply(200, {"ok": True}))
                    return
                self._send(standin.answer(self.path.removeprefix("/api/").split("?")[0], args))

            def _send(self, reply: Reply) -> None:
                if not reply.answer:
                    self.close_connection = True
                    return
                data = json.dumps(reply.body).encode() if reply.body is not None else (
                    b"server error")
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def dm_channel(user_id: str) -> str:
    """The id of the bot's DM with `user_id`, as the stand-in's conversations.open gives it."""
    return "D" + user_id[1:]


def _parse_body(raw: str, content_type: str) -> dict[str, Any]:
    if "json" in content_type:
        parsed: dict[str, Any] = json.loads(raw or "{}")
        return parsed
    return dict(parse_qsl(raw, keep_blank_values=True))


def _shown(message: dict[str, Any], args: dict[str, Any]) -> dict[str, Any]:
    """A stored message as a history read returns it."""
    if str(args.get("include_all_metadata", "")).lower() in ("1", "true"):
        return dict(message)
    return {k: v for k, v in message.items() if k != "metadata"}


def decoded(args: dict[str, Any]) -> dict[str, Any]:
    """Arguments with JSON-encoded form values (blocks, view, metadata) decoded."""
    out = dict(args)
    for key in ("blocks", "view", "metadata", "attachments"):
        if isinstance(out.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):
                out[key] = json.loads(out[key])
    return out
