"""The check-in form fits Block Kit: one modal up to the method's maximum, pages beyond it."""

from __future__ import annotations

import pytest

from bot.domain.checkin_layout import MODAL_BLOCKS, Chunk, page_blocks, paginate


def test_the_methods_maximum_fits_one_modal() -> None:
    pages = paginate([4] * 5)
    assert len(pages) == 1
    assert page_blocks(pages[0]) == 86
    assert pages[0] == [Chunk(i, 0, 4, True) for i in range(5)]


def test_one_kr_takes_a_small_modal() -> None:
    assert [page_blocks(p) for p in paginate([1])] == [1 + 1 + 3 + 4]


def test_no_kr_gives_one_empty_page() -> None:
    assert paginate([]) == [[]]


def test_beyond_the_maximum_objectives_move_whole_to_the_next_page() -> None:
    pages = paginate([5] * 6)
    # 5 KRs take 1 + 15 + 4 = 20 blocks: four Objectives and the intro line make 81
    assert [[c.objective for c in page] for page in pages] == [[0, 1, 2, 3], [4, 5]]
    assert all(c.with_notes and c.start == 0 and c.stop == 5 for p in pages for c in p)


def test_an_objective_too_big_for_a_page_is_split_with_its_notes_on_the_first_part() -> None:
    pages = paginate([2, 40])
    chunks = [c for page in pages for c in page]
    assert [(c.objective, c.start, c.stop, c.with_notes) for c in chunks] == [
        (0, 0, 2, True), (1, 0, 31, True), (1, 31, 40, False)]


@pytest.mark.parametrize("counts", [[4] * 5, [5] * 6, [1] * 30, [40], [7, 33, 2, 50, 1], [31, 31]])
def test_every_page_fits_and_every_kr_is_shown_once(counts: list[int]) -> None:
    pages = paginate(counts)
    assert all(page_blocks(page) <= MODAL_BLOCKS for page in pages)
    shown = sorted((c.objective, kr) for page in pages for c in page
                   for kr in range(c.start, c.stop))
    assert shown == [(o, kr) for o, n in enumerate(counts) for kr in range(n)]
    assert sum(c.with_notes for page in pages for c in page) == len(counts)
