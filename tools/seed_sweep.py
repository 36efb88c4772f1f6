"""Re-execute solution notebooks with their seeds shifted, and record which ones still run clean.

Spec section 5: every ``assert`` about an experiment's result must hold with the seeds shifted by
1, 2, 3 and 4, in three kinds of perturbation. A notebook "holds" for a shift when it runs top to
bottom without an error, i.e. every assert in it held. The result is a Markdown table in
docs/seed_sweep.md.

    python tools/seed_sweep.py                          # all solutions, all three kinds, shifts 1 2 3 4
    python tools/seed_sweep.py 03 --kind model --shifts 1 2   # one chapter, one kind, two shifts
    python tools/seed_sweep.py 02 05 --kind data        # only these chapters, only the data seeds
    python tools/seed_sweep.py --busy                   # while two spinning processes keep both cores busy

How the seeds move: a hidden first cell (never stored) wraps the seeding entry points so that a seed
``s`` a notebook or lib asks for becomes ``s + k`` -- but only for the entry points of the chosen kind:

- ``model`` (model/batch seeds; the data fixed): ``lib.utils.set_seed`` -- so the global RNGs it seeds
  (model initialisation, dropout, anything drawn without an explicit generator) and the
  ``torch.Generator`` it returns (the batches chapters 01-02 draw with it) -- and the global seeders
  ``torch.manual_seed``, ``random.seed``, ``numpy.random.seed`` called directly (so
  ``keras.utils.set_random_seed``, which calls them, moves too).
- ``data`` (data seeds; the model fixed): every other explicit generator -- ``torch.Generator()``
  seeded anywhere else (the lib.data tasks' training/test sets, probes), ``random.Random(seed)`` (the
  toy corpus of lib.corpus and ``TranslationData.batches``' batch order), ``numpy.random.default_rng``.
- ``all``: both of the above (what the sweep did before kinds existed: every seed shifted).

Each entry point shifts its seed once: inside ``set_seed`` nothing is shifted again (its own
``torch.manual_seed`` and ``torch.Generator`` calls are the model seed, not a data seed), so ``all`` is
exactly ``model`` + ``data`` and no seed moves twice. Check a kind on one chapter quickly with
``python tools/seed_sweep.py 03 --kind model --shifts 1``.

Notebooks run one at a time through tools/nbexec.py (a kernel that stops answering is re-run once on a
fresh kernel, and the table marks it), with COURSE_PROGRESS=off, so a sweep never marks a learner's
exercise as done. Every cell runs even after a failure, so a row names every failing cell. Results are
merged into the table: re-running a subset updates only those rows (the raw data sits in an HTML
comment at the end of the Markdown file).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbexec  # noqa: E402  (tools/nbexec.py: the one way notebooks are executed here)

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS = ROOT / "solutions"
OUT = ROOT / "docs" / "seed_sweep.md"
DATA_MARK = "<!-- seed-sweep-data"

PREAMBLE = r"""
# seed-sweep preamble (injected by tools/seed_sweep.py, never stored)
import os as _os, random as _random, time as _time
import numpy as _np
import torch as _torch
import lib.utils as _lib_utils

_SHIFT = int(_os.environ["COURSE_SEED_SWEEP_SHIFT"])
_KINDS = {"all": {"model", "data"}, "model": {"model"}, "data": {"data"}}[_os.environ["COURSE_SEED_SWEEP_KIND"]]
_DEPTH = [0]   # > 0 inside an entry point that already shifted: nothing inside it shifts again
_Generator, _Random = _torch.Generator, _random.Random
_manual_seed, _random_seed, _np_seed, _default_rng = (
    _torch.manual_seed, _random.seed, _np.random.seed, _np.random.default_rng)
_set_seed = _lib_utils.set_seed


def _shift(seed, kind):
    if _DEPTH[0] or kind not in _KINDS or isinstance(seed, bool) or not isinstance(seed, int):
        return seed
    return seed + _SHIFT


def _entry(function, kind, seed_index):
    # Wrap a seeding entry point: shift its seed argument once, and nothing it calls.
    def wrapped(*args, **kwargs):
        args = list(args)
        if "seed" in kwargs:
            kwargs["seed"] = _shift(kwargs["seed"], kind)
        elif len(args) > seed_index:
            args[seed_index] = _shift(args[seed_index], kind)
        _DEPTH[0] += 1
        try:
            return function(*args, **kwargs)
        finally:
            _DEPTH[0] -= 1
    wrapped.__name__, wrapped.__doc__, wrapped.__wrapped__ = function.__name__, function.__doc__, function
    return wrapped


class _ShiftedGenerator(_Generator):          # an explicit torch.Generator: data
    def manual_seed(self, seed):
        return super().manual_seed(_shift(int(seed), "data"))


class _ShiftedRandom(_Random):                # an explicit random.Random: data (the toy corpus)
    def seed(self, a=None, version=2):
        super().seed(_shift(a, "data"), version)


