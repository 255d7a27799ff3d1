"""Subcommands of `okr-bot`. Each module exposes `register(subparsers)`; the order is `--help`'s."""

from __future__ import annotations

from types import ModuleType

from bot.commands import db, serve, socket

COMMANDS: tuple[ModuleType, ...] = (serve, socket, db)
