"""OKR cards: one Objective with its Key Results, as `/okr`, the App Home and the digest show it.

`load_cards` reads a screen's cards in a fixed number of statements whatever the number of
Objectives (no N+1): Objectives, their KRs, the last check-in per KR, people, teams. Dates
are in the viewer's zone and language. Each KR shows the notes of its latest check-in (its
note, blocker and help request; a later check-in without one means it is resolved).
`message_templates/okr/_cards.j2` renders the cards; `card_blocks` is how many blocks it uses
for one, so callers can fit a message or a view.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol

from sqlmodel import Session

from bot.domain import local_dates
from bot.domain.digest_rules import ValuePoint, clip_text
from bot.domain.forecast import objective_forecast
from bot.domain.formatting import (
    format_percent,
    format_score,
    format_value,
    progress_bar,
    value_and_target,
)
from bot.domain.scoring import (
    elapsed_fraction,
    kr_score,
    objective_score,
    shown_score,
    time_colour,
)
from bot.domain.vocabulary import Direction, KRKind
from bot.services.okrs.forecasts import (
    ForecastLine,
    StoredKR,
    forecast_line,
    history_by_kr,
    kr_state,
)
from storage.models import Cycle
from storage.queries import checkins as checkin_queries
from storage.queries import cycles as cycle_queries
from storage.queries import okrs as okr_queries
from storage.queries.checkins import LatestCheckIn
from storage.queries.okrs import KeyResultRow, ObjectiveRow

COLOUR_EMOJI = {"red": "🔴", "yellow": "🟡", "green": "🟢"}
UNSCORED_EMOJI = "⚪"
NOTE_LIMIT = 150  # characters of each check-in note on a card


@dataclass(frozen=True)
class Viewer:
    """Whose eyes: dates are shown in this zone and language."""

    tz: str
    locale: str
    today: date
    now: datetime

    @classmethod
    def at(cls, now: datetime, tz: str, locale: str) -> Viewer:
        return cls(tz, locale, local_dates.local(now, tz).date(), now)

    def date_of(self, when: datetime) -> str:
        return local_dates.format_date(
            local_dates.local(when, self.tz).date(), self.locale, today=self.today
        )


@dataclass(frozen=True)
class KRLine:
    """One Key Result, ready to print (values already formatted with their unit)."""

    id: int
    title: str
    is_milestone: bool
    done: bool
    score: float
    bar: str
    percent: str
    current: str  # as the pair reads: "12" of "12 / 30 interviews"; "30 h" when decreasing
    target: str
    unit: str
    confidence: str | None
    last_checkin_at: datetime | None
    last_checkin_date: str | None
    owner_name: str | None  # only when someone other than the Objective's owner holds it
    forecast: ForecastLine
    note: str = ""  # the latest check-in's note, blocker and help request, clipped
    blocker: str = ""
    help_needed: str = ""
    about_objective: bool = False  # written once for the whole Objective (before 0005)
    decreasing: bool = False  # lower is better (4 h → 1 h): read "30 h, down to 24 h"

    @property
    def has_notes(self) -> bool:
        return bool(self.note or self.blocker or self.help_needed)


@dataclass(frozen=True)
class ObjectiveCard:
    """One Objective: type, score, board colour, owner, and its (possibly capped) KRs."""

    id: int
    title: str
    type: str
    score: float | None
    score_text: str
    colour: str | None
    colour_emoji: str
    owner_name: str
    owner_kind: Literal["person", "team"]
    owner_id: int
    parent_id: int | None
    is_draft: bool
    krs: tuple[KRLine, ...]
    hidden_krs: int


def kr_score_of(kr: StoredKR) -> float:
    """The 0..1 score of a stored KR."""
    return kr_score(kr_state(kr))


def objective_colour(
    score: float | None, elapsed: float = 1.0, projected: float | None = None
) -> tuple[str | None, str]:
    """(colour name or None, emoji) of an Objective score, judged against the share of the
    cycle `elapsed` and the projected end score (`time_colour`; at the end, the guide's bands)."""
    if score is None:
        return None, UNSCORED_EMOJI
    name = time_colour(score, elapsed, projected).value
    return name, COLOUR_EMOJI[name]


@dataclass(frozen=True)
class CardQuery:
    """Which Objectives of a cycle a list of cards shows (`load_cards`)."""

    cycle_id: int
    person_ids: Sequence[int] = ()
    team_ids: Sequence[int] = ()
    include_held_krs: bool = False
    teams_led_by: Sequence[int] = ()


def load_cards(
    session: Session,
    *,
    cycle_id: int,
    viewer: Viewer,
    person_ids: Sequence[int] = (),
    team_ids: Sequence[int] = (),
    include_held_krs: bool = False,
    teams_led_by: Sequence[int] = (),
    max_krs: int | None = None,
    cycles: Sequence[Cycle] = (),
) -> list[ObjectiveCard]:
    """Cards of the Objectives owned by `person_ids`, by `team_ids` and by the teams one of
    `teams_led_by` leads, in `cycle_id`.

    With `include_held_krs`, also the Objectives in which one of `person_ids` holds a KR.
    Order: owners in the order given (people, then teams, then led teams by id, then held
    KRs), then position. `max_krs` caps the KRs per card (the rest are counted in
    `hidden_krs`). `cycles`: those the caller has read already (not read again).
    """
    query = CardQuery(cycle_id, person_ids, team_ids, include_held_krs, teams_led_by)
    return load_card_lists(session, [query], viewer=viewer, max_krs=max_krs, cycles=cycles)[0]


def load_card_lists(
    session: Session,
    queries: Sequence[CardQuery],
    *,
    viewer: Viewer,
    max_krs: int | None = None,
    cycles: Sequence[Cycle] = (),
) -> list[list[ObjectiveCard]]:
    """The cards of each of `queries` (as `load_cards` orders them), built together: the
    Objectives of all the queries in one statement, then one `cards_for` for them all, so a
    screen of several lists costs its KRs, check-ins, history, cycles, people and teams once."""
    found = okr_queries.visible_objectives([
        okr_queries.ObjectivesAsked(
            query.cycle_id, query.person_ids, query.team_ids, query.teams_led_by,
            kr_owner_ids=query.person_ids if query.include_held_krs else ())
        for query in queries], session=session)
    lists = [_in_order(query, objectives) for query, objectives in zip(queries, found, strict=True)]
    unique = list({o.id: o for objectives in lists for o in objectives}.values())
    cards = {card.id: card for card in cards_for(session, unique, viewer=viewer,
                                                 max_krs=max_krs, cycles=cycles)}
    return [[cards[o.id] for o in objectives] for objectives in lists]


def _in_order(query: CardQuery, found: list[tuple[int, ObjectiveRow]]) -> list[ObjectiveRow]:
    """`found` (`visible_objectives`) as `load_cards` orders it."""
    order = {("person", pid): i for i, pid in enumerate(query.person_ids)}
    order.update({("team", tid): i for i, tid in enumerate(query.team_ids)})

    def owner_rank(via: int, objective: ObjectiveRow) -> int:
        if okr_queries.VIA[via] == "teams_led_by":
            return objective.owner_team_id or 0
        return order.get(_owner_key(objective), 0)

    return [objective for _via, objective in sorted(
        found, key=lambda pair: (pair[0], owner_rank(*pair), pair[1].position, pair[1].id))]


def cards_for(
    session: Session,
    objectives: Sequence[ObjectiveRow],
    *,
    viewer: Viewer,
    max_krs: int | None = None,
    cycles: Sequence[Cycle] = (),
) -> list[ObjectiveCard]:
    """Cards of already loaded `objectives`, in their order (five more statements at most; four
    when `cycles`, already read, holds theirs)."""
    if not objectives:
        return []
    objective_ids = [o.id for o in objectives]
    krs = okr_queries.live_key_result_rows(session=session, objective_ids=objective_ids)
    kr_ids = [kr.id for kr in krs]
    checked = checkin_queries.latest_checkins(session=session, kr_ids=kr_ids) if kr_ids else {}
    history = history_by_kr(
        checkin_queries.value_history(session=session, kr_ids=kr_ids) if kr_ids else [])
    by_id = {c.id: c for c in cycles if c.id is not None}
    if missing := {o.cycle_id for o in objectives} - by_id.keys():
        by_id |= cycle_queries.cycles_by_ids(session=session, ids=missing)
    person_ids = {o.owner_person_id for o in objectives if o.owner_person_id is not None}
    person_ids |= {kr.owner_person_id for kr in krs if kr.owner_person_id is not None}
    team_ids = {o.owner_team_id for o in objectives if o.owner_team_id is not None}
    people, teams = okr_queries.owner_names(person_ids, team_ids, session=session)
    by_objective: dict[int, list[KeyResultRow]] = {}
    for kr in krs:
        by_objective.setdefault(kr.objective_id, []).append(kr)
    return [
        _card(o, by_objective.get(o.id, []), _Context(checked, history, people, teams,
              by_id[o.cycle_id], viewer), max_krs)
        for o in objectives
    ]


def card_blocks(card: ObjectiveCard) -> int:
    """Blocks `okr/_cards.j2` uses for `card`: a divider, the Objective, one per shown KR and
    one more per shown KR with notes."""
    return 2 + len(card.krs) + sum(kr.has_notes for kr in card.krs)


def fit_cards(
    cards: Iterable[ObjectiveCard], budget: int
) -> tuple[tuple[ObjectiveCard, ...], int]:
    """The leading cards that fit in `budget` blocks, and how many did not."""
    shown: list[ObjectiveCard] = []
    hidden = 0
    for card in cards:
        cost = card_blocks(card)
        if hidden == 0 and cost <= budget:
            shown.append(card)
            budget -= cost
        else:
            hidden += 1
    return tuple(shown), hidden


class Owned(Protocol):
    """Who owns an Objective: an ORM `Objective` or an `ObjectiveRow`."""

    @property
    def owner_person_id(self) -> int | None: ...
    @property
    def owner_team_id(self) -> int | None: ...


def owner_name(objective: Owned, people: Mapping[int, str], teams: Mapping[int, str]) -> str:
    """The name of the person or team owning `objective` (`people` and `teams`: names by id;
    "?" if it vanished)."""
    if objective.owner_person_id is not None:
        return people.get(objective.owner_person_id, "?")
    return teams.get(objective.owner_team_id or 0, "?")


def _owner_key(objective: Owned) -> tuple[str, int]:
    if objective.owner_person_id is not None:
        return ("person", objective.owner_person_id)
    return ("team", objective.owner_team_id or 0)


@dataclass(frozen=True)
class _Context:
    """What the cards of one screen share."""

    checked: dict[int, LatestCheckIn]  # each KR's latest check-in
    history: dict[int, list[ValuePoint]]
    people: dict[int, str]  # names by id
    teams: dict[int, str]
    cycle: Cycle
    viewer: Viewer


def _card(
    objective: ObjectiveRow, krs: list[KeyResultRow], ctx: _Context, max_krs: int | None
) -> ObjectiveCard:
    people, teams = ctx.people, ctx.teams
    forecasts: list[float | None] = []
    lines = []
    for kr in krs:
        line, projected = _line(kr, objective, ctx)
        lines.append(line)
        forecasts.append(projected)
    score = shown_score(objective_score(line.score for line in lines),
                        checked_in=any(line.last_checkin_at for line in lines),
                        age=ctx.viewer.now - objective.created_at)
    elapsed = elapsed_fraction(ctx.cycle.start_date, ctx.cycle.end_date, ctx.viewer.today)
    colour_name, emoji = objective_colour(score, elapsed, objective_forecast(forecasts))
    kind, owner_id = _owner_key(objective)
    shown = lines if max_krs is None else lines[:max_krs]
    return ObjectiveCard(
        id=objective.id,
        title=objective.title,
        type=objective.type,
        score=score,
        score_text=format_score(score),
        colour=colour_name,
        colour_emoji=emoji,
        owner_name=owner_name(objective, people, teams),
        owner_kind="person" if kind == "person" else "team",
        owner_id=owner_id,
        parent_id=objective.parent_id,
        is_draft=objective.state == "draft",
        krs=tuple(shown),
        hidden_krs=len(lines) - len(shown),
    )


def _line(kr: KeyResultRow, objective: ObjectiveRow, ctx: _Context
          ) -> tuple[KRLine, float | None]:
    """The KR's line and its projected end score (None without a forecast)."""
    viewer = ctx.viewer
    score = kr_score_of(kr)
    latest = ctx.checked.get(kr.id)
    last = _latest(latest.updated_at if latest else None, kr.last_checkin_at)
    holder = None
    if kr.owner_person_id is not None and kr.owner_person_id != objective.owner_person_id:
        holder = ctx.people.get(kr.owner_person_id)
    decreasing = kr.direction == Direction.DECREASE.value
    forecast, forecast_text = forecast_line(
        kr, ctx.history.get(kr.id, []), objective.type, now=viewer.now,
        end_date=ctx.cycle.end_date)
    return KRLine(
        id=kr.id,
        title=kr.title,
        is_milestone=kr.kind == KRKind.MILESTONE,
        done=kr.kind == KRKind.MILESTONE and score >= 1.0,
        score=score,
        bar=progress_bar(score),
        percent=format_percent(score),
        current=(format_value(kr.current_value, kr.unit) if decreasing
                 else value_and_target(kr.current_value, kr.target_value, kr.unit)[0]),
        target=format_value(kr.target_value, kr.unit),
        unit=kr.unit,
        decreasing=decreasing,
        confidence=kr.confidence,
        last_checkin_at=last,
        last_checkin_date=viewer.date_of(last) if last else None,
        owner_name=holder,
        forecast=forecast_text,
        note=clip_text(latest.progress, NOTE_LIMIT) if latest else "",
        blocker=clip_text(latest.blockers, NOTE_LIMIT) if latest else "",
        help_needed=clip_text(latest.help_needed, NOTE_LIMIT) if latest else "",
        about_objective=latest.about_objective if latest else False,
    ), forecast.score


def _latest(*moments: datetime | None) -> datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None
