"""A local stand-in for the Slack Web API: a real HTTP server on 127.0.0.1.

Tests, `okr-bot shell` and the benchmarks point `SLACK_API_URL` at it. It keeps a small
workspace (users, messages, views), records every call with its decoded body, checks Block
Kit limits, and can be told to fail: 429 with Retry-After, 5xx, a definite error, a hang past
the client's timeout, or accepting a post and then dropping the connection.
"""

from __future__ import annotations

import collections
import contextlib
import itertools
import json
import math
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl

from bot.blockkit import Surface, violations

Response = tuple[int, dict[str, str], dict[str, Any] | None]
VIEW_SURFACES: dict[str, Surface] = {
    "views.open": "modal",
    "views.update": "modal",
    "views.push": "modal",
    "views.publish": "home",
}
MESSAGE_METHODS = ("chat.postMessage", "chat.update", "chat.postEphemeral", "response_url")


@dataclass
class Call:
    """One request the stand-in received."""

    method: str
    args: dict[str, Any]
    ok: bool = True
    error: str | None = None


@dataclass
class Fault:
    """What to do instead of answering normally: `kind` is 429, 500, error, hang or drop
    (or ok: answer normally, so that a fault queued after it hits a later call)."""

    kind: str
    times: int = 1
    retry_after: int = 1
    error: str = "fatal_error"
    hang_seconds: float = 5.0


@dataclass
class PostLimits:
    """Slack's pace for chat.postMessage, enforced in real time with 429 + Retry-After."""

    per_channel_per_second: float | None = 1.0
    workspace_per_minute: int | None = None
    conversations_open_per_minute: int | None = None  # tier 3: 50+/min


@dataclass
class RandomFaults:
    """Random failures of `methods` drawn from a seeded RNG (load benchmarks): 429 with
    Retry-After, a 5xx that never reached the workspace, and a 5xx after the post was accepted
    (the duplicate maker)."""

    rate_429: float = 0.0
    rate_5xx: float = 0.0
    rate_accepted_5xx: float = 0.0
    seed: int = 1
    retry_after: int = 1
    methods: tuple[str, ...] = ("chat.postMessage",)


