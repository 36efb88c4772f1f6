"""Write 노트 다시 보기: the annotated notes and 핵심 정리 (one page per chapter) into exports/.

    python tools/study_pack.py

Both are self-contained HTML files (font, figures and formulas embedded; no network): open them in
JupyterLab, a browser, a phone, or print them on A4. The most-missed items are read from your progress
file now, so run it again after studying to refresh them. COURSE_EXPORTS_DIR changes the folder.
Same as ``from lib.course import study_pack; study_pack.write_all()`` (the button in chapter 11).
"""

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))  # run from anywhere without -e install

from lib.course import study_pack  # noqa: E402


def main(argv=None) -> int:
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args(argv)
    problems = study_pack.problems()
    for problem in problems:
        print("경고:", problem, file=sys.stderr)
    for path in study_pack.write_all():
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
