"""Measure the course's budgets (spec section 8) on this machine.

    python tools/benchmark.py                   # every solution notebook + total + Transformer ratio
    python tools/benchmark.py 03 08             # only these notebooks
    python tools/benchmark.py --pytest          # also time the full `pytest` run
    python tools/benchmark.py --cores 2         # use only 2 CPU cores (kernels and pytest included)
    python tools/benchmark.py --pytest --readme # ... and write the figures into README.md

Notebooks are executed from a temporary copy (solutions/ is not modified), one after another, with the
kernel's working folder in solutions/, exactly as nbval runs them. Budgets: <= 45 s per notebook,
<= 180 s for all, Transformer step time <= 1.25x nn.Transformer's, pytest <= 300 s (spec section 8).

The report starts with the machine (CPU, cores, memory, load average: timings on a busy machine are
inflated) and ends with the same figures as a Markdown table (also saved to artifacts/benchmark.md).
``--readme`` puts that table into README.md between the lines ``<!-- BENCHMARK:BEGIN -->`` and
``<!-- BENCHMARK:END -->`` (the first time: in place of a ``<!-- FIGURES -->`` line), so the README quotes
exactly what was printed; tests/test_readme_ci.py checks those figures cover every solution notebook.
Exit code 1 if a budget is exceeded or pytest fails.
"""

import argparse
import datetime
import os
import pathlib
import platform
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nbexec  # noqa: E402  (tools/nbexec.py: stall watchdog, one re-run on a fresh kernel)
import readme_block  # noqa: E402

from lib.course import notebooks  # noqa: E402

NOTEBOOK_BUDGET, TOTAL_BUDGET, RATIO_BUDGET, PYTEST_BUDGET = 45.0, 180.0, 1.25, 300.0
PLACEHOLDER = "<!-- FIGURES -->"


def machine() -> str:
    """CPU model, cores this process may use, memory, load average, Python and torch versions."""
    cpu = platform.processor() or platform.machine()
    try:
        text = pathlib.Path("/proc/cpuinfo").read_text()
        cpu = re.search(r"^model name\s*:\s*(.+)$", text, re.MULTILINE).group(1).strip()
    except (OSError, AttributeError):
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    parts = [f"{cpu}, {cores} cores"]
    try:
        pages, page_size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
        parts.append(f"{pages * page_size / 2**30:.0f} GB RAM")
    except (ValueError, OSError, AttributeError):
        pass
    parts.append(f"{platform.system()}, Python {platform.python_version()}")
    try:
        import torch

        parts.append(f"torch {torch.__version__} (notebooks run it on 1 thread: lib.start.start_chapter)")
    except ImportError:
        pass
    if hasattr(os, "getloadavg"):
        parts.append(f"load average {os.getloadavg()[0]:.1f} at start")
    return ", ".join(parts)


def time_notebook(path) -> float:
    """Wall-clock seconds to execute one solution (a re-run after a stall is included, and printed)."""
    nb = notebooks.read(path)
    started = time.perf_counter()
    nbexec.execute(nb, cwd=path.parent, timeout=900, name=path.stem)
    return time.perf_counter() - started


def transformer_ratio():
    try:
        sys.path.insert(0, os.path.dirname(__file__))
        import bench_transformer
    except ImportError:
        return None
    result = bench_transformer.measure()
    result.setdefault("nn_ms", result.get("torch_ms"))
    return result