@dataclass
class Workspace:
    """The state the stand-in keeps."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    views: dict[str, dict[str, Any]] = field(default_factory=dict)
    home: dict[str, dict[str, Any]] = field(default_factory=dict)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # by file id, with "content"

    def add_user(
        self, user_id: str, name: str, *, tz: str = "UTC", locale: str = "en-US", **extra: Any
    ) -> None:
        self.users[user_id] = {"id": user_id, "name": name, "real_name": name, "tz": tz,
                               "locale": locale, **extra}


class SlackStandIn:
    """Start with `start()`, stop with `stop()`; `url` is the base for `WebClient(base_url=…)`."""

    def __init__(self, *, bot_user_id: str = "UBOT") -> None:
        self.workspace = Workspace()
        self.bot_user_id = bot_user_id
        self.calls: list[Call] = []
        self.invalid: list[tuple[str, list[str]]] = []
        self._faults: dict[str, list[Fault]] = {}
        self._lock = threading.Condition()
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.listeners: list[Callable[[Call], None]] = []
        self.post_limits: PostLimits | None = None
        self._last_post: dict[str, float] = {}
        self._recent_posts: collections.deque[float] = collections.deque()
        self._recent_opens: collections.deque[float] = collections.deque()
        self.random_faults: RandomFaults | None = None
        self._rng = random.Random(0)  # noqa: S311 - reproducible faults, not security
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

    # ---- inspection -------------------------------------------------------------------
    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 5.0) -> list[Call]:
        """Block until `count` calls of `method` arrived (work that runs after Bolt's ack)."""
        with self._lock:
            self._lock.wait_for(
                lambda: len([c for c in self.calls if c.method == method]) >= count, timeout
            )
            found = [c for c in self.calls if c.method == method]
        if len(found) < count:
            raise AssertionError(f"expected {count} {method} calls, got {len(found)}")
        return found

    def fail(self, method: str, fault: Fault) -> None:
        """Make the next `fault.times` calls of `method` fail as `fault` says."""
        with self._lock:
            self._faults.setdefault(method, []).append(fault)

    def limit_posts(self, limits: PostLimits | None) -> None:
        """Answer chat.postMessage with 429 beyond `limits` (None: no limits, the default)."""
        with self._lock:
            self.post_limits = limits
            self._last_post.clear()
            self._recent_posts.clear()
            self._recent_opens.clear()

    def inject(self, faults: RandomFaults | None) -> None:
        """Fail calls at random as `faults` says (None: never, the default)."""
        with self._lock:
            self.random_faults = faults
            self._rng = random.Random(faults.seed if faults else 0)  # noqa: S311

    def _roll(self, method: str) -> str | None:
        """The random fault this call gets: "429", "500", "accepted_500" or None."""
        faults = self.random_faults
        if faults is None or method not in faults.methods:
            return None
        with self._lock:
            draw = self._rng.random()
        for kind, rate in (("429", faults.rate_429), ("500", faults.rate_5xx),
                           ("accepted_500", faults.rate_accepted_5xx)):
            if draw < rate:
                return kind
            draw -= rate
        return None

    def _throttle(self, method: str, args: dict[str, Any]) -> int | None:
        """Seconds to wait when this post breaks the pace (and is refused), else None."""
        limits = self.post_limits
        if limits is not None and method == "conversations.open":
            return self._throttle_opens(limits.conversations_open_per_minute)
        if limits is None or method != "chat.postMessage":
            return None
        now, channel = time.monotonic(), str(args.get("channel"))
        with self._lock:
            while self._recent_posts and self._recent_posts[0] <= now - 60:
                self._recent_posts.popleft()
            waits = []
            if limits.per_channel_per_second and channel in self._last_post:
                gap = 1 / limits.per_channel_per_second
                waits.append(self._last_post[channel] + gap - now)
            if limits.workspace_per_minute and (
                len(self._recent_posts) >= limits.workspace_per_minute
            ):
                waits.append(self._recent_posts[0] + 60 - now)
            wait = max(waits, default=0.0)
            if wait > 0:
                return max(1, math.ceil(wait))
            self._last_post[channel] = now
            self._recent_posts.append(now)
        return None

    def _throttle_opens(self, per_minute: int | None) -> int | None:
        if not per_minute:
            return None
        now = time.monotonic()
        with self._lock:
            while self._recent_opens and self._recent_opens[0] <= now - 60:
                self._recent_opens.popleft()
            if len(self._recent_opens) >= per_minute:
                return max(1, math.ceil(self._recent_opens[0] + 60 - now))
            self._recent_opens.append(now)
        return None

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self.invalid.clear()
            self._faults.clear()

    # ---- behaviour -----------------------------------------------------------------------
    def _take_fault(self, method: str) -> Fault | None:
        with self._lock:
            queue = self._faults.get(method) or []
            if not queue:
                return None
            fault = queue[0]
            fault.times -= 1
            if fault.times <= 0:
                queue.pop(0)
            return fault

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)
            self._lock.notify_all()
        for listener in list(self.listeners):
            listener(call)

    def handle(self, method: str, args: dict[str, Any]) -> Response:
        """Answer one Web API call as Slack would (without faults)."""
        problems = self._limits(method, args)
        if problems:
            with self._lock:
                self.invalid.append((method, problems))
            return 200, {}, {"ok": False, "error": "invalid_blocks", "errors": problems}
        answer = getattr(self, "_" + method.replace(".", "_"), None)
        if answer is None:
            return 200, {}, {"ok": False, "error": "unknown_method"}
        body: dict[str, Any] = answer(args)
        return 200, {}, body

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
        return {"ok": True, "channel": {"id": "D" + users.split(",")[0][1:]}}

    def _chat_postMessage(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = str(args.get("channel"))
        ts = f"{1700000000 + next(self._ts)}.000100"
        message = {"ts": ts, **_decoded(args)}
        with self._lock:
            self.workspace.messages.setdefault(channel, []).append(message)
        return {"ok": True, "channel": channel, "ts": ts, "message": message}

    def _chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel, ts = str(args.get("channel")), str(args.get("ts"))
        with self._lock:
            for message in self.workspace.messages.get(channel, []):
                if message["ts"] == ts:
                    message.update(_decoded(args))
                    return {"ok": True, "channel": channel, "ts": ts}
        return {"ok": False, "error": "message_not_found"}

    def _chat_postEphemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.workspace.ephemeral.append(_decoded(args))
        return {"ok": True, "message_ts": f"{1700000000 + next(self._ts)}.000200"}

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
        file_id = f"F{next(self._ids):08d}"
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
        view = _decoded(args)["view"]
        view_id = f"V{next(self._ids):08d}"
        stored = {**view, "id": view_id, "hash": f"h{next(self._ids)}"}
        with self._lock:
            self.workspace.views[view_id] = stored
        return {"ok": True, "view": stored}

    _views_push = _views_open

    def _views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        decoded = _decoded(args)
        view_id = str(decoded.get("view_id", ""))
        with self._lock:
            if view_id not in self.workspace.views:
                return {"ok": False, "error": "not_found"}
            stored = {**decoded["view"], "id": view_id, "hash": f"h{next(self._ids)}"}
            self.workspace.views[view_id] = stored
        return {"ok": True, "view": stored}

    def _views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        decoded = _decoded(args)
        with self._lock:
            self.workspace.home[str(decoded["user_id"])] = decoded["view"]
        return {"ok": True, "view": {**decoded["view"], "id": "VHOME"}}

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
                    self._reply(200 if known else 404, {}, {"ok": known})
                    return
                raw = data.decode("utf-8")
                args = _parse_body(raw, self.headers.get("Content-Type", ""))
                if self.path.startswith("/response/"):
                    standin._record(Call("response_url", args))
                    self._reply(200, {}, {"ok": True})
                    return
                method = self.path.removeprefix("/api/").split("?")[0]
                fault = standin._take_fault(method)
                if fault is not None and self._fault(method, args, fault):
                    return
                rolled = standin._roll(method)
                if rolled is not None and self._random_fault(method, args, rolled):
                    return
                retry_after = standin._throttle(method, args)
                if retry_after is not None:
                    standin._record(Call(method, args, False, "ratelimited"))
                    self._reply(429, {"Retry-After": str(retry_after)},
                                {"ok": False, "error": "ratelimited"})
                    return
                status, headers, body = standin.handle(method, args)
                ok = bool(body and body.get("ok"))
                error = None if ok else str(body and body.get("error"))
                standin._record(Call(method, args, ok, error))
                self._reply(status, headers, body)

            def _random_fault(self, method: str, args: dict[str, Any], kind: str) -> bool:
                faults = standin.random_faults
                if kind == "429" and faults is not None:  # recorded apart from the pace's
                    standin._record(Call(method, args, False, "injected_429"))
                    self._reply(429, {"Retry-After": str(faults.retry_after)},
                                {"ok": False, "error": "ratelimited"})
                    return True
                if kind == "500":
                    return self._fault(method, args, Fault("500"))
                if standin._throttle(method, args) is not None:
                    return False  # refused by the pace anyway: answered as a plain 429
                _, _, body = standin.handle(method, args)  # accepted by "Slack" ...
                standin._record(Call(method, args, bool(body and body.get("ok")), "accepted_500"))
                self._reply(500, {}, None)  # ... but the answer is a server error
                return True

            def _fault(self, method: str, args: dict[str, Any], fault: Fault) -> bool:
                if fault.kind == "429":
                    standin._record(Call(method, args, False, "ratelimited"))
                    self._reply(429, {"Retry-After": str(fault.retry_after)},
                                {"ok": False, "error": "ratelimited"})
                elif fault.kind == "500":
                    standin._record(Call(method, args, False, "http_500"))
                    self._reply(500, {}, None)
                elif fault.kind == "error":
                    standin._record(Call(method, args, False, fault.error))
                    self._reply(200, {}, {"ok": False, "error": fault.error})
                elif fault.kind == "hang":
                    standin._record(Call(method, args, False, "hang"))
                    threading.Event().wait(fault.hang_seconds)
                    self.close_connection = True
                elif fault.kind == "drop":
                    standin.handle(method, args)  # accepted by "Slack" ...
                    standin._record(Call(method, args, True, "dropped"))
                    self.close_connection = True  # ... but the answer never arrives
                else:
                    return False
                return True

            def _reply(self, status: int, headers: dict[str, str],
                       body: dict[str, Any] | None) -> None:
                data = json.dumps(body).encode() if body is not None else b"server error"
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


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


def _decoded(args: dict[str, Any]) -> dict[str, Any]:
    """Arguments with JSON-encoded form values (blocks, view, metadata) decoded."""
    out = dict(args)
    for key in ("blocks", "view", "metadata", "attachments"):
        if isinstance(out.get(key), str):
            with contextlib.suppress(json.JSONDecodeError):
                out[key] = json.loads(out[key])
    return out
