"""Command, action, view and block ids, dotted by feature. Templates get them as `ids`."""

from __future__ import annotations

from types import SimpleNamespace

COMMAND = "/okr"

# Templates see these as `ids.<NAME>`; a test checks every id a template uses has a listener.
ALL: dict[str, str] = {}


def _id(name: str, value: str) -> str:
    ALL[name] = value
    return value


CHECKIN_OPEN = _id("CHECKIN_OPEN", "checkin.open")
CHECKIN_SUBMIT = _id("CHECKIN_SUBMIT", "checkin.submit")
HOME_REFRESH = _id("HOME_REFRESH", "home.refresh")
OKR_NEW_SUBMIT = _id("OKR_NEW_SUBMIT", "okr.new.submit")

TEMPLATE_IDS = SimpleNamespace(**ALL)
