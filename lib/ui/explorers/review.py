"""Chapter 09: today's review session (widget), the progress dashboard, "what to revisit".

The logic lives in ``lib.course.scheduler`` (pure); this module turns it into widgets, plots and Markdown.
``ReviewView.choose(choice)`` / ``ReviewView.next()`` are what the buttons do, so tests drive
the view without a browser.
"""

import functools
import pathlib
import re
import warnings
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from lib.course import notebooks, progress
from lib.course import scheduler as review
from lib.course.checks import EXERCISES
from lib.course.claims import CLAIMS
from lib.ui.fonts import use_korean_font
from lib.course.quiz import MARKS, _to_html, grade

CHAPTERS = {
    "00": ("00_start", "시작하기"),
    "01": ("01_rnn", "RNN"),
    "02": ("02_lstm_gru", "LSTM과 GRU"),
    "03": ("03_seq2seq", "인코더-디코더(seq2seq)"),
    "04": ("04_attention", "어텐션"),
    "05": ("05_from_logits", "from_logits와 교차 엔트로피"),
    "06": ("06_transformer_parts", "트랜스포머 구성 요소"),
    "07": ("07_causal_attention", "인과 셀프 어텐션과 마스킹"),
    "08": ("08_transformer", "번역을 위한 트랜스포머"),
    "09": ("09_review", "복습"),
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

DASHBOARD_CHAPTERS = [c for c in CHAPTERS if c != "09"]

use_korean_font()


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


def claim_order(claim: str) -> int:
    return int(claim[1:]) if claim[1:].isdigit() else 999


def exercise_chapters() -> dict:
    """{exercise id: chapter} for every registered exercise."""
    return {ex.id: ex.chapter for ex in EXERCISES.values()}


# ---------------------------------------------------------------- where the record comes from


def learner_record(items):
    """(record, today, label, problems) for chapter 09.

    A learner (kernel in chapters/, see ``lib.course.progress.recording_enabled``) gets their own progress
    file and today's date; anywhere else (solutions/, tests) a made-up learner ("예시 데이터") on a
    fixed date, so the notebook prints the same on every machine. ``problems`` are the reports of a
    damaged progress file (it was kept aside and repaired, see ``lib.course.progress``).
    """
    if not progress.recording_enabled():
        data = review.example_progress(items, exercise_chapters())
        return data, review.EXAMPLE_DAY, "예시 데이터 (가상의 학습자)", []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data = progress.load_progress()
        except OSError as error:  # e.g. a folder that cannot be written: show an empty record
            return progress.empty_progress(), review.today(), "내 진도 파일", [f"진도 파일을 열지 못했습니다: {error}"]
    return data, review.today(), "내 진도 파일", [str(w.message) for w in caught]


def _checked(data):
    """A repaired copy of any record (never raises), and whether something had to be left out."""
    clean, problems = progress.clean_progress(data)
    return (clean if clean is not None else progress.empty_progress()), problems


# ---------------------------------------------------------------- dashboard


def exercise_counts(data) -> dict:
    """{chapter: (passed, total)} over the registered exercises, chapters 00-08."""
    data, _ = _checked(data)
    counts = {c: [0, 0] for c in DASHBOARD_CHAPTERS}
    for ex_id, chapter in exercise_chapters().items():
        if chapter in counts:
            counts[chapter][1] += 1
            counts[chapter][0] += ex_id in data["exercises"]
    return {c: tuple(v) for c, v in counts.items()}


def plot_dashboard(data, items, day):
    """Three panels: exercises passed per chapter, quiz mastery per claim, items per Leitner box."""
    data, _ = _checked(data)
    fig, (ax_ex, ax_claim, ax_box) = plt.subplots(
        1, 3, figsize=(14, 5), gridspec_kw={"width_ratios": [1.1, 1.4, 0.8]})

    counts = exercise_counts(data)
    chapters = list(counts)
    passed = np.array([counts[c][0] for c in chapters])
    total = np.array([counts[c][1] for c in chapters])
    ax_ex.bar(chapters, total, color="#d0d7de", label="전체")
    ax_ex.bar(chapters, passed, color="#2da44e", label="통과")
    for x, (p, t) in enumerate(zip(passed, total)):
        ax_ex.text(x, t + 0.1, f"{p}/{t}", ha="center", va="bottom", fontsize=8)
    ax_ex.set_ylim(0, max(1, total.max()) + 1)
    ax_ex.set_title("장별 연습문제 통과")
    ax_ex.set_xlabel("장")
    ax_ex.set_ylabel("연습문제 수")
    ax_ex.legend(loc="upper left", fontsize=8)

    mastery = review.claim_mastery(items, data)
    claims = sorted(mastery, key=claim_order)
    values = [mastery[c] for c in claims]
    ax_claim.barh(range(len(claims)), values, color=plt.cm.RdYlGn(np.array(values) * 0.8 + 0.1))
    for y, value in enumerate(values):
        ax_claim.text(value + 0.01, y, f"{value:.2f}", va="center", fontsize=7)
    ax_claim.set_yticks(range(len(claims)), labels=[f"{c} ({CLAIMS[c][0]})" for c in claims], fontsize=8)
    ax_claim.invert_yaxis()
    ax_claim.set_xlim(0, 1)
    ax_claim.set_title("주장(claim)별 퀴즈 숙련도")
    ax_claim.set_xlabel("숙련도 (0 = 처음이거나 방금 틀림, 1 = 5번 상자)")
    ax_claim.grid(axis="x", alpha=0.3)

    boxes = review.box_counts(items, data)
    ax_box.bar(range(len(boxes)), boxes, color=plt.cm.RdYlGn(np.linspace(0.1, 0.9, len(boxes))))
    ax_box.set_xticks(range(len(boxes)), labels=["새 문항"] + [f"{b}번\n({review.INTERVALS[b]}일)" for b in range(1, len(boxes))],
                      fontsize=8)
    ax_box.set_title(f"상자별 문항 수 ({day.isoformat()})")
    ax_box.set_ylabel("문항 수")
    fig.tight_layout()
    return fig


def mastery_table(data, items) -> str:
    """Plain-text table: quiz mastery and exercises per chapter."""
    data, _ = _checked(data)
    quiz = review.chapter_mastery(items, data)
    counts = exercise_counts(data)
    lines = ["장  연습문제  퀴즈 숙련도"]
    for chapter in DASHBOARD_CHAPTERS:
        p, t = counts[chapter]
        m = f"{quiz[chapter]:.2f}" if chapter in quiz else "  - "
        lines.append(f"{chapter}  {p:>3}/{t:<3}    {m}")
    return "\n".join(lines)


# ---------------------------------------------------------------- what to revisit


@dataclass(frozen=True)
class Revisit:
    chapter: str
    claim: str
    mastery: float
    wrong_ids: tuple  # items of this claim whose last answer was wrong
    missing_exercises: tuple  # exercises of this chapter not passed yet


def revisit(data, items, k: int = 3, below: float = 0.6) -> list:
    """The ``k`` weakest (chapter, claim) sections the learner has met (answered at least one item
    of), weakest first, among those with mastery below ``below``."""
    data, _ = _checked(data)
    by_id = review.states(items, data)
    groups = {}
    for item in items:
        groups.setdefault((item.chapter, item.claim), []).append(item)
    missing = {}
    for ex_id, chapter in sorted(exercise_chapters().items()):
        if ex_id not in data["exercises"]:
            missing.setdefault(chapter, []).append(ex_id)
    found = []
    for (chapter, claim), group in groups.items():
        met = [by_id[i.id] for i in group if not by_id[i.id].is_new]
        if not met:
            continue
        mastery = sum(review.item_mastery(by_id[i.id]) for i in group) / len(group)
        wrong = tuple(i.id for i in group if by_id[i.id].last_correct is False)
        if mastery < below:
            found.append(Revisit(chapter, claim, mastery, wrong, tuple(missing.get(chapter, ()))))
    found.sort(key=lambda r: (round(r.mastery, 6), -len(r.wrong_ids), r.chapter, claim_order(r.claim)))
    return found[:k]


def not_started(data, items) -> list:
    """Chapters with no passed exercise and no answered quiz item."""
    data, _ = _checked(data)
    by_id = review.states(items, data)
    started = {ch for ex, ch in exercise_chapters().items() if ex in data["exercises"]}
    started |= {item.chapter for item in items if not by_id[item.id].is_new}
    return [c for c in DASHBOARD_CHAPTERS if c not in started]


def revisit_markdown(data, items, k: int = 3) -> str:
    """The "다시 볼 곳" list with links to the chapter notebooks (Markdown)."""
    data, _ = _checked(data)
    found = revisit(data, items, k)
    lines = ["**다시 볼 곳** (숙련도가 낮은 순)", ""]
    if not any(review.answers_of(entry) for entry in data["quiz"].values()):
        lines.append("- 아직 풀어 본 퀴즈가 없습니다. 각 장 끝의 퀴즈나 오늘의 복습을 풀면 여기에 약한 곳이 나타납니다.")
    elif not found:
        lines.append("- 숙련도가 낮은 곳이 없습니다. 오늘의 복습만 하면 됩니다.")
    for number, r in enumerate(found, start=1):
        line = (f"{number}. {section_link(r.chapter, r.claim)} — 노트 「{NOTE_SECTION.get(r.claim, '?')}」, "
                f"{r.claim}: {CLAIMS[r.claim][1]} · 숙련도 {r.mastery:.2f}")
        if r.wrong_ids:
            line += f" · 최근에 틀린 문항 {', '.join(r.wrong_ids)}"
        if r.missing_exercises:
            line += f" · 남은 연습문제 `{'`, `'.join(r.missing_exercises)}`"
        lines.append(line)
    waiting = not_started(data, items)
    if waiting:
        lines += ["", "**아직 시작하지 않은 장**: " + ", ".join(chapter_link(c) for c in waiting)]
    return "\n".join(lines)


# ---------------------------------------------------------------- today's session (widget)


class ReviewView:
    """One item at a time: question, four buttons, feedback, "다음"; a summary at the end.

    ``choose(choice)`` answers the shown item (what a button click does), ``next()`` moves on.
    """

    def __init__(self, session: review.Session):
        import ipywidgets as widgets

        self.session = session
        self.answered = False
        self.header = widgets.HTML()
        self.question = widgets.HTML()
        self.buttons = []
        for choice in range(4):
            button = widgets.Button(layout=widgets.Layout(width="auto", max_width="100%"))
            button.on_click(lambda _b, c=choice: self.choose(c))
            self.buttons.append(button)
        self.feedback = widgets.HTML()
        self.next_button = widgets.Button(description="다음 ▶", disabled=True)
        self.next_button.on_click(lambda _b: self.next())
        self.summary = widgets.HTML()
        self.widget = widgets.VBox([self.header, self.question, widgets.VBox(self.buttons), self.feedback,
                                    self.next_button, self.summary])
        self._show()

    def _show(self):
        item = self.session.current
        if item is None:
            self._finish()
            return
        state = review.item_state(self.session.data, item.id)
        where = "새 문항" if state.is_new else f"{state.box}번 상자"
        number = len(self.session.answers) + 1
        self.header.value = (f"<b>문항 {number}/{len(self.session.items)}</b> "
                             f"<span style='color:#888'>({item.id}, {item.claim}, {where})</span>")
        self.question.value = _to_html(item.question)
        for choice, button in enumerate(self.buttons):
            button.description = f"{MARKS[choice]} {item.choices[choice]}"
            button.tooltip = item.choices[choice]
            button.button_style = ""
            button.disabled = False
        self.feedback.value = ""
        self.next_button.disabled = True
        self.answered = False

    def choose(self, choice: int):
        """Answer the shown item; returns lib.course.quiz's Feedback (None if already answered)."""
        if self.answered or self.session.done:
            return None
        item = self.session.current
        try:
            result = self.session.answer(choice)
            saved = ""
        except OSError as error:  # the progress file could not be written; the session goes on
            result = self.session.answers[-1]
            saved = f" (진도 파일에 기록하지 못했습니다: {error})"
        feedback = grade(item, choice)
        color = "#1a7f37" if result.correct else "#cf222e"
        moved = f"→ {result.after.box}번 상자, 다음 복습 {result.after.due.isoformat()}{saved}"
        self.feedback.value = (f"<div style='color:{color}'>{_to_html(feedback.message)}</div>"
                               f"<div style='color:#888'>{moved}</div>")
        for c, button in enumerate(self.buttons):
            button.button_style = "success" if c == item.answer else "danger" if c == choice else ""
            button.disabled = True
        self.answered = True
        self.next_button.disabled = False
        self.next_button.description = "요약 보기 ▶" if self.session.done else "다음 ▶"
        return feedback

    def next(self):
        if self.answered:
            self._show()

    def _finish(self):
        self.header.value = "<b>오늘의 복습 끝</b>"
        self.question.value = ""
        for button in self.buttons:
            button.layout.display = "none"
        self.feedback.value = ""
        self.next_button.layout.display = "none"
        self.summary.value = _to_html(self.session.summary().text())

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def show_review(items, data, day, size: int = review.SESSION_SIZE, record: bool = True) -> ReviewView:
    """Today's session as a widget; answers are saved to the progress file when ``record``
    (and only for a learner, see ``lib.course.progress.recording_enabled``)."""
    data, _ = _checked(data)
    on_answer = progress.record_quiz_answer if record else None
    return ReviewView(review.Session(items, data, day, size, on_answer=on_answer))
