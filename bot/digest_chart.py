"""The digest's chart as a PNG: each Objective's score over the weeks of the cycle, the
expected line (the share of the cycle gone) and the forecast to the cycle's end.

Drawn with matplotlib (Agg, no display) in a child process (`python -m bot.digest_chart`), so
the plotting library is never imported into `serve` or the worker: their memory stays as it
was, and a digest pays ~1 s of CPU for its chart. The image holds no words, only "O1"…,
dates and scores: the message beside it names the Objectives in the reader's language (no
font can be assumed to hold every script).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the child process draws from JSON and needs none of the app
    from bot.services.digest.view import TeamChart

RENDER_TIMEOUT = 60.0
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


class ChartError(RuntimeError):
    """The chart could not be drawn (the child process failed)."""


def chart_png(chart: TeamChart) -> bytes:
    """The chart of `chart` as PNG bytes, drawn in a child process."""
    result = subprocess.run(
        [sys.executable, "-m", "bot.digest_chart"],
        input=json.dumps(_to_json(chart)).encode(),
        capture_output=True,
        timeout=RENDER_TIMEOUT,
        check=False,
    )
    if result.returncode != 0 or not result.stdout.startswith(PNG_MAGIC):
        raise ChartError(result.stderr.decode(errors="replace")[-500:])
    return result.stdout


def _to_json(chart: TeamChart) -> dict[str, Any]:
    return {
        "start": chart.start.isoformat(),
        "end": chart.end.isoformat(),
        "today": chart.today.isoformat(),
        "series": [
            {"label": s.label, "forecast": s.forecast,
             "points": [[day.isoformat(), score] for day, score in s.points]}
            for s in chart.series
        ],
    }


def draw(data: dict[str, Any]) -> bytes:
    """Draw the chart described by `_to_json`'s output (runs in the child process)."""
    import matplotlib  # only here, never in a serving process

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    start = date.fromisoformat(data["start"])

    def x(day: str) -> int:  # days since the cycle's start
        return (date.fromisoformat(day) - start).days

    last = x(data["end"])
    figure = Figure(figsize=(8, 4.5), dpi=100)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot([0, last], [0, 1], linestyle=":", color="grey")  # expected: the time gone
    for number, series in enumerate(data["series"]):
        colour = f"C{number % 10}"
        days = [x(day) for day, _ in series["points"]]
        scores = [score for _, score in series["points"]]
        axes.plot(days, scores, marker="o", markersize=3, color=colour, label=series["label"])
        if series["forecast"] is not None and days:
            axes.plot([days[-1], last], [scores[-1], series["forecast"]], linestyle="--",
                      color=colour)
    axes.axvline(x(data["today"]), color="black", linewidth=0.5)
    for low, high, shade in ((0, 0.4, "#f8d7da"), (0.4, 0.7, "#fff3cd"), (0.7, 1.0, "#d4edda")):
        axes.axhspan(low, high, color=shade, alpha=0.4, zorder=0)
    ticks = list(range(0, last + 1, 14))
    axes.set_xticks(ticks, [(start + timedelta(days=t)).strftime("%m-%d") for t in ticks])
    axes.set_xlim(0, last)
    axes.set_ylim(0, 1.02)
    axes.legend(loc="upper left", fontsize="small", ncol=min(len(data["series"]), 6))
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


if __name__ == "__main__":
    sys.stdout.buffer.write(draw(json.load(sys.stdin)))
