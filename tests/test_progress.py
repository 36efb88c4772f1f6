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
