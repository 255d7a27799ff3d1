"""The console of `okr-bot shell`: read what a Slack user would type, print what Slack shows."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import timedelta
from typing import Any, TextIO

from bot.domain.local_dates import local
from bot.shell import forms
from bot.shell.answers import who_is_meant
from bot.shell.blocks_text import Button, render_blocks
from bot.shell.people import escape_mentions
from bot.shell.session import Output, ShellSession

Tick = Callable[[], None]
_DURATION = re.compile(r"^(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?$")
STEP = timedelta(minutes=30)  # a message may arrive one step late, well inside the grace window

HELP = """\
Type what a Slack user would:
  /okr                  your OKRs          /okr @bob       Bob's OKRs
  /okr team <name>      a team's OKRs      /okr tree       the alignment tree
  /okr checkin          check in           /okr new        a new Objective
  /okr digest           your team's digest /okr help       everything else
Shell commands:
  :as @name             become someone else and read their DMs (:as alone lists people)
  :press N              press button (N) of the last thing shown
  :home                 open your App Home
  :advance 1w           move time forward (w, d, h, m; e.g. 6d10h): scheduled prompts and
                        digests arrive
  :time                 what time it is here
  :blocks               the raw Block Kit JSON of the last thing shown
  :help                 this text            :quit   leave
"""


def parse_duration(text: str) -> timedelta | None:
    """`1w`, `6d10h`, `90m`, `2h30m` → a positive duration; None when it is not one."""
    match = _DURATION.match(text.strip().lower())
    if match is None or not any(match.groups()):
        return None
    weeks, days, hours, minutes = (int(g or 0) for g in match.groups())
    duration = timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes)
    return duration if duration > timedelta(0) else None


class Console:
    """A read-print loop over `stdin`/`stdout`-like streams (scripted in tests)."""

    def __init__(self, session: ShellSession, read: TextIO, write: TextIO,
                 ticks: Sequence[Tick] = (), on_time: Callable[[], None] = lambda: None) -> None:
        self.session = session
        self.read = read
        self.write = write
        self.ticks = list(ticks)
        self.on_time = on_time
        self.buttons: list[tuple[Output, Button]] = []
        self.last: Output | None = None
        self.closed = False  # the input ended
        self.home_open = False
        self.unread: dict[str, list[Output]] = {}  # DMs to people other than the one typing
        self.typed: dict[str, dict[str, str]] = {}  # view id → block id → what was typed
        self._modal_shown: tuple[str, Any] | None = None

    # ---- loop ------------------------------------------------------------------------------
    def run(self) -> None:
        self.say(f"You are {self.session.name_of(self.session.user_id)}. "
                 "Type :help for help, :quit to leave.")
        self.show_new()
        while not self.closed:
            line = self.ask("> ")
            if line is None or line.strip() in (":quit", ":q", "exit"):
                break
            self.handle(line.strip())
        self.say("bye")

    def ask(self, prompt: str) -> str | None:
        """A line typed after `prompt`; None at the end of the input."""
        if self.closed:
            return None
        self.write.write(prompt)
        self.write.flush()
        line = self.read.readline()
        if not line:
            self.closed = True
            self.write.write("\n")
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
            self.home_open = False
            text, unclear = escape_mentions(line.removeprefix("/okr").strip(),
                                            self.session.find_people, self.session.name_of)
            for word in unclear:
                self.say(self._who(word, self.session.find_people(word)))
            self.session.command(text)
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
        found = self.session.find_people(who)
        if len(found) != 1:
            self.say(self._who(who, found))
            return
        self.session.user_id = found[0]
        self.home_open = False
        self._modal_shown = None
        self.say(f"You are now {self.session.name_of(found[0])}.")
        self.on_time()
        latest: dict[tuple[str, str], Output] = {}  # a message as it reads now, in its place
        for output in self.unread.pop(found[0], []):
            first = latest.get((output.channel, output.ts), output)
            latest[(output.channel, output.ts)] = replace(first, payload=output.payload,
                                                          updated=False)
        unread = list(latest.values())
        if unread:
            self.say(f"{len(unread)} direct message(s) arrived for you while you were away:")
        self.buttons = []
        for output in unread:
            self.print_output(output)
        self.show_modal()

    def _who(self, who: str, found: list[str]) -> str:
        return who_is_meant(who, found, self.session.name_of)

    def press(self, number: str) -> None:
        if not number.isdigit() or not 1 <= int(number) <= len(self.buttons):
            self.say("Press which? Give a button number shown as (N).")
            return
        output, button = self.buttons[int(number) - 1]
        if button.confirm:
            answer = self.ask(f"{button.confirm} [y/N] ")
            if answer is None or answer.strip().lower() not in ("y", "yes"):
                self.say("Not pressed.")
                return
        self.session.press(output, button)
        self.show_new()

    def home(self) -> None:
        self.home_open = True
        self.session.open_home()
        self.show_new()

    def advance(self, amount: str) -> None:
        duration = parse_duration(amount)
        if duration is None:
            self.say("Advance by what? e.g. :advance 1w, :advance 6d10h, :advance 30m")
            return
        clock = self.session.clock
        end = clock.now() + duration
        while clock.now() < end:
            clock.set(min(clock.now() + STEP, end))
            for tick in self.ticks:
                tick()
        self.on_time()
        self.time()
        self.show_new()

    def time(self) -> None:
        now = self.session.clock.now()
        tz = self.session.tz_of(self.session.user_id)
        mine = f" ({local(now, tz):%a %H:%M} for you, {tz})" if tz != "UTC" else ""
        self.say(f"It is now {now:%a %Y-%m-%d %H:%M} UTC{mine}.")

    def blocks(self) -> None:
        if self.last is None:
            self.say("Nothing shown yet.")
            return
        self.say(json.dumps(self.last.payload, ensure_ascii=False, indent=2))

    # ---- printing ------------------------------------------------------------------------------
    def show_new(self) -> None:
        """Print what arrived for the person typing, then the modal they are looking at."""
        self.buttons = []
        self.show_messages()
        self.show_modal()

    def show_messages(self) -> None:
        me = self.session.user_id
        away: dict[str, int] = {}
        for output in self.session.collect():
            if output.surface == "dm" and output.audience != me:
                self.unread.setdefault(output.audience, []).append(output)
                away[output.audience] = away.get(output.audience, 0) + 1
            elif self._visible(output):
                self.print_output(output)
        if away:
            names = ", ".join(f"@{self.session.name_of(u)} ({n})" for u, n in away.items())
            self.say(f"(direct messages went to {names}; :as @name to read them)")

    def _visible(self, output: Output) -> bool:
        """Whether the person typing sees `output` now (an App Home only while it is open)."""
        if output.surface == "channel":
            return True
        return output.audience == self.session.user_id and (
            output.surface != "home" or self.home_open)

    def show_modal(self) -> None:
        """Show and fill the modal on top of the person's stack until none is new."""
        while not self.closed:
            modal = self.session.modal()
            if modal is None:
                self._modal_shown = None
                return
            key = (modal.view_id, modal.payload.get("hash"))
            if key == self._modal_shown:
                return
            self._modal_shown = key
            self.print_output(modal)
            forms.fill(self, modal)

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
