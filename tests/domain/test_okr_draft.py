"""The new and edit forms: clean inputs, or every problem named by field (table-driven)."""

from __future__ import annotations

import pytest

from bot.domain.numbers import parse_number
from bot.domain.okr_draft import (
    EditForm,
    EditInput,
    FieldError,
    KREditForm,
    KRForm,
    ObjectiveForm,
    ObjectiveInput,
    coach_draft,
    fingerprint,
    kr_order,
    validate_edit,
    validate_new,
)
from bot.domain.vocabulary import Direction, KRKind, ObjectiveType

GOOD_KRS = (KRForm("Article reads", "metric", "0", "50,000", "reads"),
            KRForm("Support reply time", "metric", "4", "1", "h"), KRForm(), KRForm())


def form(**changes: object) -> ObjectiveForm:
    base = {"title": "Be the brand readers trust", "type": "committed", "owner": "me",
            "parent": "", "krs": GOOD_KRS}
    return ObjectiveForm(**{**base, **changes})  # type: ignore[arg-type]


def codes(result: object) -> set[tuple[str, str]]:
    assert isinstance(result, list)
    return {(e.field, e.code) for e in result}


def test_a_good_form_becomes_an_input_with_directions_from_the_numbers() -> None:
    parsed = validate_new(form(parent="12", owner="team:3", type="aspirational"))
    assert isinstance(parsed, ObjectiveInput)
    assert (parsed.owner_team_id, parsed.parent_id, parsed.type) == (
        3, 12, ObjectiveType.ASPIRATIONAL)
    reads, reply = parsed.krs
    assert (reads.start, reads.target, reads.direction) == (0, 50000, Direction.INCREASE)
    assert (reply.start, reply.target, reply.direction) == (4, 1, Direction.DECREASE)


def test_a_milestone_needs_no_numbers() -> None:
    krs = (KRForm("Launch the shop", "milestone"), GOOD_KRS[0])
    parsed = validate_new(form(krs=krs))
    assert isinstance(parsed, ObjectiveInput)
    assert (parsed.krs[0].kind, parsed.krs[0].start, parsed.krs[0].target) == (
        KRKind.MILESTONE, 0, 1)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"title": "  "}, {("title", "required")}),
        ({"title": "x" * 501}, {("title", "too_long")}),
        ({"krs": (KRForm("Reads", "metric", "10", "10"), GOOD_KRS[1])},
         {("kr1_target", "same_as_start")}),
        ({"krs": (KRForm("Reads", "metric", "ten", "20"), GOOD_KRS[1])},
         {("kr1_start", "not_a_number")}),
        ({"krs": (KRForm("Reads", "metric", "", "20"), GOOD_KRS[1])},
         {("kr1_start", "number_required")}),
        ({"krs": (KRForm("Reads", "metric", "0", "1" + "0" * 20), GOOD_KRS[1])},
         {("kr1_target", "number_too_large")}),
        ({"krs": (GOOD_KRS[0], KRForm(), KRForm(), KRForm())},
         {("kr2_title", "too_few_krs")}),
        ({"krs": (KRForm(), KRForm(), KRForm(), KRForm())},
         {("kr1_title", "too_few_krs"), ("kr2_title", "too_few_krs")}),
        ({"krs": (*GOOD_KRS[:2], KRForm(target="30"))},
         {("kr3_title", "required"), ("kr3_start", "number_required")}),
        ({"krs": (GOOD_KRS[0], KRForm("Reads", "weird", "0", "1"))},
         {("kr2_kind", "choose_one")}),
        ({"type": "stretch"}, {("type", "choose_one")}),
        ({"owner": "team:abc"}, {("owner", "choose_one")}),
        ({"parent": "../1"}, {("parent", "choose_one")}),
    ],
)
def test_problems_are_named_by_field(changes: dict[str, object],
                                     expected: set[tuple[str, str]]) -> None:
    assert codes(validate_new(form(**changes))) == expected


def test_krs_three_and_four_are_optional_but_count_when_filled() -> None:
    only_three_and_four = (KRForm(), KRForm(), *GOOD_KRS[:2])
    parsed = validate_new(form(krs=only_three_and_four))
    assert isinstance(parsed, ObjectiveInput) and len(parsed.krs) == 2


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,200", 1200.0), (" 35 ", 35.0), ("-2.5", -2.5), ("１２", 12.0), ("−3", -3.0),
     ("3，000", 3000.0), ("abc", None), ("nan", None), ("inf", None), ("", None)],
)
def test_parse_number(text: str, value: float | None) -> None:
    assert parse_number(text) == value


