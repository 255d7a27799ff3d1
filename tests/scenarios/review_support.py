"""A small OKR world for the review, cycle and alignment scenarios, and ways to fill the
review modal as Slack reports it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import select

from bot import ids
from bot.clock import FakeClock
from bot.delivery.renderers import RENDERERS
from bot.domain.review_rules import KRReviewInput
from bot.rendering import Renderer
from bot.services.people import view_of
from bot.services.review import answers as review
from storage.db import Database
from storage.models import Cycle, Delivery, KeyResult, Objective, Person, Team
from tests.scenarios.seed import Seed
from tests.slack_text import all_texts


@dataclass
class World:
    ana: Person  # zh, Growth's lead, admin
    ben: Person  # en, member
    growth: Team
    q4: Cycle
    market: Objective  # Ana's, committed: leads 0.9, milestone done
    moonshot: Objective  # Ana's, aspirational: 0.65
    explore: Objective  # Ana's, learning: 0.2
    support: Objective  # Ben's, committed: 0.5
    leads: KeyResult
    launch: KeyResult
    brand: KeyResult
    interviews: KeyResult
    response: KeyResult


def build_world(seed: Seed) -> World:
    ana = seed.make_person("UANA", name="Ana", tz="Asia/Shanghai", locale="zh", is_admin=True)
    ben = seed.make_person("UBEN", name="Ben", tz="America/New_York", locale="en")
    growth = seed.make_team("Growth", channel_id="CGROWTH", members=[ben], leads=[ana])
    q4 = seed.make_cycle("2026-Q4", start=date(2026, 10, 1), end=date(2026, 12, 31))
    market = seed.make_objective("Win the market", owner=ana, cycle=q4)
    leads = seed.make_kr(market, "Qualified leads", target=600, current=540, unit="leads")
    launch = seed.make_kr(market, "Launch the partner program", kind="milestone", current=1)
    moonshot = seed.make_objective("Make the brand known", owner=ana, cycle=q4,
                                   type="aspirational")
    brand = seed.make_kr(moonshot, "Brand awareness", target=100, current=65, unit="%")
    explore = seed.make_objective("Explore the SEA market", owner=ana, cycle=q4, type="learning")
    interviews = seed.make_kr(explore, "Customer interviews", target=10, current=2)
    support = seed.make_objective("Answer faster", owner=ben, cycle=q4)
    response = seed.make_kr(support, "Response time", start=4, target=1, current=2.5, unit="h")
    return World(ana, ben, growth, q4, market, moonshot, explore, support, leads, launch, brand,
                 interviews, response)


# One page of Ana's review: the Objective, its KRs' answers by KR id, its lessons.
Page = tuple[Objective, dict[Any, KRReviewInput], dict[str, str]]


def review_pages(db: Database, clock: FakeClock, world: World, pages: list[Page]) -> None:
    """Ana saves these pages of her review one after another, as the modal sends them."""
    ana = view_of(world.ana)
    for page, (objective, krs, notes) in enumerate(pages):
        result = review.submit(db, clock, ana, review.ReviewSubmission(
            f"view:V{page}:h", world.q4.id or 0, page, objective.id or 0, krs, notes))
        assert isinstance(result, review.Saved)


def reviewed_world(
    db: Database, clock: FakeClock, *, leads_detail: str, market_lessons: dict[str, str],
    explore_lessons: dict[str, str],
) -> World:
    """The world with Ana's review filled in: leads 0.9 for an objective cause (`leads_detail`),
    the launch done, the brand at 0.65, the interviews at 0.2, the lessons given."""
    built = build_world(Seed(db, clock))
    review_pages(db, clock, built, [
        (built.market, {built.leads.id: KRReviewInput("0.9", "objective", leads_detail),
                        built.launch.id: KRReviewInput("1")}, market_lessons),
        (built.moonshot, {built.brand.id: KRReviewInput("0.65")}, {"keep": "Weekly demos"}),
        (built.explore, {built.interviews.id: KRReviewInput("0.2")}, explore_lessons),
    ])
    return built


State = dict[str, dict[str, Any]]


def review_state(view: dict[str, Any], **changes: str | None) -> State:
    """state.values of a review page as opened (initial values), with `changes` by block id."""
    state: State = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element, block_id = block["element"], block["block_id"]
        if element["type"] == "plain_text_input":
            value = changes.get(block_id, element.get("initial_value"))
            state[block_id] = {block_id: {"type": "plain_text_input", "value": value}}
        else:
            initial = (element.get("initial_option") or {}).get("value")
            value = changes.get(block_id, initial)
            state[block_id] = {block_id: {"type": "static_select",
                                          "selected_option": {"value": value} if value else None}}
    return state


def score(kr: KeyResult) -> str:
    return f"{ids.REVIEW_SCORE}.{kr.id}"


def cause(kr: KeyResult) -> str:
    return f"{ids.REVIEW_CAUSE}.{kr.id}"


def note(kr: KeyResult) -> str:
    return f"{ids.REVIEW_NOTE}.{kr.id}"


def lesson(prefix: str, objective: Objective) -> str:
    return f"{prefix}.{objective.id}"


def deliveries(db: Database, kind: str) -> list[Delivery]:
    with db.read() as session:
        return list(session.exec(select(Delivery).where(Delivery.kind == kind)
                                 .order_by(Delivery.id)))  # type: ignore[arg-type]


def render_row(db: Database, row: Delivery) -> list[dict[str, Any]]:
    """What the sender would post for an outbox row."""
    with db.read() as session:
        return RENDERERS[row.kind](session, row, Renderer())


def all_text(payload: Any) -> str:
    """Every text of a payload, joined (mrkdwn as sent)."""
    return "\n".join(all_texts(payload))
