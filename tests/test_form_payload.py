"""The gate decodes a form's `payload` itself: Bolt must see the very body its own parser
would have produced, and the raw body it checks the signature on."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode

from hypothesis import given, settings
from hypothesis import strategies as st
from slack_bolt import BoltRequest

from bot.slack_gate import _parse, form_payload

FORM = {"content-type": "application/x-www-form-urlencoded"}


def bolt_payload(body: str) -> str | None:
    """What Bolt's parse reads as the payload, when it is a JSON object's text."""
    value = dict(parse_qsl(body, keep_blank_values=True)).get("payload")
    return value if value is not None and value.startswith("{") else None


# What makes percent-decoding interesting: escapes good and broken, pluses, separators, line
# ends, braces.
tricky = st.text(alphabet="%+&=\r\n\tpayload{}\"0123456789abcdefABCDEFgxyz ", max_size=60)
escapes = st.lists(st.sampled_from(["%7B", "%7b", "%", "%4", "%4g", "%%", "=", "\r\n", "+", "a",
                                    "%0A", "%3D", "%E4%B8%AD", "%E4", "&"]), max_size=20)


@settings(max_examples=500, deadline=None)
@given(tricky)
def test_any_ascii_body_gives_what_parse_qsl_gives(body: str) -> None:
    assert form_payload(body.encode()) == bolt_payload(body)


@settings(max_examples=500, deadline=None)
@given(escapes)
def test_broken_escapes_in_a_payload_give_what_parse_qsl_gives(parts: list[str]) -> None:
    body = "payload=%7B" + "".join(parts)
    assert form_payload(body.encode()) == bolt_payload(body)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=8), st.text(max_size=8), max_size=4),
       st.text(max_size=200))
def test_encoded_forms_with_any_text_decode_whole(fields: dict[str, str], text: str) -> None:
    """Chinese, emoji, quotes and percent signs in the payload come through."""
    body = urlencode({**fields, "payload": json.dumps({"text": text}, ensure_ascii=False)})
    decoded = form_payload(body.encode())
    assert decoded == bolt_payload(body)
    assert decoded is not None and json.loads(decoded) == {"text": text}


def test_not_a_payload_is_left_to_bolt() -> None:
    for body in (b"command=%2Fokr&text=me", b"payload=%5B1%5D", b"payload=",
                 b'{"payload": 1}', "payload=%7B%7D&x=\u4e2d".encode()):
        assert form_payload(body) is None, body


def test_bolt_sees_its_own_parse_and_the_signed_body() -> None:
    view = {"type": "view_submission", "user": {"id": "U1"},
            "view": {"state": {"values": {"b": {"a": {"value": "50% 完成 + more & more"}}}}}}
    raw = urlencode({"payload": json.dumps(view, ensure_ascii=False)}).encode()
    request = _parse(raw, "", dict(FORM))
    assert request is not None
    assert request.body == BoltRequest(body=raw.decode(), headers=dict(FORM)).body
    assert request.raw_body == raw.decode()
    assert request.to_copyable().body == request.body  # how lazy listeners get it
