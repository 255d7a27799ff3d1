"""`serve` caps glibc's malloc arenas (bot.http_server.limit_malloc_arenas): threads started
after the cap share two arenas instead of one each, and an operator's MALLOC_ARENA_MAX stands.
Each case runs in a fresh interpreter: the cap is for the whole process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARENAS_AFTER_THREADS = """
import ctypes, sys, tempfile, threading
from bot.http_server import limit_malloc_arenas
limited = limit_malloc_arenas() if sys.argv[1] == "limit" else None
together = threading.Barrier(8)
def work():  # every thread holds its memory until all have some: no arena is passed on
    kept = [bytearray(1000) for _ in range(2000)]
    together.wait(10)
    del kept
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
libc = ctypes.CDLL("libc.so.6")
libc.fopen.restype = ctypes.c_void_p
with tempfile.NamedTemporaryFile(suffix=".xml") as out:
    stream = libc.fopen(out.name.encode(), b"w")
    libc.malloc_info(0, ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))
    print(limited, open(out.name).read().count("<heap nr="))
"""


def arenas(mode: str, **env: str) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    done = subprocess.run([sys.executable, "-c", ARENAS_AFTER_THREADS, mode], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, check=True)
    limited, count = done.stdout.split()
    return limited, int(count)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc is Linux's")
def test_threads_share_two_arenas_once_capped() -> None:
    assert arenas("limit") == ("True", 2)
    assert arenas("none")[1] > 2  # an arena per thread without the cap (up to 8 per core)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc is Linux's")
def test_the_operators_setting_stands() -> None:
    limited, count = arenas("limit", MALLOC_ARENA_MAX="4")
    assert limited == "False"
    assert 2 < count <= 4
