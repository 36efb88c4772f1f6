"""Execute solution notebooks in place (storing outputs for nbval), then regenerate chapters.

    python tools/run_solutions.py            # all
    python tools/run_solutions.py 01 04      # only these

Runs with COURSE_PROGRESS=off: executing solutions never marks a learner's exercise as done.
Notebooks run through tools/nbexec.py: a kernel that stops answering is noticed within seconds and the
notebook is re-run once on a fresh kernel (it says so), instead of waiting for the cell timeout.
"""

import os
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import nbexec  # noqa: E402

from lib.course import notebooks  # noqa: E402


def execute(path, timeout=600) -> float:
    nb = notebooks.read(path)
    run = nbexec.execute(nb, cwd=path.parent, timeout=timeout, name=path.stem)
    nbformat.write(nb, str(path))
    return run.seconds


def main(argv=None) -> int:
    os.environ["COURSE_PROGRESS"] = "off"
    chapters = (argv if argv is not None else sys.argv[1:])
    if any(arg in ("-h", "--help") for arg in chapters):
        print(__doc__)
        return 0
    paths = [notebooks.find_solution(c) for c in chapters] or sorted(notebooks.SOLUTIONS.glob("*.ipynb"))
    for path in paths:
        elapsed = execute(path)
        print(f"{path.name:40s} {elapsed:6.1f} s")
        try:
            notebooks.write_chapter(path)
        except notebooks.LearnerEditsError as error:
            print(f"  chapter not regenerated: {error}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
