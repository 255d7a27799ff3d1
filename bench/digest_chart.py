"""What the digest's chart costs, and what it would cost a serving process to draw it itself.

    .venv/bin/python bench/digest_chart.py [--objectives 5] [--runs 3]

Draws a team chart (`bot.digest_chart.chart_png`: matplotlib in a child process) `--runs` times
and prints the wall time and PNG size; then, in a fresh interpreter, the peak RSS of the
modules `serve` and the sender load, before and after importing matplotlib — the memory the
child process keeps out of `serve`.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.benchlib import print_header, table
from bot.digest_chart import chart_png
from bot.services.digest.view import ObjectiveSeries, TeamChart

START, END, TODAY = date(2026, 10, 1), date(2026, 12, 31), date(2026, 11, 30)
RSS = (
    "import resource, bot.http_server, bot.server, bot.wiring, bot.scheduler, bot.delivery.sender;"
    "a = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss;"
    "import matplotlib; matplotlib.use('Agg'); from matplotlib.figure import Figure;"
    "b = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; print(a, b)"
)


def team_chart(objectives: int) -> TeamChart:
    weeks = [START + timedelta(days=7 * i) for i in range((TODAY - START).days // 7 + 1)]
    return TeamChart("2026-Q4", START, END, TODAY, tuple(
        ObjectiveSeries(f"O{n}", f"Objective {n}",
                        tuple((d, min(1.0, 0.03 * i * n)) for i, d in enumerate(weeks)), 0.8)
        for n in range(1, objectives + 1)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print_header("digest chart")
    chart, times, size = team_chart(args.objectives), [], 0
    for _ in range(args.runs):
        started = time.perf_counter()
        size = len(chart_png(chart))
        times.append(time.perf_counter() - started)
    before, after = (int(v) / 1024 for v in subprocess.run(
        [sys.executable, "-c", RSS], capture_output=True, text=True, check=True,
        cwd=Path(__file__).resolve().parent.parent).stdout.split())
    print(table(("objectives", "runs", "min s", "max s", "PNG bytes"),
                [(args.objectives, args.runs, f"{min(times):.2f}", f"{max(times):.2f}", size)]))
    print(table(("serving modules, peak RSS MB", "with matplotlib imported, MB", "difference MB"),
                [(f"{before:.1f}", f"{after:.1f}", f"{after - before:.1f}")]))


if __name__ == "__main__":
    main()
