"""The learner's local progress: passed exercises and quiz answers.

Stored as JSON in ``<repo>/.progress/progress.json`` (git-ignored), or where the environment
variable ``COURSE_PROGRESS_FILE`` points. Writes are atomic (temp file + ``os.replace``) and
serialised by a lock file, so two open notebooks never lose each other's updates.

Recording happens only for a learner: when the kernel's working folder is ``chapters/`` (where
JupyterLab starts a chapter's kernel). Running ``solutions/`` or the test suite never marks an
exercise as done. ``COURSE_PROGRESS=off`` disables recording everywhere; ``COURSE_PROGRESS=on``
forces it (used by tests with a temporary ``COURSE_PROGRESS_FILE``).

Nothing is ever erased silently. A file that cannot be read as progress at all (not JSON, not an
object) is moved aside to ``progress.corrupt-<time>.json`` and reported, and a fresh record starts.
A file that is readable but partly wrong (hand-edited: an entry of the wrong type, an answer
without a readable time or a true/false ``correct``) is copied aside the same way, reported, and
repaired: every readable entry is kept, only the unreadable ones are left out (they stay in the copy).

Record format (``SCHEMA_VERSION`` 1)::

    {"version": 1,
     "exercises": {"rnn.rnn_cell": {"first_passed": "<ISO time>", "last_passed": "...", "passes": 2}},
     "quiz": {"01-1": {"history": [{"at": "<ISO time>", "correct": true}, ...],
                       "box": 2, "due": "2025-06-05"}}}

``box``/``due`` are the Leitner state of ``lib.course.scheduler``, replayed from ``history`` at every answer.
"""

import contextlib
import copy
import datetime as _dt
import json
import os
import pathlib
import shutil
import tempfile
import time
import warnings

from lib.course import scheduler

SCHEMA_VERSION = 1
REPO_ROOT = pathlib.Path(__file__).resolve().parents[2]


def progress_file() -> pathlib.Path:
    override = os.environ.get("COURSE_PROGRESS_FILE")
    if override:
        return pathlib.Path(override)
    return REPO_ROOT / ".progress" / "progress.json"


def recording_enabled() -> bool:
    """True when passing checks and quiz answers should be saved."""
    mode = os.environ.get("COURSE_PROGRESS", "").lower()
    if mode == "off":
        return False
    if mode == "on":
        return True
    return pathlib.Path.cwd().name == "chapters"


def now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def empty_progress() -> dict:
    return {"version": SCHEMA_VERSION, "exercises": {}, "quiz": {}}


