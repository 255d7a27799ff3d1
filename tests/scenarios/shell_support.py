"""Drive `okr-bot shell` as a person at the keyboard: commands at the `> ` prompt, and form
answers chosen by the question asked (so a field added or moved does not break a test)."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from bot.commands.shell import run_shell

MAX_READS = 400  # a form that keeps asking past this is a bug: the input ends


@dataclass
class Keyboard(io.TextIOBase):
    """stdin for the shell: reads the last prompt written to `screen` to decide what to type.

    At `> ` the next of `commands`; at a form question the first unused `(pattern, answer)`
    whose pattern is found in it, else Enter (keep what is shown). Input ends after the
    commands run out.
    """

    screen: io.StringIO
    commands: list[str]
    answers: list[tuple[str, str]] = field(default_factory=list)
    reads: int = 0

    def readline(self, size: int | None = -1) -> str:
        self.reads += 1
        prompt = self.screen.getvalue().rsplit("\n", 1)[-1]
        if self.reads > MAX_READS:
            return ""
        if prompt == "> " or prompt.endswith("[Y/n] "):
            return self.commands.pop(0) + "\n" if self.commands else ""
        for i, (pattern, answer) in enumerate(self.answers):
            if re.search(pattern, prompt):
                del self.answers[i]
                return answer + "\n"
        return "\n"


def drive(db: Path, commands: list[str], answers: list[tuple[str, str]] | None = None, *,
          as_user: str = "", locale: str = "en", at: datetime | None = None) -> tuple[int, str]:
    """Run the shell on `db` with `commands` typed at the prompt; its exit code and screen."""
    screen = io.StringIO()
    keyboard = Keyboard(screen, list(commands), list(answers or []))
    code = run_shell(db, as_user, locale, keyboard, screen, at=at)
    return code, screen.getvalue()
