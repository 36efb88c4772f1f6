"""The learner's progress file: recorded only for learners, atomic, safe with two writers."""

import json
import multiprocessing
import os

import pytest

from lib.course import progress
from lib.course.checks import EXERCISES, check


@pytest.fixture
def progress_file(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    return path


def test_passing_check_is_recorded(progress_file):
    check("attention.weighted_average", EXERCISES["attention.weighted_average"].reference)
    data = json.loads(progress_file.read_text(encoding="utf-8"))
    assert data["exercises"]["attention.weighted_average"]["passes"] == 1


def test_failing_check_is_not_recorded(progress_file):
    check("attention.weighted_average", lambda v, w: v.mean(0))
    assert not progress_file.exists() or "attention.weighted_average" not in progress.load_progress()["exercises"]


def test_nothing_recorded_outside_chapters(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "p.json"))
    monkeypatch.delenv("COURSE_PROGRESS", raising=False)
    solutions = tmp_path / "solutions"
    solutions.mkdir()
    monkeypatch.chdir(solutions)
    assert not progress.recording_enabled()
    check("attention.weighted_average", EXERCISES["attention.weighted_average"].reference)
    assert not (tmp_path / "p.json").exists()


def test_recording_in_chapters_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_PROGRESS", raising=False)
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    monkeypatch.chdir(chapters)
    assert progress.recording_enabled()


