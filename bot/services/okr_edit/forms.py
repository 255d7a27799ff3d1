"""What the new and edit modals offer: owners, alignment parents, an Objective's KRs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.domain.coach import MIN_KRS
from bot.domain.formatting import format_number
from bot.domain.okr_draft import OWNER_ME, TEAM_PREFIX
from bot.domain.text import clip
from bot.domain.vocabulary import KRKind
from bot.services.okr_edit.access import OBJECTIVE, Gone, Refused, may_edit, refuse
from bot.services.okr_edit.lessons import Lessons, lessons_for
from bot.services.okr_edit.parents import MAX_OPTIONS, OPTION_TEXT, Option, parent_options
from storage.db import Database
from storage.models import Objective, Team
from storage.queries.cycles import plannable_cycles
from storage.queries.okrs import live_key_results
from storage.queries.people import people_by_ids, person_by_slack_id
from storage.queries.teams import all_teams, memberships_of

MAX_EDIT_KRS = 10  # KRs editable in one modal: six blocks each within Slack's 100

@dataclass(frozen=True)
class NewFormView:
    """The new-Objective modal: `owners[0]` is the person themself; `cycles` the cycles it may
    go into when one is being planned besides the current one (`cycle_id` chosen), else ()."""

    cycle_name: str
    owners: tuple[Option, ...]
    parents: tuple[Option, ...]
    lessons: Lessons = field(default_factory=Lessons)  # shown beside the form
    cycles: tuple[Option, ...] = ()
    cycle_id: int = 0


@dataclass(frozen=True)
class EditKR:
    kr_id: int
    title: str
    is_metric: bool
    start: str  # shown beside the target, not editable
    target: str
    unit: str
    owner: str = ""  # the owner's Slack user id, "" for none


@dataclass(frozen=True)
class EditFormView:
    objective_id: int
    title: str
    description: str
    type: str
    owner: str  # a team's name, or "" for a person's Objective
    parent: str  # the value of the current parent's option, or ""
    parents: tuple[Option, ...]
    krs: tuple[EditKR, ...]
    is_draft: bool = False

    @property
    def new_kr_slots(self) -> int:
        """How many "add a Key Result" slots the form offers: enough to reach the minimum."""
        return max(1, MIN_KRS - len(self.krs))


def new_form(
    db: Database, clock: Clock, *, actor: str, titles: Sequence[str] = (),
    cycle_id: int | None = None,
) -> NewFormView | Gone:
    """Owners the person may pick (themself, their teams; admins: every team), the cycles
    (the current one first, then any being planned; `cycle_id` chosen), the parents in the
    chosen cycle, and the lessons of past reviews (with reviewed KRs like `titles`)."""
    with db.read() as session:
        person = person_by_slack_id(actor, session=session)
        if person is None or person.id is None:
            return Gone("not_found")
        cycles = plannable_cycles(clock.now().astimezone(ZoneInfo(person.tz)).date(),
                                  session=session)
        if not cycles:
            return Gone("no_cycle")
        cycle = next((c for c in cycles if c.id == cycle_id), cycles[0])
        assert cycle.id is not None
        mine = {m.team_id for m in memberships_of([person.id], session=session)}
        every = all_teams(session=session)
        allowed = [t for t in every if t.id in mine]
        if person.is_admin:
            allowed += [t for t in every if t.id not in mine]
        owners = [Option(OWNER_ME, clip(person.name, OPTION_TEXT))]
        owners += [_team_option(t) for t in allowed[: MAX_OPTIONS - 1]]
        parents = parent_options(cycle.id, mine, session=session)
        lessons = lessons_for(session, team_ids=sorted(mine), person_id=person.id,
                              before=cycle.start_date, titles=titles)
        choices = tuple(Option(str(c.id), clip(c.name, OPTION_TEXT)) for c in cycles)
        return NewFormView(cycle.name, tuple(owners), tuple(parents), lessons,
                           choices if len(choices) > 1 else (), cycle.id)


def edit_form(
    db: Database, clock: Clock, *, actor: str, objective_id: int
) -> EditFormView | Refused | Gone:
    """The edit modal of one Objective, if `actor` may edit it (a refusal is logged)."""
    now = clock.now()
    with db.write() as session:
        objective = session.get(Objective, objective_id)
        if objective is None or objective.id is None:
            return Gone("not_found")
        person = person_by_slack_id(actor, session=session)
        if person is None or not may_edit(person, objective, session=session):
            return refuse(session, now, actor, "edit", OBJECTIVE, objective_id)
        if objective.state == "archived":
            return Gone("archived")
        owner_team = session.get(Team, objective.owner_team_id) if objective.owner_team_id else None
        if objective.owner_person_id is not None:
            start = [m.team_id for m in memberships_of([objective.owner_person_id],
                                                       session=session)]
        else:
            start = [owner_team.parent_id] if owner_team and owner_team.parent_id else []
        parents = parent_options(objective.cycle_id, start, session=session,
                                 exclude=objective.id, current=objective.parent_id)
        live = live_key_results([objective.id], session=session)[:MAX_EDIT_KRS]
        owners = people_by_ids({kr.owner_person_id for kr in live if kr.owner_person_id},
                               session=session)
        krs = tuple(
            EditKR(kr.id, kr.title, kr.kind == KRKind.METRIC, format_number(kr.start_value, 6),
                   format_number(kr.target_value, 6).replace(",", ""), kr.unit,
                   owners[kr.owner_person_id].slack_user_id
                   if kr.owner_person_id in owners else "")
            for kr in live if kr.id is not None
        )
        return EditFormView(
            objective.id, objective.title, objective.description, objective.type,
            owner_team.name if owner_team else "",
            str(objective.parent_id) if objective.parent_id else "", tuple(parents), krs,
            is_draft=objective.state == "draft",
        )


def _team_option(team: Team) -> Option:
    return Option(f"{TEAM_PREFIX}{team.id}", clip(team.name, OPTION_TEXT))
