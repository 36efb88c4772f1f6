"""Windows and macOS readiness of the progress file (spec section 11), tested on any OS by
monkeypatching: no fcntl (the msvcrt lock and the O_EXCL lock-file fallback), a stale lock left by a
killed kernel, and a file held by antivirus/OneDrive (PermissionError on os.replace).

The time limit without SIGALRM/setitimer and tracebacks with backslash paths are tested in
tests/test_checks.py.
"""

import json
import os
import threading
import time
import types

import pytest

from lib.course import progress
from lib.course.checks import EXERCISES, check


@pytest.fixture
def progress_path(tmp_path, monkeypatch):
    path = tmp_path / "progress" / "progress.json"
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    monkeypatch.setattr(progress, "_PENDING", [])
    return path


@pytest.fixture
def no_fcntl(monkeypatch):
    """Windows without msvcrt either: the O_EXCL lock-file fallback."""
    monkeypatch.setattr(progress, "_fcntl", None)
    monkeypatch.setattr(progress, "_msvcrt", None)


def _count(path):
    return json.loads(path.read_text(encoding="utf-8"))["exercises"]["x"]["passes"]


def _hammer(threads=4, rounds=15):
    def work():
        for _ in range(rounds):
            progress.record_exercise_passed("x")

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    return threads * rounds


def test_lock_file_fallback_serialises_writers(progress_path, no_fcntl):
    expected = _hammer()
    assert _count(progress_path) == expected  # no update lost
    assert not progress_path.with_suffix(".json.lock").exists()


def test_msvcrt_lock_is_used_on_windows(progress_path, monkeypatch):
    acquired, released = [], []
    held = threading.Lock()

    def locking(fd, mode, nbytes):
        if mode == fake.LK_NBLCK:
            if not held.acquire(blocking=False):
                raise OSError("locked")  # what msvcrt raises while another process holds the byte
            acquired.append(fd)
        else:
            released.append(fd)
            held.release()

    fake = types.SimpleNamespace(LK_NBLCK=2, LK_UNLCK=0, locking=locking)
    monkeypatch.setattr(progress, "_fcntl", None)
    monkeypatch.setattr(progress, "_msvcrt", fake)
    expected = _hammer(threads=3, rounds=10)
    assert _count(progress_path) == expected
    assert len(acquired) == len(released) == expected  # every save locked once and unlocked once


def test_a_stale_lock_from_a_killed_kernel_is_taken_over(progress_path, no_fcntl):
    lock = progress_path.with_suffix(".json.lock")
    lock.parent.mkdir(parents=True)
    lock.write_text("12345-deadbeef", encoding="ascii")
    old = time.time() - progress.STALE_AFTER - 5
    os.utime(lock, (old, old))
    assert progress.record_exercise_passed("x")
    assert _count(progress_path) == 1 and not lock.exists()


def test_a_live_lock_is_never_taken_and_nothing_is_lost(progress_path, no_fcntl, monkeypatch):
    monkeypatch.setattr(progress, "LOCK_TIMEOUT", 0.3)
    lock = progress_path.with_suffix(".json.lock")
    lock.parent.mkdir(parents=True)
    lock.write_text("999-alive", encoding="ascii")  # fresh: another notebook is saving
    with pytest.warns(progress.ProgressNotSavedWarning):
        progress.record_exercise_passed("x")
    assert lock.read_text(encoding="ascii") == "999-alive"  # the other notebook's lock is intact
    lock.unlink()
    progress.record_exercise_passed("x")  # the kept change is saved with this one
    assert _count(progress_path) == 2


def test_a_holder_never_removes_a_lock_that_is_no_longer_its_own(progress_path, no_fcntl):
    lock = progress_path.with_suffix(".json.lock")
    with progress._locked(progress_path):
        lock.write_text("someone-else", encoding="ascii")  # judged stale and taken over meanwhile
    assert lock.read_text(encoding="ascii") == "someone-else"


def test_stale_takeover_puts_back_a_lock_that_changed_meanwhile(tmp_path, monkeypatch):
    """The race: a waiter judged the old lock stale, but another process replaced it with a live one
    before the rename. The live lock must end up back in place."""
    lock = tmp_path / "p.json.lock"
    lock.write_text("old-dead", encoding="ascii")
    old = time.time() - progress.STALE_AFTER - 5
    os.utime(lock, (old, old))
    real_token = progress._lock_token
    seen = []

    def token_then_swap(path):
        value = real_token(path)
        if not seen and path == lock:  # right after our look, a live process takes the lock
            seen.append(value)
            lock.write_text("live-owner", encoding="ascii")
        return value

    monkeypatch.setattr(progress, "_lock_token", token_then_swap)
    progress._take_over_if_stale(lock)
    assert lock.read_text(encoding="ascii") == "live-owner"
    assert [p.name for p in tmp_path.iterdir()] == ["p.json.lock"]


def test_replace_is_retried_when_the_file_is_briefly_held(progress_path, monkeypatch):
    real_replace, failures = os.replace, []

    def flaky(src, dst):
        if len(failures) < 2:
            failures.append(dst)
            raise PermissionError(13, "The process cannot access the file", str(dst))
        return real_replace(src, dst)

    monkeypatch.setattr(progress.os, "replace", flaky)
    monkeypatch.setattr(progress, "REPLACE_RETRIES", (0.01, 0.01, 0.01))
    assert progress.record_exercise_passed("x")
    assert _count(progress_path) == 1 and len(failures) == 2


def test_a_file_held_by_onedrive_keeps_feedback_and_loses_nothing(progress_path, monkeypatch, capsys):
    progress.record_exercise_passed("attention.weighted_average")
    saved = progress_path.read_text(encoding="utf-8")
    real_replace = os.replace

    def held(src, dst):
        raise PermissionError(13, "The process cannot access the file because it is being used", str(dst))

    monkeypatch.setattr(progress.os, "replace", held)
    monkeypatch.setattr(progress, "REPLACE_RETRIES", (0.01,))
    with pytest.warns(progress.ProgressNotSavedWarning, match="저장하지 못했습니다"):
        result = check("attention.weighted_average", EXERCISES["attention.weighted_average"].reference)
    assert result.passed and "통과" in capsys.readouterr().out  # the learner still gets the feedback
    assert progress_path.read_text(encoding="utf-8") == saved  # the old record is intact
    assert not list(progress_path.parent.glob(".progress-*.tmp"))  # no temp file left behind
    monkeypatch.setattr(progress.os, "replace", real_replace)
    progress.record_exercise_passed("rnn.rnn_cell")  # the next save writes the kept pass too
    data = json.loads(progress_path.read_text(encoding="utf-8"))
    assert data["exercises"]["attention.weighted_average"]["passes"] == 2
    assert data["exercises"]["rnn.rnn_cell"]["passes"] == 1
    assert progress._PENDING == []


def test_pytest_stops_with_the_fix_when_text_is_not_utf8(monkeypatch):
    """Windows without UTF-8 mode writes cp949 to pipes: the suite says how to fix it instead of failing late."""
    import conftest  # the root conftest.py, where pytest_configure asks this

    monkeypatch.setattr(conftest.locale, "getpreferredencoding", lambda do_setlocale=True: "cp949")
    message = conftest.text_encoding_problem()
    assert "cp949" in message and "PYTHONUTF8" in message
    monkeypatch.setattr(conftest.locale, "getpreferredencoding", lambda do_setlocale=True: "UTF8")
    assert conftest.text_encoding_problem() is None
