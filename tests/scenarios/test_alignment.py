"""The monthly alignment check: planned once per month per lead on the first working day
(team-local), listing red, stalled and less confident KRs with a button to adjust them."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest

from bot.clock import FakeClock
from bot.services.digest.builder import build_digest
from bot.services.schedules.planner import plan
from storage.models import Holiday
from tests.scenarios.conftest import Harness
from tests.scenarios.okr_edit_support import edit_state, opened_view, target_history
from tests.scenarios.review_support import World, all_text, build_world, deliveries, render_row
from tests.scenarios.seed import Seed

GRACE = timedelta(hours=6)


@pytest.fixture
def world(harness: Harness) -> World:
    seed = Seed(harness.deps.db, harness.deps.clock)
    built = build_world(seed)
    seed.make_schedule(built.growth, timezone="Asia/Shanghai", work_start=time(9, 0))
    # Qualified leads: confidence fell from on track to at risk.
    seed.make_checkin(built.leads, author=built.ana, value=540, confidence="on_track",
                      at=datetime(2026, 11, 10, tzinfo=UTC))
    seed.make_checkin(built.leads, author=built.ana, value=545, confidence="at_risk",
                      at=datetime(2026, 11, 24, tzinfo=UTC))
    # Brand awareness: last moved five weeks ago.
    seed.make_checkin(built.brand, author=built.ana, value=65,
                      at=datetime(2026, 10, 27, tzinfo=UTC))
    return built


def test_the_alignment_check_is_planned_once_a_month_per_lead(
    harness: Harness, world: World, clock: FakeClock
) -> None:
    db = harness.deps.db
    clock.set(datetime(2026, 11, 30, 23, tzinfo=UTC))  # Dec 1, 07:00 in Shanghai: too early
    assert plan(db, clock, grace=GRACE).alignments == 0
    clock.set(datetime(2026, 12, 1, 2, tzinfo=UTC))  # Dec 1 (a Tuesday), 10:00 in Shanghai
    assert plan(db, clock, grace=GRACE).alignments == 1
    assert plan(db, clock, grace=GRACE).alignments == 0
    clock.set(datetime(2026, 12, 2, 2, tzinfo=UTC))
    assert plan(db, clock, grace=GRACE).alignments == 0
    rows = deliveries(db, "alignment")
    assert [(r.dedupe_key, r.person_id, r.team_id, r.status) for r in rows] == [
        (f"alignment:{world.growth.id}:2026-12:{world.ana.id}", world.ana.id, None, "pending")]
    assert rows[0].due_at == datetime(2026, 12, 1, 1, tzinfo=UTC)  # 09:00 local


def test_a_holiday_moves_the_check_and_a_late_one_is_skipped(
    harness: Harness, world: World, clock: FakeClock
) -> None:
    with harness.deps.db.write() as session:
        session.add(Holiday(team_id=world.growth.id, day=date(2026, 12, 1), name="Founders"))
    clock.set(datetime(2026, 12, 1, 2, tzinfo=UTC))
    assert plan(harness.deps.db, clock, grace=GRACE).alignments == 0
    clock.set(datetime(2026, 12, 2, 12, tzinfo=UTC))  # Wednesday Dec 2, 20:00 local: too late
    assert plan(harness.deps.db, clock, grace=GRACE).alignments == 0
    rows = deliveries(harness.deps.db, "alignment")
    assert [(r.dedupe_key.split(":")[2], r.status, r.last_error) for r in rows] == [
        ("2026-12", "skipped", "late")]


def test_no_alignment_check_is_about_a_cycle_that_has_ended(
    harness: Harness, world: World, clock: FakeClock
) -> None:
    clock.set(datetime(2027, 1, 1, 2, tzinfo=UTC))  # New Year's Day: 2026-Q4 ended yesterday
    assert plan(harness.deps.db, clock, grace=GRACE).alignments == 0
    clock.set(datetime(2027, 1, 4, 2, tzinfo=UTC))
    assert plan(harness.deps.db, clock, grace=GRACE).alignments == 0
    assert deliveries(harness.deps.db, "alignment") == []


def test_the_alignment_dm_lists_flagged_krs_with_a_button_to_adjust(
    harness: Harness, world: World, clock: FakeClock
) -> None:
    clock.set(datetime(2026, 12, 1, 2, tzinfo=UTC))
    plan(harness.deps.db, clock, grace=GRACE)
    row = deliveries(harness.deps.db, "alignment")[0]
    message = render_row(harness.deps.db, row)[0]
    text = all_text(message)
    assert message["text"] == "Growth 的月度对齐检查"
    assert "• Qualified leads：0.91 — 信心下降" in text
    assert "• Brand awareness：0.65 — 3 周以上没有变化" in text
    assert "• Customer interviews：0.20 — 红色" in text
    assert "Response time" not in text  # Ben's KR is on track
    buttons = [b["accessory"] for b in message["blocks"] if "accessory" in b]
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (f"okr.edit.{o.id}", str(o.id)) for o in (world.market, world.moonshot, world.explore)]
    result = harness.sender.block_action(buttons[0]["action_id"], buttons[0]["value"],
                                         user_id="UANA", channel_id="D0ANA")
    assert result.status == 200
    assert opened_view(harness, "okr.edit.submit")["private_metadata"]


def test_an_adjustment_from_the_check_keeps_history_and_shows_in_the_digest(
    harness: Harness, world: World, clock: FakeClock
) -> None:
    start = clock.now()
    clock.advance(timedelta(hours=1))  # a change after the KR was created
    harness.sender.block_action(f"okr.edit.{world.market.id}", str(world.market.id),
                                user_id="UANA", channel_id="D0ANA")
    view = opened_view(harness, "okr.edit.submit")
    target_block = f"krid{world.leads.id}_target"
    state = edit_state(view, **{target_block: "560"})
    warned = harness.sender.view_submission(view, state, user_id="UANA").json()
    confirmed = {**warned["view"], "id": view["id"], "hash": "h-confirm"}  # "save anyway"
    ack = harness.sender.view_submission(confirmed, state, user_id="UANA").json()
    assert ack["view"]["title"]["text"] == "已保存"
    assert target_history(harness.deps.db, world.leads.id or 0) == [600, 560]
    clock.advance(timedelta(days=1))
    digest = build_digest(harness.deps.db, clock, world.growth.id or 0, period_start=start,
                          period_end=clock.now())
    assert [(c.kr_title, c.old, c.new, c.by_name) for c in digest.target_changes] == [
        ("Qualified leads", "600 leads", "560 leads", "Ana")]


def test_a_kr_forecast_to_miss_is_listed_before_it_turns_red(
    harness: Harness, world: World, clock: FakeClock
) -> None:
    seed = Seed(harness.deps.db, clock)
    contracts = seed.make_kr(world.market, "Signed contracts", target=100)
    for day, value in ((3, 40), (17, 45), (30, 50)):
        seed.make_checkin(contracts, author=world.ana, value=value,
                          at=datetime(2026, 11, day, tzinfo=UTC))
    clock.set(datetime(2026, 12, 1, 2, tzinfo=UTC))
    plan(harness.deps.db, clock, grace=GRACE)
    text = all_text(render_row(harness.deps.db, deliveries(harness.deps.db, "alignment")[0])[0])
    # Theil–Sen: the median of 5/14, 10/27 and 5/13 a day is 10/27; 32 days to Jan 1.
    projected = (50 + 10 / 27 * 32) / 100
    assert f"• Signed contracts：0.50 — 预计无法达标（按此进度，期末 {projected:.2f}）" in text
    assert "• Customer interviews：0.20 — 红色" in text  # red already: no forecast flag