def time_pytest() -> dict:
    started = time.perf_counter()
    run = subprocess.run([sys.executable, "-m", "pytest", "-q"], cwd=notebooks.ROOT,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - started
    lines = run.stdout.strip().splitlines()
    summary = re.sub(r"^=+ | in [\d.]+s.*$|=+$", "", lines[-1]).strip() if lines else ""
    if run.returncode != 0:
        print(run.stdout[-3000:], run.stderr[-2000:], sep="\n")
    return {"seconds": seconds, "code": run.returncode, "summary": summary}


def verdict(ok: bool, failure: str = "over") -> str:
    return "✅" if ok else f"❌ {failure}"


def markdown(figures: dict) -> str:
    """The figures as the README shows them."""
    rows = [f"측정 환경 (machine): {figures['machine']}; {figures['date']}.", "",
            "| | seconds | budget |", "|---|---:|---|"]
    for name, seconds in figures["notebooks"]:
        rows.append(f"| `{name}` | {seconds:.1f} | ≤ {NOTEBOOK_BUDGET:.0f} s {verdict(seconds <= NOTEBOOK_BUDGET)} |")
    if figures["all"]:
        total = figures["total"]
        rows.append(f"| **total** | {total:.1f} | ≤ {TOTAL_BUDGET:.0f} s {verdict(total <= TOTAL_BUDGET)} |")
    ratio = figures.get("ratio")
    if ratio:
        rows.append(f"| Transformer step, lib / nn.Transformer | {ratio['lib_ms']:.1f} ms / {ratio['nn_ms']:.1f} ms "
                    f"= **{ratio['ratio']:.2f}x** | ≤ {RATIO_BUDGET}x {verdict(ratio['ratio'] <= RATIO_BUDGET)} |")
    tests = figures.get("pytest")
    if tests:
        failure = "failed" if tests["code"] != 0 else "over"
        ok = tests["code"] == 0 and tests["seconds"] <= PYTEST_BUDGET
        rows.append(f"| `pytest` ({tests['summary']}) | {tests['seconds']:.0f} | "
                    f"≤ {PYTEST_BUDGET:.0f} s {verdict(ok, failure)} |")
    return "\n".join(rows) + "\n"


def write_readme(table: str) -> None:
    """Replace the figures between BEGIN and END (or a ``<!-- FIGURES -->`` placeholder line) by ``table``."""
    readme_block.write("BENCHMARK", table, placeholder=PLACEHOLDER)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*")
    parser.add_argument("--pytest", action="store_true", help="also time the full pytest run")
    parser.add_argument("--no-ratio", action="store_true", help="skip the Transformer benchmark")
    parser.add_argument("--cores", type=int, help="run on this many CPU cores only (Linux)")
    parser.add_argument("--readme", action="store_true", help="write the Markdown figures into README.md")
    args = parser.parse_args(argv)
    os.environ["COURSE_PROGRESS"] = "off"
    if args.cores:  # inherited by the kernels and by pytest
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[:args.cores])

    figures = {"machine": machine(), "date": datetime.date.today().isoformat(), "notebooks": [],
               "all": not args.chapters}
    print(f"machine: {figures['machine']}")
    paths = [notebooks.find_solution(c) for c in args.chapters] or sorted(notebooks.SOLUTIONS.glob("*.ipynb"))
    for path in paths:
        seconds = time_notebook(path)
        figures["notebooks"].append((path.stem, seconds))
        flag = "" if seconds <= NOTEBOOK_BUDGET else "  OVER BUDGET"
        print(f"{path.name:32s} {seconds:6.1f} s{flag}", flush=True)
    total = figures["total"] = sum(seconds for _, seconds in figures["notebooks"])
    print(f"{'total':32s} {total:6.1f} s (budget {TOTAL_BUDGET:.0f} s)")
    failed = any(seconds > NOTEBOOK_BUDGET for _, seconds in figures["notebooks"]) or total > TOTAL_BUDGET

    if not args.no_ratio and not args.chapters:
        result = figures["ratio"] = transformer_ratio()
        if result is not None:
            print(f"transformer step: lib {result['lib_ms']:.1f} ms, nn.Transformer {result['nn_ms']:.1f} ms, "
                  f"ratio {result['ratio']:.2f} (budget {RATIO_BUDGET})", flush=True)
            failed |= result["ratio"] > RATIO_BUDGET
    if args.pytest:
        if args.readme and figures["all"]:
            # The README's table is itself tested (tests/test_readme_ci.py): write this run's notebook
            # figures first, so the pytest being timed checks them, then add its own row below.
            write_readme(markdown({**figures, "pytest": {"seconds": 0, "code": 0, "summary": "being measured now"}}))
        tests = figures["pytest"] = time_pytest()
        print(f"pytest: {tests['seconds']:.0f} s, exit code {tests['code']}, {tests['summary']} "
              f"(budget {PYTEST_BUDGET:.0f} s)")
        failed |= tests["code"] != 0 or tests["seconds"] > PYTEST_BUDGET

    table = markdown(figures)
    print("\n" + table, end="")
    out = notebooks.ROOT / "artifacts" / "benchmark.md"
    out.parent.mkdir(exist_ok=True)
    out.write_text(table, encoding="utf-8")
    if args.readme:
        if not figures["all"]:
            raise SystemExit("--readme needs every notebook (no chapter arguments)")
        write_readme(table)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
