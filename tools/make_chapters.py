"""Generate chapters/ from solutions/ (exercise stubs, no outputs).

    python tools/make_chapters.py            # all chapters; skips chapters a learner edited
    python tools/make_chapters.py 03 05      # only these
    python tools/make_chapters.py --fresh 03 # a fresh copy beside the learner's chapter 03
    python tools/make_chapters.py --force    # overwrite even edited chapters (maintainers only)
"""

import argparse
import sys

from lib.course import notebooks


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="chapter numbers, e.g. 01 03 (default: all)")
    parser.add_argument("--fresh", action="store_true", help="write a fresh copy beside the learner's file")
    parser.add_argument("--force", action="store_true", help="overwrite learner-edited chapters")
    args = parser.parse_args(argv)

    if args.fresh:
        for chapter in args.chapters:
            notebooks.start_over(chapter)
        return 0
    solutions = [notebooks.find_solution(c) for c in args.chapters] or sorted(notebooks.SOLUTIONS.glob("*.ipynb"))
    refused = 0
    for solution in solutions:
        try:
            target = notebooks.write_chapter(solution, force=args.force)
            print(f"ok       {target.relative_to(notebooks.ROOT)}")
        except notebooks.LearnerEditsError as error:
            refused += 1
            print(f"skipped  {error}", file=sys.stderr)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
