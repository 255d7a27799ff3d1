"""Objective forms as typed in Slack: validation, the coach's draft, and a fingerprint.

Pure: the raw strings come in, either a clean input or field errors go out. Field names are
also the block ids of the modals, so an error lands under the field it is about. Error
`code`s are worded per locale by the caller (`okr_edit.errors.<code>`).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass

from bot.domain.coach import MIN_KRS, KRDraft, ObjectiveDraft
from bot.domain.numbers import parse_number
from bot.domain.row_ids import row_id
from bot.domain.vocabulary import Direction, KRKind, ObjectiveType

KR_SLOTS = 4  # the new form offers KRs 1-4; 3 and 4 are optional
NEW_KR_KEY = "new"  # block ids of the edit form's "add a Key Result" slots: krnew1_title, …
TITLE_MAX = 500
DESCRIPTION_MAX = 3000
UNIT_MAX = 32
NUMBER_LIMIT = 1e15
OWNER_ME = "me"
TEAM_PREFIX = "team:"


def kr_field(key: str, name: str) -> str:
    """Block id of one KR input: `kr<key>_<name>` (key is the slot "1".."4" or "id<kr id>")."""
    return f"kr{key}_{name}"


@dataclass(frozen=True)
class FieldError:
    """A problem with one field: `code` names the words, `params` fill them."""

    field: str
    code: str
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True)
class KRForm:
    """One KR slot of the new form, as typed (empty strings when left blank)."""

    title: str = ""
    kind: str = ""
    start: str = ""
    target: str = ""
    unit: str = ""

    @property
    def blank(self) -> bool:
        return not any(v.strip() for v in (self.title, self.start, self.target, self.unit))


@dataclass(frozen=True)
class ObjectiveForm:
    """The new-Objective form as typed; `owner` is "me" or "team:<id>", `parent` and `cycle`
    an id or "" (the current cycle)."""

    title: str = ""
    description: str = ""
    type: str = ""
    owner: str = OWNER_ME
    parent: str = ""
    krs: tuple[KRForm, ...] = ()
    cycle: str = ""


@dataclass(frozen=True)
class KRInput:
    title: str
    kind: KRKind
    start: float
    target: float
    unit: str
    direction: Direction


@dataclass(frozen=True)
class ObjectiveInput:
    """A valid new Objective; `owner_team_id` None means the person creating it."""

    title: str
    description: str
    type: ObjectiveType
    owner_team_id: int | None
    parent_id: int | None
    krs: tuple[KRInput, ...]
    cycle_id: int | None = None  # None: the current cycle


@dataclass(frozen=True)
class KREditForm:
    """One existing KR in the edit form; `target` is None for a milestone (nothing to edit).
    `owner` is the Slack user picked ("" for nobody, None when the form offered no choice),
    `position` the place picked ("" when the form offered none)."""

    kr_id: int
    title: str = ""
    target: str | None = None
    unit: str = ""
    owner: str | None = None
    position: str = ""


@dataclass(frozen=True)
class EditForm:
    """The edit form as typed: `archive` the KR ids ticked for archiving, `new_krs` the "add a
    Key Result" slots, `activate` whether a draft was switched to active."""

    title: str = ""
    description: str = ""
    type: str = ""
    parent: str = ""
    krs: tuple[KREditForm, ...] = ()
    archive: tuple[int, ...] = ()
    new_krs: tuple[KRForm, ...] = ()
    activate: bool = False


@dataclass(frozen=True)
class KRChange:
    """The new title, target, unit, owner (a Slack id, "" for nobody, None to keep it) and place
    (1-based, None when not offered) of an existing KR (target None: a milestone)."""

    kr_id: int
    title: str
    target: float | None
    unit: str
    owner: str | None = None
    position: int | None = None


@dataclass(frozen=True)
class EditInput:
    """A valid edit: the kept KRs' changes, the KRs to archive, the KRs to add."""

    title: str
    description: str
    type: ObjectiveType
    parent_id: int | None
    krs: tuple[KRChange, ...]
    archive: tuple[int, ...] = ()
    new_krs: tuple[KRInput, ...] = ()
    activate: bool = False


