"""The course's outline: the chapters (spec section 2), the notes' sections in order with the claims
they make, and where in a chapter notebook each claim is taught (found from the notebook's headings).

Pure logic: reads solutions/ notebooks; imports no widget or plot code.
"""

import functools
import pathlib
import re

from lib.course import notebooks

CHAPTERS = {
    "00": ("00_start", "시작하기"),
    "01": ("01_rnn", "RNN"),
    "02": ("02_lstm_gru", "LSTM과 GRU"),
    "03": ("03_seq2seq", "인코더-디코더(seq2seq)"),
    "04": ("04_attention", "어텐션"),
    "05": ("05_from_logits", "from_logits와 교차 엔트로피"),
    "06": ("06_self_attention", "셀프 어텐션과 크로스 어텐션"),
    "07": ("07_transformer_layers", "트랜스포머 층: 위치 인코딩, 멀티 헤드, Add & Norm"),
    "08": ("08_causal_attention", "인과 셀프 어텐션과 마스킹"),
    "09": ("09_transformer", "번역을 위한 트랜스포머"),
    "10": ("10_keras", "노트의 Keras 코드 그대로"),
    "11": ("11_review", "복습과 모의 기말"),
}

# The notes in order: (section heading or bullet, a phrase of it the chapters quote, claims).
NOTES_OUTLINE = [
    ("머리말", "방통대 딥러닝을 공부하던 내용을 정리", ["C0"]),
    ("인코더-디코더 구조", "하나의 문맥 벡터(context vector)로 요약", ["C1"]),
    ("어텐션", "가중 평균으로 문맥 벡터를 만들어", ["C2", "C3", "C4"]),
    ("RNN", "이미지 데이터는 주로 CNN", ["C5", "C6", "C7"]),
    ("RNN, LSTM, GRU", "LSTM은 RNN보다 더 긴 시퀀스", ["C8", "C9"]),
    ("인코더-디코더 구조 (그림 image-4.png)", "마지막 은닉 상태가 입력된 문장의 내용을 요약", ["C10"]),
    ("이 코드에 from_logits=True 옵션을 준 이유", "비용이 크기 때문에", ["C11"]),
    ("위치 인코딩", "토큰의 시퀀스 내 위치를 나타내는 값", ["C12"]),
    ("셀프 어텐션", "하나의 시퀀스 안에 있는 항목들 사이", ["C13"]),
    ("크로스 어텐션", "인코더와 디코더 사이를 가로질러", ["C14"]),
    ("계층 정규화", "학습을 안정적으로 만들기 위한 정규화", ["C15"]),
    ("트랜스포머의 특징", "위치 정보를 위치 인코딩을 통해 부여", ["C16"]),
    ("셀프 어텐션 메커니즘", "멀리 떨어진 단어들 사이의 의존 관계", ["C17", "C18", "C19"]),
    ("디코더", "디코더 층을 N번 쌓음", ["C20"]),
    ("트랜스포머", "인과 셀프 어텐션, 인코더와 디코더 사이에서 작용하는 크로스 어텐션", ["C18", "C19", "C21"]),
    ("인과 셀프 어텐션", "인코더 쪽의 출력은 입력으로 받지 않는다", ["C22"]),
    ("번역을 위한 트랜스포머를 구현하기 위한 코드의 일부", "context, x = inputs", ["C23"]),
    ("맺음말", "수십번을 더 볼 것이다", ["C0"]),
]


def _note_sections() -> dict:
    """claim -> the note section(s) it comes from ("셀프 어텐션 메커니즘 · 트랜스포머")."""
    sections = {}
    for section, _phrase, claims in NOTES_OUTLINE:
        for claim in claims:
            sections.setdefault(claim, []).append(section)
    return {claim: " · ".join(names) for claim, names in sections.items()}


NOTE_SECTION = _note_sections()

# Layout v1 (until 2026-11) had 06_transformer_parts, 07_causal_attention, 08_transformer, 09_review.
# v1's 06 was split into 06 and 07; v1's 07 -> 08, 08 -> 09, 09 -> 11; 10 is new.
LEGACY_CHAPTERS = {"07": "08", "08": "09", "09": "11"}

REVIEW_CHAPTER = "11"


def chapter_link(chapter: str) -> str:
    """Markdown link to a chapter notebook, relative (chapters/ and solutions/ hold the same names)."""
    stem, title = CHAPTERS[chapter]
    return f"[{chapter} {title}]({stem}.ipynb)"


def _squash(text: str) -> str:
    """Markdown text without quote marks and line breaks, for phrase search."""
    return re.sub(r"\s+", " ", re.sub(r"(?m)^\s*>\s?", "", text)).replace("&emsp;", "")


