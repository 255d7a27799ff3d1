"""Template contexts of the OKR edit modals: form values, coach warnings, field errors."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot import ids
from bot.domain.coach import Finding, Severity
from bot.domain.okr_draft import (
    KR_SLOTS,
    OWNER_ME,
    EditForm,
    FieldError,
    KRForm,
    ObjectiveForm,
    kr_field,
    new_kr_key,
)
from bot.domain.vocabulary import KRKind, ObjectiveType
from bot.rendering import Catalogue
from bot.services.okr_edit.forms import EditFormView, NewFormView
from handlers.okr_edit_payloads import metadata

MAX_WARNINGS = 15  # one block each; the modal keeps room for its 100-block limit
_KR_SUBJECT = re.compile(r"^key_results\[(\d+)\]$")
REQUIRED_KRS = 2


@dataclass(frozen=True)
class WarningLine:
    kr_number: int  # 1-based KR shown in the form; 0 for the Objective itself
    message: str
    suggestion: str
    is_warning: bool


def describe(finding: Finding, words: Catalogue) -> tuple[str, str]:
    """(message, suggestion) of a coach finding in `words`' language (locales/*/coach.yaml);
    the finding's params are substituted once, so braces people typed are kept."""
    params = dict(finding.params)
    return (words.text(f"coach.{finding.code.value}.message", **params),
            words.text(f"coach.{finding.code.value}.suggestion", **params))


def warning_lines(
    findings: Sequence[Finding], words: Catalogue, kr_numbers: Sequence[int]
) -> tuple[list[WarningLine], int]:
    """Findings worded in the person's language, and how many did not fit.

    `kr_numbers[i]` is the number shown on the form for the coach's KR index `i`.
    """
    lines = []
    for finding in findings:
        message, suggestion = describe(finding, words)
        match = _KR_SUBJECT.match(finding.subject)
        index = int(match.group(1)) if match else -1
        number = kr_numbers[index] if 0 <= index < len(kr_numbers) else 0
        lines.append(WarningLine(number, message, suggestion, finding.severity is Severity.WARNING))
    return lines[:MAX_WARNINGS], max(0, len(lines) - MAX_WARNINGS)


def field_errors(errors: Sequence[FieldError], catalogue: Catalogue) -> dict[str, str]:
    """`response_action: errors` content: the first problem of each field, in words."""
    words: dict[str, str] = {}
    for error in errors:
        words.setdefault(error.field, catalogue.text(f"okr_edit.errors.{error.code}",
                                                     **error.params))
    return words


def new_context(
    form: NewFormView, typed: ObjectiveForm | None = None, *, warnings: Sequence[WarningLine] = (),
    more_warnings: int = 0, confirmed: str = "",
) -> dict[str, Any]:
    """What `okr_edit/new_modal` needs: empty on open, the typed draft after warnings."""
    draft = typed or ObjectiveForm(type=ObjectiveType.COMMITTED.value, owner=OWNER_ME)
    krs = list(draft.krs) + [KRForm()] * (KR_SLOTS - len(draft.krs))
    slots = [
        {"n": n, "key": str(n), "optional": n > REQUIRED_KRS, "title": kr.title,
         "header_key": "okr_edit.kr.header_optional" if n > REQUIRED_KRS else "okr_edit.kr.header",
         "kind": kr.kind or KRKind.METRIC.value, "start": kr.start, "target": kr.target,
         "unit": kr.unit}
        for n, kr in enumerate(krs[:KR_SLOTS], start=1)
    ]
    values = {"title": draft.title, "description": draft.description,
              "type": draft.type or ObjectiveType.COMMITTED.value,
              "owner": draft.owner or OWNER_ME, "parent": draft.parent,
              "cycle": str(form.cycle_id)}
    return {
        **_common(warnings, more_warnings), "form": form, "parents": form.parents,
        "values": values, "kr_slots": slots, "kr_kinds": [k.value for k in KRKind],
        "metadata": metadata(confirmed=confirmed),
    }


def edit_context(
    form: EditFormView, typed: EditForm | None = None, *, warnings: Sequence[WarningLine] = (),
    more_warnings: int = 0, confirmed: str = "",
) -> dict[str, Any]:
    """What `okr_edit/edit_modal` needs: the stored Objective, or the typed edit after warnings."""
    typed_krs = {k.kr_id: k for k in typed.krs} if typed else {}
    krs = []
    for place, kr in enumerate(form.krs, start=1):
        key = f"id{kr.kr_id}"
        now = typed_krs.get(kr.kr_id)
        krs.append({
            "id": kr.kr_id, "number": place, "is_metric": kr.is_metric, "start": kr.start,
            "title": now.title if now else kr.title,
            "target": (now.target or "") if now else kr.target,
            "unit": now.unit if now else kr.unit,
            "owner": now.owner if now and now.owner is not None else kr.owner,
            "position": int(now.position) if now and now.position.isdigit() else place,
            "block_title": kr_field(key, "title"), "block_target": kr_field(key, "target"),
            "block_unit": kr_field(key, "unit"), "block_owner": kr_field(key, "owner"),
            "block_position": kr_field(key, "position"),
        })
    typed_new = list(typed.new_krs) if typed else []
    new_slots = [
        {"n": n, "key": new_kr_key(n), "optional": True, "header_key": "okr_edit.kr.header_new",
         "title": kr.title, "kind": kr.kind or KRKind.METRIC.value,
         "start": kr.start, "target": kr.target, "unit": kr.unit}
        for n, kr in enumerate(
            (typed_new + [KRForm()] * form.new_kr_slots)[:max(form.new_kr_slots,
                                                               len(typed_new))], start=1)
    ]
    source = typed or form
    values = {"title": source.title, "description": source.description, "type": source.type,
              "parent": source.parent}
    return {
        **_common(warnings, more_warnings), "form": form, "parents": form.parents,
        "values": values, "krs": krs, "new_slots": new_slots,
        "kr_kinds": [k.value for k in KRKind],
        "archived": list(typed.archive) if typed else [],
        "activate": typed.activate if typed else False,
        "metadata": metadata(objective_id=form.objective_id, confirmed=confirmed,
                             kr_ids=tuple(k.kr_id for k in form.krs)),
    }


def edit_kr_numbers(form: EditFormView, typed: EditForm) -> list[int]:
    """Form numbers of the KRs the coach sees in an edit: the kept ones, then the added ones
    (numbered after the existing KRs)."""
    kept = [n for n, kr in enumerate(form.krs, start=1) if kr.kr_id not in typed.archive]
    added = sum(not kr.blank for kr in typed.new_krs)
    return kept + list(range(len(form.krs) + 1, len(form.krs) + 1 + added))


def filled_slots(form: ObjectiveForm) -> list[int]:
    """Form numbers of the KRs the coach sees (blank slots are skipped)."""
    return [n for n, kr in enumerate(form.krs, start=1) if not kr.blank]


def _common(warnings: Sequence[WarningLine], more_warnings: int) -> dict[str, Any]:
    return {"ids": ids.TEMPLATE_IDS, "warnings": list(warnings), "more_warnings": more_warnings,
            "objective_types": [t.value for t in ObjectiveType]}
