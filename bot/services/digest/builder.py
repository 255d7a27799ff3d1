"""Build a team's digest for one period: what moved, stalled, turned red or was won, the open
blockers and help requests, and who has not checked in.

Everything is loaded in a fixed number of statements (storage/queries/digest.py), whatever
the team's size; the rules are bot/domain/digest_rules.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlmodel import Session

from bot.clock import Clock
from bot.domain import digest_rules as rules
from bot.domain import slots
from bot.domain.cycle_rules import confidence_fell
from bot.domain.forecast import objective_forecast
from bot.domain.formatting import format_score, format_value
from bot.domain.local_dates import local
from bot.domain.score_series import objective_series, week_marks
from bot.domain.scoring import Colour, elapsed_fraction, objective_score, time_colour
from bot.domain.vocabulary import Direction, KRKind
from bot.services.digest.view import (
    AskLine,
    ConfidenceDrop,
    DigestView,
    HeadingLine,
    KRLine,
    ObjectiveLine,
    ObjectiveSeries,
    PersonRef,
    TargetChangeLine,
    TeamChart,
)
from bot.services.okrs.forecasts import forecast_line
from storage.db import Database
from storage.models import CheckIn, Cycle, KeyResult, Objective, Person
from storage.queries import cycles as cycle_queries
from storage.queries import digest as digest_queries

TITLE_LIMIT = 150
NAME_LIMIT = 80


class TeamNotFoundError(LookupError):
    """No team has the given id."""


@dataclass(frozen=True)
class _Loaded:
    """Rows of one digest, as the queries return them."""

    team_name: str
    channel_id: str | None
    tz: str
    roster: list[tuple[bool, Person]]
    objectives: list[tuple[Objective, Person | None]]
    key_results: list[tuple[KeyResult, Person | None]]
    history: list[digest_queries.HistoryPoint]
    checkins: list[tuple[CheckIn, Person | None, Person | None]]
    last_checkins: dict[int, datetime]
    confidences: dict[int, str]  # each KR's confidence at the period's start
    absences: dict[int, list[tuple[date, date]]]
    cycles: dict[int, Cycle]
    responses: digest_queries.Responses  # who was asked in the period, and what was answered


def build_digest(
    db: Database, clock: Clock, team_id: int, *, period_start: datetime, period_end: datetime
) -> DigestView:
    """The digest of team `team_id` for [period_start, period_end), as of now."""
    with db.read() as session:
        return digest_of(
            session, team_id, period_start=period_start, period_end=period_end, now=clock.now()
        )


def digest_of(
    session: Session, team_id: int, *, period_start: datetime, period_end: datetime, now: datetime
) -> DigestView:
    """The digest of team `team_id` for [period_start, period_end) as of `now`; the previous
    digest is taken to be as of `period_start`."""
    if period_end <= period_start:
        raise ValueError("a digest period must end after it starts")
    loaded, first, last = _load(session, team_id, period_start, period_end)
    return _assemble(loaded, team_id, period_start, period_end, first, last, now)


def _load(
    session: Session, team_id: int, start: datetime, end: datetime
) -> tuple[_Loaded, date, date]:
    found = digest_queries.team_and_schedule(team_id, session=session)
    if found is None:
        raise TeamNotFoundError(team_id)
    team, schedule = found
    tz = schedule.timezone if schedule else "UTC"
    first = local(start, tz).date()
    last = local(end - timedelta(microseconds=1), tz).date()
    roster = digest_queries.team_roster(team_id, session=session)
    absences: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for absence in digest_queries.member_absences(team_id, first, last, session=session):
        absences[absence.person_id].append((absence.start_date, absence.end_date))
    objectives = digest_queries.digest_objectives(team_id, first, last, session=session)
    loaded = _Loaded(
        team_name=team.name,
        channel_id=(schedule.digest_channel_id if schedule else None)
        or team.slack_channel_id,
        tz=tz,
        roster=[(member.is_lead, person) for member, person in roster],
        objectives=objectives,
        key_results=digest_queries.digest_key_results(team_id, first, last, end, session=session),
        history=digest_queries.digest_history(team_id, first, last, end, session=session),
        checkins=digest_queries.digest_checkins(team_id, first, last, start, end, session=session),
        last_checkins=digest_queries.last_checkin_times(team_id, first, last, end, session=session),
        confidences=digest_queries.confidences_before(team_id, first, last, start, end,
                                                      session=session),
        absences=absences,
        cycles=cycle_queries.cycles_by_ids(
            session=session, ids={o.cycle_id for o, _ in objectives}),
        responses=digest_queries.responses(team_id, first, last, start, end, session=session),
    )
    return loaded, first, last


def _ref(person: Person) -> PersonRef:
    assert person.id is not None
    return PersonRef(person.id, rules.clip_text(person.name, NAME_LIMIT), person.slack_user_id)


def _facts(
    kr: KeyResult, history: Iterable[rules.ValuePoint], last_checkin: datetime | None,
    cycle: Cycle | None,
) -> rules.KRFacts:
    return rules.KRFacts(
        kind=KRKind(kr.kind), start=kr.start_value, target=kr.target_value,
        current=kr.current_value, direction=Direction(kr.direction), created_at=kr.created_at,
        history=tuple(history), last_checkin_at=last_checkin,
        cycle=(cycle.start_date, cycle.end_date) if cycle is not None else None,
    )


def _assemble(
    data: _Loaded, team_id: int, start: datetime, end: datetime,
    first: date, last: date, now: datetime,
) -> DigestView:
    points: dict[int, list[rules.ValuePoint]] = defaultdict(list)
    changers: dict[int, str] = {}
    for row in data.history:
        points[row.key_result_id].append(rules.ValuePoint(
            row.at, row.value, row.target_value, row.previous_value, row.changed_by_id))
        if row.changed_by_id is not None and row.changer_name is not None:
            changers[row.changed_by_id] = rules.clip_text(row.changer_name, NAME_LIMIT)
    objective_owner = {o.id: p for o, p in data.objectives}
    objective_of = {o.id: o for o, _ in data.objectives}
    kr_owner: dict[int, Person | None] = {}
    changes: dict[int, rules.KRChange] = {}
    facts_of: dict[int, rules.KRFacts] = {}
    by_objective: dict[int, list[rules.KRChange]] = defaultdict(list)
    projected: dict[int, list[float | None]] = defaultdict(list)
    facts_by_objective: dict[int, list[rules.KRFacts]] = defaultdict(list)
    heading: list[HeadingLine] = []
    for kr, owner in data.key_results:
        assert kr.id is not None
        kr_owner[kr.id] = owner or objective_owner.get(kr.objective_id)
        cycle = data.cycles.get(objective_of[kr.objective_id].cycle_id)
        facts = _facts(kr, points[kr.id], data.last_checkins.get(kr.id), cycle)
        change = rules.classify(facts, start, end)
        if change is not None:
            facts_of[kr.id], changes[kr.id] = facts, change
            by_objective[kr.objective_id].append(change)
            facts_by_objective[kr.objective_id].append(facts)
            objective = objective_of[kr.objective_id]
            forecast, line = forecast_line(
                kr, points[kr.id], objective.type, now=now,
                end_date=data.cycles[objective.cycle_id].end_date)
            projected[kr.objective_id].append(forecast.score)
            if line.known:
                heading.append(HeadingLine(kr.id, rules.clip_text(kr.title, TITLE_LIMIT),
                                           _name(kr_owner[kr.id]), line))
    krs = [(kr, changes[kr.id]) for kr, _ in data.key_results if kr.id in changes]
    blockers, help_requests = _asks(data, kr_owner)
    team_before, team_now = _team_score(by_objective.values())
    team_trend, team_delta = rules.trend(team_before, team_now)
    missing, away, asked = _not_checked_in(data, kr_owner, first, last)
    return DigestView(
        team_id=team_id,
        team_name=data.team_name,
        channel_id=data.channel_id,
        lead_locale=next((p.locale for is_lead, p in data.roster if is_lead), None),
        period_start=start,
        period_end=end,
        first_day=first,
        last_day=last,
        generated_at=now,
        objectives=tuple(
            _objective_line(o, p, by_objective[o.id or 0], data.cycles[o.cycle_id], last,
                            objective_forecast(projected[o.id or 0]))
            for o, p in data.objectives),
        blockers=blockers,
        help_requests=help_requests,
        progress=_progress(data, kr_owner),
        not_checked_in=missing,
        away=away,
        participation=(asked - len(missing), asked),
        score=format_score(team_now),
        score_trend=team_trend.value,
        score_delta=f"{team_delta:.2f}",
        reds=sum(1 for change in changes.values() if change.now.colour is Colour.RED),
        checkins=len(set(data.responses.answered)),
        turned_red=tuple(sorted(
            (_kr_line(kr, c, kr_owner[kr.id or 0]) for kr, c in krs
             if c.status is rules.Status.TURNED_RED),
            key=lambda line: line.score_now)),
        stalled=tuple(sorted(
            (_kr_line(kr, c, kr_owner[kr.id or 0]) for kr, c in krs
             if c.status is rules.Status.STALLED),
            key=lambda line: -line.quiet_days)),
        wins=tuple(_kr_line(kr, c, kr_owner[kr.id or 0]) for kr, c in krs
                   if c.status is rules.Status.WIN),
        moved=tuple(_kr_line(kr, c, kr_owner[kr.id or 0]) for kr, c in krs
                    if c.status is rules.Status.MOVED),
        target_changes=tuple(
            _target_line(kr, change, changers, data.tz)
            for kr, _ in data.key_results if kr.id in facts_of
            for change in rules.target_changes(facts_of[kr.id or 0], start, end)
        ),
        heading=tuple(sorted(heading, key=lambda h: not h.forecast.miss)),
        chart=_chart(data, facts_by_objective, projected, last, end),
        confidence_drops=_confidence_drops(data, kr_owner, start, end),
    )


def _confidence_drops(
    data: _Loaded, kr_owner: dict[int, Person | None], start: datetime, end: datetime
) -> tuple[ConfidenceDrop, ...]:
    """KRs whose latest confidence of the period is below the one they had at its start."""
    said: dict[int, str] = {}
    for checkin, _, _ in sorted(data.checkins, key=lambda row: row[0].updated_at):
        if checkin.confidence and start <= checkin.created_at < end:
            said[checkin.key_result_id] = checkin.confidence
    return tuple(
        ConfidenceDrop(kr.id, rules.clip_text(kr.title, TITLE_LIMIT), _name(kr_owner.get(kr.id)),
                       data.confidences[kr.id], said[kr.id])
        for kr, _ in data.key_results
        if kr.id is not None and kr.id in said
        and confidence_fell(data.confidences.get(kr.id), said[kr.id]))


def _chart(
    data: _Loaded, facts: dict[int, list[rules.KRFacts]],
    projected: dict[int, list[float | None]], last: date, end: datetime,
) -> TeamChart | None:
    """The chart of the first Objective's cycle: each scored Objective of it by week."""
    if not data.objectives:
        return None
    cycle = data.cycles[data.objectives[0][0].cycle_id]
    marks = week_marks(cycle.start_date, min(max(last, cycle.start_date), cycle.end_date))
    series: list[ObjectiveSeries] = []
    for objective, _ in data.objectives:
        points = objective_series(facts.get(objective.id or 0, []), marks, end)
        if objective.cycle_id == cycle.id and points:
            series.append(ObjectiveSeries(
                f"O{len(series) + 1}", rules.clip_text(objective.title, TITLE_LIMIT),
                tuple(points), objective_forecast(projected.get(objective.id or 0, []))))
    if not series:
        return None
    return TeamChart(cycle.name, cycle.start_date, cycle.end_date, marks[-1], tuple(series))