# model/batch seeds: lib.utils.set_seed (and the generator it returns) and the global RNGs
_lib_utils.set_seed = _entry(_set_seed, "model", 0)
_torch.manual_seed = lambda seed: _manual_seed(_shift(int(seed), "model"))
_random.seed = lambda a=None, version=2: _random_seed(_shift(a, "model"), version)
_np.random.seed = lambda seed=None: _np_seed(_shift(seed, "model"))
# data seeds: every other explicit generator (lib.data tasks, test sets, lib.corpus's corpus and batch order)
_torch.Generator = _ShiftedGenerator
_random.Random = _ShiftedRandom
_np.random.default_rng = lambda seed=None, *a, **k: _default_rng(_shift(seed, "data"), *a, **k)
_CPU_START = _time.process_time()
"""

EPILOGUE = 'print("seed-sweep-cpu", round(_time.process_time() - _CPU_START, 1))'



def find_notebooks(chapters: list[str]) -> list[Path]:
    every = sorted(SOLUTIONS.glob("[0-9][0-9]_*.ipynb"))
    if not chapters:
        return every
    chosen = []
    for chapter in chapters:
        hits = [p for p in every if p.name.startswith(chapter.zfill(2) + "_") or p.stem == chapter]
        if not hits:
            raise SystemExit(f"no solution notebook for {chapter!r}")
        chosen.extend(hits)
    return chosen


def _errors(nb) -> list[tuple[str, str]]:
    """(cell id, 'Name: message') of every cell whose outputs hold an error, in order."""
    found = []
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = f"{output.get('ename', '')}: {output.get('evalue', '')}".strip()
                found.append((cell.get("id", f"#{index}"), message.splitlines()[0][:160] if message else ""))
                break
    return found


def run_one(path: Path, shift: int, timeout: int, kind: str = "all") -> dict:
    """Execute one notebook in memory with the ``kind`` seeds shifted by ``shift``.

    Every cell runs even after a failing one, so the result names every failing cell (a later
    failure may be a consequence of an earlier one: the first is the one to read).
    """
    nb = nbformat.read(str(path), as_version=4)
    preamble = nbformat.v4.new_code_cell(PREAMBLE)
    preamble["id"] = "seed-sweep-preamble"
    nb.cells.insert(0, preamble)
    epilogue = nbformat.v4.new_code_cell(EPILOGUE)
    epilogue["id"] = "seed-sweep-epilogue"
    nb.cells.append(epilogue)
    env = {"COURSE_SEED_SWEEP_SHIFT": str(shift), "COURSE_SEED_SWEEP_KIND": kind}
    started = time.perf_counter()
    result = {"ok": True, "cell": "", "error": ""}
    try:
        run = nbexec.execute(nb, cwd=path.parent, timeout=timeout, allow_errors=True, env=env,
                             name=f"{path.stem} {kind}+{shift}")
        errors = _errors(nb)
        if run.retried:
            result["retried"] = True
        if errors:
            cell, message = errors[0]
            more = [c for c, _ in errors[1:]]
            if more:
                message += f" (also failing: {', '.join(more[:4])}{' …' if len(more) > 4 else ''})"
            result = {"ok": False, "cell": cell, "error": message or "error"}
    except nbexec.ExecutionFailed as error:   # timeout, dead kernel, a kernel that stopped answering twice
        cell = error.cell_id or "-"
        result = {"ok": False, "cell": cell, "error": str(error)[:160]}
    except Exception as error:  # the kernel did not start, a cell's output could not be read, ...
        result = {"ok": False, "cell": "-", "error": f"{type(error).__name__}: {error}"[:160]}
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["cpu"] = _kernel_cpu(nb)
    return result


def _kernel_cpu(nb) -> float | None:
    """CPU seconds the kernel spent on the notebook (printed by the epilogue cell), or None."""
    for output in nb.cells[-1].get("outputs", []):
        match = re.search(r"seed-sweep-cpu ([\d.]+)", output.get("text", ""))
        if match:
            return float(match.group(1))
    return None


class Busy:
    """Two processes spinning on the CPU for the duration of a ``with`` block."""

    def __init__(self, count: int = 2):
        self.count, self.procs = count, []

    def __enter__(self):
        spin = "while True:\n    pass\n"
        self.procs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(self.count)]
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            proc.kill()
        for proc in self.procs:
            proc.wait()


def load_data_text(text: str) -> dict:
    """The raw results kept in the table's trailing HTML comment ({} when there are none)."""
    match = re.search(re.escape(DATA_MARK) + r"\n(.*?)\n-->", text, re.S)
    return json.loads(match.group(1)) if match else {}


def load_data(out: Path) -> dict:
    return load_data_text(out.read_text(encoding="utf-8")) if out.exists() else {}


KINDS = ("all", "model", "data")
KIND_TEXT = {
    "all": "every seed shifted",
    "model": ("only the model/batch seeds shifted (`lib.utils.set_seed` and the global RNGs: initialisation, dropout, "
              "batches drawn from the generator `set_seed` returns); the data fixed"),
    "data": ("only the data seeds shifted (every other explicit generator: the lib.data tasks' sets, the toy corpus "
             "and `TranslationData.batches`' order); the model fixed"),
}


