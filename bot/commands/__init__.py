"""Subcommands of `okr-bot`. Each module exposes `register(subparsers)`; the order is `--help`'s."""

from __future__ import annotations

from types import ModuleType

from bot.commands import (
    cycle,
    db,
    export,
    import_cmd,
    send_checkins,
    send_digest,
    serve,
    shell,
    socket,
    status,
    token,
    worker,
)

COMMANDS: tuple[ModuleType, ...] = (
    shell,
    serve,
    socket,
    worker,
    db,
    import_cmd,
    export,
    cycle,
    send_checkins,
    send_digest,
    status,
    token,
)
