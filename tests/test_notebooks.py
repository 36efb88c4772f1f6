"""chapters/ is generated from solutions/; the generator never clobbers a learner's work."""

import pathlib
import subprocess

import nbformat
import pytest

from lib.course import notebooks

ROOT = notebooks.ROOT
SOLUTIONS = sorted(notebooks.SOLUTIONS.glob("*.ipynb"))
EXPECTED_CHAPTERS = ["00", "01", "02", "03", "04", "05", "06", "07", "08", "09", "10", "11"]


def _learner_modified(path: pathlib.Path) -> bool:
    """A chapter changed in the working tree (a learner's clone), as git sees it."""
    try:
        out = subprocess.run(["git", "status", "--porcelain", "--", str(path)], cwd=ROOT,
                             capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return False
    return out.returncode == 0 and out.stdout.strip().startswith("M")


def test_every_chapter_of_the_spec_exists():
    names = [p.name[:2] for p in SOLUTIONS]
    assert names == EXPECTED_CHAPTERS
    assert sorted(p.name for p in notebooks.CHAPTERS.glob("[0-9][0-9]_*.ipynb") if "-restart-" not in p.name) == [
        p.name for p in SOLUTIONS
    ]


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_chapter_is_generated_from_solution(solution):
    chapter = notebooks.CHAPTERS / solution.name
    if _learner_modified(chapter):
        pytest.skip(f"{chapter.name} holds a learner's edits (git shows it modified)")
    expected = notebooks.render(notebooks.make_chapter(notebooks.read(solution)))
    assert chapter.read_text(encoding="utf-8") == expected, (
        f"{chapter.name} drifted from its solution: run `python tools/make_chapters.py`"
    )


@pytest.mark.parametrize("solution", SOLUTIONS, ids=lambda p: p.stem)
def test_chapter_holds_no_outputs_and_no_answers(solution):
    chapter = notebooks.read(notebooks.CHAPTERS / solution.name)
    for cell in chapter.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
            assert notebooks.BEGIN not in cell.source and notebooks.END not in cell.source


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