def _key(notebook: str, kind: str, mode: str) -> str:
    return f"{notebook}|{kind}|{mode}"


def _migrate(data: dict) -> dict:
    """Rows written before kinds existed (key 'notebook|mode') shifted every seed: kind 'all'."""
    out = {}
    for key, row in data.items():
        row.setdefault("kind", "all")
        out[_key(row["notebook"], row["kind"], row["mode"])] = row
    return out


def render(data: dict) -> str:
    shifts = sorted({int(s) for row in data.values() for s in row["runs"]})
    lines = [
        "# Seed sweep: do the notebooks' asserts hold on other seeds?",
        "",
        "Generated by `python tools/seed_sweep.py` (spec section 5). Each solution notebook is re-executed",
        "with seeds shifted by *k*, in three kinds of perturbation (see the tool's docstring for exactly",
        "which calls each kind moves):",
        "",
    ] + [f"- `{kind}`: {KIND_TEXT[kind]};" for kind in KINDS] + [
        "",
        "✅ = the notebook ran top to bottom, so every `assert` in it held; ❌ = the first failing cell",
        "and its error (later failing cells in brackets). Shift 0 is the stored solution itself, which",
        "nbval checks on every `pytest` run. `busy` rows ran while two other processes kept both CPU cores",
        "loaded. Times are wall-clock on the machine that ran the sweep (other work was running) and the",
        "kernel's CPU time; for information only, nothing asserts on them. 🔁 = the kernel stopped",
        "answering once and the notebook was re-run on a fresh kernel (tools/nbexec.py).",
        "",
        "| notebook | kind | mode | " + " | ".join(f"shift {s}" for s in shifts) + " | holds |",
        "|---|---|---|" + "---|" * len(shifts) + "---|",
    ]
    order = {kind: i for i, kind in enumerate(KINDS)}
    for key in sorted(data, key=lambda k: (data[k]["notebook"], order.get(data[k]["kind"], 9), data[k]["mode"])):
        row = data[key]
        cells, held, ran = [], 0, 0
        for shift in shifts:
            run = row["runs"].get(str(shift))
            if run is None:
                cells.append("—")
                continue
            ran += 1
            retried = " 🔁" if run.get("retried") else ""
            if run["ok"]:
                held += 1
                cpu = f", CPU {run['cpu']:.0f} s" if run.get("cpu") is not None else ""
                cells.append(f"✅ {run['seconds']:.0f} s{cpu}{retried}")
            else:
                error = run["error"].replace("|", "\\|")
                cells.append(f"❌ {run['cell']}: {error}{retried}")
        lines.append(f"| {row['notebook']} | {row['kind']} | {row['mode']} | " + " | ".join(cells)
                     + f" | {held}/{ran} |")
    stamps = sorted({row["date"] for row in data.values()})
    lines += ["", f"Last run: {stamps[-1] if stamps else '-'} (UTC).", "",
              DATA_MARK, json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True), "-->", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("chapters", nargs="*", help="chapter numbers (default: every solution)")
    parser.add_argument("--kind", nargs="+", choices=KINDS, default=list(KINDS),
                        help="which seeds move: all, model (data fixed), data (model fixed); default: all three")
    parser.add_argument("--shifts", nargs="+", type=int, default=[1, 2, 3, 4])
    parser.add_argument("--busy", action="store_true", help="keep both cores busy with two spinners")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)

    os.environ["COURSE_PROGRESS"] = "off"
    os.environ.setdefault("MPLBACKEND", "Agg")
    mode = "busy" if args.busy else "idle"
    data = _migrate(load_data(args.out))
    paths = find_notebooks(args.chapters)
    failures = 0
    context = Busy() if args.busy else None
    if context:
        context.__enter__()
    try:
        for path in paths:
            for kind in args.kind:
                row = data.setdefault(_key(path.stem, kind, mode),
                                      {"notebook": path.stem, "kind": kind, "mode": mode, "runs": {}})
                for shift in args.shifts:
                    result = run_one(path, shift, args.timeout, kind)
                    row["runs"][str(shift)] = result
                    row["date"] = _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M")
                    failures += not result["ok"]
                    status = "ok" if result["ok"] else f"FAIL {result['cell']}: {result['error']}"
                    retried = " (re-run on a fresh kernel after a stall)" if result.get("retried") else ""
                    print(f"{path.stem:28s} {kind:5s} {mode} shift {shift}: {status} "
                          f"({result['seconds']} s, CPU {result['cpu']} s){retried}", flush=True)
                    args.out.parent.mkdir(parents=True, exist_ok=True)
                    args.out.write_text(render(data), encoding="utf-8")
    finally:
        if context:
            context.__exit__(None, None, None)
    print(f"wrote {args.out}  ({failures} failing run(s))")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
