"""Test-wide settings: nothing the tests run records learner progress or touches a learner's files.

- ``COURSE_PROGRESS=off`` is inherited by nbval's and nbclient's kernels too: executing solutions or
  generated chapters never marks an exercise as done; ``COURSE_PROGRESS_FILE`` points to a scratch
  file unless a test sets its own.
- A guard snapshots chapters/ and the progress folder (``.progress/``) when the session starts and
  compares at the end: tests must never create, change or delete anything there (a learner's clone
  holds their answers there). A difference is reported in the terminal summary, and fails the run
  when ``COURSE_GUARD_LEARNER_FILES=strict`` (set by tests/test_learner_clone.py). It is a report
  otherwise because a learner may legitimately save a notebook in JupyterLab while pytest runs.
"""

import codecs
import hashlib
import locale
import os
import pathlib
import sys
import tempfile

import pytest

# Inherited by nbval's kernels too: executing solutions never marks an exercise as done.
# (Do not set MPLBACKEND here: the kernels inherit it, and a non-inline backend makes
# plt.show() produce no output, which nbval reports as missing outputs.)
os.environ["COURSE_PROGRESS"] = "off"
# ... and whatever reads or writes a progress file (a dashboard, an export) uses a scratch one, never
# the learner's .progress/ (tests that need a file set their own with monkeypatch).
if not os.environ.get("COURSE_PROGRESS_FILE"):
    os.environ["COURSE_PROGRESS_FILE"] = os.path.join(tempfile.mkdtemp(prefix="course-tests-"), "progress.json")

# Exports (오답노트, study pack) go to a scratch folder too: tests write nothing into the course root.
if not os.environ.get("COURSE_EXPORTS_DIR"):
    os.environ["COURSE_EXPORTS_DIR"] = tempfile.mkdtemp(prefix="course-exports-")

# The course's models are tiny: one thread is faster on a busy 2-core machine (as lib.utils.set_seed does).
import torch  # noqa: E402

torch.set_num_threads(1)

ROOT = pathlib.Path(__file__).resolve().parent
GUARDED = [ROOT / "chapters", ROOT / ".progress"]

# tools/nbexec.py is the one way tests execute notebooks (stall watchdog, spec section 8); nbval's kernels
# get the same watchdog.
sys.path.insert(0, str(ROOT / "tools"))
import nbexec  # noqa: E402

nbexec.install_nbval_watchdog()


# Chapter 10 is the only one that needs keras (README): on a machine without it, its solution is not
# collected for nbval (tests/test_keras.py says why it skips) instead of failing cell by cell.
import importlib.util  # noqa: E402

collect_ignore = [] if importlib.util.find_spec("keras") else ["solutions/10_keras.ipynb"]


# Long units first. pytest-xdist (--dist loadscope --no-loadscope-reorder, pyproject.toml) hands out modules/classes in
# the order below; by default loadscope reorders them by their number of tests (--no-loadscope-reorder, added in
# xdist 3.8, turns that off), which put the long notebook runs last. The JupyterLab session, the stall simulations, the nbval notebooks and the chapter
# runs go first, so the last units are short tests and both workers finish within seconds of each other.
LONG_FIRST = ("tests/test_browser.py", "tests/test_nbexec.py", "solutions/", "tests/test_learner_clone.py",
              "tests/test_chapters_run.py", "tests/test_browser_hint.py", "tests/test_browser_study_pack.py")


def text_encoding_problem() -> str | None:
    """A Korean message when this Python writes text in a code page instead of UTF-8, else None.

    The tests run Python subprocesses that print Hangul and emoji (✅ 💡 ℹ️) through pipes and read them back:
    on Windows without UTF-8 mode the child writes the ANSI code page (cp949 on Korean Windows) and fails.
    Stopping with the fix at the start beats forty UnicodeErrors at the end."""
    encoding = locale.getpreferredencoding(False)
    if codecs.lookup(encoding).name == "utf-8":
        return None
    return (f"이 Python은 글자를 {encoding}로 씁니다. 테스트는 한글·이모지를 UTF-8로 주고받으므로, 먼저 "
            "PowerShell에서 `$env:PYTHONUTF8 = \"1\"`(cmd는 `set PYTHONUTF8=1`)를 실행한 뒤 pytest를 다시 실행하세요. "
            f"(Text is written as {encoding}, not UTF-8: set PYTHONUTF8=1 and run pytest again.)")


def pytest_configure(config):
    problem = text_encoding_problem()
    if problem:
        raise pytest.UsageError(problem)


def pytest_collection_modifyitems(config, items):
    def long_first(item):
        path = item.nodeid.split("::")[0]
        return next((rank for rank, prefix in enumerate(LONG_FIRST) if path.startswith(prefix)), len(LONG_FIRST))
    items.sort(key=long_first)  # stable: the order inside each group stays as collected


def _snapshot() -> dict:
    files = {}
    for folder in GUARDED:
        if not folder.exists():
            continue
        for path in folder.rglob("*"):
            if path.is_file():
                try:
                    files[str(path.relative_to(ROOT))] = hashlib.sha256(path.read_bytes()).hexdigest()
                except OSError:
                    files[str(path.relative_to(ROOT))] = "unreadable"
    return files


def pytest_sessionstart(session):
    session.config._learner_files = _snapshot()


def pytest_sessionfinish(session, exitstatus):
    before = getattr(session.config, "_learner_files", None)
    if before is None:
        return
    after = _snapshot()
    changed = sorted(set(before) ^ set(after) | {k for k in before.keys() & after.keys() if before[k] != after[k]})
    session.config._learner_files_changed = changed
    if changed and os.environ.get("COURSE_GUARD_LEARNER_FILES") == "strict":
        session.exitstatus = 1


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    changed = getattr(config, "_learner_files_changed", None)
    if changed:
        terminalreporter.write_line(
            "LEARNER FILES CHANGED during the test run (chapters/ or .progress/): " + ", ".join(changed[:10]),
            red=True, bold=True)