def _name(person: Person | None) -> str:
    return rules.clip_text(person.name, NAME_LIMIT) if person else ""


def _objective_line(
    objective: Objective, owner: Person | None, changes: list[rules.KRChange], cycle: Cycle,
    last: date, projected: float | None,
) -> ObjectiveLine:
    """The Objective's line; its colour is judged against the time elapsed on the period's
    last day and its projected end score (`time_colour`)."""
    assert objective.id is not None
    before, now = rules.objective_scores(changes)
    direction, delta = rules.trend(before, now)
    elapsed = elapsed_fraction(cycle.start_date, cycle.end_date, last)
    return ObjectiveLine(
        id=objective.id,
        title=rules.clip_text(objective.title, TITLE_LIMIT),
        owner_name=_name(owner),
        score=format_score(now),
        colour=time_colour(now, elapsed, projected).value if now is not None else "none",
        trend=direction.value,
        delta=f"{delta:.2f}",
    )


def _kr_line(kr: KeyResult, change: rules.KRChange, owner: Person | None) -> KRLine:
    assert kr.id is not None
    before = change.before
    return KRLine(
        id=kr.id,
        title=rules.clip_text(kr.title, TITLE_LIMIT),
        owner_name=_name(owner),
        value_before=format_value(before.value if before else kr.start_value, kr.unit),
        value_now=format_value(change.now.value, kr.unit),
        score_before=format_score(before.score if before else None),
        score_now=format_score(change.now.score),
        is_milestone=kr.kind == KRKind.MILESTONE,
        win=change.win.value if change.win else "",
        stall=change.stall.value if change.stall else "",
        quiet_days=change.quiet_days,
    )


