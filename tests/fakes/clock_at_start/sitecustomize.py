"""Imported by Python at the start of a test's subprocess whose PYTHONPATH puts this folder
first (tests/fakes/subprocess_clock.py): when OKR_TEST_NOW is set, the process's clock starts
at that moment and runs on from there (time_machine), so a command spawned by a test sees the
test's moment, not the real time of day — whose calendar would otherwise decide the outcome."""

import os

if os.environ.get("OKR_TEST_NOW"):
    import time_machine

    time_machine.travel(os.environ["OKR_TEST_NOW"], tick=True).start()
