"""Quiz engine: validation, grading, 1-based answers in shown order, rendering, locking, bad input.

The bank's size and guessability figures are in tests/test_bank.py.
"""

import json
import subprocess
import sys

import pytest

import lib.quiz
from lib.course import progress, quiz
from lib.course.claims import CLAIMS

ITEMS = quiz.load_items()
GOOD = {"id": "01-x", "chapter": "01", "claim": "C6", "kind": "concept", "question": "Q?",
        "choices": ["a", "b", "c", "d"], "answer": 1, "explanation": "because",
        "why_wrong": ["no a", "", "no c", "no d"]}


@pytest.fixture
def fixed_key(monkeypatch):
    """Every learner key is the fixed one (as in solutions/ and tests)."""
    monkeypatch.setattr(quiz.progress, "learner_key", lambda: progress.FIXED_LEARNER_KEY)


@pytest.fixture
def recorded(monkeypatch):
    calls = []
    monkeypatch.setattr(quiz, "record_quiz_answer",
                        lambda item_id, correct, choice=None: calls.append((item_id, correct, choice)))
    return calls


def test_every_item_is_well_formed():
    for chapter in quiz.chapters_in_bank():
        for raw in quiz.raw_items(chapter):
            assert quiz.validate_item(raw, require_kind=False) == [], raw.get("id")
            assert raw["chapter"] == chapter


def test_ids_are_unique():
    ids = [item.id for item in ITEMS]
    assert len(ids) == len(set(ids))


def test_every_claim_is_asked_somewhere():
    asked = {item.claim for item in ITEMS}
    assert {c for c in CLAIMS if c != "C0"} - asked == set()


def test_load_items_includes_generated_items():
    generated = [item for item in quiz.load_items("02") if item.generated]
    assert generated and all(item.id.startswith("02-g") for item in generated)
    assert quiz.find_item(generated[0].id) == generated[0]


@pytest.mark.parametrize("change, words", [
    ({"choices": ["a", "b", "c"]}, "4 non-empty"),
    ({"choices": ["a", "a", "c", "d"]}, "differ"),
    ({"answer": 4}, "index"),
    ({"answer": True}, "index"),
    ({"claim": "C99"}, "unknown claim"),
    ({"kind": "trivia"}, "unknown kind"),
    ({"kind": "negative"}, "negative"),
    ({"why_wrong": ["no a", "", "", "no d"]}, "why_wrong[2]"),
    ({"why_wrong": ["no a", ""]}, "4 entries"),
    ({"explanation": " "}, "explanation"),
    ({"id": "02-x"}, "id"),
    ({"legacy_ids": ["7-4"]}, "legacy"),
    ({"choices": ["a", "b", "③ c", "d"]}, "position"),
])
def test_validator_catches_broken_items_and_names_the_item(change, words):
    assert quiz.validate_item(GOOD) == []
    broken = {**GOOD, **change}
    problems = quiz.validate_item(broken)
    assert problems and all(p.startswith(f"{broken['id']}:") for p in problems)
    assert words in " ".join(problems)


def test_validator_catches_missing_fields():
    for key in ("explanation", "why_wrong", "kind", "question"):
        broken = {k: v for k, v in GOOD.items() if k != key}
        assert any(f"missing {key}" in p for p in quiz.validate_item(broken)), key
    assert quiz.validate_item({k: v for k, v in GOOD.items() if k != "kind"}, require_kind=False) == []


def test_validator_catches_a_generated_key_that_does_not_recompute():
    raw = next(item for item in quiz.raw_items("07") if "generated" in item)
    broken = dict(raw, answer=(raw["answer"] + 1) % 4,
                  why_wrong=["x"] * 4)
    broken["why_wrong"][broken["answer"]] = ""
    problems = quiz.validate_item(broken)
    assert problems and problems[0].startswith(raw["id"]) and "recompute" in problems[0]


# ---------------------------------------------------------------- order and grading


def test_display_order_is_deterministic_and_differs_between_learners():
    item = ITEMS[0]
    assert quiz.display_order(item, "a") == quiz.display_order(item, "a")
    assert sorted(quiz.display_order(item, "a")) == [0, 1, 2, 3]
    orders = {tuple(quiz.display_order(item, f"learner-{k}")) for k in range(30)}
    assert len(orders) > 5
    assert lib.quiz.display_order is quiz.display_order


def test_grading_by_canonical_index():
    item = ITEMS[0]
    right = quiz.grade(item, item.answer)
    assert right.correct and item.explanation in right.message
    wrong_choice = (item.answer + 1) % 4
    wrong = quiz.grade(item, wrong_choice)
    assert not wrong.correct and item.why_wrong[wrong_choice] in wrong.message
    assert not quiz.grade(item, 7).correct


@pytest.mark.parametrize("position, particle", [(0, "①은"), (1, "②는"), (2, "③은"), (3, "④는")])
def test_korean_particle_after_the_shown_number(position, particle):
    item = ITEMS[0]
    wrong = next(c for c in range(4) if c != item.answer)
    order = [c for c in range(4) if c != wrong]
    order.insert(position, wrong)
    message = quiz.grade(item, wrong, order).message
    assert f"❌ {particle} 정답이 아닙니다" in message
    assert f"정답은 {quiz.MARKS[order.index(item.answer)]}입니다" in message


def test_answer_is_one_based_in_the_shown_order(fixed_key, recorded, capsys):
    item = quiz.find_item("03-1")
    order = quiz.display_order(item, progress.FIXED_LEARNER_KEY)
    for number in (1, 2, 3, 4):
        feedback = quiz.answer("03-1", number)
        assert feedback.correct == (order[number - 1] == item.answer)
        assert recorded[-1] == ("03-1", feedback.correct, order[number - 1])
        shown = quiz.MARKS[order.index(item.answer)]
        assert f"({shown})" in feedback.message or f"정답은 {shown}" in feedback.message
    right = order.index(item.answer) + 1
    assert quiz.answer("03-1", "②").message == quiz.answer("03-1", 2).message
    assert quiz.answer("03-1", str(right)).correct
    assert "정답" in capsys.readouterr().out


