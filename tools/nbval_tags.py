"""Move nbval's output-ignore marker from a comment in the cell to a cell-metadata tag (spec section 5).

    python tools/nbval_tags.py                 # every notebook in solutions/
    python tools/nbval_tags.py 08 09           # only these chapters

A code cell whose first line is ``# NBVAL_IGNORE_OUTPUT`` loses that line and gets the tag
``nbval-ignore-output`` instead, so the learner never reads a test marker. Run tools/make_chapters.py
(or tools/run_solutions.py) afterwards: chapters/ copies the tags from solutions/.
"""

import sys

import nbformat

from lib.course import notebooks

MARKER = "# NBVAL_IGNORE_OUTPUT"
TAG = "nbval-ignore-output"


def move_marker(cell) -> bool:
    """Replace the comment marker of one code cell by the tag; True if the cell changed."""
    lines = cell.source.split("\n")
    if cell.cell_type != "code" or not lines or lines[0].strip() != MARKER:
        return False
    cell.source = "\n".join(lines[1:])
    tags = cell.metadata.setdefault("tags", [])
    if TAG not in tags:
        tags.append(TAG)
    return True


def main(argv=None) -> int:
    chapters = argv if argv is not None else sys.argv[1:]
    paths = [notebooks.find_solution(c) for c in chapters] or sorted(notebooks.SOLUTIONS.glob("*.ipynb"))
    for path in paths:
        nb = notebooks.read(path)
        moved = sum(move_marker(cell) for cell in nb.cells)
        if moved:
            nbformat.write(nb, str(path))
        print(f"{path.name:32s} {moved} cell(s) tagged")
    return 0


if __name__ == "__main__":
    sys.exit(main())