def test_off_switch_wins(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    chapters = tmp_path / "chapters"
    chapters.mkdir()
    monkeypatch.chdir(chapters)
    assert not progress.recording_enabled()


def test_corrupt_file_is_kept_aside_not_erased(progress_file):
    progress_file.write_text("{ this is not json", encoding="utf-8")
    with pytest.warns(UserWarning, match="옮겨"):
        progress.record_exercise_passed("rnn.rnn_cell")
    kept = list(progress_file.parent.glob("progress.corrupt-*.json"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == "{ this is not json"
    assert "rnn.rnn_cell" in progress.load_progress()["exercises"]


def test_wrong_shape_json_is_kept_aside(progress_file):
    progress_file.write_text(json.dumps({"exercises": []}), encoding="utf-8")
    with pytest.warns(UserWarning):
        data = progress.load_progress()
    assert data == progress.empty_progress()
    assert list(progress_file.parent.glob("progress.corrupt-*.json"))


def _hammer(args):
    path, worker, count = args
    os.environ["COURSE_PROGRESS_FILE"] = path
    os.environ["COURSE_PROGRESS"] = "on"
    for i in range(count):
        progress.record_quiz_answer(f"w{worker}-{i}", i % 2 == 0)


def test_two_processes_lose_nothing(progress_file):
    count = 40
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_hammer, [(str(progress_file), 0, count), (str(progress_file), 1, count)])
    quiz = progress.load_progress()["quiz"]
    assert len(quiz) == 2 * count
    assert not list(progress_file.parent.glob("*.tmp"))


# ---------------------------------------------------------------- layout 1 -> 2 (issue 14)

import datetime as dt  # noqa: E402

from lib.course import scheduler  # noqa: E402
from lib.course.quiz import QuizItem  # noqa: E402


def _item(item_id, legacy=()):
    return QuizItem(id=item_id, chapter=item_id[:2], claim="C22", question="?", choices=("a", "b", "c", "d"),
                    answer=0, explanation="e", why_wrong=("", "x", "y", "z"), legacy_ids=tuple(legacy))


# A layout-1 record written by hand from the v1 bank's ids (git show ba7362a:lib/course/quizbank/ch07.json:
# 07-1..07-9 = today's causal chapter 08; ch08.json: 08-1..08-12 = today's transformer chapter 09).
V1_RECORD = {
    "version": 1,
    "exercises": {"masks.causal_mask": {"first_passed": "2025-05-01T10:00:00+00:00",
                                        "last_passed": "2025-05-01T10:00:00+00:00", "passes": 1},
                  "rnn.rnn_cell": {"first_passed": "2025-04-20T10:00:00+00:00", "passes": 2}},
    "quiz": {
        "07-4": {"history": [{"at": "2025-05-01T10:00:00+00:00", "correct": True},
                             {"at": "2025-05-02T10:00:00+00:00", "correct": True}], "box": 2, "due": "2025-05-05"},
        "08-2": {"history": [{"at": "2025-05-03T10:00:00+00:00", "correct": False}], "box": 1, "due": "2025-05-04"},
        "06-3": {"history": [{"at": "2025-04-28T10:00:00+00:00", "correct": True}], "box": 1, "due": "2025-04-29"},
        "01-1": {"history": [{"at": "2025-04-20T10:00:00+00:00", "correct": True}], "box": 1, "due": "2025-04-21"},
        "07-9": {"history": [{"at": "2025-05-01T11:00:00+00:00", "correct": False}], "box": 1, "due": "2025-05-02"},
    },
}
V2_BANK = [_item("08-1", ["07-4"]), _item("08-5", ["07-9", "07-4"]), _item("09-3", ["08-2"]),
           _item("01-4", ["01-1"]), _item("07-4"), _item("06-3")]  # new 07-4 / 06-3: other facts


def test_v1_file_loads_with_its_history_and_migrates_once(progress_file, monkeypatch):
    monkeypatch.setattr(progress, "_bank_items", lambda: V2_BANK)
    progress_file.write_text(json.dumps(V1_RECORD), encoding="utf-8")
    data = progress.load_progress()
    assert data["layout"] == progress.LAYOUT
    assert data["exercises"] == V1_RECORD["exercises"]  # exercises unchanged
    quiz = data["quiz"]
    assert quiz["08-1"]["history"][0]["legacy_id"] == "07-4" and len(quiz["08-1"]["history"]) == 2
    assert scheduler.replay(quiz["08-1"]).box == 2
    assert [e["legacy_id"] for e in quiz["08-5"]["history"]] == ["07-4", "07-9", "07-4"]  # merged in time order
    assert quiz["09-3"]["history"][0]["correct"] is False and quiz["01-4"]["box"] == 1
    # v1 ids with no successor are kept, not scheduled; the new items with the same ids start fresh
    assert set(data["legacy_quiz"]) == {"06-3"} and "07-4" not in quiz and "06-3" not in quiz
    assert scheduler.replay(quiz.get("07-4")).is_new
    assert {"08", "09", "01"} <= set(data["chapters"])  # chapters of moved answers count as started
    assert data["migrated"]["moved"] == 4 and data["migrated"]["kept"] == 1
    kept = list(progress_file.parent.glob("progress.layout1-*.json"))
    assert len(kept) == 1 and json.loads(kept[0].read_text(encoding="utf-8")) == V1_RECORD
    # saved once: loading again migrates nothing more, and new answers go on from the migrated state
    assert progress.load_progress() == data
    assert progress.record_quiz_answer("08-1", True)
    assert len(progress.load_progress()["quiz"]["08-1"]["history"]) == 3
    assert len(list(progress_file.parent.glob("progress.layout1-*.json"))) == 1


def test_v1_file_is_kept_as_is_when_the_bank_cannot_load(progress_file, monkeypatch):
    def broken():
        raise ValueError("bank broken")

    monkeypatch.setattr(progress, "_bank_items", broken)
    progress_file.write_text(json.dumps(V1_RECORD), encoding="utf-8")
    data = progress.load_progress()
    assert "layout" not in data and set(data["quiz"]) == set(V1_RECORD["quiz"])
    assert json.loads(progress_file.read_text(encoding="utf-8")) == V1_RECORD  # tried again next time


def test_v1_file_against_the_real_bank(progress_file):
    from lib.course import quiz as bank

    items = bank.load_items()
    successors = {old for item in items for old in item.legacy_ids}
    progress_file.write_text(json.dumps(V1_RECORD), encoding="utf-8")
    data = progress.load_progress()
    assert data["layout"] == progress.LAYOUT and data["exercises"] == V1_RECORD["exercises"]
    for old in V1_RECORD["quiz"]:
        if old in successors:
            assert any(e.get("legacy_id") == old for entry in data["quiz"].values() for e in entry["history"])
        else:
            assert old in data["legacy_quiz"]


def test_new_record_kinds_survive_cleaning_and_bad_ones_are_reported():
    data = {"layout": 2, "exercises": {}, "quiz": {}, "chapters": {"04": {"opens": 1}}, "exam_date": "2025-06-20",
            "check_failures": {"a.b": [{"at": "2025-06-01", "mistake": "m"}], "c.d": "x"},
            "mock_exams": [{"items": ["04-1"], "answers": {}}, "junk"]}
    clean, problems = progress.clean_progress(data)
    assert clean["chapters"] == {"04": {"opens": 1}} and clean["exam_date"] == "2025-06-20"
    assert set(clean["check_failures"]) == {"a.b"} and len(clean["mock_exams"]) == 1
    assert len(problems) == 2
    clean, problems = progress.clean_progress({"exam_date": "다음 주", "chapters": []})
    assert "exam_date" not in clean and "chapters" not in clean and len(problems) == 2
    assert scheduler.exam_day({"exam_date": "2025-06-20"}) == dt.date(2025, 6, 20)