# Words a chapter's heading uses for a claim (to find the section when the heading has no claim id).
CLAIM_KEYWORDS = {
    "C0": ["공부하는 방법"], "C1": ["인코더-디코더"], "C2": ["가중 평균"], "C3": ["긴 문장"],
    "C4": ["어텐션 맵"], "C5": ["CNN"], "C6": ["더 긴 입력"], "C7": ["앞쪽 정보"], "C8": ["기억 과제"],
    "C9": ["파라미터 수"], "C10": ["문맥 벡터"], "C11": ["수치 안정성"], "C12": ["위치 인코딩"],
    "C13": ["셀프 어텐션"], "C14": ["크로스 어텐션"], "C15": ["계층 정규화"], "C16": ["트랜스포머 ="],
    "C17": ["모든 토큰"], "C18": ["빨리", "병렬"], "C19": ["멀티 헤드", "헤드마다"], "C20": ["디코더 층"],
    "C21": ["세 가지 어텐션"], "C22": ["미래", "인과"], "C23": ["노트의 코드"],
}


@functools.lru_cache(maxsize=32)
def _sections(path: pathlib.Path, mtime: float) -> tuple:
    """((heading, id of the heading's cell, text under the heading), ...) for a notebook's markdown."""
    out, heading, cell_id, lines = [], "", "", []
    for cell in notebooks.read(path).cells:
        if cell.cell_type != "markdown":
            continue
        for line in cell.source.split("\n"):
            match = re.match(r"#{1,3}\s+(.*)", line)
            if match:
                out.append((heading, cell_id, _squash("\n".join(lines))))
                heading, cell_id, lines = match.group(1).strip(), cell.get("id", ""), []
            else:
                lines.append(line)
        lines.append("")
    out.append((heading, cell_id, _squash("\n".join(lines))))
    return tuple(entry for entry in out if entry[0])


def _find_section(chapter: str, claim: str):
    """(heading, cell id) of the chapter's section about ``claim``, or None (see notebook_section)."""
    path = notebooks.SOLUTIONS / f"{CHAPTERS[chapter][0]}.ipynb"
    if not path.exists():
        return None
    sections = _sections(path, path.stat().st_mtime)
    phrases = [_squash(phrase) for _, phrase, claims in NOTES_OUTLINE if claim in claims]
    words = CLAIM_KEYWORDS.get(claim, [])

    def names(text):
        return re.search(rf"\b{claim}\b", text) is not None

    tests = (lambda h, t: names(h), lambda h, t: any(w in h for w in words),
             lambda h, t: any(p in t for p in phrases), lambda h, t: names(t))
    for test in tests:
        for heading, cell_id, text in sections[1:] or sections:  # the title only if nothing else
            if test(heading, text):
                return heading, cell_id
    return None


def notebook_section(chapter: str, claim: str) -> str | None:
    """The heading of the chapter's section about ``claim``: the first heading naming the claim id,
    else using one of its ``CLAIM_KEYWORDS``, else the section quoting the notes' phrase, else the
    first section naming the claim; None if the chapter's solution notebook does not exist (yet)
    or nothing matches. The chapter's title counts only when it is its only heading."""
    found = _find_section(chapter, claim)
    return found[0] if found else None


def section_link(chapter: str, claim: str, prefix: str = "") -> str:
    """Markdown link to the chapter notebook, at the section about ``claim`` when there is one.

    The target ``name.ipynb#cell-id=<id>`` makes JupyterLab open the notebook scrolled to that
    heading's cell (cell ids are kept when chapters/ is generated from solutions/); elsewhere the
    notebook opens at the top and the link text names the section.
    """
    stem, title = CHAPTERS[chapter]
    found = _find_section(chapter, claim)
    if found is None:
        return f"[{chapter} {title}]({prefix}{stem}.ipynb)"
    heading, cell_id = found
    target = f"{prefix}{stem}.ipynb" + (f"#cell-id={cell_id}" if cell_id else "")
    return f"[{chapter} {title} › {heading}]({target})"


def heading_at(chapter: str, cell_id: str) -> str | None:
    """The heading that the cell ``cell_id`` of the chapter's solution notebook opens with; None if it
    opens with none (or the notebook does not exist yet)."""
    path = notebooks.SOLUTIONS / f"{CHAPTERS[chapter][0]}.ipynb"
    if not cell_id or not path.exists():
        return None
    return next((heading for heading, cell, _text in _sections(path, path.stat().st_mtime) if cell == cell_id), None)


def item_link(item, prefix: str = "") -> str:
    """Markdown link to where a quiz item is taught: the heading cell ``item.cell`` when the bank gives
    one (``lib.course.bank``), else the section about its claim (``section_link``)."""
    cell = getattr(item, "cell", "")
    heading = heading_at(item.chapter, cell) if cell and item.chapter in CHAPTERS else None
    if heading is None:
        return section_link(item.chapter, item.claim, prefix)
    stem, title = CHAPTERS[item.chapter]
    return f"[{item.chapter} {title} › {heading}]({prefix}{stem}.ipynb#cell-id={cell})"