def test_edit_form_checks_new_targets_against_the_stored_start() -> None:
    edit = EditForm("Title", "", "committed", "", (
        KREditForm(1, "Reads", "0", "reads"), KREditForm(2, "Launch", None, ""),
        KREditForm(3, "", "x", ""),
    ))
    result = validate_edit(edit, {1: 0.0, 3: 5.0})
    assert codes(result) == {("krid1_target", "same_as_start"), ("krid3_title", "required"),
                             ("krid3_target", "not_a_number")}


def test_edit_form_keeps_milestones_without_a_target() -> None:
    edit = EditForm("Title", "why", "learning", "4", (KREditForm(2, "Launch", None, ""),))
    result = validate_edit(edit, {})
    assert not isinstance(result, list)
    assert result.krs[0].target is None and result.parent_id == 4


def test_fingerprint_changes_with_any_part_of_the_draft() -> None:
    first = validate_new(form())
    same = validate_new(form())
    other = validate_new(form(krs=(GOOD_KRS[0], KRForm("Support reply time", "metric", "4",
                                                        "2", "h"))))
    assert isinstance(first, ObjectiveInput) and isinstance(same, ObjectiveInput)
    assert isinstance(other, ObjectiveInput)
    assert fingerprint(first) == fingerprint(same) != fingerprint(other)


def test_coach_draft_carries_owner_and_alignment() -> None:
    parsed = validate_new(form())
    assert isinstance(parsed, ObjectiveInput)
    draft = coach_draft(parsed.title, "", parsed.type, parsed.krs, owner_is_person=True,
                        has_parent=False)
    assert draft.owner_is_person and not draft.has_parent
    assert [k.title for k in draft.krs] == ["Article reads", "Support reply time"]
    assert FieldError("a", "b").params == {}


def test_an_edit_archives_adds_and_orders_key_results() -> None:
    edit = EditForm("T", "", "committed", "", (
        KREditForm(1, "Reads", "10", "", owner="UANA", position="2"),
        KREditForm(2, "Launch", None, "", owner="", position="1"),
        KREditForm(3, "Old one", "", "")),  # archived: its empty target is not checked
        archive=(3,), new_krs=(KRForm("Replies", "metric", "4", "1", "h"), KRForm()))
    result = validate_edit(edit, {1: 0.0, 3: 0.0})
    assert isinstance(result, EditInput)
    assert result.archive == (3,)
    assert [(c.kr_id, c.owner, c.position) for c in result.krs] == [(1, "UANA", 2), (2, "", 1)]
    assert [k.title for k in result.new_krs] == ["Replies"]  # the blank slot is skipped
    assert result.new_krs[0].direction is Direction.DECREASE
    assert kr_order(result.krs) == [2, 1]


def test_a_form_without_owner_or_place_fields_keeps_both() -> None:
    result = validate_edit(EditForm("T", "", "committed", "", (KREditForm(1, "Reads", "10"),
                                                                KREditForm(2, "Two", "5"))),
                           {1: 0.0, 2: 0.0})
    assert isinstance(result, EditInput)
    assert [(c.owner, c.position) for c in result.krs] == [(None, None), (None, None)]
    assert kr_order(result.krs) == [1, 2]


@pytest.mark.parametrize(("edit", "field", "code"), [
    (EditForm("T", "", "committed", "", (KREditForm(1, "Reads", "10"),), archive=(1,)),
     "archive_krs", "keep_one_kr"),
    (EditForm("T", "", "committed", "", (), activate=True), "state", "activate_needs_kr"),
    (EditForm("T", "", "committed", "", (), new_krs=(KRForm("Replies", "", "4", "four"),)),
     "krnew1_target", "not_a_number"),
    (EditForm("T", "", "committed", "", (KREditForm(1, "Reads", "10", position="²"),)),
     "krid1_position", "choose_one"),
])
def test_an_edit_that_would_leave_nothing_or_is_mistyped_is_refused(
    edit: EditForm, field: str, code: str
) -> None:
    result = validate_edit(edit, {1: 0.0})
    assert isinstance(result, list)
    assert [(e.field, e.code) for e in result] == [(field, code)]


def test_an_activated_draft_with_a_new_key_result_is_valid() -> None:
    edit = EditForm("T", "", "committed", "", (), new_krs=(KRForm("Ship", "milestone"),),
                    activate=True)
    result = validate_edit(edit, {})
    assert isinstance(result, EditInput) and result.activate
    assert result.new_krs[0].kind is KRKind.MILESTONE
