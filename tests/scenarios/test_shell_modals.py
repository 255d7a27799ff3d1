"""Every modal the product has, driven through `okr-bot shell` to its saved result.

The shell is the real app with the shell's Slack stand-in; each test types what a person
would and then reads the database. `DRIVEN` names the test that drives each view callback the
app registers, and a test keeps that list complete.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from pathlib import Path

from sqlmodel import col, select

from storage.db import Database, make_engine
from storage.models import (
    CheckIn,
    Cycle,
    KeyResult,
    KRReview,
    Objective,
    ObjectiveReview,
    Person,
    Schedule,
    Team,
)
from tests.scenarios.shell_support import drive

AT = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)  # inside the example's 2026-Q4
HANDLERS = Path(__file__).resolve().parents[2] / "handlers"


def database(db: Path) -> Database:
    return Database(make_engine(f"sqlite:///{db}"))


def loaded(tmp_path: Path) -> Path:
    """A shell database with the example company loaded (the first-run question answered)."""
    db = tmp_path / "shell.db"
    code, screen = drive(db, ["y"], at=AT)
    assert code == 0 and "Loaded" in screen
    return db


def test_checkin_ticks_no_change_picks_a_helper_and_saves(tmp_path: Path) -> None:
    db = loaded(tmp_path)
    code, screen = drive(db, ["/okr checkin"], [
        ("No change", "y"), ("Confidence", "at risk"), ("blocking you", "Visas take weeks"),
        ("Which KRs does it block", "1"), ("Help needed", "Visa contacts"),
        ("For which KR", "1"), ("Who could help", "@Liu Yang"),
    ], as_user="@Daniel")
    assert code == 0
    assert "[ ] No change" in screen and "No change (y/n) [—]: y" in screen
    with database(db).read() as session:
        daniel = session.exec(select(Person).where(Person.name == "Daniel Brooks")).one()
        saved = session.exec(select(CheckIn).where(CheckIn.author_id == daniel.id)).all()
        krs = {c.key_result_id: session.get(KeyResult, c.key_result_id) for c in saved}
    ticked = [c for c in saved if c.confidence == "at_risk"]
    assert len(ticked) == 1
    kr = krs[ticked[0].key_result_id]
    assert kr is not None and ticked[0].value == kr.current_value  # "no change": unchanged


def test_new_objective_after_the_coachs_warning_saves_anyway(tmp_path: Path) -> None:
    db = loaded(tmp_path)
    code, screen = drive(db, ["/okr new"], [
        (r"^  Objective \*", "Become the industry leader"),
        (r"Result \*", "Launch the new website"), ("Kind", "2"), ("Start", ""), ("Target", ""),
        (r"Result \*", "Write 10 blog posts"), ("Start", "0"), ("Target", "10"),
    ], as_user="@Daniel")
    assert code == 0
    assert "(submit: Save anyway)" in screen  # the coach's warnings came back in the form
    assert 'Enter presses "Save anyway"' in screen
    assert "is saved." in screen
    with database(db).read() as session:
        saved = session.exec(
            select(Objective).where(Objective.title == "Become the industry leader")).one()
        krs = session.exec(select(KeyResult).where(KeyResult.objective_id == saved.id)).all()
    assert sorted(k.title for k in krs) == ["Launch the new website", "Write 10 blog posts"]


def test_edit_from_a_card_saves_the_new_title(tmp_path: Path) -> None:
    db = loaded(tmp_path)
    code, screen = drive(db, ["/okr team Sales", ":press 1"], [
        (r"^  Objective \*", "Every complaint heard within the hour"),
    ], as_user="@Daniel")
    assert code == 0 and "modal: Edit Objective" in screen and "is updated." in screen
    with database(db).read() as session:
        titles = session.exec(select(Objective.title)).all()
    assert "Every complaint heard within the hour" in titles


def test_archive_inside_the_edit_modal_asks_slacks_confirm_first(tmp_path: Path) -> None:
    db = loaded(tmp_path)
    title = "Make every customer who complains feel heard / 让每位投诉客户都感到被重视"
    code, screen = drive(db, ["/okr team Sales", ":press 1"], [
        (r"^  Objective \*", ":press 1"), ("Archive this Objective", "n"),
        (r"^  Objective \*", ":press 1"), ("Archive this Objective", "y"),
    ], as_user="@Daniel")
    assert code == 0 and "Not pressed." in screen
    assert "Archived " in screen
    with database(db).read() as session:
        state = session.exec(select(Objective.state).where(Objective.title == title)).one()
    assert state == "archived"


def test_review_of_four_objectives_advances_page_by_page_to_done(tmp_path: Path) -> None:
    db = loaded(tmp_path)
    causes = [("未达成的原因", "1")] * 20
    code, screen = drive(db, ["/okr review"], causes, as_user="@Chen")
    assert code == 0
    pages = re.findall(r"modal: 复盘 (\d)/4", screen)
    assert pages == ["1", "2", "3", "4"]
    assert "modal: 复盘已保存" in screen
    with database(db).read() as session:
        chen = session.exec(select(Person).where(Person.name == "陈静 Chen Jing")).one()
        reviews = session.exec(select(ObjectiveReview)).all()
        kr_reviews = session.exec(select(KRReview)).all()
    assert len(reviews) == 4 and all(r.reviewer_id == chen.id for r in reviews)
    assert kr_reviews and all(r.cause_kind in (None, "objective") for r in kr_reviews)
    assert any(r.cause_kind == "objective" for r in kr_reviews)


def test_a_prompt_sent_to_someone_else_is_read_and_answered_after_becoming_them(
    tmp_path: Path,
) -> None:
    db = loaded(tmp_path)
    code, screen = drive(db, [":advance 6d10h", ":as @Daniel", ":press 1"], [
        ("Confidence", "1"),
    ], as_user="@Emma")
    assert code == 0
    went = re.search(r"\(direct messages went to (.*); :as @name to read them\)", screen)
    assert went is not None and "@Daniel Brooks" in went.group(1)
    after = screen.split("You are now Daniel Brooks.", 1)[1]
    assert "direct message(s) arrived for you while you were away" in after
    assert "modal: Check-in" in after  # the prompt's button opened the form
    assert "direct message from okr (updated)" in after  # the prompt became the summary
    with database(db).read() as session:
        daniel = session.exec(select(Person).where(Person.name == "Daniel Brooks")).one()
        confidences = session.exec(
            select(CheckIn.confidence).where(col(CheckIn.author_id) == daniel.id)).all()
    assert confidences == ["on_track"]


def test_the_app_homes_check_in_button_opens_the_form_and_saves(tmp_path: Path) -> None:
    db = loaded(tmp_path)
    code, screen = drive(db, [":home", ":press 1"], [("New value", "15")], as_user="@Daniel")
    assert code == 0 and "┌─ App Home" in screen and "modal: Check-in" in screen
    with database(db).read() as session:
        values = session.exec(select(CheckIn.value)).all()
    assert values == [15]


def test_an_admin_sets_a_teams_schedule(tmp_path: Path) -> None:
    db = loaded(tmp_path)
    code, screen = drive(db, ["/okr schedule team Sales checkin mon,thu 09:30"],
                         as_user="@Chen")
    assert code == 0 and "only visible to you" in screen
    with database(db).read() as session:
        sales = session.exec(select(Team).where(Team.name == "Sales")).one()
        schedule = session.exec(select(Schedule).where(Schedule.team_id == sales.id)).one()
    assert schedule.checkin_time == time(9, 30)


def test_a_new_cycle_then_carrying_an_objective_forward_by_its_button(tmp_path: Path) -> None:
    db = loaded(tmp_path)
    code, screen = drive(db, ["/okr cycle new 2027-Q1 2027-01-01 2027-03-31", "/okr carry",
                              ":press 1"], as_user="@Chen", at=datetime(2027, 1, 4, 9, 0,
                                                                        tzinfo=UTC))
    assert code == 0 and "2027-Q1" in screen
    with database(db).read() as session:
        q1 = session.exec(select(Cycle).where(Cycle.name == "2027-Q1")).one()
        drafts = session.exec(select(Objective).where(Objective.cycle_id == q1.id)).all()
    assert len(drafts) == 1 and drafts[0].state == "draft"


DRIVEN = {
    "CHECKIN_SUBMIT": test_checkin_ticks_no_change_picks_a_helper_and_saves,
    "OKR_NEW_SUBMIT": test_new_objective_after_the_coachs_warning_saves_anyway,
    "OKR_EDIT_SUBMIT": test_edit_from_a_card_saves_the_new_title,
    "REVIEW_SUBMIT": test_review_of_four_objectives_advances_page_by_page_to_done,
}


def test_every_view_callback_the_app_registers_is_driven_here() -> None:
    registered = {
        match for path in HANDLERS.rglob("*.py")
        for match in re.findall(r"\.view\(\s*ids\.(\w+)", path.read_text(encoding="utf-8"))
    }
    assert registered, "no view callbacks found: has the routing moved?"
    missing = registered - DRIVEN.keys()
    assert not missing, f"drive these modals through the shell in this file: {sorted(missing)}"
