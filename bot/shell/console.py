"""The console of `okr-bot shell`: read what a Slack user would type, print what Slack shows."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import Any, TextIO

from bot.shell.blocks_text import Button, Input, render_blocks, state_value
from bot.shell.session import Output, ShellSession

Tick = Callable[[], None]
_DURATION = re.compile(r"^(\d+)([dhm])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes"}
STEP = timedelta(minutes=30)  # a message may arrive one step late, well inside the grace window

HELP = """\
Type what a Slack user would:
  /okr                  your OKRs          /okr @bob       Bob's OKRs
  /okr team <name>      a team's OKRs      /okr tree       the alignment tree
  /okr checkin          check in           /okr digest     preview your team's digest
  /okr help             everything else
Shell commands:
  :as @name             become someone else (:as alone lists people)
  :press N              press button (N) of the last thing shown
  :home                 open your App Home
  :advance 7d           move time forward (d, h, m): scheduled prompts and digests arrive
  :time                 what time it is here
  :blocks               the raw Block Kit JSON of the last thing shown
  :help                 this text            :quit   leave
"""


class Console:
    """A read-print loop over `stdin`/`stdout`-like streams (scripted in tests)."""

    def __init__(self, session: ShellSession, read: TextIO, write: TextIO,
                 ticks: Sequence[Tick] = ()) -> None:
        self.session = session
        self.read = read
        self.write = write
        self.ticks = list(ticks)
        self.buttons: list[tuple[Output, Button]] = []
        self.last: Output | None = None

    # ---- loop ------------------------------------------------------------------------------
    def run(self) -> None:
        self.say(f"You are {self.session.name_of(self.session.user_id)}. "
                 "Type :help for help, :quit to leave.")
        while True:
            line = self.ask("> ")
            if line is None or line.strip() in (":quit", ":q", "exit"):
                self.say("bye")
                return
            self.handle(line.strip())

    def ask(self, prompt: str) -> str | None:
        self.write.write(prompt)
        self.write.flush()
        line = self.read.readline()
        if not line:
            return None
        line = line.rstrip("\n")
        if not getattr(self.read, "isatty", lambda: False)():
            self.write.write(line + "\n")  # echo scripted input so a transcript reads well
        return line

    def say(self, text: str = "") -> None:
        self.write.write(text + "\n")

    def handle(self, line: str) -> None:
        if not line:
            return
        if line.startswith("/okr"):
            self.session.command(line.removeprefix("/okr").strip())
            self.show_new()
            return
        word, _, rest = line.partition(" ")
        action: Callable[[str], None] | None = {
            ":as": self.switch_user, ":press": self.press, ":advance": self.advance,
            ":home": lambda _: self.home(), ":blocks": lambda _: self.blocks(),
            ":time": lambda _: self.time(), ":help": lambda _: self.say(HELP),
        }.get(word)
        if action is None:
            self.say("Type /okr … as in Slack, or :help.")
            return
        action(rest.strip())

    # ---- shell commands ----------------------------------------------------------------------
    def switch_user(self, who: str) -> None:
        if not who:
            for person in self.session.people():
                where = f"{person.slack_user_id}, {person.tz}, {person.locale}"
                self.say(f"  @{person.name}  ({where})")
            return
        user = self.session.find_user(who)
        if user is None:
            self.say(f"Nobody called {who} here. :as lists everyone.")
            return
        self.session.user_id = user
        self.say(f"You are now {self.session.name_of(user)}.")

    def press(self, number: str) -> None:
        if not number.isdigit() or not 1 <= int(number) <= len(self.buttons):
            self.say("Press which? Give a button number shown as (N).")
            return
        output, button = self.buttons[int(number) - 1]
        self.session.press(output, button.action_id, button.value, button.block_id)
        self.show_new()

    def home(self) -> None:
        self.session.open_home()
        self.show_new()

    def advance(self, amount: str) -> None:
        match = _DURATION.match(amount)
        if match is None:
            self.say("Advance by what? e.g. :advance 7d, :advance 3h, :advance 30m")
            return
        end = self.session.clock.now() + timedelta(**{_UNITS[match[2]]: int(match[1])})
        while self.session.clock.now() < end:
            self.session.clock.set(min(self.session.clock.now() + STEP, end))
            for tick in self.ticks:
                tick()
        self.time()
        self.show_new()

    def time(self) -> None:
        self.say(f"It is now {self.session.clock.now():%a %Y-%m-%d %H:%M} UTC.")

    def blocks(self) -> None:
        if self.last is None:
            self.say("Nothing shown yet.")
            return
        self.say(json.dumps(self.last.payload, ensure_ascii=False, indent=2))

    # ---- printing ------------------------------------------------------------------------------
    def show_new(self) -> None:
        self.buttons = []
        new = self.session.collect()
        others = 0
        modal: Output | None = None
        for output in new:
            if output.surface == "dm" and output.channel != self._my_dm():
                others += 1
                continue
            self.print_output(output)
            if output.surface == "modal":
                modal = output
        if others:
            self.say(f"({others} direct messages went to other people; :as @name to see theirs)")
        if modal is not None:
            self.fill(modal)

    def _my_dm(self) -> str:
        return "D" + self.session.user_id[1:]

    def print_output(self, output: Output) -> None:
        self.last = output
        payload = output.payload
        title = {
            "ephemeral": "only visible to you",
            "dm": "direct message from okr" + (" (updated)" if output.updated else ""),
            "channel": f"in <#{output.channel}>" + (" (updated)" if output.updated else ""),
            "modal": "modal: " + str(payload.get("title", {}).get("text", "")),
            "home": "App Home",
        }[output.surface]
        self.say(f"┌─ {title}")
        rendered = render_blocks(payload.get("blocks") or [], self.session.name_of,
                                 first_button=len(self.buttons) + 1)
        lines = rendered.lines or [str(payload.get("text", ""))]
        for line in lines:
            self.say("│ " + line)
        self.buttons.extend((output, b) for b in rendered.buttons)
        if output.surface == "modal" and payload.get("submit"):
            self.say(f"│ (submit: {payload['submit']['text']})")
        self.say("└─")

    # ---- modals ------------------------------------------------------------------------------
    def fill(self, modal: Output) -> None:
        """Ask for each field of `modal`, submit, and show errors or what follows."""
        fields = render_blocks(modal.payload.get("blocks") or [], self.session.name_of).inputs
        if not fields:
            return
        self.say("Fill in the form. Enter keeps the value shown, '-' clears it, ':cancel' stops.")
        answers = {f.block_id: f.initial for f in fields}
        to_ask = fields
        while True:
            for field_ in to_ask:
                answer = self.ask_field(field_, answers[field_.block_id])
                if answer is None:
                    self.say("Form closed without saving.")
                    return
                answers[field_.block_id] = answer
            values = {f.block_id: {f.action_id: state_value(f, answers[f.block_id])}
                      for f in fields}
            ack = self.session.submit(modal, values)
            if ack and ack.get("response_action") == "errors":
                errors: dict[str, Any] = ack.get("errors", {})
                for block_id, message in errors.items():
                    label = next((f.label for f in fields if f.block_id == block_id), block_id)
                    self.say(f"  ✗ {label}: {message}")
                to_ask = [f for f in fields if f.block_id in errors]
                continue
            self.show_new()
            return

    def ask_field(self, field_: Input, current: str) -> str | None:
        hint = ""
        if field_.options:
            hint = " (" + ", ".join(f"{v}={label}" for v, label in field_.options) + ")"
        elif field_.kind.endswith("users_select"):
            hint = " (@name)"
        line = self.ask(f"  {field_.label}{hint} [{current or '—'}]: ")
        if line is None or line.strip() in (":cancel", ":quit", ":q"):
            return None
        line = line.strip()
        if not line:
            return current
        if line == "-":
            return ""
        if field_.kind.endswith("users_select"):
            return self.session.find_user(line) or line
        return line
