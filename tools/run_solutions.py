"""Execute solution notebooks in place (storing outputs for nbval), then regenerate chapters.

    python tools/run_solutions.py            # all
    python tools/run_solutions.py 01 04      # only these

Runs with COURSE_PROGRESS=off: executing solutions never marks a learner's exercise as done.
"""

import os
import sys
import time

import nbformat
from nbclient import NotebookClient

from lib.course import notebooks


def execute(path, timeout=600) -> float:
    nb = notebooks.read(path)
    started = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    elapsed = time.perf_counter() - started
    nbformat.write(nb, str(path))
    return elapsed


def main(argv=None) -> int:
    os.environ["COURSE_PROGRESS"] = "off"
    chapters = (argv if argv is not None else sys.argv[1:])
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