def _target_line(
    kr: KeyResult, change: rules.TargetChange, changers: dict[int, str], tz: str
) -> TargetChangeLine:
    assert kr.id is not None
    return TargetChangeLine(
        key_result_id=kr.id,
        kr_title=rules.clip_text(kr.title, TITLE_LIMIT),
        old=format_value(change.old, kr.unit) if change.old is not None else "",
        new=format_value(change.new, kr.unit),
        by_name=changers.get(change.changed_by or 0, ""),
        on=local(change.at, tz).date(),
    )


def _asks(
    data: _Loaded, kr_owner: dict[int, Person | None]
) -> tuple[tuple[AskLine, ...], tuple[AskLine, ...]]:
    """Open blockers and help requests on the KRs in scope, in KR order then oldest first."""
    people: dict[int, Person] = {}
    titles = {kr.id: kr.title for kr, _ in data.key_results}
    asks = []
    for checkin, author, asked in data.checkins:
        if checkin.key_result_id not in titles:
            continue
        for person in (author, asked):
            if person is not None and person.id is not None:
                people[person.id] = person
        asks.append(rules.Ask(checkin.key_result_id, checkin.author_id, checkin.created_at,
                              checkin.blockers, checkin.help_needed, checkin.help_from_person_id,
                              checkin.help_answer or ""))
    order = {kr_id: index for index, kr_id in enumerate(titles)}
    open_asks = sorted(rules.open_asks(asks), key=lambda a: (order[a.key_result_id], a.at))

    def line(ask: rules.Ask, text: str, asks_id: int | None) -> AskLine:
        who = people.get(ask.author_id or 0) or kr_owner.get(ask.key_result_id)
        asked = people.get(asks_id or 0)
        return AskLine(
            key_result_id=ask.key_result_id,
            kr_title=rules.clip_text(titles[ask.key_result_id], TITLE_LIMIT),
            person=_ref(who) if who else None,
            text=rules.clip_text(text),
            asks=_ref(asked) if asked else None,
            answer=ask.help_answer if asks_id is not None else "",
        )

    blockers = tuple(line(a, a.blockers, None) for a in open_asks if a.blockers.strip())
    helps = tuple(line(a, a.help_needed, a.help_from_id) for a in open_asks
                  if a.help_needed.strip())
    return blockers, helps