@pytest.mark.parametrize("item_id, choice", [
    ("03-1", 0), ("03-1", 5), ("03-1", -1), ("03-1", "x"), ("03-1", None), ("03-1", 2.0), ("03-1", True),
    ("99-1", 2), ("nope", 1), (None, 1), (3, 1),
])
def test_answer_never_raises_on_bad_input(fixed_key, recorded, capsys, item_id, choice):
    feedback = quiz.answer(item_id, choice)
    assert not feedback.correct
    assert recorded == []
    out = capsys.readouterr().out
    assert out.strip() and "Traceback" not in out
    assert any("가" <= ch <= "힣" for ch in out)  # a Korean message


def test_answers_are_recorded_with_the_canonical_choice(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    key = progress.learner_key()
    assert key != progress.FIXED_LEARNER_KEY and progress.learner_key() == key  # created once, kept
    item = quiz.find_item("02-1")
    order = quiz.display_order(item, key)
    quiz.answer("02-1", 3)
    data = json.loads((tmp_path / "progress.json").read_text(encoding="utf-8"))
    event = data["quiz"]["02-1"]["history"][-1]
    assert event["choice"] == order[2] and event["correct"] == (order[2] == item.answer)
    assert data["learner_key"] == key


def test_record_quiz_answer_without_choice_still_works(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    assert progress.record_quiz_answer("01-1", True)
    event = progress.load_progress()["quiz"]["01-1"]["history"][-1]
    assert event["correct"] is True and "choice" not in event


def test_no_learner_key_is_written_where_nothing_is_recorded(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    assert progress.learner_key() == progress.FIXED_LEARNER_KEY


# ---------------------------------------------------------------- rendering


def test_markdown_renders_in_html_and_plain_text():
    text = "**인코더의 출력**을 읽는 `x`는? <b>\n```python\nx = a ** 2  # `not code`\n```"
    html_text = quiz._to_html(text)
    assert "<b>인코더의 출력</b>" in html_text and "<code>x</code>" in html_text
    assert "&lt;b&gt;" in html_text and "x = a ** 2" in html_text  # escaped; the fenced block is left alone
    plain = quiz.plain_text(text)
    assert "**" not in plain.split("\n")[0] and "`" not in plain.split("\n")[0]
    assert "x = a ** 2" in plain


def test_print_quiz_shows_no_raw_markdown_and_uses_the_shown_order(fixed_key, capsys):
    quiz.print_quiz("01")
    out = capsys.readouterr().out
    assert "```" not in out and "**" not in out.replace("a ** 2", "")
    prose = [line for line in out.splitlines() if line.startswith(("[", "  ①", "  ②", "  ③", "  ④"))]
    assert not [line for line in prose if "`" in line]
    item = quiz.load_items("01")[0]
    order = quiz.display_order(item, progress.FIXED_LEARNER_KEY)
    assert f"  ① {quiz.plain_text(item.choices[order[0]])}" in out


def test_widget_renders_every_item_without_raw_markdown(fixed_key):
    view = quiz.QuizView(ITEMS, record=False)
    for block in view.widget.children[:-1]:
        header = block.children[0].value
        prose = header.split("<pre")[0]
        assert "**" not in prose and "`" not in prose, header
    for row in view.buttons:
        assert all("**" not in b.description and "`" not in b.description for b in row)


# ---------------------------------------------------------------- widget: order, locking


def test_widget_click_shows_feedback_records_canonical_choice_and_locks(fixed_key, recorded):
    view = quiz.QuizView(ITEMS[:2])
    item, order = ITEMS[0], view.orders[0]
    assert [b.description.split(" ", 1)[1] for b in view.buttons[0]] == [
        quiz.plain_text(item.choices[c]) for c in order]
    wrong_position = next(p for p in range(4) if order[p] != item.answer)
    view.buttons[0][wrong_position].click()
    assert "정답이 아닙니다" in view.feedback[0].value
    assert view.buttons[0][wrong_position].button_style == "danger"
    assert view.buttons[0][order.index(item.answer)].button_style == "success"
    assert all(b.disabled for b in view.buttons[0])
    # locked: a second answer changes nothing and is not recorded
    assert view.choose(0, order.index(item.answer)) is None
    assert "정답이 아닙니다" in view.feedback[0].value
    assert recorded == [(item.id, False, order[wrong_position])]
    assert "1/2" in view.score.value and "0개 정답" in view.score.value
    view.choose(1, view.orders[1].index(ITEMS[1].answer))
    assert "2/2" in view.score.value and "1개 정답" in view.score.value


def test_show_quiz_builds_every_chapter(fixed_key):
    for chapter in quiz.chapters_in_bank():
        view = quiz.show_quiz(chapter)
        assert len(view.items) == len(quiz.load_items(chapter)) > 0


def test_course_quiz_does_not_import_the_ui():
    code = "import sys, lib.course.quiz; sys.exit(any(m.startswith('lib.ui') for m in sys.modules))"
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0


def test_answer_survives_an_unwritable_progress_file(fixed_key, monkeypatch, capsys):
    def fail(*args, **kwargs):
        raise OSError("read-only")

    monkeypatch.setattr(quiz, "record_quiz_answer", fail)
    feedback = quiz.answer("01-1", 1)
    assert "기록하지 못했습니다" in feedback.message and "read-only" in capsys.readouterr().out
