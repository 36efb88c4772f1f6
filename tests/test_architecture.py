"""The import rules of lib/ (CONTRIBUTING.md, "Architecture"), read from the source with ast.

- Reference modules (the exercise answers) import only torch, the standard library and each other,
  so a learner can read each one on its own and torch's modules can serve as oracles.
- lib/course (checks, quiz, progress, ...) never imports lib/ui: widgets sit on top of the logic
  they show, never under it.
- Nothing but the chapter-10 code imports keras, and the chapter-10 checks only inside functions,
  so the rest of the course works where keras is not installed.
"""

import ast
import pathlib
import sys

import pytest

LIB = pathlib.Path(__file__).resolve().parent.parent / "lib"
REFERENCE = ["tokens", "rnn", "attention", "masks", "losses", "transformer", "seq2seq"]
KERAS_HOMES = ("keras_port",)  # lib/keras_port/ may import keras at the top


def imports(path: pathlib.Path, top_level_only: bool = False) -> list:
    """[(module name, line)] of every import in a file (``from . import x`` resolved against lib)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = []
    for node in nodes:
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative import: resolve against the file's package
                package = path.relative_to(LIB.parent).with_suffix("").parts[:-node.level]
                base = ".".join(package + ((node.module,) if node.module else ()))
            else:
                base = node.module
            if base == "lib":  # from lib import attention -> lib.attention
                found += [(f"lib.{alias.name}", node.lineno) for alias in node.names]
            else:
                found.append((base, node.lineno))
    return found


def module_name(path: pathlib.Path) -> str:
    return ".".join(path.relative_to(LIB.parent).with_suffix("").parts)


@pytest.mark.parametrize("name", REFERENCE)
def test_reference_modules_import_only_torch_stdlib_and_each_other(name):
    allowed_lib = {f"lib.{other}" for other in REFERENCE}
    bad = []
    for imported, line in imports(LIB / f"{name}.py"):
        root = imported.split(".")[0]
        if root == "lib":
            if imported not in allowed_lib:
                bad.append(f"line {line}: {imported}")
        elif root != "torch" and root not in sys.stdlib_module_names and root != "__future__":
            bad.append(f"line {line}: {imported}")
    assert not bad, f"lib/{name}.py imports outside torch, the standard library and the reference modules: {bad}"


def test_course_machinery_never_imports_ui():
    bad = [f"{module_name(path)} line {line}: {imported}"
           for path in sorted((LIB / "course").rglob("*.py"))
           for imported, line in imports(path) if imported == "lib.ui" or imported.startswith("lib.ui.")]
    assert not bad, f"lib/course imports lib/ui: {bad}"


def test_keras_is_imported_only_by_chapter_10_code():
    bad = []
    for path in sorted(LIB.rglob("*.py")):
        relative = path.relative_to(LIB)
        if relative.parts[0] in KERAS_HOMES:
            continue
        lazy_allowed = relative.as_posix() == "course/checks/ch10.py"
        found = imports(path, top_level_only=lazy_allowed)
        bad += [f"lib/{relative.as_posix()} line {line}" for imported, line in found if imported.split(".")[0] == "keras"]
    assert not bad, f"keras imported outside chapter 10's code (or at the top of its checks): {bad}"


def test_the_rules_catch_a_violation(tmp_path, monkeypatch):
    """The checker itself: a reference module importing numpy and a course module importing lib.ui fail."""
    fake = tmp_path / "lib"
    (fake / "course").mkdir(parents=True)
    (fake / "attention.py").write_text("import torch\nimport numpy as np\nfrom lib import masks\n")
    (fake / "course" / "quiz.py").write_text("def f():\n    from lib.ui import plots\n")
    monkeypatch.setattr(sys.modules[__name__], "LIB", fake)
    with pytest.raises(AssertionError, match="numpy"):
        test_reference_modules_import_only_torch_stdlib_and_each_other("attention")
    with pytest.raises(AssertionError, match="lib.ui"):
        test_course_machinery_never_imports_ui()
