"""Measure the course's budgets (spec section 8) on this machine.

    python tools/benchmark.py                 # every solution notebook + total + Transformer ratio
    python tools/benchmark.py 03 08           # only these notebooks
    python tools/benchmark.py --pytest        # also time the full `pytest` run

Notebooks are executed from a temporary copy (solutions/ is not modified), with the kernel's
working folder in solutions/, exactly as nbval runs them. Budgets: <= 60 s per notebook,
<= 300 s for all, Transformer step time <= 1.25x nn.Transformer's, pytest <= 600 s.
"""

import argparse
import os
import platform
import subprocess
import sys
import time

from nbclient import NotebookClient

from lib import notebooks

NOTEBOOK_BUDGET, TOTAL_BUDGET, RATIO_BUDGET, PYTEST_BUDGET = 60.0, 300.0, 1.25, 600.0


def time_notebook(path) -> float:
    nb = notebooks.read(path)
    client = NotebookClient(nb, timeout=900, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    started = time.perf_counter()
    client.execute()
    return time.perf_counter() - started


def transformer_ratio():
    try:
        sys.path.insert(0, os.path.dirname(__file__))
        import bench_transformer
    except ImportError:
        return None
    return bench_transformer.measure()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*")
    parser.add_argument("--pytest", action="store_true", help="also time the full pytest run")
    parser.add_argument("--no-ratio", action="store_true", help="skip the Transformer benchmark")
    args = parser.parse_args(argv)
    os.environ["COURSE_PROGRESS"] = "off"

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    paths = [notebooks.find_solution(c) for c in args.chapters] or sorted(notebooks.SOLUTIONS.glob("*.ipynb"))
    total, over = 0.0, []
    for path in paths:
        seconds = time_notebook(path)
        total += seconds
        flag = "" if seconds <= NOTEBOOK_BUDGET else "  OVER BUDGET"
        if flag:
            over.append(path.name)
        print(f"{path.name:32s} {seconds:6.1f} s{flag}", flush=True)
    print(f"{'total':32s} {total:6.1f} s (budget {TOTAL_BUDGET:.0f} s)")

    if not args.no_ratio and not args.chapters:
        result = transformer_ratio()
        if result is not None:
            print(f"transformer step: lib {result['lib_ms']:.1f} ms, nn.Transformer {result['torch_ms']:.1f} ms, "
                  f"ratio {result['ratio']:.2f} (budget {RATIO_BUDGET})")
    if args.pytest:
        started = time.perf_counter()
        code = subprocess.call([sys.executable, "-m", "pytest", "-q"], cwd=notebooks.ROOT)
        seconds = time.perf_counter() - started
        print(f"pytest: {seconds:.0f} s, exit code {code} (budget {PYTEST_BUDGET:.0f} s)")
    return 1 if over or total > TOTAL_BUDGET else 0


if __name__ == "__main__":
    sys.exit(main())
