"""Reproduce the notebook-execution stall under load, and show where client and kernel wait.

    python tools/stall_repro.py                         # 4000 tiny cells, stock nbclient, 2 spinners, <= 10 min
    python tools/stall_repro.py --notebooks 04 06       # the solution notebooks instead (slower to hit)
    python tools/stall_repro.py --client watched        # the same through tools/nbexec.py's client
    python tools/stall_repro.py --busy 0 --minutes 3    # no spinners

Stock nbclient (what the tools and tests used before tools/nbexec.py) waits for each execute_reply
with a single ``socket.poll(timeout)``. Here every cell gets ``--cell-timeout`` seconds (default 60)
so a stall ends quickly. For each cell the script records when the kernel *sent* its reply (the
reply's header date, stamped by the kernel) and when the client *got* it. A stall is a cell whose
reply reached the client more than ``--stall`` seconds after it was sent (the message sat in the
client's socket: a lost wake-up in the client) or whose reply never came (the kernel never answered:
nbclient raises a timeout). While a cell has been pending longer than ``--stall`` seconds, py-spy dumps
of the kernel and of this process, and the kernel threads' wait channels, go to --out.

Spinners are ordinary ``while True: pass`` processes (as seed_sweep --busy): this slows the whole
machine; keep --minutes short on a shared machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbexec  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def synthetic(cells: int):
    """A notebook of many tiny cells: many request/reply round trips per minute."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell("import torch\nx = torch.zeros(4)")]
    nb.cells += [nbformat.v4.new_code_cell(f"x = x + {i % 7}\nprint({i}, float(x.sum()))") for i in range(cells)]
    return nb


def versions() -> dict:
    import importlib.metadata as md
    return {name: md.version(name) for name in ("pyzmq", "jupyter_client", "nbclient", "ipykernel", "tornado", "nbval")}


class Watch:
    """Per-cell timing, and dumps of both processes when a cell stays pending."""

    def __init__(self, out: Path, stall: float):
        self.out, self.stall = out, stall
        self.pending = None          # (cell index, time.time() sent)
        self.kernel_pid = None
        self.records = []
        self.dumped = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.loop, daemon=True)

    def on_execute(self, cell, cell_index, **_):
        self.pending = (cell_index, time.time())

    def on_executed(self, cell, cell_index, execute_reply, **_):
        got = time.time()
        index, sent = self.pending or (cell_index, got)
        self.pending = None
        header = (execute_reply or {}).get("header", {})
        date = header.get("date")
        if isinstance(date, str):
            date = dt.datetime.fromisoformat(date.replace("Z", "+00:00"))
        kernel_sent = date.timestamp() if date else None
        self.records.append({"cell": cell_index, "wait": round(got - sent, 2),
                             "reply_in_socket": round(got - kernel_sent, 2) if kernel_sent else None})

    def loop(self):
        while not self.stop.wait(1.0):
            pending = self.pending
            if pending and time.time() - pending[1] > self.stall and pending not in self.dumped:
                self.dumped.add(pending)
                self.dump(pending)

    def dump(self, pending):
        stamp = dt.datetime.now().strftime("%H%M%S")
        path = self.out / f"stall-{stamp}-cell{pending[0]}.txt"
        parts = [f"cell {pending[0]} pending for {time.time() - pending[1]:.1f} s\n"]
        for label, pid in (("kernel", self.kernel_pid), ("client", os.getpid())):
            if not pid:
                continue
            spy = subprocess.run(["py-spy", "dump", "--pid", str(pid)], capture_output=True, text=True)
            parts.append(f"===== {label} pid {pid}: py-spy dump\n{spy.stdout}{spy.stderr}")
            chans = []
            for task in sorted(Path(f"/proc/{pid}/task").glob("*")):
                try:
                    comm = (task / "comm").read_text().strip()
                    wchan = (task / "wchan").read_text().strip()
                    state = (task / "stat").read_text().split(") ")[1].split()[0]
                    chans.append(f"  tid {task.name} {comm:16s} {state} {wchan}")
                except OSError:
                    pass
            parts.append(f"===== {label} threads (state, wait channel)\n" + "\n".join(chans) + "\n")
        path.write_text("\n".join(parts), encoding="utf-8")
        print(f"  pending > {self.stall:.0f} s: dumps in {path}", flush=True)


