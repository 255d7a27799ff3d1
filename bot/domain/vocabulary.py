"""The OKR vocabulary: enums whose values are the strings stored in the database.

Convert at the edge (`ObjectiveType(row.type)`); every value matches the tuples in
`storage/models.py`, and a test keeps the two in step.
"""

from __future__ import annotations

from enum import StrEnum


class ObjectiveType(StrEnum):
    """How an Objective's score is read (guide 三.1)."""

    COMMITTED = "committed"  # must reach 100%
    ASPIRATIONAL = "aspirational"  # moonshot: 60-70% is success
    LEARNING = "learning"  # judged by what was learned


class KRKind(StrEnum):
    METRIC = "metric"  # a number moving from start to target
    MILESTONE = "milestone"  # done or not done


class Direction(StrEnum):
    INCREASE = "increase"
    DECREASE = "decrease"


class Confidence(StrEnum):
    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
