"""Run a command several times in a row while two spinning processes keep both CPU cores busy.

    python tools/busy_runs.py --runs 3 -- pytest          # the whole suite, three times, under load
    python tools/busy_runs.py --runs 1 --busy 0 -- pytest  # the same without spinners

The evidence issue 24 asks for: every notebook run in the suite goes through tools/nbexec.py, which says
on stderr (and as a ``NotebookRetried`` warning) when a kernel stopped answering and the notebook was
re-run. This script runs the command, keeps its whole output in ``--log-dir``, and reports per run the
wall time, the exit code, pytest's summary line and every stall notice found in the output. A run with
no stall notice and exit code 0 is clean. Nothing here asserts on time.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from seed_sweep import Busy  # noqa: E402

# What tools/nbexec.py prints when it notices a kernel that stopped answering (see nbexec._say / KernelStalled).
STALL_NOTICE = re.compile(r"stopped answering|NotebookRetried|KernelStalled", re.IGNORECASE)
SUMMARY = re.compile(r"^=*\s*(\d+ (passed|failed).*) in [\d.]+s", re.MULTILINE)


class _Idle:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return None


def run_once(command: list[str], log: Path) -> dict:
    start = time.monotonic()
    with log.open("w", encoding="utf-8") as out:
        code = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT).returncode
    seconds = time.monotonic() - start
    text = log.read_text(encoding="utf-8", errors="replace")
    summary = SUMMARY.findall(text)
    stalls = sorted({line.strip()[:200] for line in text.splitlines() if STALL_NOTICE.search(line)})
    return {"seconds": seconds, "code": code, "summary": summary[-1][0] if summary else "", "stalls": stalls}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--busy", type=int, default=2, help="spinning processes (default 2)")
    parser.add_argument("--log-dir", type=Path, default=None, help="where each run's output goes (default: a temp dir)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --, e.g. `-- pytest`")
    log_dir = args.log_dir or Path(tempfile.mkdtemp(prefix="busy-runs-"))
    log_dir.mkdir(parents=True, exist_ok=True)
    print(f"{' '.join(command)}: {args.runs} run(s), {args.busy} spinner(s), {os.cpu_count()} cores; logs in {log_dir}")
    clean = 0
    with Busy(args.busy) if args.busy else _Idle():
        for number in range(1, args.runs + 1):
            started = dt.datetime.now().strftime("%H:%M:%S")
            result = run_once(command, log_dir / f"run-{number}.log")
            ok = result["code"] == 0 and not result["stalls"]
            clean += ok
            print(f"run {number} (start {started}): {result['seconds']:.0f} s, exit {result['code']}, "
                  f"{result['summary'] or 'no pytest summary'}, stall notices: {len(result['stalls'])}"
                  + ("" if ok else " <- not clean"), flush=True)
            for line in result["stalls"]:
                print(f"    {line}")
    print(f"{clean} of {args.runs} run(s) clean (exit 0, no stall notice)")
    return 0 if clean == args.runs else 1


if __name__ == "__main__":
    sys.exit(main())
