"""chapters/ is generated from solutions/; the generator never clobbers a learner's work.

Safe in a learner's clone: nothing here executes a notebook, and nothing under chapters/ or the
progress folder is created, changed or deleted.

Which chapter files the strict checks ("equals its generated form", "holds no outputs and no
answers") look at — the decision, so the README's `pytest` passes in a clone where the learner has
solved and saved chapters:

- A chapter file that is exactly its generated form, or that carries no sign of a learner (no
  outputs, no execution counts, cells matching the recorded ``cells_hash``), is checked as it is
  in the working tree. So a maintainer who changed a solution and forgot to regenerate still fails.
- A chapter that carries a learner's work (outputs, run cells, edited or added cells) is the
  learner's, not the course's: the checks then read the *committed* chapter
  (``git show HEAD:chapters/<name>``), which is what the course ships.
- Under CI (the ``CI`` environment variable, set by .ci/run) the working tree is always checked:
  a CI checkout holds no learner's work.
- Outside a git checkout (e.g. a downloaded zip) a learner's chapter is skipped with a reason.

Start-over copies (``NN_name-restart-K.ipynb``) and other extra notebooks in chapters/ are the
learner's and never checked.
"""

import os
import pathlib
import subprocess
import sys

import nbformat
import pytest

from lib.course import notebooks

ROOT = notebooks.ROOT
SOLUTIONS = sorted(notebooks.SOLUTIONS.glob("*.ipynb"))
EXPECTED_CHAPTERS = ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"]


def committed_text(path: pathlib.Path) -> str | None:
    """The file as committed at HEAD (git), or None outside a git checkout / when not committed."""
    try:
        relative = path.resolve().relative_to(ROOT.resolve()).as_posix()
        out = subprocess.run(["git", "show", f"HEAD:{relative}"], cwd=ROOT, capture_output=True, timeout=20)
    except (OSError, ValueError, subprocess.SubprocessError):
        return None
    return out.stdout.decode("utf-8") if out.returncode == 0 else None


def carries_learner_work(nb) -> bool:
    """Outputs, execution counts, or cells that no longer match the generated ``cells_hash``."""
    for cell in nb.cells:
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None):
            return True
    recorded = nb.metadata.get("course", {}).get("cells_hash")
    return recorded is None or recorded != notebooks.cells_hash(nb)


def chapter_under_test(solution: pathlib.Path) -> tuple:
    """(text of the chapter the strict checks look at, where it came from); skips when the only
    copy is a learner's (see the module docstring)."""
    chapter = notebooks.CHAPTERS / solution.name
    expected = notebooks.render(notebooks.make_chapter(notebooks.read(solution)))
    text = chapter.read_text(encoding="utf-8") if chapter.exists() else None
    if text is not None and (os.environ.get("CI") or text == expected
                             or not carries_learner_work(nbformat.reads(text, as_version=4))):
        return text, "working tree"
    committed = committed_text(chapter)
    if committed is not None:
        return committed, "HEAD"
    if text is None:
        pytest.fail(f"{chapter.name} is missing: run `python tools/make_chapters.py`")
    pytest.skip(f"{chapter.name} holds a learner's work and this is not a git checkout")


def test_every_chapter_of_the_spec_exists():
    names = [p.name[:2] for p in SOLUTIONS]
    assert names == EXPECTED_CHAPTERS
    for solution in SOLUTIONS:  # extra notebooks (start-over copies, Copy1, Untitled) are the learner's
        chapter = notebooks.CHAPTERS / solution.name
        assert chapter.exists() or committed_text(chapter) is not None, f"{chapter.name} is missing"


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_chapter_is_generated_from_solution(solution):
    text, where = chapter_under_test(solution)
    expected = notebooks.render(notebooks.make_chapter(notebooks.read(solution)))
    assert text == expected, (
        f"chapters/{solution.name} ({where}) drifted from its solution: run `python tools/make_chapters.py`"
    )


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_chapter_holds_no_outputs_and_no_answers(solution):
    text, where = chapter_under_test(solution)
    chapter = nbformat.reads(text, as_version=4)
    for cell in chapter.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, where
            assert notebooks.BEGIN not in cell.source and notebooks.END not in cell.source, where


