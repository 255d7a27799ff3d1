"""The team digest as plain frozen data, ready for `message_templates/digest/`.

Everything the templates show is prepared here: texts clipped (before escaping), numbers
formatted, lists sorted. Words and escaping are the templates' job; the locale is chosen
when rendering.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from bot.services.okrs.forecasts import ForecastLine

# The replies in a digest's thread, in order: each is an outbox row of kind `digest_reply`
# (bot.delivery.outbox.enqueue_thread), rendered by bot.delivery.messages.DIGEST_REPLIES.
DIGEST_THREAD = ("details",)


@dataclass(frozen=True)
class PersonRef:
    """Someone the digest names: `name` in text, `slack_user_id` for a mention."""

    id: int
    name: str
    slack_user_id: str


@dataclass(frozen=True)
class ObjectiveLine:
    """An Objective's score, colour and change since the previous digest."""

    id: int
    title: str
    owner_name: str  # "" for the team's own Objectives
    score: str  # "0.72", or "—" when it has no KR
    colour: str  # red / yellow / green / none
    trend: str  # up / down / flat / new (digest_rules.Trend)
    delta: str  # "0.10" (size of the change; the arrow says which way)


@dataclass(frozen=True)
class KRLine:
    """A KR that moved, turned red, stalled or is a win."""

    id: int
    title: str
    owner_name: str  # "" when nobody owns it
    value_before: str
    value_now: str
    score_before: str
    score_now: str
    is_milestone: bool
    win: str = ""  # reached_target / milestone_done / turned_green (digest_rules.WinKind)
    stall: str = ""  # no_checkin / no_change (digest_rules.StallReason)
    quiet_days: int = 0


@dataclass(frozen=True)
class AskLine:
    """An open blocker or help request: who raised it, on which KR, what they wrote."""

    key_result_id: int
    kr_title: str
    person: PersonRef | None  # the author, else the KR's owner
    text: str  # one line, clipped to digest_rules.FREE_TEXT_LIMIT
    asks: PersonRef | None = None  # the person asked for help
    answer: str = ""  # their answer: "", "can_help" or "not_now"


@dataclass(frozen=True)
class TargetChangeLine:
    key_result_id: int
    kr_title: str
    old: str  # "" when the earlier target was never recorded
    new: str
    by_name: str  # "" when unknown
    on: date


@dataclass(frozen=True)
class HeadingLine:
    """A KR with a forecast: where it is heading at its cycle's end."""

    key_result_id: int
    kr_title: str
    owner_name: str  # "" when nobody owns it
    forecast: ForecastLine


@dataclass(frozen=True)
class ObjectiveSeries:
    """One Objective's score by week, for the chart; the chart shows `label` ("O1"), the
    message beside it the title (a chart font cannot be assumed to have every script)."""

    label: str
    title: str
    points: tuple[tuple[date, float], ...]
    forecast: float | None  # the projected score at the cycle's end


@dataclass(frozen=True)
class TeamChart:
    """The digest's chart: each Objective of one cycle over its weeks, with the expected
    line (the share of the cycle gone) and the forecast."""

    cycle_name: str
    start: date
    end: date
    today: date
    series: tuple[ObjectiveSeries, ...]


@dataclass(frozen=True)
class ConfidenceDrop:
    """A KR whose confidence went down in the period: as it stood at the period's start, now."""

    key_result_id: int
    kr_title: str
    owner_name: str
    before: str  # "on_track", "at_risk" or "off_track"
    now: str


@dataclass(frozen=True)
class DigestView:
    """One team's digest for the period [period_start, period_end)."""

    team_id: int
    team_name: str
    channel_id: str | None
    lead_locale: str | None  # the first lead's language; None when the team has no lead
    period_start: datetime
    period_end: datetime
    first_day: date  # local dates (the team's time zone) the period covers
    last_day: date
    generated_at: datetime
    objectives: tuple[ObjectiveLine, ...]
    blockers: tuple[AskLine, ...]
    help_requests: tuple[AskLine, ...]
    not_checked_in: tuple[PersonRef, ...]
    turned_red: tuple[KRLine, ...]
    stalled: tuple[KRLine, ...]
    wins: tuple[KRLine, ...]
    moved: tuple[KRLine, ...]
    target_changes: tuple[TargetChangeLine, ...]
    heading: tuple[HeadingLine, ...] = ()  # KRs with a forecast, those heading for a miss first
    confidence_drops: tuple[ConfidenceDrop, ...] = ()  # KRs said less confident this period
    chart: TeamChart | None = None  # None when the team has no scored Objective
    # The headline a lead reads in ten seconds (the channel post; details go in its thread).
    score: str = "—"  # the team's score: the mean of its Objectives' scores
    score_trend: str = "new"  # up / down / flat / new, since the previous digest
    score_delta: str = "0.00"
    reds: int = 0  # KRs red at the end of the period
    checkins: int = 0  # check-ins made or edited in the period
    away: tuple[PersonRef, ...] = ()  # away or paused during the period: a neutral line
    participation: tuple[int, int] = (0, 0)  # (answered, asked): members asked in the period
    progress: tuple[AskLine, ...] = ()  # the period's progress notes, per KR (the thread)

    @property
    def is_quiet(self) -> bool:
        """Nothing to act on or celebrate: no asks, gaps, reds, stalls, wins, moves, targets."""
        return not (self.blockers or self.help_requests or self.not_checked_in
                    or self.turned_red or self.stalled or self.wins or self.moved
                    or self.target_changes or self.confidence_drops)

    def locale(self, default: str) -> str:
        """The language the team's channel reads: its lead's, else `default`."""
        return self.lead_locale or default
