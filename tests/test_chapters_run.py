"""An untouched chapter runs top to bottom ("Run All") without error.

Exercises are stubs that raise NotImplementedError; the checks must turn that into a ⏳ message and
every later cell must keep working on lib's reference implementations (course spec section 3).

Safe in a learner's clone: the chapter that runs is generated fresh from solutions/ into a
temporary folder (``make_chapter``, exactly what tools/make_chapters.py writes), never the file in
chapters/, which may hold the learner's answers and cells they added. The kernel runs in that
temporary folder (named ``chapters`` like the real one), with progress recording off and the
progress file pointed into the temporary folder, so nothing under chapters/ or .progress/ changes.

Offline too (tests/test_offline.py): the kernel runs under the offline guard, and a chapter that tried
to reach another machine fails here -- so one execution of each chapter serves both tests.

Shortened (tests/short_run.py): training stops after a few steps and asserts run their condition without
enforcing it, because the question here is only whether anything raises; nbval runs the same cells at full
length on solutions/ and checks what they print. A stub still raises wherever it is called, inside an assert too
(tests/test_short_run.py shows it).
"""

import importlib.util

import nbformat
import offline_guard  # tests/offline_guard.py
import pytest
import short_run  # tests/short_run.py
from nbclient.exceptions import CellExecutionError
from nbexec import execute  # tools/nbexec.py (tools/ is put on sys.path by conftest.py): stall watchdog

from lib.course import notebooks

SOLUTIONS = sorted(notebooks.SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))


def untouched_chapter_runs_without_error(solution, tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress" / "progress.json"))
    work = tmp_path / "chapters"
    work.mkdir()
    nb = notebooks.make_chapter(notebooks.read(solution))
    (work / solution.name).write_text(notebooks.render(nb), encoding="utf-8")
    nb.cells.insert(0, nbformat.v4.new_code_cell(short_run.SHORT_RUN_CELL))  # training cut short, asserts not enforced
    nb.cells.append(nbformat.v4.new_code_cell(offline_guard.GUARD_CELL))  # proves this kernel runs guarded
    log = tmp_path / "network.log"
    try:
        execute(nb, cwd=work, timeout=300, env=offline_guard.guarded_env(log),
                name=f"{solution.stem} (generated chapter, offline)")
    except CellExecutionError as error:
        pytest.fail(f"{solution.name} (generated chapter) raised while running untouched:\n{str(error)[:2000]}")
    refused = offline_guard.attempts(log)
    assert len(refused) == 1 and offline_guard.GUARD_CELL_TARGET in refused[0], (  # only the guard cell's own
        f"{solution.name} tried to use the network:\n" + offline_guard.logged(log))
    stubs = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
        if "check(" in cell.source and "def " not in cell.source and text.strip():
            stubs += 1
            assert "⏳" in text, f"a check on an unsolved exercise should say ⏳ 아직 구현하지 않았습니다: {text}"
    has_exercise = any(notebooks.BEGIN in c.source for c in notebooks.read(solution).cells)
    assert stubs > 0 or not has_exercise
    assert not (tmp_path / "progress" / "progress.json").exists(), "running a chapter recorded progress"


# One test class per chapter, so that pytest-xdist (``--dist loadscope`` in pyproject.toml: one class or module
# is one unit of work) spreads the chapter runs over both workers; a parametrized function would be one unit.
# Run one with ``pytest "tests/test_chapters_run.py::TestChapter_00_start"``.
NEEDS_KERAS = {"10_keras"}  # chapter 10 runs the notes' Keras code (README: keras is optional for the rest)
HAS_KERAS = importlib.util.find_spec("keras") is not None

for _solution in SOLUTIONS:
    def _test(self, tmp_path, monkeypatch, solution=_solution):
        untouched_chapter_runs_without_error(solution, tmp_path, monkeypatch)
    _test.__name__ = "test_untouched_chapter_runs_without_error"
    if _solution.stem in NEEDS_KERAS and not HAS_KERAS:
        _test = pytest.mark.skip(reason="keras is not installed (chapter 10 only; see README)")(_test)
    globals()[f"TestChapter_{_solution.stem}"] = type(
        f"TestChapter_{_solution.stem}", (), {"test_untouched_chapter_runs_without_error": _test,
                                              "__doc__": f"{_solution.stem}: the generated chapter, run untouched."})
del _solution, _test
