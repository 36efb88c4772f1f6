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

from __future__ import annotations  # nbformat's types in annotations need no import

import ast
import copy
import difflib
import hashlib
import json
import os
import pathlib
import re
import urllib.parse

# nbformat is imported inside the functions that read or write a notebook: every course kernel imports this module
# (the NameError hint, lib.start), and importing nbformat pulls in jsonschema's format checkers, about 1.3 s on a
# 2-core machine, at every kernel start.

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
    import nbformat  # noqa: PLC0415 - see the note at the top

    return nbformat.read(str(path), as_version=4)


def render(nb) -> str:
    import nbformat  # noqa: PLC0415 - see the note at the top

    return nbformat.writes(nb) + "\n"


def learner_edited(path) -> bool:
    """True if the learner wrote in a chapter (its cells differ from what was generated) or ran it and saved the
    outputs: regenerating would lose either."""
    nb = read(path)
    recorded = nb.metadata.get("course", {}).get("cells_hash")
    ran = any(cell.get("outputs") or cell.get("execution_count") for cell in nb.cells if cell.cell_type == "code")
    return recorded is None or recorded != cells_hash(nb) or ran


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
                f"{target.name}에는 학습자가 쓴 내용이나 실행 결과가 있어 덮어쓰지 않았습니다. 새 빈 사본이 필요하면 "
                f"start_over(\"{target.name[:2]}\") 또는 `python tools/make_chapters.py --fresh {target.name[:2]}`를 쓰세요."
            )
    tmp = target.with_suffix(".ipynb.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target


def find_solution(chapter: str) -> pathlib.Path:
    """'01' or '01_rnn' -> solutions/01_rnn.ipynb"""
    matches = sorted(SOLUTIONS.glob(f"{chapter}*.ipynb"))
    if not matches:
        raise FileNotFoundError(f"{chapter!r}(으)로 시작하는 solutions/ 노트북이 없습니다")
    return matches[0]


class NewCopy(os.PathLike):
    """What ``start_over`` returns: the new file's path, shown in a notebook as a clickable link.

    Behaves like the ``pathlib.Path`` it wraps (``.name``, ``.read_text()``, ``os.fspath``).
    """

    def __init__(self, path: pathlib.Path):
        self.path = pathlib.Path(path)

    def __fspath__(self):
        return str(self.path)

    def __getattr__(self, name):
        return getattr(self.path, name)

    def __eq__(self, other):
        return self.path == (other.path if isinstance(other, NewCopy) else other)

    def __hash__(self):
        return hash(self.path)

    def __str__(self):
        return str(self.path)

    def href(self) -> str:
        """The link target relative to the kernel's folder (the notebook's folder in Jupyter)."""
        try:
            relative = os.path.relpath(self.path, pathlib.Path.cwd())
        except ValueError:  # another drive on Windows
            relative = str(self.path)
        return urllib.parse.quote(relative.replace(os.sep, "/"))

    def markdown(self) -> str:
        return (f"새 사본을 만들었습니다: [{self.path.name}]({self.href()}) "
                "(원래 파일은 그대로 있습니다. 링크를 누르면 열립니다.)")

    def _repr_markdown_(self):
        return self.markdown()

    def _ipython_display_(self):
        """start_over already showed the link when it made the copy; show nothing more."""

    def __repr__(self):
        return f"NewCopy({str(self.path)!r})"


def _in_notebook() -> bool:
    try:
        from IPython import get_ipython  # noqa: PLC0415
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def start_over(chapter: str, chapters_dir=CHAPTERS) -> NewCopy:
    """Write a fresh, empty copy of a chapter beside the learner's (never overwrites anything).

    start_over("01") -> chapters/01_rnn-restart-1.ipynb (then -2, -3, ...). In a notebook a clickable
    link is displayed (Markdown, relative to the notebook's folder), never a PosixPath; elsewhere a
    Korean line with the path is printed.
    """
    solution = find_solution(chapter)
    stem = solution.stem
    number = 1
    while (pathlib.Path(chapters_dir) / f"{stem}-restart-{number}.ipynb").exists():
        number += 1
    target = pathlib.Path(chapters_dir) / f"{stem}-restart-{number}.ipynb"
    with open(target, "x", encoding="utf-8") as handle:  # "x": fail rather than overwrite
        handle.write(render(make_chapter(read(solution))))
    result = NewCopy(target)
    if _in_notebook():
        from IPython.display import Markdown, display  # noqa: PLC0415

        display(Markdown(result.markdown()))  # a clickable link, relative to the notebook's folder
    else:
        print(f"새 사본을 만들었습니다: {target} (원래 파일은 그대로 있습니다)")
    return result


# ---------------------------------------------------------------- cells run out of order (NameError hints)


def _python_only(source: str) -> str:
    """Cell source without IPython magics and shell lines (which ast cannot parse)."""
    return "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n"))


def _assigned(target, names: set) -> None:
    if isinstance(target, ast.Name):
        names.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _assigned(element, names)
    elif isinstance(target, ast.Starred):
        _assigned(target.value, names)


