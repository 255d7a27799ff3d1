"""Nothing slow before the ack: the person named as helper is looked up with a short timeout,
and a crafted form cannot make the bot look up more than the page's one helper.

The attack this stops: a crafted submission naming 2,000 helpers made 2,000 `users.info` calls
before the ack, and a slow `users.info` made Bolt answer 404 after its 3 seconds.
"""

from __future__ import annotations

from typing import Any

from bot import ids
from storage.models import CheckIn
from tests.fakes.slack_api import Fault
from tests.scenarios.checkin_forms import State, answer_kr, notes
from tests.scenarios.conftest import Harness
from tests.scenarios.test_checkin import World, open_by_command, rows, submit, world

__all__ = ["world"]  # the fixture, shared with test_checkin


def _crafted(world: World, fake_helpers: int) -> State:
    """`fake_helpers` extra "who could help" fields that are not on the form, each naming
    someone new, then the page's own help request naming Ben."""
    state = answer_kr({}, world.leads.id, "1500")
    for n in range(fake_helpers):
        block = f"{ids.CHECKIN_WHOM}.{900_000 + n}"
        state[block] = {block: {"type": "users_select", "selected_user": f"UH{n:05d}"}}
    notes(state, help_needed="a review", help_kr=world.leads.id, whom="UBEN")
    return state


def test_two_thousand_helpers_cost_at_most_one_lookup(harness: Harness, world: World) -> None:
    view = open_by_command(harness)
    before = len(harness.slack.calls_to("users.info"))
    reply: dict[str, Any] = submit(harness, view, _crafted(world, 2000))
    looked_up = [c.args.get("user") for c in harness.slack.calls_to("users.info")[before:]]
    assert set(looked_up) <= {"UBEN"}
    assert reply == {"response_action": "clear"}
    assert len(rows(harness, CheckIn)) >= 1


def test_a_slow_users_info_answers_in_time_and_says_the_helper_was_not_found(
    harness: Harness, world: World
) -> None:
    harness.slack.workspace.add_user("UNEW", "Newcomer", tz="UTC", locale="en-US")
    view = open_by_command(harness, "UBEN")
    state = answer_kr({}, world.ben_kr.id, "150")
    notes(state, help_needed="a reviewer", whom="UNEW")
    harness.slack.fail("users.info", Fault("hang", hang_seconds=4))
    reply = submit(harness, view, state, "UBEN")  # Bolt's 3 s would have answered 404
    assert reply["errors"] == {f"{ids.CHECKIN_WHOM}.0":
                               "I cannot find this person in Slack: choose someone else."}
