"""The check-in form fits Block Kit: one modal up to the method's maximum, pages beyond it."""

from __future__ import annotations

import pytest

from bot.domain.checkin_layout import MODAL_BLOCKS, Chunk, page_blocks, paginate


def test_the_methods_maximum_fits_one_modal() -> None:
    pages = paginate([4] * 5)
    assert len(pages) == 1
    assert page_blocks(pages[0]) == 1 + 5 + 20 * 4 + 5 == 91
    assert pages[0] == [Chunk(i, 0, 4) for i in range(5)]


def test_one_kr_takes_a_small_modal() -> None:
    assert [page_blocks(p) for p in paginate([1])] == [1 + 1 + 4 + 5]


def test_no_kr_gives_one_empty_page() -> None:
    assert paginate([]) == [[]]
    assert page_blocks([]) == 1


def test_beyond_the_maximum_objectives_move_whole_to_the_next_page() -> None:
    pages = paginate([5] * 6)
    # 5 KRs take 1 + 20 = 21 blocks: four Objectives, the intro and the footer make 90
    assert [[c.objective for c in page] for page in pages] == [[0, 1, 2, 3], [4, 5]]
    assert all(c.start == 0 and c.stop == 5 for p in pages for c in p)


def test_an_objective_too_big_for_a_page_is_split() -> None:
    pages = paginate([2, 40])
    chunks = [c for page in pages for c in page]
    assert [(c.objective, c.start, c.stop) for c in chunks] == [(0, 0, 2), (1, 0, 23), (1, 23, 40)]


@pytest.mark.parametrize("counts", [[4] * 5, [5] * 6, [1] * 30, [40], [7, 33, 2, 50, 1], [31, 31]])
def test_every_page_fits_and_every_kr_is_shown_once(counts: list[int]) -> None:
    pages = paginate(counts)
    assert all(page_blocks(page) <= MODAL_BLOCKS for page in pages)
    shown = sorted((c.objective, kr) for page in pages for c in page
                   for kr in range(c.start, c.stop))
    assert shown == [(o, kr) for o, n in enumerate(counts) for kr in range(n)]