def run_stock(nb, cwd, watch: Watch, cell_timeout: int) -> str:
    client = NotebookClient(nb, timeout=cell_timeout, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(cwd)}},
                            on_cell_execute=watch.on_execute, on_cell_executed=watch.on_executed)

    def note_kernel(**_):
        watch.kernel_pid = getattr(client.km.provisioner, "pid", None)
    client.on_notebook_start = note_kernel
    try:
        client.execute()
        return "ok"
    except CellTimeoutError:
        return f"CellTimeoutError at cell {watch.pending[0] if watch.pending else '?'} (the kernel never replied)"


def run_watched(nb, cwd, cell_timeout: int) -> str:
    run = nbexec.execute(nb, cwd=cwd, timeout=cell_timeout, allow_errors=True, name="repro")
    return f"ok, {run.late_replies} late repl(ies) caught by sliced waits" + (f", re-run after {run.stalls}" if run.retried else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--notebooks", nargs="*", help="solution chapter numbers (default: a synthetic notebook)")
    parser.add_argument("--cells", type=int, default=4000, help="cells of the synthetic notebook")
    parser.add_argument("--client", choices=["stock", "watched"], default="stock")
    parser.add_argument("--busy", type=int, default=2, help="spinning processes (default 2)")
    parser.add_argument("--minutes", type=float, default=10, help="stop starting new runs after this long")
    parser.add_argument("--cell-timeout", type=int, default=60)
    parser.add_argument("--stall", type=float, default=5, help="seconds a reply may take before it counts as a stall")
    parser.add_argument("--out", type=Path, default=Path("/tmp/stall-repro"))
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    os.environ["COURSE_PROGRESS"] = "off"
    print("versions:", json.dumps(versions()), flush=True)

    import seed_sweep  # noqa: PLC0415 (its Busy context)
    jobs = ([(p, nbformat.read(str(p), as_version=4)) for p in seed_sweep.find_notebooks(args.notebooks)]
            if args.notebooks is not None else [(ROOT / "solutions" / "synthetic.ipynb", synthetic(args.cells))])
    stalls, runs, cells = 0, 0, 0
    end = time.time() + 60 * args.minutes
    with seed_sweep.Busy(args.busy) if args.busy else _Null():
        while time.time() < end:
            for path, template in jobs:
                if time.time() >= end:
                    break
                nb = nbformat.from_dict(json.loads(json.dumps(template)))
                started = time.perf_counter()
                if args.client == "stock":
                    watch = Watch(args.out, args.stall)
                    watch.thread.start()
                    status = run_stock(nb, path.parent, watch, args.cell_timeout)
                    watch.stop.set()
                    slow = [r for r in watch.records if (r["reply_in_socket"] or 0) > args.stall
                            or (r["reply_in_socket"] is None and r["wait"] > args.stall)]
                    stalls += len(slow) + status.startswith("CellTimeoutError")
                    cells += len(watch.records)
                    detail = "; ".join(f"cell {r['cell']}: waited {r['wait']} s, reply sat {r['reply_in_socket']} s "
                                       f"after the kernel sent it" for r in slow)
                else:
                    status = run_watched(nb, path.parent, args.cell_timeout)
                    detail = ""
                runs += 1
                print(f"{path.stem:24s} {time.perf_counter() - started:7.1f} s  {status}  {detail}", flush=True)
    print(f"{runs} run(s), {cells} cell(s) timed, {stalls} stall(s) (> {args.stall} s); dumps in {args.out}")
    return 0


class _Null:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


if __name__ == "__main__":
    sys.exit(main())
