"""Command, action, view and block ids, dotted by feature (templates get them as `ids`), and
how a row id is read back from a button value, metadata, a block id or a path."""

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
CHECKIN_SKIP_WEEK = _id("CHECKIN_SKIP_WEEK", "checkin.skip_week")  # value: the prompt's row id
CHECKIN_LATER = _id("CHECKIN_LATER", "checkin.later")  # value: the prompt's row id
# Per-KR ("<prefix>.<kr id>") and per-page ("<prefix>.<page>") fields of the check-in modal:
# the block_id is also the action_id; only the "no change" checkbox (a section accessory) sends
# block_actions. Per KR: no change, value, confidence, progress (the KR's note); per page:
# blockers and the KRs they block, help needed, the KR it is for and whom to ask.
CHECKIN_NO_CHANGE = _id("CHECKIN_NO_CHANGE", "checkin.nochange")
CHECKIN_VALUE = _id("CHECKIN_VALUE", "checkin.value")
CHECKIN_CONFIDENCE = _id("CHECKIN_CONFIDENCE", "checkin.confidence")
CHECKIN_PROGRESS = _id("CHECKIN_PROGRESS", "checkin.progress")
CHECKIN_BLOCKERS = _id("CHECKIN_BLOCKERS", "checkin.blockers")
CHECKIN_BLOCKER_KRS = _id("CHECKIN_BLOCKER_KRS", "checkin.blockerkrs")
CHECKIN_HELP = _id("CHECKIN_HELP", "checkin.help")
CHECKIN_HELP_KR = _id("CHECKIN_HELP_KR", "checkin.helpkr")
CHECKIN_WHOM = _id("CHECKIN_WHOM", "checkin.whom")
# The named helper's answer to a help request: the button's value is the check-in id.
HELP_CAN_HELP = _id("HELP_CAN_HELP", "help.can_help")
HELP_NOT_NOW = _id("HELP_NOT_NOW", "help.not_now")
HOME_REFRESH = _id("HOME_REFRESH", "home.refresh")
OKR_NEW_SUBMIT = _id("OKR_NEW_SUBMIT", "okr.new.submit")
OKR_NEW = _id("OKR_NEW", "okr.new")
# Enter pressed in a title of the new-Objective form: "okr.new.similar" or "okr.new.similar.<n>"
OKR_NEW_SIMILAR = _id("OKR_NEW_SIMILAR", "okr.new.similar")
OKR_NEW_CYCLE = _id("OKR_NEW_CYCLE", "okr.new.cycle")
OKR_EDIT = _id("OKR_EDIT", "okr.edit")
OKR_EDIT_SUBMIT = _id("OKR_EDIT_SUBMIT", "okr.edit.submit")
OKR_ARCHIVE = _id("OKR_ARCHIVE", "okr.archive")
REVIEW_OPEN = _id("REVIEW_OPEN", "review.open")
REVIEW_SUBMIT = _id("REVIEW_SUBMIT", "review.submit")
# Per-KR ("<prefix>.<kr id>") and per-Objective ("<prefix>.<objective id>") review fields.
REVIEW_SCORE = _id("REVIEW_SCORE", "review.score")
REVIEW_CAUSE = _id("REVIEW_CAUSE", "review.cause")
REVIEW_NOTE = _id("REVIEW_NOTE", "review.note")
REVIEW_WORKED = _id("REVIEW_WORKED", "review.worked")
REVIEW_KEEP = _id("REVIEW_KEEP", "review.keep")
REVIEW_AVOID = _id("REVIEW_AVOID", "review.avoid")
REVIEW_LEARNED = _id("REVIEW_LEARNED", "review.learned")
REVIEW_CARRY = _id("REVIEW_CARRY", "review.carry")  # "review.carry.<objective id>"
# "Read in my language" on a channel digest; value "<team id>:<period start>:<period end>" (Unix s)
DIGEST_MINE = _id("DIGEST_MINE", "digest.mine")

TEMPLATE_IDS = SimpleNamespace(**ALL)

