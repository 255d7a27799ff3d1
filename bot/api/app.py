"""The KR value API, mounted under `/api/` (the contract: `GET /api/openapi.json`).

`POST /api/v1/key-results/{id}/value` and `POST /api/v1/key-results/by-key/{key}/value` set a
KR's value for a business system. Each request: authenticate the bearer token, read the
Idempotency-Key and the body, call `kr_value.record_value` once, answer JSON. Every refusal is
a `Problem`, answered as `{"code", "error", "details"}` in the caller's language.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from bot.api.body import parse_update
from bot.api.http import Environ, bearer_secret, idempotency_key, read_body, request_locale
from bot.api.openapi import OPENAPI_PATH, openapi_document
from bot.api.problem import Problem
from bot.api.schemas import ApiError, ErrorDetail, ValueRecordedResponse
from bot.api.throttle import FailureThrottle
from bot.deps import Deps
from bot.domain.row_ids import row_id
from bot.log_sampling import sampled_logger
from bot.services import tokens
from bot.services.checkin.kr_value import KRRef, Refusal, ValueRefused, record_value
from storage.db import is_unavailable

logger = sampled_logger(__name__)

StartResponse = Callable[..., Any]

_BY_ID = re.compile(r"/api/v1/key-results/([0-9]{1,18})/value")
_BY_KEY = re.compile(r"/api/v1/key-results/by-key/([^/]{1,100})/value")
REALM = 'Bearer realm="okr-bot"'
UNAVAILABLE_RETRY_AFTER_S = 5

_REFUSAL_STATUS = {
    Refusal.REVOKED: HTTPStatus.UNAUTHORIZED,
    Refusal.NOT_FOUND: HTTPStatus.NOT_FOUND,
    Refusal.FORBIDDEN: HTTPStatus.FORBIDDEN,
    Refusal.KEY_REUSED: HTTPStatus.UNPROCESSABLE_ENTITY,
    Refusal.ARCHIVED: HTTPStatus.CONFLICT,
    Refusal.CYCLE_CLOSED: HTTPStatus.CONFLICT,
    Refusal.MILESTONE_VALUE: HTTPStatus.UNPROCESSABLE_ENTITY,
    Refusal.OUT_OF_RANGE: HTTPStatus.UNPROCESSABLE_ENTITY,
}


class ApiApp:
    """The WSGI app of everything under `/api/`."""

    def __init__(self, deps: Deps, throttle: FailureThrottle | None = None) -> None:
        self.deps = deps
        self.throttle = throttle or FailureThrottle()
        document = openapi_document(deps.settings.api_public_url)
        self.openapi = json.dumps(document, ensure_ascii=False).encode("utf-8")

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        locale = request_locale(environ, self.deps.settings.default_locale)
        try:
            return self._route(environ, start_response)
        except Problem as problem:
            return self._answer_problem(start_response, problem, locale)
        except Exception as error:
            if is_unavailable(error):  # locked, full, unreachable, too slow: 503, not 500
                cause = type(error.__cause__ or error).__name__
                logger.warning("api: database unavailable (%s)", cause)
                busy = Problem(HTTPStatus.SERVICE_UNAVAILABLE, "unavailable",
                               headers=[("Retry-After", str(UNAVAILABLE_RETRY_AFTER_S))])
                return self._answer_problem(start_response, busy, locale)
            logger.exception("api: request failed")
            failure = Problem(HTTPStatus.INTERNAL_SERVER_ERROR, "internal")
            return self._answer_problem(start_response, failure, locale)

    def _route(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == OPENAPI_PATH:
            _allow(method, "GET")
            return _send(start_response, HTTPStatus.OK, self.openapi)
        ref = _kr_ref(path)
        if ref is None:
            raise Problem(HTTPStatus.NOT_FOUND, "no_route")
        _allow(method, "POST")
        return self._set_value(environ, start_response, ref)

    def _set_value(
        self, environ: Environ, start_response: StartResponse, ref: KRRef
    ) -> Iterable[bytes]:
        """POST …/value → 200 with the recorded check-in (also for a replayed retry)."""
        raw = read_body(environ)  # first: an unread body can break the connection's answer
        token = self._authenticate(environ)
        if ref.id is not None and row_id(ref.id) is None:  # no such row, and too big for the query
            raise Problem(HTTPStatus.NOT_FOUND, "not_found", params={"kr": str(ref)})
        key = idempotency_key(environ)
        update = parse_update(raw)
        try:
            recorded = record_value(self.deps.db, self.deps.clock, token=token, ref=ref,
                                    update=update, idempotency_key=key)
        except ValueRefused as refused:
            logger.warning("api: %s refused for token %r on KR %s", refused.refusal.value,
                           token.name, ref)
            raise _refusal_problem(refused) from None
        body = ValueRecordedResponse.of(recorded.result).model_dump_json().encode("utf-8")
        headers = [("Idempotent-Replayed", "true")] if recorded.replayed else []
        return _send(start_response, HTTPStatus.OK, body, headers)

    def _authenticate(self, environ: Environ) -> tokens.TokenView:
        """The caller's token; 401 without a valid one, 429 after too many failures."""
        client = str(environ.get("REMOTE_ADDR", "?"))
        wait = self.throttle.retry_after(client)
        if wait is not None:
            logger.warning("api: authentication failures from %s: slowed down", client)
            raise Problem(HTTPStatus.TOO_MANY_REQUESTS, "too_many_failures",
                          params={"seconds": wait}, headers=[("Retry-After", str(wait))])
        secret = bearer_secret(environ)
        if secret is None:
            self.throttle.failed(client)
            raise Problem(HTTPStatus.UNAUTHORIZED, "missing_token",
                          headers=[("WWW-Authenticate", REALM)])
        token = tokens.find_token(self.deps.db, secret)
        if token is None or token.revoked:
            self.throttle.failed(client)
            logger.warning("api: %s bearer token from %s",
                           "revoked" if token else "unknown", client)
            raise Problem(HTTPStatus.UNAUTHORIZED,
                          "revoked_token" if token else "invalid_token",
                          headers=[("WWW-Authenticate", f'{REALM}, error="invalid_token"')])
        return token

    def _answer_problem(
        self, start_response: StartResponse, problem: Problem, locale: str
    ) -> Iterable[bytes]:
        words = self.deps.renderer.catalogue(locale)
        out = ApiError(
            code=problem.code,
            error=words.text(f"api.{problem.code}", **problem.params),
            details=[
                ErrorDetail(field=d.field, message=words.text(f"api.field.{d.key}", **d.params))
                for d in problem.details
            ],
        )
        body = out.model_dump_json().encode("utf-8")
        return _send(start_response, problem.status, body,
                     [*problem.headers, ("Content-Language", locale)])


