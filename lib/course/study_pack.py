"""노트 다시 보기 (issue 22): the learner's notes annotated sentence by sentence, and 핵심 정리
(one page per chapter), as self-contained offline HTML files in ``export.exports_dir()``.

    from lib.course import study_pack
    study_pack.write_all()   # -> [exports/노트-다시-보기.html, exports/핵심-정리.html]
"""

import html
import pathlib

from lib.course import export

NOTES_FILE = "notes-annotated.html"
SUMMARY_FILE = "key-summary.html"


def _page(title: str, body: str) -> str:
    return ("<!DOCTYPE html><html lang='ko'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{export.CSS}</style></head><body>{body}</body></html>")


def write_all() -> list[pathlib.Path]:
    """Write both files into ``export.exports_dir()`` and return their paths (stub: being built)."""
    folder = export.exports_dir()
    out = []
    for name, title in ((NOTES_FILE, "노트 다시 보기"), (SUMMARY_FILE, "핵심 정리")):
        path = folder / name
        path.write_text(_page(title, f"<h1>{title}</h1><p>준비 중입니다.</p>"), encoding="utf-8")
        out.append(path)
    return out
