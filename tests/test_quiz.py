"""Quiz bank well-formedness and grading logic (no browser needed)."""

import pytest

from lib.course import quiz
from lib.course.claims import CLAIMS

ITEMS = quiz.load_items()


def test_every_item_is_well_formed():
    for chapter in sorted(p.stem[2:] for p in quiz.BANK.glob("ch*.json")):
        for raw in quiz.load_raw(chapter):
            assert quiz.validate_item(raw) == [], raw.get("id")
            assert raw["chapter"] == chapter


def test_ids_are_unique():
    ids = [item.id for item in ITEMS]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("chapter", ["01", "02", "03", "04", "05", "06", "07", "08", "09"])
def test_at_least_six_items_per_chapter(chapter):
    assert len(quiz.load_items(chapter)) >= 6


def test_every_claim_is_asked_somewhere():
    asked = {item.claim for item in ITEMS}
    assert {c for c in CLAIMS if c != "C0"} - asked == set()


def test_validator_catches_broken_items():
    good = {"id": "01-x", "chapter": "01", "claim": "C6", "question": "Q?", "choices": ["a", "b", "c", "d"],
            "answer": 1, "explanation": "because", "why_wrong": ["no a", "", "no c", "no d"]}
    assert quiz.validate_item(good) == []
    assert quiz.validate_item({**good, "choices": ["a", "b", "c"]})
    assert quiz.validate_item({**good, "answer": 4})
    assert quiz.validate_item({**good, "claim": "C99"})
    assert quiz.validate_item({**good, "why_wrong": ["no a", "", "", "no d"]})
    assert quiz.validate_item({**good, "choices": ["a", "a", "c", "d"]})
    assert quiz.validate_item({**good, "id": "02-x"})


def test_grading_right_and_wrong():
    item = ITEMS[0]
    right = quiz.grade(item, item.answer)
    assert right.correct and item.explanation in right.message
    wrong_choice = (item.answer + 1) % 4
    wrong = quiz.grade(item, wrong_choice)
    assert not wrong.correct and item.why_wrong[wrong_choice] in wrong.message
    assert not quiz.grade(item, 7).correct


def test_widget_view_click_shows_feedback(monkeypatch):
    recorded = []
    monkeypatch.setattr(quiz, "record_quiz_answer", lambda item_id, correct: recorded.append((item_id, correct)))
    view = quiz.QuizView(ITEMS[:2])
    item = ITEMS[0]
    view.buttons[0][item.answer].click()
    assert "정답" in view.feedback[0].value
    wrong = (item.answer + 1) % 4
    view.buttons[0][wrong].click()
    assert "아닙니다" in view.feedback[0].value
    assert view.buttons[0][wrong].button_style == "danger"
    assert recorded == [(item.id, True), (item.id, False)]
    assert "1/2" in view.score.value
