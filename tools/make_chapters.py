"""Generate chapters/ from solutions/ (exercise stubs, no outputs).

    python tools/make_chapters.py            # all chapters; skips chapters a learner edited
    python tools/make_chapters.py 03 05      # only these
    python tools/make_chapters.py --fresh 03 # a fresh copy beside the learner's chapter 03
    python tools/make_chapters.py --force    # overwrite even edited chapters (maintainers only)

Messages are in Korean: learners run ``--fresh`` themselves.
"""

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # this checkout's lib, so its own chapters/
from lib.course import notebooks  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="solutions/에서 chapters/를 만듭니다 (답 자리는 빈칸, 출력 없음).",
        epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chapters", nargs="*", help="장 번호, 예: 01 03 (생략하면 모든 장)")
    parser.add_argument("--fresh", action="store_true", help="내 파일은 그대로 두고 옆에 새 빈 사본을 만듭니다")
    parser.add_argument("--force", action="store_true", help="학습자가 고친 장도 덮어씁니다 (관리자용)")
    args = parser.parse_args(argv)

    try:
        if args.fresh:
            if not args.chapters:
                print("--fresh에는 장 번호가 필요합니다. 예: python tools/make_chapters.py --fresh 03", file=sys.stderr)
                return 2
            for chapter in args.chapters:
                notebooks.start_over(chapter)
            return 0
        solutions = [notebooks.find_solution(c) for c in args.chapters] or sorted(notebooks.SOLUTIONS.glob("*.ipynb"))
    except FileNotFoundError as error:
        print(f"해당하는 장이 없습니다: {error}", file=sys.stderr)
        return 2
    refused = 0
    for solution in solutions:
        try:
            target = notebooks.write_chapter(solution, force=args.force)
            print(f"만듦      {target.relative_to(notebooks.ROOT)}")
        except notebooks.LearnerEditsError as error:
            refused += 1
            print(f"건너뜀    {error}", file=sys.stderr)
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