def new_kr_key(slot: int) -> str:
    """The key of the edit form's `slot`-th "add a Key Result" slot (block ids krnew1_…)."""
    return f"{NEW_KR_KEY}{slot}"


def kr_order(changes: Sequence[KRChange]) -> list[int]:
    """The kept KRs' ids in their new order: by the place picked (a KR without one keeps its
    place in the form), ties in the form's order."""
    ranked = sorted(enumerate(changes), key=lambda item: (
        item[1].position if item[1].position is not None else item[0] + 1, item[0]))
    return [change.kr_id for _, change in ranked]


def direction_of(start: float, target: float) -> Direction:
    """The numbers decide: a target below the start is a decreasing metric (4 h → 1 h)."""
    return Direction.DECREASE if target < start else Direction.INCREASE


def validate_new(form: ObjectiveForm) -> ObjectiveInput | list[FieldError]:
    """The form as a clean input, or every problem in it (nothing partial)."""
    errors: list[FieldError] = []
    title = _text(form.title, "title", TITLE_MAX, errors, required=True)
    description = _text(form.description, "description", DESCRIPTION_MAX, errors)
    objective_type = _objective_type(form.type, errors)
    owner_team_id = _owner(form.owner, errors)
    parent_id = _optional_id(form.parent, "parent", errors)
    cycle_id = _optional_id(form.cycle, "cycle", errors)
    krs: list[KRInput] = []
    for slot, kr in enumerate(form.krs, start=1):
        if kr.blank:
            continue
        parsed = _kr(kr, str(slot), errors)
        if parsed is not None:
            krs.append(parsed)
    filled = [slot for slot, kr in enumerate(form.krs, start=1) if not kr.blank]
    if len(filled) < MIN_KRS:
        empty = [s for s in range(1, MIN_KRS + 1) if s not in filled]
        errors.extend(
            FieldError(kr_field(str(s), "title"), "too_few_krs", {"min": MIN_KRS}) for s in empty
        )
    if errors:
        return errors
    return ObjectiveInput(title, description, objective_type, owner_team_id, parent_id,
                          tuple(krs), cycle_id)


def validate_edit(
    form: EditForm, metric_starts: Mapping[int, float]
) -> EditInput | list[FieldError]:
    """The edit form as a clean input, or its problems.

    `metric_starts` maps each metric KR of the Objective to its start value (a new target may
    not equal it); KRs not in it are milestones and keep their target. A KR ticked for
    archiving is not checked; at least one Key Result must stay, and an activated draft needs
    one.
    """
    errors: list[FieldError] = []
    title = _text(form.title, "title", TITLE_MAX, errors, required=True)
    description = _text(form.description, "description", DESCRIPTION_MAX, errors)
    objective_type = _objective_type(form.type, errors)
    parent_id = _optional_id(form.parent, "parent", errors)
    archive = tuple(kr.kr_id for kr in form.krs if kr.kr_id in form.archive)
    changes: list[KRChange] = []
    for kr in form.krs:
        if kr.kr_id in archive:
            continue
        key = f"id{kr.kr_id}"
        kr_title = _text(kr.title, kr_field(key, "title"), TITLE_MAX, errors, required=True)
        unit = _text(kr.unit, kr_field(key, "unit"), UNIT_MAX, errors)
        target: float | None = None
        if kr.kr_id in metric_starts:
            target = _number(kr.target or "", kr_field(key, "target"), errors)
            if target is not None and target == metric_starts[kr.kr_id]:
                errors.append(FieldError(kr_field(key, "target"), "same_as_start"))
        position = _optional_id(kr.position, kr_field(key, "position"), errors)
        owner = kr.owner.strip() if kr.owner is not None else None
        changes.append(KRChange(kr.kr_id, kr_title, target, unit, owner, position))
    added = [parsed for slot, kr in enumerate(form.new_krs, start=1) if not kr.blank
             if (parsed := _kr(kr, new_kr_key(slot), errors)) is not None]
    filled = sum(not kr.blank for kr in form.new_krs)
    if form.krs and not changes and not filled:
        errors.append(FieldError("archive_krs", "keep_one_kr"))
    elif form.activate and not changes and not filled:
        errors.append(FieldError("state", "activate_needs_kr"))
    if errors:
        return errors
    return EditInput(title, description, objective_type, parent_id, tuple(changes), archive,
                     tuple(added), form.activate)


