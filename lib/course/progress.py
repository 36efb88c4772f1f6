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
A history event may also hold ``"choice"`` (canonical index), ``"confidence"`` (확실/애매/찍음) and
``"source"`` (``"mock"`` for an answer of a mock final).

More record kinds (chapter 11, all optional; a reader ignores what it does not know)::

     "layout": 2,                       # the chapter layout the quiz ids belong to (absent = 1)
     "chapters": {"04": {"first_opened": "<ISO>", "last_opened": "<ISO>", "opens": 3}},
     "check_failures": {"attention.attend": [{"at": "<ISO>", "mistake": "뒤집힌 마스크"}, ...]},
     "exam_date": "2025-06-20",
     "mock_exams": [{"id": "...", "started": "<ISO>", "minutes": 25, "chapters": [...], "items": [...],
                     "answers": {"04-3": [{"at": "<ISO>", "choice": 2, "confidence": "확실"}, ...]},
                     "submitted": "<ISO>" | null, "result": {...}}],
     "legacy_quiz": {"06-4": {...}}     # layout-1 answers whose item has no successor: kept, never scheduled

Layout migration. Quiz ids of layout 1 (the first chapter numbering: 07 = today's 08, 08 = today's 09,
06 split, 00-05 rewritten) are moved, once, to the items whose ``legacy_ids`` name them (histories
merged by time); ids with no successor go to ``legacy_quiz``. The original file is copied aside
(``progress.layout1-<time>.json``) first, and ``"layout": 2`` is written, so it migrates once.
Exercises keep their ids.
"""

import atexit
import contextlib
import copy
import datetime as _dt
import json
import os
import pathlib
import re
import secrets
import shutil
import tempfile
import time
import warnings

from lib.course import scheduler

SCHEMA_VERSION = 1
LAYOUT = 2  # quiz ids follow the chapter layout of course spec section 2 (v2)
MAX_FAILURES_KEPT = 30  # per exercise, the latest failed checks kept in "check_failures"
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
    return {"version": SCHEMA_VERSION, "layout": LAYOUT, "exercises": {}, "quiz": {}}


try:  # file locks: fcntl (Linux, macOS), msvcrt (Windows), else an exclusive-create lock file
    import fcntl as _fcntl
except ImportError:
    _fcntl = None
try:
    import msvcrt as _msvcrt
except ImportError:
    _msvcrt = None

LOCK_TIMEOUT = 15.0  # seconds a writer waits for another (a holder keeps the lock for milliseconds)
STALE_AFTER = 10.0  # an O_EXCL lock file older than this was left by a killed kernel
REPLACE_RETRIES = (0.05, 0.1, 0.2, 0.4, 0.8)  # PermissionError on os.replace: antivirus, OneDrive, Dropbox


class ProgressLockTimeout(TimeoutError):
    """Another notebook held the progress lock for too long (TimeoutError is an OSError)."""


def _lock_timeout_error(lock_path) -> ProgressLockTimeout:
    return ProgressLockTimeout(
        f"진도 파일 잠금({lock_path.name})을 {LOCK_TIMEOUT:g}초 동안 얻지 못했습니다. 다른 노트북이 "
        "저장 중이면 잠시 뒤 다시 실행하세요.")


@contextlib.contextmanager
def _locked(path: pathlib.Path, timeout: float | None = None):
    """Exclusive lock on ``path.lock``.

    fcntl.flock where available (Linux, macOS); msvcrt.locking on Windows. Both locks belong to the
    process and vanish when it dies, so a killed kernel never leaves a stale lock. Elsewhere an
    O_EXCL lock file holding a unique token: a file older than ``STALE_AFTER`` is taken over by
    renaming it to a unique name first (only one waiter's rename can succeed), and a holder removes
    the lock file only while it still holds its own token, so no one deletes another's lock.
    """
    timeout = LOCK_TIMEOUT if timeout is None else timeout
    path.parent.mkdir(parents=True, exist_ok=True)
    lock_path = path.with_suffix(path.suffix + ".lock")
    if _fcntl is not None:
        with open(lock_path, "a+") as handle:
            _fcntl.flock(handle, _fcntl.LOCK_EX)
            try:
                yield
            finally:
                _fcntl.flock(handle, _fcntl.LOCK_UN)
        return
    if _msvcrt is not None:
        with open(lock_path, "a+b") as handle:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    handle.seek(0)
                    _msvcrt.locking(handle.fileno(), _msvcrt.LK_NBLCK, 1)
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise _lock_timeout_error(lock_path) from None
                    time.sleep(0.05)
            try:
                yield
            finally:
                handle.seek(0)
                _msvcrt.locking(handle.fileno(), _msvcrt.LK_UNLCK, 1)
        return
    token = f"{os.getpid()}-{secrets.token_hex(8)}"
    deadline = time.monotonic() + timeout
    while not _try_lock_file(lock_path, token):
        _take_over_if_stale(lock_path)
        if time.monotonic() > deadline:
            raise _lock_timeout_error(lock_path)
        time.sleep(0.05)
    try:
        yield
    finally:
        if _lock_token(lock_path) == token:  # still ours: nobody judged us stale meanwhile
            with contextlib.suppress(OSError):
                os.remove(lock_path)


def _try_lock_file(lock_path: pathlib.Path, token: str) -> bool:
    try:
        fd = os.open(lock_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return False
    try:
        os.write(fd, token.encode("ascii"))
    finally:
        os.close(fd)
    return True


def _lock_token(lock_path: pathlib.Path) -> str | None:
    try:
        return lock_path.read_text(encoding="ascii", errors="replace")
    except OSError:
        return None


def _take_over_if_stale(lock_path: pathlib.Path) -> None:
    """Remove a lock file left by a killed kernel, without ever removing a live one."""
    try:
        age = time.time() - os.stat(lock_path).st_mtime
    except OSError:
        return
    if age < STALE_AFTER:
        return
    judged = _lock_token(lock_path)
    aside = lock_path.with_name(f"{lock_path.name}.stale-{secrets.token_hex(6)}")
    try:
        os.rename(lock_path, aside)  # atomic: of several waiters, one wins
    except OSError:
        return
    if _lock_token(aside) == judged:
        with contextlib.suppress(OSError):
            os.remove(aside)
        return
    # The file changed between our look and the rename: a live lock. Put it back (never over another).
    try:
        os.link(aside, lock_path)
        os.remove(aside)
    except OSError:
        with contextlib.suppress(OSError):
            if not lock_path.exists():
                os.rename(aside, lock_path)


def _clean_exercises(exercises, problems) -> dict:
    if not isinstance(exercises, dict):
        problems.append("exercises의 값이 객체({...})가 아닙니다")
        return {}
    clean = {}
    for key, entry in exercises.items():
        if not isinstance(entry, dict):
            problems.append(f"exercises[{key!r}]의 값이 객체가 아닙니다")
            continue
        entry = dict(entry)
        passes = entry.get("passes", 1)
        if not isinstance(passes, int) or isinstance(passes, bool) or passes < 1:
            problems.append(f"exercises[{key!r}].passes의 값이 양의 정수가 아닙니다")
            entry["passes"] = 1
        clean[key] = entry
    return clean


def _clean_quiz(quiz, problems) -> dict:
    if not isinstance(quiz, dict):
        problems.append("quiz의 값이 객체({...})가 아닙니다")
        return {}
    clean = {}
    for key, entry in quiz.items():
        if not isinstance(entry, dict) or not isinstance(entry.get("history"), list):
            problems.append(f"quiz[{key!r}]에 답 기록(history 목록)이 없습니다")
            continue
        history = []
        for event in entry["history"]:
            readable = (isinstance(event, dict) and isinstance(event.get("correct"), bool)
                        and scheduler.parse_day(event.get("at")) is not None)
            if readable:
                history.append(event)
            else:
                problems.append(f"quiz[{key!r}]의 답 {event!r}: 읽을 수 없어 뺐습니다")
        entry = dict(entry, history=history)
        state = scheduler.replay(entry)
        if "box" in entry or "due" in entry:
            entry["box"] = state.box  # the stored state is a copy of the replayed one
            entry["due"] = state.due.isoformat() if state.due else None
        clean[key] = entry
    return clean


def _clean_extras(clean, problems) -> None:
    """The chapter-11 record kinds: drop an entry of the wrong type (reported), keep the rest."""
    if "chapters" in clean and not isinstance(clean["chapters"], dict):
        problems.append("chapters의 값이 객체({...})가 아닙니다")
        del clean["chapters"]
    if "check_failures" in clean:
        failures = clean["check_failures"]
        if not isinstance(failures, dict):
            problems.append("check_failures의 값이 객체({...})가 아닙니다")
            del clean["check_failures"]
        else:
            for key in [k for k, v in failures.items() if not isinstance(v, list)]:
                problems.append(f"check_failures[{key!r}]의 값이 목록이 아닙니다")
                del failures[key]
    if "exam_date" in clean and clean["exam_date"] is not None and scheduler.exam_day(clean) is None:
        problems.append(f"exam_date {clean['exam_date']!r}: 날짜로 읽을 수 없습니다")
        del clean["exam_date"]
    if "mock_exams" in clean:
        exams = clean["mock_exams"]
        if not isinstance(exams, list):
            problems.append("mock_exams의 값이 목록이 아닙니다")
            del clean["mock_exams"]
        else:
            kept = [e for e in exams if isinstance(e, dict) and isinstance(e.get("items"), list)
                    and isinstance(e.get("answers", {}), dict)]
            if len(kept) != len(exams):
                problems.append(f"mock_exams 의 기록 {len(exams) - len(kept)}개를 읽을 수 없습니다")
            clean["mock_exams"] = kept


def clean_progress(data):
    """(a repaired copy, list of problems in Korean); (None, problems) if ``data`` is not a record."""
    if not isinstance(data, dict):
        return None, ["진도 기록이 JSON 객체가 아닙니다"]
    problems = []
    clean = copy.deepcopy(data)
    clean.setdefault("version", SCHEMA_VERSION)
    clean["exercises"] = _clean_exercises(clean.get("exercises", {}), problems)
    clean["quiz"] = _clean_quiz(clean.get("quiz", {}), problems)
    _clean_extras(clean, problems)
    return clean, problems


# ---------------------------------------------------------------- layout 1 -> 2


V1_ID = re.compile(r"^0[0-8]-\d+$")


def _moment(at) -> tuple:
    """Sort key for history events: the moment of an ISO time stamp (stamps without an offset are UTC,
    as lib writes them); a bare date sorts at the start of its day; an unreadable stamp first."""
    try:
        moment = _dt.datetime.fromisoformat(str(at))
    except ValueError:
        return (0, "")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_dt.timezone.utc)
    return (1, moment.astimezone(_dt.timezone.utc).isoformat())


def migrate_layout(data: dict, items) -> tuple:
    """(a layout-2 copy of a layout-1 record, report dict). Pure; ``items`` is the quiz bank.

    Each v1 quiz entry goes to every item whose ``legacy_ids`` name it (histories merged in time
    order, each moved event marked ``"legacy_id"``); a v1 id with no successor goes to
    ``legacy_quiz`` (kept, never scheduled). Ids that are not v1 ids (e.g. term cards) stay. The
    chapters of moved answers count as started. A record already at layout 2 is returned unchanged.
    """
    data = copy.deepcopy(data)
    if data.get("layout", 1) >= LAYOUT:
        return data, {"moved": 0, "kept": 0}
    successors = {}
    chapter_of = {}
    for item in items:
        chapter_of[item.id] = item.chapter
        for old in getattr(item, "legacy_ids", ()) or ():
            successors.setdefault(old, []).append(item.id)
    old_quiz = data.get("quiz") if isinstance(data.get("quiz"), dict) else {}
    quiz, legacy = {}, dict(data.get("legacy_quiz") or {})
    moved = kept = 0
    for old_id, entry in old_quiz.items():
        if not V1_ID.match(old_id):
            quiz.setdefault(old_id, {"history": []})["history"] += list(entry.get("history", []))
            continue
        targets = successors.get(old_id)
        if not targets:
            legacy[old_id] = entry
            kept += 1
            continue
        moved += 1
        for target in targets:
            events = [dict(event, legacy_id=old_id) for event in entry.get("history", [])]
            quiz.setdefault(target, {"history": []})["history"] += events
    exam = scheduler.exam_day(data)
    chapters = data.setdefault("chapters", {}) if isinstance(data.get("chapters", {}), dict) else {}
    for item_id, entry in quiz.items():
        entry["history"].sort(key=lambda e: _moment(e.get("at")))
        state = scheduler.replay(entry, exam)
        entry["box"], entry["due"] = state.box, state.due.isoformat() if state.due else None
        chapter = chapter_of.get(item_id)
        stamps = [e.get("at") for e in entry["history"] if isinstance(e.get("at"), str)]
        if chapter and stamps and chapter not in chapters:
            chapters[chapter] = {"first_opened": min(stamps), "last_opened": max(stamps), "opens": 0}
    data["quiz"] = quiz
    if legacy:
        data["legacy_quiz"] = legacy
    data["chapters"] = chapters
    data["layout"] = LAYOUT
    report = {"moved": moved, "kept": kept}
    data["migrated"] = {"from_layout": 1, "at": now(), **report}
    return data, report


def _bank_items():
    from lib.course import bank  # lazy: reading the bank (and its generated items) costs time

    return bank.load_items()


def _migrate_read(path: pathlib.Path, data: dict) -> dict:
    """Migrate a layout-1 record read from ``path`` (under the lock): copy the file aside, write the
    migrated record. If the bank cannot be loaded, the record is returned as it is (tried again later)."""
    if data.get("layout", 1) >= LAYOUT:
        return data
    if not data.get("quiz"):
        data["layout"] = LAYOUT  # nothing to move; written with the next save
        return data
    try:
        items = _bank_items()
    except Exception:  # noqa: BLE001 - a broken bank must not stop the learner's record from loading
        return data
    migrated, _report = migrate_layout(data, items)
    if path.exists():
        with contextlib.suppress(OSError):
            stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
            shutil.copy2(path, path.with_name(f"{path.stem}.layout1-{stamp}{path.suffix}"))
            _write(path, migrated)
    return migrated


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
        data = json.loads(_read_text(path))
    except PermissionError:
        raise  # held by antivirus/OneDrive: not a broken file; the caller keeps the change for later
    except (OSError, ValueError):
        data = None
    clean, problems = clean_progress(data)
    if clean is None:
        kept = _aside_name(path)
        os.replace(path, kept)
        warnings.warn(
            f"진도 파일을 읽을 수 없어 {kept.name}으로 옮겨 두고 새 기록을 시작합니다. "
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
            f"진도 파일에 읽을 수 없는 부분이 있어 원본을 {kept.name}으로 복사해 두고, "
            f"읽을 수 있는 기록은 모두 남긴 채 고쳤습니다: {_describe(problems)}",
            stacklevel=3,
        )
    return _migrate_read(path, clean)


def _retrying(action):
    """Run ``action()``; on PermissionError (Windows: a file held open by antivirus, OneDrive or
    Dropbox) wait a little and try again, a few times, then let the error through."""
    for pause in REPLACE_RETRIES:
        try:
            return action()
        except PermissionError:
            time.sleep(pause)
    return action()


def _read_text(path: pathlib.Path) -> str:
    return _retrying(lambda: path.read_text(encoding="utf-8"))


def _write(path: pathlib.Path, data: dict) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".progress-", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1, sort_keys=True)
            handle.flush()
            os.fsync(handle.fileno())
        _retrying(lambda: os.replace(tmp, path))
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def load_progress() -> dict:
    """The current progress record (read-only snapshot)."""
    path = progress_file()
    with _locked(path):
        return _read(path)


_PENDING: list = []  # changes not saved yet (the file was held by another program); applied at the next save


class ProgressNotSavedWarning(UserWarning):
    """The progress file could not be written now; the change is kept and saved later."""


def _warn_not_saved(error: OSError) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("always", ProgressNotSavedWarning)
        warnings.warn(
            f"⚠️ 진도를 지금은 저장하지 못했습니다 ({type(error).__name__}: {error}). 백신 프로그램이나 "
            "OneDrive·Dropbox 같은 동기화 프로그램이 파일을 잡고 있을 때 생깁니다. 이번 기록은 잃어버리지 "
            "않고 기억해 두었다가 다음에 저장할 때(다음 check나 퀴즈 답) 함께 씁니다. 계속 나오면 "
            "코스 폴더를 동기화 대상에서 빼 주세요.",
            ProgressNotSavedWarning, stacklevel=4)


def update_progress(change) -> dict:
    """Apply ``change(data)`` (mutating the dict) under the lock and save atomically.

    When the file cannot be written even after a few retries (Windows: held by antivirus/OneDrive),
    the change is kept in memory, a Korean warning is shown, and the change is applied again at
    the next successful save (and at interpreter exit): the learner's feedback is never replaced
    by a traceback, and nothing recorded is lost. Returns the record as it would be saved.
    """
    path = progress_file()
    try:
        with _locked(path):
            data = _read(path)
            for earlier in list(_PENDING):
                earlier(data)
            change(data)
            _write(path, data)
            _PENDING.clear()
            return data
    except OSError as error:
        _PENDING.append(change)
        _warn_not_saved(error)
        data = empty_progress()
        for pending in _PENDING:
            with contextlib.suppress(Exception):
                pending(data)
        return data


@atexit.register
def _save_pending_at_exit() -> None:
    if _PENDING:
        with contextlib.suppress(Exception), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            update_progress(lambda data: None)


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


def record_quiz_answer(item_id: str, correct: bool, choice: int | None = None) -> bool:
    """Append one quiz answer to the item's history and update its Leitner box and due date
    (``lib.course.scheduler``). ``choice`` (optional) is the chosen choice's *canonical* 0-based
    index in the bank (not its shuffled position on screen); it is stored in the history event.
    Returns True if it was recorded."""
    if not recording_enabled():
        return False

    def change(data):
        scheduler.apply_answer(data, item_id, correct, now())
        if choice is not None:
            data["quiz"][item_id]["history"][-1]["choice"] = int(choice)

    update_progress(change)
    return True


FIXED_LEARNER_KEY = "course"  # solutions/ and tests: every machine shows the same choice order


def learner_key() -> str:
    """The key that fixes this learner's shuffled quiz choice order (``lib.course.quiz.display_order``).

    A learner gets a random key, created once and kept in the progress file (``"learner_key"``);
    where nothing is recorded (solutions/, tests) it is ``FIXED_LEARNER_KEY``. Never raises: an
    unreadable or unwritable progress file gives the fixed key.
    """
    if not recording_enabled():
        return FIXED_LEARNER_KEY

    def change(data):
        if not (isinstance(data.get("learner_key"), str) and data["learner_key"]):
            data["learner_key"] = secrets.token_hex(8)

    try:
        key = load_progress().get("learner_key")
        if isinstance(key, str) and key:
            return key
        return update_progress(change)["learner_key"]
    except (OSError, ValueError):
        return FIXED_LEARNER_KEY


# ---------------------------------------------------------------- chapter 11 record kinds


CHAPTER_FILE = re.compile(r"(?:^|[\\/])(\d\d)_[^\\/]*\.ipynb$")


def chapter_of_session() -> str | None:
    """The chapter number of the notebook this kernel runs ("04"), or None: JupyterLab starts a
    notebook's kernel with ``JPY_SESSION_NAME`` = the notebook's path (ipykernel also keeps it
    as ``__session__``); VS Code sets ``__vsc_ipynb_file__``."""
    names = [os.environ.get("JPY_SESSION_NAME", "")]
    try:  # VS Code keeps the notebook's path in the user namespace instead
        from IPython import get_ipython

        shell = get_ipython()
        if shell is not None:
            names.append(str(shell.user_ns.get("__vsc_ipynb_file__", "")))
    except ImportError:
        pass
    for name in names:
        match = CHAPTER_FILE.search(name)
        if match:
            return match.group(1)
    return None


def record_chapter_opened(chapter: str | None = None) -> bool:
    """Record that a chapter notebook was opened and run (its setup cell imported ``lib.checks``).

    ``chapter`` ("04"); None = the chapter of this kernel's notebook (``chapter_of_session``).
    Only for a learner (``recording_enabled``). Never raises: returns True if it was recorded.
    """
    if not recording_enabled():
        return False
    chapter = chapter if chapter is not None else chapter_of_session()
    if not (isinstance(chapter, str) and len(chapter) == 2 and chapter.isdigit()):
        return False

    def change(data):
        chapters = data.setdefault("chapters", {})
        entry = chapters.setdefault(chapter, {"first_opened": now(), "opens": 0})
        entry["opens"] = entry.get("opens", 0) + 1
        entry["last_opened"] = now()

    try:
        update_progress(change)
    except (OSError, ValueError):
        return False
    return True


def record_check_failure(exercise_id: str, mistake_name: str | None = None) -> bool:
    """Record a failed ``check``: the exercise and the typical mistake it named (None: a failure
    with no named mistake). The latest ``MAX_FAILURES_KEPT`` per exercise are kept; the 오답노트
    (``lib.course.export``) lists them. Only for a learner; never raises; True if recorded."""
    if not recording_enabled():
        return False

    def change(data):
        failures = data.setdefault("check_failures", {}).setdefault(str(exercise_id), [])
        failures.append({"at": now(), "mistake": None if mistake_name is None else str(mistake_name)})
        del failures[:-MAX_FAILURES_KEPT]

    try:
        update_progress(change)
    except (OSError, ValueError):
        return False
    return True


def record_hint(exercise_id: str, level: int) -> bool:
    """Record that hint ``level`` (1-based) of an exercise was shown: ``"hints": {id: {"level": highest
    level shown, "at": <ISO time>}}``. A passing check copies that level into the exercise's record as
    ``"hints_used"`` (0 when none). Only for a learner; never raises; True if recorded."""
    if not recording_enabled():
        return False

    def change(data):
        hints = data.get("hints")
        if not isinstance(hints, dict):
            hints = data["hints"] = {}
        old = hints.get(str(exercise_id), {}).get("level", 0) if isinstance(hints.get(str(exercise_id)), dict) else 0
        old = old if isinstance(old, int) and not isinstance(old, bool) else 0
        hints[str(exercise_id)] = {"level": max(old, int(level)), "at": now()}

    try:
        update_progress(change)
    except (OSError, ValueError):
        return False
    return True


DATE_FORMATS = ("%Y-%m-%d", "%Y.%m.%d", "%Y/%m/%d", "%Y. %m. %d", "%Y%m%d")


def parse_exam_date(text, today: _dt.date) -> _dt.date:
    """A date from "2025-06-20" (also 2025.06.20, 2025/06/20, a ``datetime.date``), on or after
    ``today``. Raises ValueError with a Korean message otherwise."""
    if isinstance(text, _dt.datetime):
        day = text.date()
    elif isinstance(text, _dt.date):
        day = text
    elif text is None or not str(text).strip():
        raise ValueError("시험 날짜가 비어 있습니다. \"2025-06-20\"처럼 연-월-일로 적어 주세요.")
    else:
        cleaned = str(text).strip().rstrip(".")
        day = None
        for fmt in DATE_FORMATS:
            try:
                day = _dt.datetime.strptime(cleaned, fmt).date()
                break
            except ValueError:
                continue
        if day is None:
            raise ValueError(f"{text!r}은(는) 날짜로 읽을 수 없습니다. 시험 날짜를 \"2025-06-20\"처럼 연-월-일로 "
                             "적어 주세요.")
    if day < today:
        raise ValueError(f"시험 날짜({day.isoformat()})가 이미 지났습니다 (오늘 {today.isoformat()}). "
                         "앞으로 볼 시험의 날짜를 적어 주세요.")
    return day


def set_exam_date(text, today: _dt.date | None = None) -> _dt.date:
    """Save the date of the final (the scheduler then prepares for it). Raises ValueError with a
    Korean message for an unreadable or past date. Saved only for a learner (see ``recording_enabled``)."""
    day = parse_exam_date(text, today or scheduler.today())
    if recording_enabled():
        update_progress(lambda data: data.__setitem__("exam_date", day.isoformat()))
    return day


def clear_exam_date() -> None:
    if recording_enabled():
        update_progress(lambda data: data.pop("exam_date", None))