def test_a_learners_chapter_is_not_judged_but_the_committed_one_is(tmp_path, monkeypatch):
    """The selection rule above, on a fake chapter: a learner's saved (uncommitted) work is never what fails."""
    solution = _tiny_solution(tmp_path)
    chapters = tmp_path / "chapters"
    monkeypatch.setattr(notebooks, "CHAPTERS", chapters)
    target = notebooks.write_chapter(solution, chapters)
    assert chapter_under_test(solution)[1] == "working tree"
    nb = notebooks.read(target)
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="내 출력")]
    nb.cells[1].execution_count = 3
    nbformat.write(nb, str(target))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setitem(globals(), "committed_text", lambda path: "COMMITTED")
    assert chapter_under_test(solution) == ("COMMITTED", "HEAD")
    monkeypatch.setitem(globals(), "committed_text", lambda path: None)  # not a git checkout
    with pytest.raises(pytest.skip.Exception):
        chapter_under_test(solution)
    monkeypatch.setenv("CI", "1")
    assert chapter_under_test(solution)[1] == "working tree"  # CI: always the working tree


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_solution_is_executed_and_every_check_passes(solution):
    nb = notebooks.read(solution)
    checks = 0
    for cell in nb.cells:
        if cell.cell_type != "code" or not cell.source.strip():
            continue
        assert cell.execution_count is not None, f"unexecuted cell: {cell.source[:60]!r}"
        if "check(" in cell.source and "def " not in cell.source:
            checks += 1
            text = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
            assert "✅" in text and "❌" not in text, f"check did not pass in {solution.name}: {text}"
        assert not any(o.get("output_type") == "error" for o in cell.outputs)


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_every_solution_block_becomes_a_stub(solution):
    nb = notebooks.read(solution)
    blocks = sum(c.source.count(notebooks.BEGIN) for c in nb.cells if c.cell_type == "code")
    chapter = notebooks.make_chapter(nb)
    stubs = sum(c.source.count("raise NotImplementedError()") for c in chapter.cells if c.cell_type == "code")
    assert stubs >= blocks


def test_strip_solution_keeps_indentation_and_surroundings():
    source = "def f(x):\n    y = 1\n    ### BEGIN SOLUTION\n    return x + y\n    ### END SOLUTION\n\nprint(f)"
    assert notebooks.strip_solution(source) == (
        "def f(x):\n    y = 1\n    # 여기에 코드를 작성하세요\n    raise NotImplementedError()\n\nprint(f)"
    )


def test_strip_solution_rejects_unbalanced_markers():
    with pytest.raises(ValueError):
        notebooks.strip_solution("### BEGIN SOLUTION\nx = 1\n")
    with pytest.raises(ValueError):
        notebooks.strip_solution("x = 1\n### END SOLUTION\n")


def _tiny_solution(tmp_path):
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 제목"),
        nbformat.v4.new_code_cell("def f(x):\n    ### BEGIN SOLUTION\n    return 2 * x\n    ### END SOLUTION"),
    ]
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", text="hello")]
    nb.cells[1].execution_count = 1
    path = tmp_path / "solutions" / "99_tiny.ipynb"
    path.parent.mkdir()
    nbformat.write(nb, str(path))
    (tmp_path / "chapters").mkdir()
    return path


def test_regenerating_refuses_to_clobber_learner_edits(tmp_path):
    solution = _tiny_solution(tmp_path)
    chapters = tmp_path / "chapters"
    target = notebooks.write_chapter(solution, chapters)
    assert "raise NotImplementedError()" in target.read_text(encoding="utf-8")
    assert not notebooks.learner_edited(target)

    nb = notebooks.read(target)
    nb.cells[1].source = "def f(x):\n    return x * 2  # 내 답"
    nbformat.write(nb, str(target))
    assert notebooks.learner_edited(target)
    with pytest.raises(notebooks.LearnerEditsError):
        notebooks.write_chapter(solution, chapters)
    assert "내 답" in target.read_text(encoding="utf-8")