def coach_draft(
    title: str,
    description: str,
    objective_type: ObjectiveType,
    krs: Sequence[KRInput],
    *,
    owner_is_person: bool,
    has_parent: bool,
) -> ObjectiveDraft:
    """What the coach reads: the Objective and its KRs as they will be saved."""
    return ObjectiveDraft(
        title=title,
        description=description,
        type=objective_type,
        owner_is_person=owner_is_person,
        has_parent=has_parent,
        krs=tuple(KRDraft(k.title, k.kind, k.start, k.target, k.unit) for k in krs),
    )


def fingerprint(value: ObjectiveInput | EditInput) -> str:
    """A short hash of a draft: the 'already warned' marker; any change gives another."""
    canonical = json.dumps(asdict(value), sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:20]


# --- fields ---------------------------------------------------------------------------------


def _text(
    value: str, name: str, limit: int, errors: list[FieldError], *, required: bool = False
) -> str:
    text = value.strip()
    if required and not text:
        errors.append(FieldError(name, "required"))
    elif len(text) > limit:
        errors.append(FieldError(name, "too_long", {"max": limit}))
    return text


def _objective_type(value: str, errors: list[FieldError]) -> ObjectiveType:
    try:
        return ObjectiveType(value or ObjectiveType.COMMITTED)
    except ValueError:
        errors.append(FieldError("type", "choose_one"))
        return ObjectiveType.COMMITTED


def _owner(value: str, errors: list[FieldError]) -> int | None:
    if value in ("", OWNER_ME):
        return None
    team = row_id(value.removeprefix(TEAM_PREFIX)) if value.startswith(TEAM_PREFIX) else None
    if team is None:
        errors.append(FieldError("owner", "choose_one"))
    return team


def _optional_id(value: str, name: str, errors: list[FieldError]) -> int | None:
    if not value:
        return None
    number = row_id(value)
    if number is None:
        errors.append(FieldError(name, "choose_one"))
    return number




def _number(value: str, name: str, errors: list[FieldError]) -> float | None:
    if not value.strip():
        errors.append(FieldError(name, "number_required"))
        return None
    number = parse_number(value)
    if number is None:
        errors.append(FieldError(name, "not_a_number"))
        return None
    if abs(number) >= NUMBER_LIMIT:
        errors.append(FieldError(name, "number_too_large"))
        return None
    return number


def _kr(kr: KRForm, key: str, errors: list[FieldError]) -> KRInput | None:
    before = len(errors)
    title = _text(kr.title, kr_field(key, "title"), TITLE_MAX, errors, required=True)
    unit = _text(kr.unit, kr_field(key, "unit"), UNIT_MAX, errors)
    try:
        kind = KRKind(kr.kind or KRKind.METRIC)
    except ValueError:
        errors.append(FieldError(kr_field(key, "kind"), "choose_one"))
        return None
    if kind is KRKind.MILESTONE:
        return (
            None if len(errors) > before else KRInput(title, kind, 0.0, 1.0, "", Direction.INCREASE)
        )
    start = _number(kr.start, kr_field(key, "start"), errors)
    target = _number(kr.target, kr_field(key, "target"), errors)
    if start is not None and target is not None and start == target:
        errors.append(FieldError(kr_field(key, "target"), "same_as_start"))
    if len(errors) > before or start is None or target is None:
        return None
    return KRInput(title, kind, start, target, unit, direction_of(start, target))