def _kr_ref(path: str) -> KRRef | None:
    """The KR a value path names, or None when `path` is no value endpoint."""
    by_id = _BY_ID.fullmatch(path)
    if by_id:
        return KRRef(id=int(by_id.group(1)))
    by_key = _BY_KEY.fullmatch(path)
    if by_key:
        try:  # WSGI gives the path's bytes as latin-1; keys are UTF-8
            return KRRef(key=by_key.group(1).encode("latin-1").decode("utf-8"))
        except UnicodeError:
            return None
    return None


def _allow(method: str, *allowed: str) -> None:
    if method not in allowed:
        raise Problem(HTTPStatus.METHOD_NOT_ALLOWED, "method_not_allowed",
                      params={"allowed": ", ".join(allowed)},
                      headers=[("Allow", ", ".join(allowed))])


def _refusal_problem(refused: ValueRefused) -> Problem:
    status = _REFUSAL_STATUS[refused.refusal]
    headers: list[tuple[str, str]] = []
    if status is HTTPStatus.UNAUTHORIZED:
        headers.append(("WWW-Authenticate", f'{REALM}, error="invalid_token"'))
    elif status is HTTPStatus.FORBIDDEN:
        headers.append(("WWW-Authenticate", f'{REALM}, error="insufficient_scope"'))
    code = "revoked_token" if refused.refusal is Refusal.REVOKED else refused.refusal.value
    return Problem(status, code, params=refused.params, headers=headers)


def _send(
    start_response: StartResponse, status: HTTPStatus, body: bytes,
    headers: Iterable[tuple[str, str]] = (),
) -> list[bytes]:
    start_response(f"{status.value} {status.phrase}", [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Content-Length", str(len(body))),
        ("Cache-Control", "no-store"),
        *headers,
    ])
    return [body]