def test_regenerating_refuses_a_chapter_the_learner_only_ran(tmp_path):
    """Same cells as generated, but run and saved: the outputs are the learner's and would be lost."""
    solution = _tiny_solution(tmp_path)
    chapters = tmp_path / "chapters"
    target = notebooks.write_chapter(solution, chapters)
    nb = notebooks.read(target)
    nb.cells[1].execution_count = 1
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="내 출력\n")]
    nbformat.write(nb, str(target))
    assert notebooks.learner_edited(target)
    solution_nb = notebooks.read(solution)
    solution_nb.cells[0].source = "# 새 제목"
    nbformat.write(solution_nb, str(solution))
    with pytest.raises(notebooks.LearnerEditsError):
        notebooks.write_chapter(solution, chapters)
    assert "내 출력" in target.read_text(encoding="utf-8")
    assert "새 제목" in notebooks.write_chapter(solution, chapters, force=True).read_text(encoding="utf-8")


def test_regenerating_an_untouched_chapter_is_allowed(tmp_path):
    solution = _tiny_solution(tmp_path)
    chapters = tmp_path / "chapters"
    notebooks.write_chapter(solution, chapters)
    nb = notebooks.read(solution)
    nb.cells[0].source = "# 새 제목"
    nbformat.write(nb, str(solution))
    target = notebooks.write_chapter(solution, chapters)
    assert "새 제목" in target.read_text(encoding="utf-8")


def test_start_over_writes_beside_and_never_overwrites(tmp_path, monkeypatch):
    solution = _tiny_solution(tmp_path)
    monkeypatch.setattr(notebooks, "SOLUTIONS", solution.parent)
    chapters = tmp_path / "chapters"
    original = chapters / "99_tiny.ipynb"
    original.write_text("learner's own work", encoding="utf-8")
    first = notebooks.start_over("99", chapters)
    second = notebooks.start_over("99", chapters)
    assert first.name == "99_tiny-restart-1.ipynb" and second.name == "99_tiny-restart-2.ipynb"
    assert original.read_text(encoding="utf-8") == "learner's own work"
    assert "raise NotImplementedError()" in first.read_text(encoding="utf-8")


def test_start_over_shows_a_clickable_link_not_a_path(tmp_path, monkeypatch):
    solution = _tiny_solution(tmp_path)
    monkeypatch.setattr(notebooks, "SOLUTIONS", solution.parent)
    chapters = tmp_path / "chapters"
    monkeypatch.chdir(chapters)  # a chapter's kernel runs in chapters/
    copy = notebooks.start_over("99", chapters)
    markdown = copy._repr_markdown_()
    assert "[99_tiny-restart-1.ipynb](99_tiny-restart-1.ipynb)" in markdown
    assert "PosixPath" not in repr(copy) and "WindowsPath" not in repr(copy)
    assert copy.exists() and copy.name == "99_tiny-restart-1.ipynb"  # still usable as a path
    monkeypatch.chdir(tmp_path)
    assert copy.href() == "chapters/99_tiny-restart-1.ipynb"


def test_start_over_in_a_notebook_displays_the_link_once(tmp_path, monkeypatch):
    solution = _tiny_solution(tmp_path)
    monkeypatch.setattr(notebooks, "SOLUTIONS", solution.parent)
    monkeypatch.chdir(tmp_path / "chapters")
    shown = []
    monkeypatch.setattr(notebooks, "_in_notebook", lambda: True)
    monkeypatch.setattr("IPython.display.display", lambda obj: shown.append(obj.data))
    copy = notebooks.start_over("99", tmp_path / "chapters")
    assert shown == [copy.markdown()] and "](99_tiny-restart-1.ipynb)" in shown[0]
    assert copy._ipython_display_() is None  # as a cell's last value it adds nothing more


def test_make_chapters_speaks_korean(capsys):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_chapters", ROOT / "tools" / "make_chapters.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    assert tool.main(["--fresh", "99"]) == 2
    assert "해당하는 장이 없습니다" in capsys.readouterr().err
    assert tool.main(["--fresh"]) == 2
    assert "장 번호가 필요합니다" in capsys.readouterr().err


# ---------------------------------------------------------------- NameError hints (cells run out of order)


