"""Reading a value update from a request body: JSON, then the pydantic model, else a 422."""

from __future__ import annotations

import json
from http import HTTPStatus

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from bot.api.problem import FieldProblem, Problem
from bot.api.schemas import ValueUpdateRequest
from bot.domain.okr_draft import NUMBER_LIMIT
from bot.services.checkin.kr_value import ValueUpdate

# pydantic's error type -> our words (`api.field.<key>`)
_FIELD_KEYS = {
    "missing": "missing",
    "extra_forbidden": "unknown",
    "float_type": "not_number",
    "float_parsing": "not_number",
    "finite_number": "not_finite",
    "greater_than_equal": "out_of_range",
    "less_than_equal": "out_of_range",
    "string_type": "not_text",
    "string_too_long": "too_long",
    "string_pattern_mismatch": "control_chars",
}


def parse_update(raw: bytes) -> ValueUpdate:
    """The update in `raw`, or a `Problem` (422) saying what is wrong with it."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise _unprocessable("invalid_json", line=exc.lineno, column=exc.colno) from None
    except UnicodeDecodeError:
        raise _unprocessable("not_utf8") from None
    except RecursionError:
        raise _unprocessable("too_deep") from None
    except ValueError:  # an integer with more digits than Python converts
        raise _unprocessable("invalid_body", details=[FieldProblem("", "invalid")]) from None
    if not isinstance(data, dict):
        raise _unprocessable("not_object")
    try:
        body = ValueUpdateRequest.model_validate(data)
    except ValidationError as exc:
        raise _unprocessable("invalid_body", details=[_field(e) for e in exc.errors()]) from None
    return ValueUpdate(value=body.value, note=body.note.strip())


def _field(error: ErrorDetails) -> FieldProblem:
    name = ".".join(str(part) for part in error["loc"])
    key = _FIELD_KEYS.get(error["type"], "invalid")
    params: dict[str, str | int] = {}
    if key == "out_of_range":
        params = {"low": f"{-NUMBER_LIMIT:g}", "high": f"{NUMBER_LIMIT:g}"}
    elif key == "too_long":
        params = {"limit": int(error.get("ctx", {}).get("max_length", 0))}
    return FieldProblem(name, key, params)


def _unprocessable(
    code: str, *, details: list[FieldProblem] | None = None, **params: str | int
) -> Problem:
    return Problem(HTTPStatus.UNPROCESSABLE_ENTITY, code, params=params, details=details or ())
