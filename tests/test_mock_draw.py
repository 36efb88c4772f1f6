"""The mock final's draw (course spec section 10, issue 20): 35 기본 items in 25 minutes, every note
section at least twice, never a 심화 item, over many seeds and learners' histories."""

import random

import pytest

from lib.course import mock_exam, outline, quiz
from lib.course.bank import QuizItem

ITEMS = quiz.load_items()
SECTIONS = mock_exam.exam_sections()


def _section_of(item) -> int:
    return next(i for i, (_name, claims) in enumerate(SECTIONS) if item.claim in claims)


def _basic_per_section(chapters) -> list:
    counts = [0] * len(SECTIONS)
    for item in ITEMS:
        if item.chapter in chapters and item.claim != "C0" and item.level == "기본":
            counts[_section_of(item)] += 1
    return counts


def test_exam_size_and_time():
    assert mock_exam.EXAM_SIZE == 35 and mock_exam.EXAM_MINUTES == 25


def test_the_bank_can_give_every_section_two_basic_items():
    short = [name for (name, _), n in zip(SECTIONS, _basic_per_section(set(mock_exam.exam_chapters()))) if n < 2]
    assert not short, f"note sections with fewer than two 기본 items: {short}"


def _draws(chapters, exams: int, learner: str):
    """A learner's successive mock finals: each draw sees how often earlier ones used an item."""
    used = {}
    for number in range(exams):
        chosen = mock_exam.compose(ITEMS, chapters, mock_exam.EXAM_SIZE, seed=f"{learner}-{number}", used=dict(used))
        for item in chosen:
            used[item.id] = used.get(item.id, 0) + 1
        yield chosen


def test_full_mock_final_never_draws_an_advanced_item_and_covers_every_section_twice():
    chapters = mock_exam.exam_chapters()
    for learner in range(12):
        for chosen in _draws(chapters, 8, f"learner{learner}"):
            assert len(chosen) == 35 and len({i.id for i in chosen}) == 35
            assert all(item.level == "기본" for item in chosen), [i.id for i in chosen if i.level != "기본"]
            per_section = [0] * len(SECTIONS)
            for item in chosen:
                per_section[_section_of(item)] += 1
            assert min(per_section) >= 2, dict(zip([n for n, _ in SECTIONS], per_section))
            assert all(item.claim != "C0" for item in chosen)


@pytest.mark.parametrize("seed", range(40))
def test_any_choice_of_chapters_draws_basic_items_and_each_section_at_least_twice(seed):
    rng = random.Random(seed)
    chapters = sorted(rng.sample(mock_exam.exam_chapters(), rng.randint(1, 6)))
    chosen = mock_exam.compose(ITEMS, chapters, mock_exam.EXAM_SIZE, seed=str(seed))
    assert all(item.level == "기본" and item.chapter in chapters for item in chosen)
    available = _basic_per_section(set(chapters))
    per_section = [0] * len(SECTIONS)
    for item in chosen:
        per_section[_section_of(item)] += 1
    assert len(chosen) == min(35, sum(available))
    for (name, _), got, have in zip(SECTIONS, per_section, available):
        assert got >= min(2, have), (chapters, name, got, have)


# ---------------------------------------------------------------- the mechanism fails when it should


def _item(item_id, claim, level):
    return QuizItem(id=item_id, chapter=item_id[:2], claim=claim, question="q", choices=("a", "b", "c", "d"),
                    answer=0, explanation="e", why_wrong=("", "x", "x", "x"), level=level)


def test_advanced_items_are_left_out_even_when_the_basic_ones_run_short():
    bank = [_item(f"03-a{n}", "C1", "심화") for n in range(10)] + [_item("03-b1", "C1", "기본")]
    chosen = mock_exam.compose(bank, ["03"], 35)
    assert [i.id for i in chosen] == ["03-b1"]


def test_floor_gives_small_sections_two_items_before_weighting():
    # one heavy section (3 claims, many items) and three light ones: without a floor they get 1 each
    assert mock_exam._apportion([3, 1, 1, 1], [30, 5, 5, 5], 6) == [3, 1, 1, 1]
    shares = mock_exam._apportion([3, 1, 1, 1], [30, 5, 5, 5], 9, floor=[3, 2, 2, 2])
    assert shares == [3, 2, 2, 2]
    assert mock_exam._apportion([3, 1, 1, 1], [30, 1, 5, 5], 9, floor=[3, 2, 2, 2]) == [4, 1, 2, 2]  # capacity wins
    # floors that do not fit shrink from the largest, never below zero
    small = mock_exam._apportion([3, 1, 1], [9, 9, 9], 4, floor=[3, 2, 2])
    assert sum(small) == 4 and min(small) >= 1
    assert mock_exam._apportion([1, 1], [5, 5], 0, floor=[2, 2]) == [0, 0]


def test_item_cell_is_a_heading_of_its_chapter_and_the_review_links_there():
    """An item's optional ``cell`` (bank schema) names the heading cell where it is taught; the mock
    final's review links there instead of the claim's section (review r3, 11 item 5: 04-2 and 04-11
    are taught in 04 §1, not in the C2 section §4)."""
    from lib.course import bank

    with_cell = [item for item in ITEMS if item.cell]
    assert {"04-2", "04-11"} <= {item.id for item in with_cell}
    for item in with_cell:
        assert outline.heading_at(item.chapter, item.cell), f"{item.id}: {item.cell} is not a heading cell"
        assert f"#cell-id={item.cell})" in outline.item_link(item), item.id
    plain = next(item for item in ITEMS if item.id == "04-7")
    assert not plain.cell and outline.item_link(plain) == outline.section_link("04", plain.claim)
    moved = next(item for item in ITEMS if item.id == "04-2")
    assert outline.item_link(moved) != outline.section_link("04", moved.claim)
    assert "1. 어텐션 한 단계" in outline.item_link(moved)
    assert mock_exam.item_link is outline.item_link  # the mock final's review and the 오답노트 use the same link
    raw = dict(bank.load_raw("04")[0], cell="셀 2")
    assert any("cell must be" in p for p in bank.validate_item(raw))
    assert not bank.validate_item(dict(raw, cell="cell-002"))
