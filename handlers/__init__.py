"""The routing page: every way into okr-bot from Slack, one line each, pointing at the
module-level function that handles it. Start here to find a feature; a listener's first
parameter is `deps`, the rest are Bolt's arguments (handlers/routing.py).

`/okr <verb>` is one Slack command; its verbs are typed in English or Chinese. Anything that is
not a verb (`/okr @ana`, `/okr`) is a look-up.
"""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.deps import Deps
from handlers import (
    availability,
    checkin,
    digest,
    help_requests,
    home,
    lookup,
    okr_edit,
    review,
    review_payloads,
    schedule,
)
from handlers.routing import Routes, per_card


def register_all(app: App, deps: Deps) -> Routes:
    """Register every listener and `/okr` on `app`; the routes, for tests and tools.

    Bolt tries the listeners in this order, matching each against the request: the most
    frequent requests' listeners come first (`/okr`, the check-in's submission, the Home)."""
    on = Routes(app, deps)

    # /okr verbs, both languages ----------------------------------------------------------
    on.verb(("help", "帮助", "?"), lookup.show_help)
    on.verb(("me", "mine", "我", "我的"), lookup.show_mine)
    on.verb(("team", "团队", "小组"), lookup.show_team)
    on.verb(("tree", "树", "对齐"), lookup.show_tree)
    on.verb(("new", "新建"), okr_edit.open_new)
    on.verb(("checkin", "check-in", "打卡", "更新"), checkin.open_from_command)
    on.verb(("help-wanted", "helpwanted", "求助"), help_requests.show_wanted)
    on.verb(("digest", "周报"), digest.preview)
    on.verb(("away", "skip", "跳过"), availability.away)
    on.verb(("pause", "请假", "暂停"), availability.pause)
    on.verb(("resume", "back", "恢复", "回来"), availability.come_back)
    on.verb(("hours", "工作时间"), availability.hours)
    on.verb(("schedule", "日程"), schedule.schedule)
    on.verb(("review", "复盘"), review.open_from_command)
    on.verb(("carry", "延续"), review.carry_from_command)
    on.verb(("cycle", "周期"), review.cycle_command)
    on.fallback(lookup.lookup)  # /okr, /okr @someone, /okr <name>

    # Modal submissions (view_submission) ---------------------------------------------------
    on.view(ids.OKR_NEW_SUBMIT, okr_edit.on_new_submit)
    on.view(ids.OKR_EDIT_SUBMIT, okr_edit.on_edit_submit)
    on.view(ids.CHECKIN_SUBMIT, checkin.on_submit)
    on.view(ids.REVIEW_SUBMIT, review.on_submit)

    # Events ---------------------------------------------------------------------------------
    on.event("app_home_opened", home.on_home_opened)

    # Buttons (block_actions); `after_ack`: answered at once, run after (handlers/routing.py)
    on.action(ids.HOME_REFRESH, home.on_refresh, after_ack=True)
    on.action(ids.OKR_NEW, okr_edit.on_new_button)
    # Enter in a title of the new-Objective form, or another cycle picked in it:
    on.action(per_card(ids.OKR_NEW_SIMILAR), okr_edit.on_new_form_changed, after_ack=True)
    on.action(ids.OKR_NEW_CYCLE, okr_edit.on_new_form_changed, after_ack=True)
    on.action(per_card(ids.OKR_EDIT), okr_edit.on_edit)
    on.action(per_card(ids.OKR_ARCHIVE), okr_edit.on_archive, after_ack=True)
    on.action(ids.CHECKIN_OPEN, checkin.on_open)
    on.action(checkin.NO_CHANGE_ACTION, checkin.on_no_change)
    # A prompt's "Remind me in 2 hours" and "Skip this week":
    on.action(ids.CHECKIN_LATER, checkin.on_later, after_ack=True)
    on.action(ids.CHECKIN_SKIP_WEEK, checkin.on_skip_week, after_ack=True)
    on.action(ids.HELP_CAN_HELP, help_requests.on_answer, after_ack=True)
    on.action(ids.HELP_NOT_NOW, help_requests.on_answer, after_ack=True)
    on.action(ids.DIGEST_MINE, digest.on_read_mine, after_ack=True)
    on.action(ids.REVIEW_OPEN, review.on_open)
    on.action(review_payloads.CARRY_ACTION, review.on_carry, after_ack=True)
    return on
