"""The learner's local progress: passed exercises and quiz answers.

Stored as JSON in ``<repo>/.progress/progress.json`` (git-ignored), or where the environment
variable ``COURSE_PROGRESS_FILE`` points. Writes are atomic (temp file + ``os.replace``) and
serialised by a lock file, so two open notebooks never lose each other's updates.

Recording happens only for a learner: when the kernel's working folder is ``chapters/`` (where
JupyterLab starts a chapter's kernel). Running ``solutions/`` or the test suite never marks an
exercise as done. ``COURSE_PROGRESS=off`` disables recording everywhere; ``COURSE_PROGRESS=on``
forces it (used by tests with a temporary ``COURSE_PROGRESS_FILE``).

A file that cannot be read as progress is never erased: it is moved aside to
``progress.corrupt-<time>.json`` and reported, and a fresh record starts.
"""

import contextlib
import datetime as _dt
import json
import os
import pathlib
import tempfile
import time
import warnings

SCHEMA_VERSION = 1
REPO_ROOT = pathlib.Path(__file__).resolve().parent.parent


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


def _valid(data) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("exercises"), dict)
        and isinstance(data.get("quiz"), dict)
    )


def _read(path: pathlib.Path) -> dict:
    """Read progress; a corrupt file is moved aside (kept, reported) and a fresh record returned."""
    if not path.exists():
        return empty_progress()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if _valid(data):
        return data
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    kept = path.with_name(f"{path.stem}.corrupt-{stamp}{path.suffix}")
    os.replace(path, kept)
    warnings.warn(
        f"진도 파일을 읽을 수 없어 {kept.name} 으로 옮겨 두고 새 기록을 시작합니다. "
        "옮긴 파일은 지우지 않았습니다.",
        stacklevel=3,
    )
    return empty_progress()


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
    """Append one quiz answer to the item's history. Returns True if it was recorded."""
    if not recording_enabled():
        return False

    def change(data):
        entry = data["quiz"].setdefault(item_id, {"history": []})
        entry.setdefault("history", []).append({"at": now(), "correct": bool(correct)})

    update_progress(change)
    return True