@contextlib.contextmanager
def _locked(path: pathlib.Path, timeout: float = 10.0):
    """Exclusive lock on ``path.lock`` (fcntl where available, else an O_EXCL lock file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_suffix(path.suffix + ".lock")
    try:
        import fcntl
    except ImportError:  # Windows: fall back to an exclusive-create lock file
        fcntl = None
    if fcntl is not None:
        with open(lock_path, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
        return
    deadline = time.monotonic() + timeout
    while True:
        try:
            fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            break
        except FileExistsError:
            if time.monotonic() > deadline:
                os.remove(lock_path)  # a stale lock left by a killed kernel
                continue
            time.sleep(0.05)
    try:
        yield
    finally:
        os.close(fd)
        os.remove(lock_path)


def _clean_exercises(exercises, problems) -> dict:
    if not isinstance(exercises, dict):
        problems.append("exercises 가 객체({...})가 아닙니다")
        return {}
    clean = {}
    for key, entry in exercises.items():
        if not isinstance(entry, dict):
            problems.append(f"exercises[{key!r}] 가 객체가 아닙니다")
            continue
        entry = dict(entry)
        passes = entry.get("passes", 1)
        if not isinstance(passes, int) or isinstance(passes, bool) or passes < 1:
            problems.append(f"exercises[{key!r}].passes 가 양의 정수가 아닙니다")
            entry["passes"] = 1
        clean[key] = entry
    return clean


def _clean_quiz(quiz, problems) -> dict:
    if not isinstance(quiz, dict):
        problems.append("quiz 가 객체({...})가 아닙니다")
        return {}
    clean = {}
    for key, entry in quiz.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("history"), list):
            problems.append(f"quiz[{key!r}] 에 답 기록(history 목록)이 없습니다")
            continue
        history = []
        for event in entry["history"]:
            readable = (isinstance(event, dict) and isinstance(event.get("correct"), bool)
                        and scheduler.parse_day(event.get("at")) is not None)
            if readable:
                history.append(event)
            else:
                problems.append(f"quiz[{key!r}] 의 답 {event!r} 을(를) 읽을 수 없습니다")
        entry = dict(entry, history=history)
        state = scheduler.replay(entry)
        if "box" in entry or "due" in entry:
            entry["box"] = state.box  # the stored state is a copy of the replayed one
            entry["due"] = state.due.isoformat() if state.due else None
        clean[key] = entry
    return clean


def clean_progress(data):
    """(a repaired copy, list of problems in Korean); (None, problems) if ``data`` is not a record."""
    if not isinstance(data, dict):
        return None, ["진도 기록이 JSON 객체가 아닙니다"]
    problems = []
    clean = copy.deepcopy(data)
    clean.setdefault("version", SCHEMA_VERSION)
    clean["exercises"] = _clean_exercises(clean.get("exercises", {}), problems)
    clean["quiz"] = _clean_quiz(clean.get("quiz", {}), problems)
    return clean, problems


def _aside_name(path: pathlib.Path) -> pathlib.Path:
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    return path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")


def _describe(problems) -> str:
    shown = "; ".join(problems[:5])
    return shown + (f" 외 {len(problems) - 5}건" if len(problems) > 5 else "")


def _read(path: pathlib.Path) -> dict:
    """Read progress (under the lock). An unreadable file is moved aside, a partly wrong one is
    copied aside and repaired; both are reported with a warning. Nothing is erased."""
    if not path.exists():
        return empty_progress()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    clean, problems = clean_progress(data)
    if clean is None:
        kept = _aside_name(path)
        os.replace(path, kept)
        warnings.warn(
            f"진도 파일을 읽을 수 없어 {kept.name} 으로 옮겨 두고 새 기록을 시작합니다. "
            "옮긴 파일은 지우지 않았습니다.",
            stacklevel=3,
        )
        return empty_progress()
    if problems:
        kept = _aside_name(path)
        shutil.copy2(path, kept)
        with contextlib.suppress(OSError):
            _write(path, clean)
        warnings.warn(
            f"진도 파일에 읽을 수 없는 부분이 있어 원본을 {kept.name} 으로 복사해 두고, "
            f"읽을 수 있는 기록은 모두 남긴 채 고쳤습니다: {_describe(problems)}",
            stacklevel=3,
        )
    return clean


def _write(path: pathlib.Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".progress-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def load_progress() -> dict:
    """The current progress record (read-only snapshot)."""
    path = progress_file()
    with _locked(path):
        return _read(path)


def update_progress(change) -> dict:
    """Apply ``change(data)`` (mutating the dict) under the lock and save atomically."""
    path = progress_file()
    with _locked(path):
        data = _read(path)
        change(data)
        _write(path, data)
        return data


def record_exercise_passed(exercise_id: str) -> bool:
    """Mark an exercise as passed. Returns True if it was recorded."""
    if not recording_enabled():
        return False

    def change(data):
        entry = data["exercises"].setdefault(exercise_id, {"first_passed": now(), "passes": 0})
        entry["passes"] = entry.get("passes", 0) + 1
        entry["last_passed"] = now()

    update_progress(change)
    return True


def record_quiz_answer(item_id: str, correct: bool) -> bool:
    """Append one quiz answer to the item's history and update its Leitner box and due date
    (``lib.course.scheduler``). Returns True if it was recorded."""
    if not recording_enabled():
        return False

    def change(data):
        scheduler.apply_answer(data, item_id, correct, now())

    update_progress(change)
    return True
