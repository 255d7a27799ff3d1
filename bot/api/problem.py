"""Every answer of the API other than success, as an exception the app turns into JSON."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from http import HTTPStatus


@dataclass(frozen=True)
class FieldProblem:
    """One bad field of the body: `key` names its words (`api.field.<key>`)."""

    field: str
    key: str
    params: Mapping[str, str | int] = dataclasses.field(default_factory=dict)


class Problem(Exception):
    """`code` is the stable error code and names the message (`api.<code>`)."""

    def __init__(
        self,
        status: HTTPStatus,
        code: str,
        *,
        params: Mapping[str, str | int] | None = None,
        details: Sequence[FieldProblem] = (),
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        super().__init__(code)
        self.status = status
        self.code = code
        self.params = dict(params or {})
        self.details = tuple(details)
        self.headers = tuple(headers)
