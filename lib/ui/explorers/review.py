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
from lib.course.outline import (CHAPTERS, CLAIM_KEYWORDS, NOTE_SECTION, NOTES_OUTLINE, chapter_link,  # noqa: F401
                                 notebook_section, section_link, REVIEW_CHAPTER)
from lib.course.claims import CLAIMS
from lib.ui.fonts import use_korean_font
from lib.course.quiz import MARKS, _to_html, grade

DASHBOARD_CHAPTERS = [c for c in CHAPTERS if c != REVIEW_CHAPTER]

use_korean_font()


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
