"""Run an `okr-bot` subprocess at a chosen moment (see clock_at_start/sitecustomize.py)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CLOCK_AT_START = Path(__file__).resolve().parent / "clock_at_start"


def env_at(moment: datetime, env: dict[str, str]) -> dict[str, str]:
    """`env` for a subprocess whose clock starts at `moment` (aware) and runs on."""
    return {**env, "OKR_TEST_NOW": moment.isoformat(),
            "PYTHONPATH": f"{CLOCK_AT_START}:{ROOT}"}
