"""lib has no import circle (issue 24 item 3): no module reaches itself through imports, counting the
imports inside functions too (a lazy import still ties the two modules together)."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def module_name(path: pathlib.Path, root: pathlib.Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def import_graph(root: pathlib.Path, package: str = "lib") -> dict:
    """{module: {lib modules it imports anywhere in its body}} for every .py file under root/package."""
    files = {module_name(p, root): p for p in (root / package).rglob("*.py")}
    graph = {}
    for name, path in files.items():
        is_package = path.name == "__init__.py"
        here = name if is_package else name.rpartition(".")[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = here.split(".")[: len(here.split(".")) - node.level + 1]
                    base = ".".join(parts + ([base] if base else []))
                for alias in node.names:
                    full = f"{base}.{alias.name}"
                    found.add(full if full in files else base)
        graph[name] = {m for m in found if m in files and m != name}
    return graph


def cycles(graph: dict) -> list:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, stack, on_stack, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                out.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_lib_has_no_import_circle():
    graph = import_graph(ROOT)
    assert "lib.course.quiz" in graph and "lib.course.progress" in graph["lib.course.quiz"]
    assert cycles(graph) == []


def test_the_check_engine_is_layered():
    """lib.course.checks in one direction: chapters and probes import the leaf modules (exercise,
    isolation, class_exercises, probe_tools), the engine (core) imports the probes, never the reverse."""
    graph = import_graph(ROOT)
    checks = "lib.course.checks."
    assert {checks + "probes", checks + "probes_transformer"} <= graph[checks + "core"]
    assert checks + "probes_seq" in graph[checks + "probes"] and checks + "ch03" in graph[checks + "probes_seq"]
    for name in ["exercise", "isolation", "class_exercises"]:
        assert not {m for m in graph[checks + name] if m.startswith(checks)}, name


def test_the_cycle_finder_sees_a_lazy_import_circle(tmp_path):
    """The check can fail: two modules importing each other, one of them inside a function."""
    package = tmp_path / "lib" / "course"
    package.mkdir(parents=True)
    (tmp_path / "lib" / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from lib.course import b\n")
    (package / "b.py").write_text("def f():\n    from . import a\n    return a\n")
    (package / "c.py").write_text("import lib.course.a\n")
    assert cycles(import_graph(tmp_path)) == [["lib.course.a", "lib.course.b"]]


@pytest.mark.parametrize("module", ["lib.course.bank", "lib.course.quiz", "lib.course.progress"])
def test_quiz_modules_import_alone(module):
    """Each side of the old circle imports on its own in a fresh interpreter."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
