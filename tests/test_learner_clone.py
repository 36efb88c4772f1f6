"""The README's `pytest` is safe in a learner's clone (issue 15, "done when").

A simulated clone: the repository copied to a temporary folder and made a git checkout of its own
(HEAD = the course as shipped, chapters generated fresh), then a learner's traces added —

- chapter 00 solved and saved with outputs, plus two cells the learner added: one that writes a
  file when run, one that calls ``start_over`` (the cell that once ran inside pytest and wrote a
  new chapter copy);
- a start-over copy (``00_start-restart-1.ipynb``) and a JupyterLab checkpoint;
- a recorded progress file in ``.progress/``.

Then the learner-facing parts of the suite run in a subprocess inside that clone (the notebook
checks, the run of a generated chapter 00, and the exercise checks — not nbval of every solution,
to stay near a minute), with the conftest guard strict. Afterwards every learner file is
byte-identical, no file appeared or vanished under chapters/ or .progress/, and the added cell
never ran.
"""

import hashlib
import json
import os
import shutil
import subprocess
import sys

import nbformat
import pytest

from lib.course import notebooks

ROOT = notebooks.ROOT
IGNORE = shutil.ignore_patterns(".git", ".progress", "artifacts", "__pycache__", "*.egg-info", ".pytest_cache",
                                ".ipynb_checkpoints", "*-restart-*.ipynb", ".venv", "node_modules")
SPEC_LAYOUT = ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"]


def _digest_tree(root, folders):
    out = {}
    for folder in folders:
        base = root / folder
        if base.exists():
            for path in base.rglob("*"):
                if path.is_file():
                    out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return out


def _git(clone, *args):
    subprocess.run(["git", "-c", "user.name=learner", "-c", "user.email=learner@example.com",
                    "-c", "commit.gpgsign=false", *args], cwd=clone, check=True, capture_output=True, timeout=120)


def _make_clone(tmp_path):
    clone = tmp_path / "course"
    shutil.copytree(ROOT, clone, ignore=IGNORE)
    for solution in sorted((clone / "solutions").glob("[0-9][0-9]_*.ipynb")):  # chapters as shipped
        notebooks.write_chapter(solution, clone / "chapters", force=True)
    _git(clone, "init", "-q")
    _git(clone, "add", "-A")
    _git(clone, "commit", "-q", "-m", "the course as a learner clones it")
    return clone


def _learner_works(clone, marker):
    """What a learner leaves behind after a few sessions."""
    chapters = clone / "chapters"
    solution = notebooks.read(clone / "solutions" / "00_start.ipynb")
    solved = notebooks.make_chapter(solution)
    for mine, answer in zip(solved.cells, solution.cells):  # answers filled in, outputs saved
        if mine.cell_type == "code":
            mine.source = "\n".join(line for line in answer.source.split("\n")
                                    if line.strip() not in (notebooks.BEGIN, notebooks.END))
            mine.outputs, mine.execution_count = answer.outputs, answer.execution_count
    solved.cells.append(nbformat.v4.new_code_cell(
        f"import pathlib\npathlib.Path({str(marker)!r}).write_text('the learner cell ran', encoding='utf-8')"))
    solved.cells.append(nbformat.v4.new_code_cell(
        "from lib.course.notebooks import start_over\nstart_over('00')"))
    nbformat.write(solved, str(chapters / "00_start.ipynb"))
    restart = notebooks.make_chapter(solution)
    nbformat.write(restart, str(chapters / "00_start-restart-1.ipynb"))
    checkpoints = chapters / ".ipynb_checkpoints"
    checkpoints.mkdir()
    shutil.copyfile(chapters / "00_start.ipynb", checkpoints / "00_start-checkpoint.ipynb")
    progress = clone / ".progress"
    progress.mkdir()
    (progress / "progress.json").write_text(json.dumps({
        "version": 1,
        "exercises": {"attention.weighted_average": {"first_passed": "2026-11-01T10:00:00+00:00",
                                                     "last_passed": "2026-11-02T10:00:00+00:00", "passes": 2}},
        "quiz": {"00-1": {"history": [{"at": "2026-11-01T10:05:00+00:00", "correct": True}]}},
    }, ensure_ascii=False, indent=1), encoding="utf-8")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is needed to make the simulated clone")
def test_pytest_in_a_learners_clone_touches_nothing_of_theirs(tmp_path):
    clone = _make_clone(tmp_path)
    marker = tmp_path / "LEARNER_CELL_RAN.txt"
    _learner_works(clone, marker)
    before = _digest_tree(clone, ["chapters", ".progress"])

    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               "tests/test_notebooks.py", "-k", "not test_solution_is_executed",  # solutions/ is not the learner's
               "tests/test_chapters_run.py::TestChapter_00_start",
               "tests/test_checks.py::test_reference_passes"]
    layout = sorted(p.name[:2] for p in (clone / "solutions").glob("[0-9][0-9]_*.ipynb"))
    if layout != SPEC_LAYOUT:  # chapters still being written: the layout test is not about learner safety
        command += ["--deselect", "tests/test_notebooks.py::test_every_chapter_of_the_spec_exists"]
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "COURSE_PROGRESS", "COURSE_PROGRESS_FILE")}
    env.update(PYTHONPATH=str(clone), COURSE_GUARD_LEARNER_FILES="strict", PYTHONUTF8="1")
    run = subprocess.run(command, cwd=clone, env=env, capture_output=True, text=True, encoding="utf-8",
                         timeout=600)
    report = run.stdout[-4000:] + run.stderr[-2000:]

    assert not marker.exists(), "a cell the learner added was executed by the tests"
    after = _digest_tree(clone, ["chapters", ".progress"])
    assert sorted(set(after) - set(before)) == [], f"tests created learner-side files:\n{report}"
    assert sorted(set(before) - set(after)) == [], f"tests deleted learner files:\n{report}"
    assert [k for k in before if before[k] != after[k]] == [], f"tests changed learner files:\n{report}"
    assert "LEARNER FILES CHANGED" not in run.stdout
    assert run.returncode == 0, report
    assert " passed" in run.stdout
    which = subprocess.run([sys.executable, "-c", "import lib.course.notebooks as n; print(n.ROOT)"], cwd=clone,
                           env=env, capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert which.stdout.strip() == str(clone), "the run must test the clone's own lib, not the installed one"