def _chapter_with_definitions():
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        nbformat.v4.new_markdown_cell("# 08장\n## 준비"),
        nbformat.v4.new_code_cell("%matplotlib inline\nimport torch\nfrom lib.checks import check, EXERCISES"),
        nbformat.v4.new_markdown_cell("## 연습문제 1: causal_mask"),
        nbformat.v4.new_code_cell("def causal_mask(length):\n    inner = 1\n    return torch.ones(length)"),
        nbformat.v4.new_code_cell("check('masks.causal_mask', causal_mask)"),
        nbformat.v4.new_code_cell("for step, (a, b) in enumerate([(1, 2)]):\n    pass\nwith open('x') as handle:\n    pass"),
        nbformat.v4.new_code_cell("tokens = torch.zeros(2, 3)\nif True:\n    lengths: list = []"),
    ]
    return nb


def test_defined_names_reads_a_cells_top_level_definitions():
    nb = _chapter_with_definitions()
    assert {"torch", "check", "EXERCISES"} <= notebooks.defined_names(nb.cells[1].source)
    assert notebooks.defined_names(nb.cells[3].source) == {"causal_mask"}  # not the local `inner`
    assert {"step", "a", "b", "handle"} <= notebooks.defined_names(nb.cells[5].source)
    assert {"tokens", "lengths"} <= notebooks.defined_names(nb.cells[6].source)


def test_name_error_hint_names_the_cell_to_run_first(tmp_path):
    path = tmp_path / "08_causal_attention.ipynb"
    nbformat.write(_chapter_with_definitions(), str(path))
    hint = notebooks.name_error_hint("causal_mask", path)
    assert "연습문제 1: causal_mask" in hint and "2번째 코드 셀" in hint and "def causal_mask" in hint
    assert "1번째 코드 셀" in notebooks.name_error_hint("check", path)  # the import cell
    assert "causal_mask" in notebooks.name_error_hint("causl_mask", path)  # a typo: the close name
    generic = notebooks.name_error_hint("causal_mask", None)  # notebook unknown
    assert "앞쪽 셀" in generic


class _FakeShell:
    def __init__(self, user_ns):
        self.user_ns, self.custom_exceptions, self.shown = user_ns, (), []

    def set_custom_exc(self, exc_tuple, handler):
        self.custom_exceptions, self.handler = exc_tuple, handler

    def showtraceback(self, exc_tuple=None, tb_offset=None):
        self.shown.append(exc_tuple[0].__name__)


def test_name_error_handler_shows_the_traceback_then_the_hint(tmp_path, capsys):
    path = tmp_path / "08_causal_attention.ipynb"
    nbformat.write(_chapter_with_definitions(), str(path))
    shell = _FakeShell({"__session__": str(path)})
    assert notebooks.install_name_error_hint(shell)
    assert shell.custom_exceptions == (NameError,)
    try:
        causal_mask  # noqa: B018, F821 - the learner's NameError
    except NameError as error:
        shell.handler(shell, NameError, error, error.__traceback__)
    assert shell.shown == ["NameError"]  # the usual traceback is still shown
    assert "def causal_mask" in capsys.readouterr().out


def test_name_error_hint_leaves_another_tools_handler_alone():
    shell = _FakeShell({})
    shell.custom_exceptions = (ValueError,)
    assert not notebooks.install_name_error_hint(shell)
    assert shell.custom_exceptions == (ValueError,)


def test_name_error_hint_in_a_real_ipython_shell(tmp_path):
    """End to end in IPython (a subprocess, so this test process keeps no IPython singleton): the hint is
    installed by the chapter's ``start_chapter`` call, not by importing anything."""
    path = tmp_path / "08_causal_attention.ipynb"
    nbformat.write(_chapter_with_definitions(), str(path))
    script = (
        "from IPython.core.interactiveshell import InteractiveShell\n"
        "shell = InteractiveShell.instance()\n"
        f"shell.user_ns['__session__'] = {str(path)!r}\n"
        "shell.run_cell('from lib.checks import check')\n"
        "shell.run_cell('from lib.start import start_chapter; start_chapter(\"08\")')\n"
        "result = shell.run_cell('check(\"masks.causal_mask\", causal_mask)')\n"
        "print('ERROR_KEPT', type(result.error_in_exec).__name__)\n"
    )
    env = dict(os.environ, COURSE_PROGRESS="off", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         cwd=tmp_path, env=env, encoding="utf-8")
    assert "NameError" in out.stdout, out.stderr[-2000:]
    assert "def causal_mask" in out.stdout and "ERROR_KEPT NameError" in out.stdout
