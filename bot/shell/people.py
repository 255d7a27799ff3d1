"""Finding people by what someone types, as Slack's @-completion does: by Slack id, by the
whole display name (spaces included), or by the start of any word of it; an ambiguous start
gives every candidate."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from storage.models import Person

MAX_NAME_WORDS = 4  # the longest "@First Middle Last …" a mention in typed text may span


def _tails(name: str) -> list[str]:
    """The name from each word on: "刘洋 Liu Yang" → "刘洋 liu yang", "liu yang", "yang"."""
    words = name.casefold().split()
    return [" ".join(words[i:]) for i in range(len(words))]


def find_people(people: Sequence[Person], text: str) -> list[str]:
    """Slack ids of the people `text` may mean, best first: an exact id or name alone, else
    everyone whose name has a word starting with it (several: ambiguous)."""
    wanted = " ".join(text.strip().lstrip("@").casefold().split())
    if not wanted:
        return []
    exact = [p.slack_user_id for p in people
             if wanted in (p.slack_user_id.casefold(), " ".join(p.name.casefold().split()))]
    if exact:
        return exact[:1]
    return [p.slack_user_id for p in people
            if any(tail.startswith(wanted) for tail in _tails(p.name))]


def escape_mentions(text: str, find: Callable[[str], list[str]],
                    name_of: Callable[[str], str]) -> tuple[str, list[str]]:
    """`text` with `@name` (up to MAX_NAME_WORDS words) written as Slack escapes a mention,
    and the `@…` words that named nobody or several people."""
    words = text.split()
    out: list[str] = []
    unclear: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        if word.startswith("#C") and word[1:].isalnum():  # a channel id, as `/okr #C0…`
            word = f"<#{word[1:]}|{word[1:]}>"
        if not word.startswith("@") or word == "@":
            out.append(word)
            i += 1
            continue
        for span in range(min(MAX_NAME_WORDS, len(words) - i), 0, -1):
            found = find(" ".join(words[i:i + span]))
            if len(found) == 1:
                out.append(f"<@{found[0]}|{name_of(found[0])}>")
                i += span
                break
        else:
            unclear.append(word)
            out.append(word)
            i += 1
    return " ".join(out), unclear