def _progress(data: _Loaded, kr_owner: dict[int, Person | None]) -> tuple[AskLine, ...]:
    """The period's progress notes: each author's latest on each KR in scope, in KR order."""
    titles = {kr.id: kr.title for kr, _ in data.key_results}
    order = {kr_id: index for index, kr_id in enumerate(titles)}
    latest: dict[tuple[int, int | None], tuple[CheckIn, Person | None]] = {}
    for checkin, author, _ in data.checkins:  # oldest first: a later note replaces an earlier
        if checkin.key_result_id in titles and checkin.progress.strip():
            latest[(checkin.key_result_id, checkin.author_id)] = (checkin, author)
    return tuple(
        AskLine(key_result_id=checkin.key_result_id,
                kr_title=rules.clip_text(titles[checkin.key_result_id], TITLE_LIMIT),
                person=_ref(who) if (who := author or kr_owner.get(checkin.key_result_id))
                else None,
                text=rules.clip_text(checkin.progress))
        for checkin, author in sorted(latest.values(),
                                      key=lambda pair: (order[pair[0].key_result_id],
                                                        pair[0].created_at)))


def _team_score(
    objectives: Iterable[list[rules.KRChange]],
) -> tuple[float | None, float | None]:
    """(before, now) of the team: the mean of its Objectives' scores (guide 三.3)."""
    pairs = [rules.objective_scores(changes) for changes in objectives]
    return (objective_score(b for b, _ in pairs if b is not None),
            objective_score(n for _, n in pairs if n is not None))


def _not_checked_in(
    data: _Loaded, kr_owner: dict[int, Person | None], first: date, last: date
) -> tuple[tuple[PersonRef, ...], tuple[PersonRef, ...], int]:
    """(not checked in, away, how many were asked) among members owning a KR in scope.

    Not checked in: asked (a prompt due in the period was sent to them) and answered none —
    no check-in by them or on their KRs made or edited in the period. Away: away or paused on
    some day of the period; a neutral line, never under "not checked in"."""
    owners = {p.id for p in kr_owner.values() if p is not None}
    answered: set[int | None] = set()
    for author, kr_id in data.responses.answered:
        answered.add(author)
        owner = kr_owner.get(kr_id)
        if owner is not None:
            answered.add(owner.id)
    days = rules.period_days(first, last)
    away = {person_id for person_id, spans in data.absences.items()
            if any(slots.is_away(day, spans) for day in days)}
    members = [person for _, person in data.roster if person.id in owners]
    asked = [p for p in members if p.id in data.responses.asked and p.id not in away]
    missing = tuple(_ref(p) for p in asked if p.id not in answered)
    return missing, tuple(_ref(p) for p in members if p.id in away), len(asked)
