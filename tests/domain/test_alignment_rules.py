"""Which team Objectives align to nothing above them, and which days a cycle runs."""

from __future__ import annotations

from datetime import date

from bot.domain.cycle_rules import in_cycle, unaligned_team_objectives

PARENTS = {1: None, 2: 1, 3: 2, 4: None}  # company 1 > department 2 > team 3; 4 stands alone


def test_a_team_objective_without_a_parent_is_unaligned_when_a_team_above_has_objectives() -> None:
    objectives = [(10, 1, None), (20, 2, 10), (21, 2, None), (30, 3, None), (31, 3, 21),
                  (40, 4, None), (50, None, None)]
    assert unaligned_team_objectives(objectives, PARENTS) == {21, 30}


def test_nothing_above_to_align_to_is_not_a_fault() -> None:
    assert unaligned_team_objectives([(20, 2, None), (30, 3, None)], PARENTS) == {30}
    assert unaligned_team_objectives([(30, 3, None)], PARENTS) == set()


def test_a_parent_outside_the_cycle_counts_as_none_and_loops_end() -> None:
    assert unaligned_team_objectives([(10, 1, None), (20, 2, 99)], PARENTS) == {20}
    assert unaligned_team_objectives([(10, 1, None), (20, 2, None)], {1: 2, 2: 1}) == {10, 20}


def test_a_cycle_runs_from_its_first_to_its_last_day() -> None:
    start, end = date(2026, 10, 1), date(2026, 12, 31)
    assert in_cycle(date(2026, 12, 31), start, end)
    assert not in_cycle(date(2027, 1, 1), start, end)
    assert not in_cycle(date(2026, 9, 30), start, end)
