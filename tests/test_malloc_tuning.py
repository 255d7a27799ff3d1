"""`serve` tunes glibc's malloc (bot.http_server.tune_malloc): threads started after it share
two arenas instead of one each, large blocks are mmap()ed however large a block freed before
was, and an operator's own MALLOC_* settings stand. Each case runs in a fresh interpreter:
the settings are for the whole process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARENAS_AFTER_THREADS = """
import ctypes, sys, tempfile, threading
from bot.http_server import tune_malloc
limited = "MALLOC_ARENA_MAX" in tune_malloc() if sys.argv[1] == "limit" else None
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


MMAPPED_AFTER_A_LARGE_FREE = """
import ctypes, sys
from bot.http_server import tune_malloc
tuned = tune_malloc() if sys.argv[1] == "limit" else []
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks",
                "hblkhd", "usmblks", "fsmblks", "uordblks", "fordblks", "keepcost")]
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
libc.mallinfo2.restype = Info
libc.free(ctypes.c_void_p(libc.malloc(4 << 20)))  # glibc's own threshold rises to 4 MiB here
before = libc.mallinfo2().hblks
block = libc.malloc(1 << 20)
print("MALLOC_MMAP_THRESHOLD_" in tuned, libc.mallinfo2().hblks - before)
"""


def run(script: str, mode: str, **env: str) -> tuple[str, int]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    done = subprocess.run([sys.executable, "-c", script, mode], cwd=ROOT,
                          env={**clean, **env}, capture_output=True, text=True, check=True)
    tuned, count = done.stdout.split()
    return tuned, int(count)


def arenas(mode: str, **env: str) -> tuple[str, int]:
    return run(ARENAS_AFTER_THREADS, mode, **env)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc is Linux's")
def test_threads_share_two_arenas_once_capped() -> None:
    assert arenas("limit") == ("True", 2)
    assert arenas("none")[1] > 2  # an arena per thread without the cap (up to 8 per core)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc is Linux's")
def test_the_operators_setting_stands() -> None:
    limited, count = arenas("limit", MALLOC_ARENA_MAX="4")
    assert limited == "False"
    assert 2 < count <= 4


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc is Linux's")
def test_a_large_block_is_mmapped_after_a_larger_one_was_freed() -> None:
    """Untuned, freeing a 4 MiB block moves glibc's threshold up and the next 1 MiB comes from
    the heap, which keeps it after it is freed; tuned, it is mmap()ed and given back."""
    assert run(MMAPPED_AFTER_A_LARGE_FREE, "limit") == ("True", 1)
    assert run(MMAPPED_AFTER_A_LARGE_FREE, "none") == ("False", 0)
    assert run(MMAPPED_AFTER_A_LARGE_FREE, "limit", MALLOC_MMAP_THRESHOLD_="8388608") == (
        "False", 0)
