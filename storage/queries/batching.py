"""Long id lists split into batches, so an IN (...) stays under every database's limit."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

BATCH = 500


def chunks(items: Sequence[Any]) -> Iterator[Sequence[Any]]:
    """`items` in consecutive slices of at most BATCH."""
    for start in range(0, len(items), BATCH):
        yield items[start : start + BATCH]
