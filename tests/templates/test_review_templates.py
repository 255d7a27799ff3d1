"""review templates: the modal at the method's maximum (5 Objectives × 4 KRs, one page each),
the summary, the alignment check, the carry offer and the prompt, with hostile text in both
languages (must parse, stay within Block Kit limits, come out escaped)."""

from __future__ import annotations

import pytest

from bot import ids
from bot.blockkit import violations
from bot.delivery.review_renderers import AlignmentGroup, AlignmentView, PromptView, SummaryView
from bot.rendering import Renderer
from bot.services.review.answers import ReviewForm
from bot.services.review.carry import CarryItem, CarryList
from bot.services.review.report import KRReport, ObjectiveReport
from handlers.review_payloads import metadata
from tests.slack_text import HOSTILE, assert_escaped, mrkdwn_objects

LOCALES = ("en", "zh")

renderer = Renderer()


def kr(i: int, *, cause: str = "subjective") -> KRReport:
    return KRReport(i, f"{HOSTILE} {i}" + "x" * 300, 0.5, 0.5, True, True, cause, HOSTILE * 30)


def objective(i: int, kind: str = "committed") -> ObjectiveReport:
    return ObjectiveReport(i, HOSTILE * 10, kind, HOSTILE, tuple(kr(10 * i + k) for k in range(4)),
                           0.5, "yellow", "missed", True, HOSTILE * 40, HOSTILE, HOSTILE,
                           HOSTILE if kind == "learning" else "")


@pytest.mark.parametrize("locale", LOCALES)
@pytest.mark.parametrize("kind", ["committed", "aspirational", "learning"])
def test_each_review_page_fits_a_modal(locale: str, kind: str) -> None:
    form = ReviewForm(7, HOSTILE, 4, 5, objective(1, kind))
    view = renderer.render("review/modal", locale, form=form, ids=ids.TEMPLATE_IDS,
                           metadata=metadata(7, 4, 1))
    assert violations(view, "modal") == []
    blocks = {b.get("block_id") for b in view["blocks"]}
    assert {f"review.score.{10 + k}" for k in range(4)} <= blocks
    assert ("review.learned.1" in blocks) is (kind == "learning")
    assert view["submit"]["text"] in ("Save", "保存")  # the fifth of five pages
    score = next(b for b in view["blocks"] if b.get("block_id") == "review.score.10")
    assert score["element"]["initial_value"] == "0.50"
    cause = next(b for b in view["blocks"] if b.get("block_id") == "review.cause.10")
    assert cause["element"]["initial_option"]["value"] == "subjective"
    assert_escaped(mrkdwn_objects(view))


@pytest.mark.parametrize("locale", LOCALES)
def test_the_summary_fits_a_message_and_is_escaped(locale: str) -> None:
    view = SummaryView(HOSTILE, HOSTILE, tuple(objective(i) for i in range(45)), 3)
    message = renderer.render("review/summary", locale, view=view)
    assert violations(message, "message") == []
    assert len(message["blocks"]) == 47
    assert_escaped(mrkdwn_objects(message))


@pytest.mark.parametrize("locale", LOCALES)
def test_the_alignment_check_and_the_carry_offer_are_escaped(locale: str) -> None:
    item = {"objective_id": 3, "objective": HOSTILE, "kr": HOSTILE, "score": "0.2",
            "flags": ["red", "stalled", "confidence_fell"]}
    alignment = renderer.render("review/alignment", locale, ids=ids.TEMPLATE_IDS,
                                view=AlignmentView(HOSTILE, HOSTILE,
                                                   (AlignmentGroup(3, HOSTILE, (item,)),)))
    assert violations(alignment, "message") == []
    assert alignment["blocks"][1]["accessory"]["action_id"] == "okr.edit.3"
    assert_escaped(mrkdwn_objects(alignment))
    offer = CarryList(HOSTILE, HOSTILE, (CarryItem(5, HOSTILE, "0.5", "missed", HOSTILE,
                                                   HOSTILE, "", False),
                                         CarryItem(6, HOSTILE, "0.2", "learned", "", "",
                                                   HOSTILE, True)))
    carry = renderer.render("review/carry", locale, view=offer, reply=False,
                            ids=ids.TEMPLATE_IDS)
    assert violations(carry, "message") == []
    assert "response_type" not in carry
    assert [b.get("accessory", {}).get("value") for b in carry["blocks"][1:]] == ["5", None]
    assert_escaped(mrkdwn_objects(carry))


@pytest.mark.parametrize("locale", LOCALES)
def test_the_prompt_is_escaped(locale: str) -> None:
    view = PromptView(HOSTILE, HOSTILE, "Dec 31", (objective(1),), "7")
    prompt = renderer.render("review/prompt", locale, view=view, ids=ids.TEMPLATE_IDS)
    assert violations(prompt, "message") == []
    assert_escaped(mrkdwn_objects(prompt))