def defined_names(source: str) -> set:
    """Names a cell defines at the notebook's top level: def/class, assignments, imports, for/with
    targets (not names local to a function body)."""
    try:
        tree = ast.parse(_python_only(source))
    except SyntaxError:
        return set()
    names: set = set()

    def visit(statements):
        for node in statements:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    _assigned(target, names)
            elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
                _assigned(node.target, names)
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    if alias.name != "*":
                        names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, (ast.For, ast.AsyncFor)):
                _assigned(node.target, names)
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                for item in node.items:
                    if item.optional_vars is not None:
                        _assigned(item.optional_vars, names)
            for field in ("body", "orelse", "finalbody"):
                if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                    visit(getattr(node, field, []) or [])
            for handler in getattr(node, "handlers", []) or []:
                visit(handler.body)
            for named in ast.walk(node) if not isinstance(node, (ast.FunctionDef, ast.ClassDef)) else []:
                if isinstance(named, ast.NamedExpr):
                    _assigned(named.target, names)

    visit(tree.body)
    return names


def find_definition(nb, name: str):
    """(code-cell number counted from 1, the cell's first line, the nearest heading above) of the
    first code cell defining ``name``; None when no cell does."""
    heading, number = "", 0
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for line in cell.source.split("\n"):
                if line.startswith("#"):
                    heading = line.lstrip("#").strip()
            continue
        if cell.cell_type != "code":
            continue
        number += 1
        if name in defined_names(cell.source):
            first = next((line.strip() for line in cell.source.split("\n") if line.strip()), "")
            return number, first, heading
    return None


def current_notebook_path(user_ns=None):
    """The running notebook's path when the front end tells the kernel (JupyterLab/Notebook 7 set
    ``__session__`` / JPY_SESSION_NAME, VS Code sets ``__vsc_ipynb_file__``); else None."""
    user_ns = user_ns or {}
    for candidate in (user_ns.get("__vsc_ipynb_file__"), user_ns.get("__session__"),
                      os.environ.get("JPY_SESSION_NAME")):
        if not candidate or not str(candidate).endswith(".ipynb"):
            continue
        path = pathlib.Path(candidate)
        for option in (path, pathlib.Path.cwd() / path, ROOT / path, pathlib.Path.cwd() / path.name):
            if option.is_file():
                return option
    return None


RUN_ABOVE = "커널을 재시작했다면 메뉴 Run → Run All Above Selected Cell(선택한 셀 위의 모든 셀 실행)로 앞 셀들을 한 번에 실행할 수 있습니다."


def name_error_hint(name: str, notebook_path=None) -> str:
    """A Korean hint for ``NameError: name '<name>' is not defined`` in a chapter notebook: which
    earlier cell defines the name, or a general hint when the notebook is unknown."""
    nb = None
    if notebook_path is not None:
        try:
            nb = read(notebook_path)
        except (OSError, ValueError):
            nb = None
    if nb is None:
        return (f"💡 아직 정의되지 않은 이름: {name}. 셀을 위에서부터 차례로 실행했는지 보세요: "
                f"이 이름을 정의하는 앞쪽 셀(맨 위의 import 셀 포함)을 먼저 실행하세요. {RUN_ABOVE}")
    found = find_definition(nb, name)
    if found is None:
        known = set()
        for cell in nb.cells:
            if cell.cell_type == "code":
                known |= defined_names(cell.source)
        close = difflib.get_close_matches(name, sorted(known), n=1)
        guess = f" 혹시 {close[0]} 말인가요?" if close else ""
        return f"💡 이 노트북의 어느 셀에서도 정의되지 않는 이름: {name}. 철자를 확인하세요.{guess}"
    number, first, heading = found
    where = f"'{heading}' 아래의 " if heading else ""
    return (f"💡 {name} — {where}{number}번째 코드 셀({first[:60]})에서 정의되는 이름입니다. "
            f"그 셀을 먼저 실행하세요. {RUN_ABOVE}")


def _name_of(error: NameError) -> str | None:
    name = getattr(error, "name", None)
    if name:
        return name
    match = re.search(r"name '([^']+)' is not defined", str(error))
    return match.group(1) if match else None


def _name_error_handler(shell, etype, evalue, tb, tb_offset=None):
    """IPython custom exception handler: the usual traceback, then a Korean hint naming the cell
    that defines the missing name (when the notebook's path is known)."""
    shell.showtraceback((etype, evalue, tb), tb_offset=tb_offset)
    try:
        name = _name_of(evalue)
        if name:
            print(name_error_hint(name, current_notebook_path(shell.user_ns)))
    except Exception:  # noqa: BLE001 - a hint must never hide the learner's error
        pass
    return None


def install_name_error_hint(shell=None) -> bool:
    """Register the NameError hint in the running IPython kernel (once; a custom handler someone
    else registered is left alone). Returns True when the hint is active."""
    if shell is None:
        try:
            from IPython import get_ipython  # noqa: PLC0415
        except ImportError:
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    current = tuple(getattr(shell, "custom_exceptions", ()) or ())
    if current and getattr(shell, "_course_name_hint", False) is False:
        return False  # another tool's handler: do not replace it
    shell.set_custom_exc((NameError,), _name_error_handler)
    shell._course_name_hint = True
    return True
