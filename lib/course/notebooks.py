"""solutions/ -> chapters/: turn a solved notebook into an exercise notebook.

In a solution, an answer sits between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` lines.
The chapter keeps everything else and puts, at the same indentation,

    # 여기에 코드를 작성하세요
    raise NotImplementedError()

Outputs and execution counts are dropped. Each generated chapter records a hash of its cells in
``metadata.course.cells_hash``; a chapter whose cells no longer match that hash was edited by the
learner, and ``write_chapter`` refuses to overwrite it. ``start_over`` writes a fresh copy beside
the learner's file instead of replacing it.
"""

import copy
import hashlib
import json
import pathlib

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
CHAPTERS = ROOT / "chapters"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
STUB_LINES = ["# 여기에 코드를 작성하세요", "raise NotImplementedError()"]


class LearnerEditsError(RuntimeError):
    """Raised instead of overwriting a chapter the learner has edited."""


def strip_solution(source: str) -> str:
    """Replace every BEGIN/END SOLUTION region by the stub, at the marker's indentation."""
    out, inside = [], False
    for line in source.split("\n"):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside:
                raise ValueError("nested BEGIN SOLUTION")
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub for stub in STUB_LINES)
        elif stripped == END:
            if not inside:
                raise ValueError("END SOLUTION without BEGIN")
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError("BEGIN SOLUTION without END")
    return "\n".join(out)


def cells_hash(nb) -> str:
    """Hash of what a learner can edit: cell types and sources."""
    content = [(cell["cell_type"], cell["source"]) for cell in nb["cells"]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()[:16]


def make_chapter(solution) -> nbformat.NotebookNode:
    """The exercise version of a solution notebook (no answers, no outputs)."""
    nb = copy.deepcopy(solution)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.source = strip_solution(cell.source)
            cell.outputs = []
            cell.execution_count = None
        cell.metadata.pop("execution", None)
    nb.metadata.pop("widgets", None)
    nb.metadata["course"] = {"generated_from": "solutions", "cells_hash": cells_hash(nb)}
    return nb


def read(path) -> nbformat.NotebookNode:
    return nbformat.read(str(path), as_version=4)


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def learner_edited(path) -> bool:
    """True if a chapter's cells differ from what was generated (the learner wrote in it)."""
    nb = read(path)
    recorded = nb.metadata.get("course", {}).get("cells_hash")
    return recorded is None or recorded != cells_hash(nb)


def write_chapter(solution_path, chapters_dir=CHAPTERS, force=False) -> pathlib.Path:
    """Generate chapters/<name> from a solution. Refuses to clobber a learner-edited chapter."""
    solution_path = pathlib.Path(solution_path)
    target = pathlib.Path(chapters_dir) / solution_path.name
    text = render(make_chapter(read(solution_path)))
    if target.exists():
        if target.read_text(encoding="utf-8") == text:
            return target
        if learner_edited(target) and not force:
            raise LearnerEditsError(
                f"{target} has the learner's edits; not overwritten. "
                f"Use start_over() for a fresh copy beside it."
            )
    tmp = target.with_suffix(".ipynb.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target


def find_solution(chapter: str) -> pathlib.Path:
    """'01' or '01_rnn' -> solutions/01_rnn.ipynb"""
    matches = sorted(SOLUTIONS.glob(f"{chapter}*.ipynb"))
    if not matches:
        raise FileNotFoundError(f"no solution notebook starts with {chapter!r}")
    return matches[0]


def start_over(chapter: str, chapters_dir=CHAPTERS) -> pathlib.Path:
    """Write a fresh, empty copy of a chapter beside the learner's (never overwrites anything).

    start_over("01") -> chapters/01_rnn-restart-1.ipynb (then -2, -3, ...)
    """
    solution = find_solution(chapter)
    stem = solution.stem
    number = 1
    while (pathlib.Path(chapters_dir) / f"{stem}-restart-{number}.ipynb").exists():
        number += 1
    target = pathlib.Path(chapters_dir) / f"{stem}-restart-{number}.ipynb"
    with open(target, "x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(render(make_chapter(read(solution))))
    print(f"새 사본을 만들었습니다: {target.name} (원래 파일은 그대로 있습니다)")
    return target
