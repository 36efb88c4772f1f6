"""No hidden global side effects (CONTRIBUTING, "Architecture"): importing lib changes no matplotlib
setting and no torch setting, set_seed only seeds, and the chapter's first call does what it says; what the chapters
import does not drag in nbformat (a second of every kernel start)."""

import json
import os
import pathlib
import re
import subprocess
import sys
import textwrap

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _run(code: str) -> str:
    env = dict(os.environ, COURSE_PROGRESS="off", MPLBACKEND="Agg")
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
                         timeout=120, cwd=ROOT, env=env, encoding="utf-8")
    assert out.returncode == 0, out.stderr[-2000:]
    return out.stdout


def test_importing_lib_changes_no_global_setting():
    out = _run("""
        import importlib, pkgutil
        import matplotlib, torch
        torch.set_num_threads(2)
        before = (list(matplotlib.rcParams["font.family"]), torch.get_num_threads())
        import lib
        for info in pkgutil.walk_packages(lib.__path__, "lib.", onerror=lambda name: None):  # lib.keras_port raises
            # without keras (only chapter 10 needs it); every module found is imported right below, so no error hides
            if not info.name.startswith("lib.keras_port"):
                importlib.import_module(info.name)
        after = (list(matplotlib.rcParams["font.family"]), torch.get_num_threads())
        print(before == after, before, after)
    """)
    assert out.startswith("True"), out


def test_set_seed_only_seeds():
    out = _run("""
        import random, torch
        from lib.utils import set_seed
        torch.set_num_threads(2)
        set_seed(3)
        a = (torch.rand(2).tolist(), random.random())
        set_seed(3)
        b = (torch.rand(2).tolist(), random.random())
        print(a == b, torch.get_num_threads())
    """)
    assert out.split() == ["True", "2"], out


def test_a_plot_asks_for_the_korean_font_and_start_chapter_sets_everything_up():
    out = _run("""
        import matplotlib, torch
        from lib.ui import plots
        plots.heatmap(torch.eye(2), ["가", "나"], ["다", "라"], title="한글")
        print("NanumGothic" in matplotlib.rcParams["font.family"])
        matplotlib.rcParams["font.family"] = ["DejaVu Sans"]
        torch.set_num_threads(2)
        from lib.start import start_chapter
        start_chapter("04")
        print("NanumGothic" in matplotlib.rcParams["font.family"], torch.get_num_threads())
    """)
    assert out.split() == ["True", "True", "1"], out


def test_what_the_chapters_import_leaves_nbformat_unimported():
    """Every course kernel imports lib (and the NameError hint at start); importing nbformat pulls in jsonschema's
    format checkers, about 1.3 s per kernel start on a 2-core machine. lib reads notebooks only inside functions."""
    modules = set()
    for solution in sorted((pathlib.Path(ROOT) / "solutions").glob("[0-9][0-9]_*.ipynb")):
        for cell in json.loads(solution.read_text(encoding="utf-8"))["cells"]:
            if cell["cell_type"] == "code":
                modules |= set(re.findall(r"^\s*(?:from|import) (lib[\w.]*)", "".join(cell["source"]), re.M))
    assert len(modules) > 10, modules  # the chapters' imports were found
    out = _run(f"""
        import importlib, sys
        for name in {sorted(modules | {"lib.course.kernel_hint"})!r}:
            importlib.import_module(name)
        print(sorted(m for m in sys.modules if m.split(".")[0] in ("nbformat", "jsonschema")))
    """)
    assert out.strip() == "[]", out
