"""Chapter 11: today's review session, the term deck, the mock final (widgets), the progress
dashboard, "what to revisit", the exam date.

The logic lives in ``lib.course.scheduler``, ``lib.course.mock_exam``, ``lib.course.terms`` and
``lib.course.export`` (pure); this module turns it into widgets, plots and Markdown. Button handlers
are plain methods (``ReviewView.choose``/``next``, ``MockExamView.pick``/``go``/``submit``), so tests
drive the views without a browser.

Example data. Outside chapters/ (solutions/, tests) nothing is recorded and a made-up learner is
shown instead, on a fixed date; every output built from it says "예시 데이터" so it never looks like
the learner's own results.
"""

import copy
import datetime as _dt
import functools
import pathlib
import re
import warnings
from dataclasses import dataclass

import matplotlib.pyplot as plt
import numpy as np

from lib.course import mock_exam, notebooks, progress, terms  # noqa: F401
from lib.course import scheduler as review
from lib.course.checks import EXERCISES
from lib.course.outline import (CHAPTERS, CLAIM_KEYWORDS, NOTE_SECTION, NOTES_OUTLINE, chapter_link,  # noqa: F401
                                 notebook_section, section_link, REVIEW_CHAPTER)
from lib.course.claims import CLAIMS
from lib.ui.fonts import use_korean_font
from lib.course.quiz import MARKS, _to_html, grade
from lib.course import quiz as _quiz

DASHBOARD_CHAPTERS = [c for c in CHAPTERS if c != REVIEW_CHAPTER]
EXAMPLE_LABEL = "예시 데이터 (가상의 학습자, 내 기록이 아님)"

# Short names of the notes' claims for plot labels (the full sentences are lib.course.claims.CLAIMS).
CLAIM_SHORT = {
    "C0": "노트 밖(사용법·임베딩)", "C1": "인코더-디코더 요약", "C2": "문맥 벡터 = 가중 평균", "C3": "어텐션과 긴 시퀀스",
    "C4": "어텐션 맵", "C5": "RNN vs CNN", "C6": "파라미터 공유, 더 긴 입력", "C7": "앞쪽 정보 소실",
    "C8": "LSTM이 더 긴 시퀀스", "C9": "GRU = 단순화된 LSTM", "C10": "마지막 은닉 상태 = C",
    "C11": "from_logits의 이유", "C12": "위치 인코딩", "C13": "셀프 어텐션", "C14": "크로스 어텐션",
    "C15": "계층 정규화", "C16": "트랜스포머 구성", "C17": "먼 의존 관계", "C18": "병렬 계산",
    "C19": "멀티 헤드", "C20": "디코더 층 구성", "C21": "세 가지 어텐션", "C22": "인과 셀프 어텐션",
    "C23": "context, x = inputs",
}


def claim_name(claim: str) -> str:
    """"C8 LSTM이 더 긴 시퀀스": the claim's id with its short name."""
    return f"{claim} {CLAIM_SHORT.get(claim, CLAIMS.get(claim, ('', claim))[1])}"


def _group_name(claim: str) -> str:
    if claim in CLAIMS:
        return claim_name(claim)
    if claim.startswith("용어"):
        return f"용어 카드 {claim[2:]}장"
    return claim


def is_example(label: str) -> bool:
    return "예시" in label


def started(data, items) -> list:
    """The chapters the learner has started (see ``scheduler.started_chapters``), without this
    review chapter: opening it (``start_chapter("11")`` records the open) starts no chapter's items."""
    data, _ = _checked(data)
    return [c for c in review.started_chapters(data, items, exercise_chapters()) if c != REVIEW_CHAPTER]



def claim_order(claim: str) -> int:
    return int(claim[1:]) if claim[1:].isdigit() else 999


def exercise_chapters() -> dict:
    """{exercise id: chapter} for every registered exercise."""
    return {ex.id: ex.chapter for ex in EXERCISES.values()}


# ---------------------------------------------------------------- where the record comes from


def learner_record(items):
    """(record, today, label, problems) for chapter 11.

    A learner (kernel in chapters/, see ``lib.course.progress.recording_enabled``) gets their own progress
    file and today's date; anywhere else (solutions/, tests) a made-up learner ("예시 데이터") on a
    fixed date, so the notebook prints the same on every machine. ``problems`` are the reports of a
    damaged progress file (it was kept aside and repaired, see ``lib.course.progress``).
    """
    if not progress.recording_enabled():
        data = review.example_progress(items, exercise_chapters())
        mock_exam.example_exams(items, data, review.EXAMPLE_DAY)
        return data, review.EXAMPLE_DAY, EXAMPLE_LABEL, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            data = progress.load_progress()
        except OSError as error:  # e.g. a folder that cannot be written: show an empty record
            return progress.empty_progress(), review.today(), "내 진도 파일", [f"진도 파일을 열지 못했습니다: {error}"]
    return data, review.today(), "내 진도 파일", [str(w.message) for w in caught]


class Record:
    """Chapter 11's record, read again at every use (issue 21): ``record.data`` re-reads the progress
    file each time for a learner, so a cell run after a review or a mock final sees those answers
    (nothing is cached from an earlier cell). For the example learner (solutions/, tests) it is one
    made-up record kept in memory, on a fixed date. ``problems``: reports of a damaged file, from
    the last read. ``given``: what to pass as ``data=`` to functions that read the file themselves
    (None for a learner, the example's record otherwise)."""

    def __init__(self, items):
        self.items = items
        self.is_example = not progress.recording_enabled()
        self.label = EXAMPLE_LABEL if self.is_example else "내 진도 파일"
        self.problems = []
        self._example = None
        if self.is_example:
            self._example = review.example_progress(items, exercise_chapters())
            mock_exam.example_exams(items, self._example, review.EXAMPLE_DAY)

    @property
    def today(self):
        return review.EXAMPLE_DAY if self.is_example else review.today()

    @property
    def data(self) -> dict:
        if self.is_example:
            return self._example
        data, _today, _label, self.problems = learner_record(self.items)
        return data

    @property
    def given(self):
        return self._example


def _checked(data):
    """A repaired copy of any record (never raises), and whether something had to be left out."""
    clean, problems = progress.clean_progress(data)
    return (clean if clean is not None else progress.empty_progress()), problems


# ---------------------------------------------------------------- dashboard


def exercise_counts(data) -> dict:
    """{chapter: (passed, total)} over the registered exercises, chapters 00-10."""
    data, _ = _checked(data)
    counts = {c: [0, 0] for c in DASHBOARD_CHAPTERS}
    for ex_id, chapter in exercise_chapters().items():
        if chapter in counts:
            counts[chapter][1] += 1
            counts[chapter][0] += ex_id in data["exercises"]
    return {c: tuple(v) for c, v in counts.items()}


def hints_used(entry) -> int:
    """The hint level a passed exercise was solved with (``"hints_used"``, 0 = none; bad values = 0)."""
    level = entry.get("hints_used", 0) if isinstance(entry, dict) else 0
    return level if isinstance(level, int) and not isinstance(level, bool) and level > 0 else 0


def hint_counts(data) -> dict:
    """{chapter: (passed without a hint, passed after hints, hints opened but not passed yet)}.

    Progress keeps ``"hints": {exercise id: {"level": n, "at": ...}}`` and a passed exercise's
    ``"hints_used": n`` (``progress.record_hint``); a pass after hints counts apart from one without."""
    data, _ = _checked(data)
    hints = data.get("hints") if isinstance(data.get("hints"), dict) else {}
    counts = {c: [0, 0, 0] for c in DASHBOARD_CHAPTERS}
    for ex_id, chapter in exercise_chapters().items():
        if chapter not in counts:
            continue
        entry = data["exercises"].get(ex_id)
        if entry is not None:
            counts[chapter][1 if hints_used(entry) else 0] += 1
        elif isinstance(hints.get(ex_id), dict):
            counts[chapter][2] += 1
    return {c: tuple(v) for c, v in counts.items()}


def claim_rows(data, items) -> list:
    """[(claim, mastery or None)] in claim order: one figure per claim, over the claim's items in
    the chapters the learner has started (None: no item of the claim in a started chapter)."""
    data, _ = _checked(data)
    mastery = review.started_claim_mastery(items, data, exercise_chapters())
    claims = sorted({item.claim for item in items}, key=claim_order)
    return [(c, mastery.get(c)) for c in claims]


def plot_dashboard(data, items, day, label: str = ""):
    """Three panels: exercises passed per chapter, mock finals taken, and quiz mastery per claim
    (one bar per claim, named; grey = not started yet). ``label`` goes into the title."""
    use_korean_font()  # Hangul labels (asked for here, not at import)
    data, _ = _checked(data)
    fig = plt.figure(figsize=(9, 8.5))
    grid = fig.add_gridspec(2, 2, height_ratios=[1, 1.9])
    ax_ex, ax_mock, ax_claim = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, :])

    counts = exercise_counts(data)
    chapters = list(counts)
    passed = np.array([counts[c][0] for c in chapters])
    total = np.array([counts[c][1] for c in chapters])
    helped = np.array([hint_counts(data)[c][1] for c in chapters])
    ax_ex.bar(chapters, total, color="#d0d7de", label="전체")
    ax_ex.bar(chapters, passed - helped, color="#2da44e", label="통과 (힌트 없이)")
    ax_ex.bar(chapters, helped, bottom=passed - helped, color="#a2d9a9", hatch="//", edgecolor="#2da44e",
              linewidth=0, label="통과 (힌트 보고)")
    for x, (p, t) in enumerate(zip(passed, total)):
        if t:
            ax_ex.text(x, t + 0.1, f"{p}/{t}", ha="center", va="bottom", fontsize=7)
    labels_top = max(1, total.max() if len(total) else 1) + 1.5  # the bars and their "p/t" labels end below this
    ax_ex.set_ylim(0, labels_top / 0.6)  # the top 40 % stays empty for the legend, whatever the counts
    ax_ex.set_title("장별 연습문제 통과", fontsize=10)
    ax_ex.set_xlabel("장")
    ax_ex.tick_params(axis="x", labelsize=7)
    ax_ex.legend(loc="upper right", fontsize=7)

    taken = mock_exam.history(data)
    if taken:
        xs = range(1, len(taken) + 1)
        scores = [100 * right / total for _d, right, total, _c in taken]
        ax_mock.plot(xs, scores, "o-", color="#0969da")
        for x, (when, right, total, _c) in zip(xs, taken):
            ax_mock.annotate(f"{right}/{total}", (x, 100 * right / total), textcoords="offset points",
                             xytext=(0, 6), ha="center", fontsize=7)
        ax_mock.set_xticks(list(xs), labels=[f"{n}회\n{d.strftime('%m-%d') if d else ''}" for n, (d, *_r) in
                                             zip(xs, taken)], fontsize=7)
        ax_mock.set_xlim(0.5, len(taken) + 0.5)
    else:
        ax_mock.text(0.5, 0.5, "아직 제출한 모의 기말이 없습니다", ha="center", va="center",
                     transform=ax_mock.transAxes, fontsize=9, color="#57606a")
        ax_mock.set_xticks([])
    ax_mock.set_ylim(0, 105)
    ax_mock.set_ylabel("점수 (%)")
    ax_mock.set_title("모의 기말 점수", fontsize=10)
    ax_mock.grid(alpha=0.3)

    rows = claim_rows(data, items)
    values = [m if m is not None else 0.0 for _c, m in rows]
    colors = [plt.cm.RdYlGn(m * 0.8 + 0.1) if m is not None else "#d0d7de" for _c, m in rows]
    ax_claim.barh(range(len(rows)), values, color=colors)
    for y, (_c, m) in enumerate(rows):
        ax_claim.text((m or 0) + 0.01, y, f"{m:.2f}" if m is not None else "시작 전", va="center", fontsize=8)
    ax_claim.set_yticks(range(len(rows)), labels=[claim_name(c) for c, _m in rows], fontsize=9)
    ax_claim.invert_yaxis()
    ax_claim.set_xlim(0, 1.08)
    ax_claim.set_title("노트의 주장별 퀴즈 숙련도 (시작한 장의 문항)", fontsize=10)
    ax_claim.set_xlabel("숙련도 (0 = 처음 보는 문항, 0.2 = 1번 상자(방금 틀렸거나 처음 맞힘), 1 = 5번 상자)")
    ax_claim.grid(axis="x", alpha=0.3)
    title = f"진도 대시보드 · {day.isoformat()}"
    plan = review.exam_plan(items, data, day, chapters=started(data, items) or None)
    if plan is not None:
        left = plan.days_left
        title += (f" · 시험까지 {left}일, 약한 문항 {len(plan.weak)}개" if left > 0
                  else " · 오늘 시험" if left == 0 else " · 시험일 지남")
    if label:
        title += f" · {label}"
    fig.suptitle(title, fontsize=10, color="#cf222e" if is_example(label) else "black")
    fig.tight_layout()
    return fig


def mastery_table(data, items) -> str:
    """Plain-text table: exercises and quiz mastery per chapter ('-' for a chapter not started)."""
    data, _ = _checked(data)
    quiz = review.chapter_mastery(items, data)
    counts = exercise_counts(data)
    begun = set(started(data, items))
    hints = hint_counts(data)
    lines = ["장별: 연습문제 통과/전체, (힌트 없이 + 힌트 보고), 퀴즈 숙련도 ('-' = 시작 전)"]
    for chapter in DASHBOARD_CHAPTERS:  # rows in ASCII only, so the columns line up in any font
        p, t = counts[chapter]
        alone, helped, _open = hints[chapter]
        m = f"{quiz[chapter]:.2f}" if chapter in quiz and chapter in begun else "  -"
        lines.append(f"{chapter}  {p:>2}/{t:<2}  ({alone} + {helped})  {m}")
    return "\n".join(lines)


class DashboardView:
    """``plot_dashboard`` in a widget, redrawn (``refresh``) after every answer given in this kernel's
    review and term-deck widgets, and when a mock final is submitted in its widget (a mock final's
    answers enter the spaced repetition only at submit, so a click on a choice does not redraw it;
    the text ``mock.submit()`` in lib.course does not redraw either). A learner's dashboard re-reads
    the progress file; an example's one keeps the answers in its own record (nothing is saved)."""

    def __init__(self, items, data, day, label: str = ""):
        import ipywidgets as widgets

        self.items, self.day, self.label = items, day, label
        self.data, _ = _checked(data)
        self.own_file = progress.recording_enabled() and not is_example(label)
        self.output = widgets.Output()
        self.widget = self.output
        self.draws = 0
        self.refresh()
        _DASHBOARDS.append(self)

    def refresh(self, quiz=None, mock_record=None, mock_result=None):
        """Redraw. ``quiz``: answers of an example session to merge in; ``mock_record``: an
        example's submitted mock final to add."""
        from IPython.display import clear_output, display

        if self.own_file:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                try:
                    self.data, _ = _checked(progress.load_progress())
                except OSError:
                    pass
        else:
            if quiz:
                self.data["quiz"].update(copy.deepcopy(quiz))
            if mock_record is not None:
                mock_exam.store(self.data, mock_record, mock_result)
        fig = plot_dashboard(self.data, self.items, self.day, self.label)
        status = exam_status(self.items, self.data, self.day)
        with self.output:
            clear_output(wait=True)
            print(f"[{self.label}] {status}" if self.label else status)
            display(fig)
        plt.close(fig)
        self.draws += 1

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


_DASHBOARDS = []


def _refresh_dashboards(**kwargs):
    for board in list(_DASHBOARDS):
        try:
            board.refresh(**kwargs)
        except Exception:  # noqa: BLE001 - a dashboard must never break an answer
            _DASHBOARDS.remove(board)


def show_dashboard(items, data, day, label: str = "") -> DashboardView:
    """The dashboard as a widget that redraws itself after every review or term-card answer and every
    mock final submitted in its widget (see ``DashboardView``)."""
    del _DASHBOARDS[:]  # the newest dashboard is the one on screen
    return DashboardView(items, data, day, label)


def live_html(session, label: str = "") -> str:
    """A small live panel for the review widget: answers so far, and the mastery of the claims of
    today's session (recomputed after every answer)."""
    asked = len(session.answers)
    right = sum(a.correct for a in session.answers)
    head = (f"오늘 {asked}문항 답함, {right}개 정답" if asked else "아직 답한 문항이 없습니다")
    mastery = review.claim_mastery(session.bank, session.data) if session.bank else {}
    claims = []
    for item in session.items:
        if item.claim not in claims:
            claims.append(item.claim)
    bars = []
    for claim in claims:
        m = mastery.get(claim, 0.0)
        bars.append(f"<div style='display:flex;align-items:center;gap:6px;font-size:12px'>"
                    f"<span style='width:220px'>{_group_name(claim)}</span>"
                    f"<span style='display:inline-block;width:{int(120 * m)}px;height:9px;background:#2da44e'></span>"
                    f"<span>{m:.2f}</span></div>")
    tag = f" <span style='color:#cf222e'>({label})</span>" if is_example(label) else ""
    return (f"<div style='border-top:1px solid #d0d7de;margin-top:8px;padding-top:4px'><b>{head}</b>{tag}"
            f"{''.join(bars)}</div>")


# ---------------------------------------------------------------- what to revisit


@dataclass(frozen=True)
class Revisit:
    claim: str
    chapters: tuple  # the chapters (started) that teach it
    mastery: float
    wrong_ids: tuple  # items of this claim whose last answer was wrong
    missing_exercises: tuple  # exercises of those chapters not passed yet

    @property
    def chapter(self) -> str:
        return self.chapters[0]


def revisit(data, items, k: int = 3, below: float = 0.6) -> list:
    """The ``k`` weakest claims the learner has met (answered at least one of its items), weakest
    first, among those with mastery below ``below``: one figure per claim, the dashboard's
    (``scheduler.started_claim_mastery``), linked to the started chapters that teach the claim."""
    data, _ = _checked(data)
    by_id = review.states(items, data)
    begun = set(started(data, items))
    mastery_of = review.started_claim_mastery(items, data, exercise_chapters())
    groups = {}
    for item in items:
        groups.setdefault(item.claim, []).append(item)
    missing = {}
    for ex_id, chapter in sorted(exercise_chapters().items()):
        if ex_id not in data["exercises"]:
            missing.setdefault(chapter, []).append(ex_id)
    found = []
    for claim, group in groups.items():
        met = [i for i in group if not by_id[i.id].is_new]
        if not met:
            continue
        mine = [i for i in group if i.chapter in begun]
        chapters = tuple(sorted({i.chapter for i in mine}))
        mastery = mastery_of[claim]
        wrong = tuple(i.id for i in mine if by_id[i.id].last_correct is False)
        if mastery < below:
            gaps = tuple(ex for c in chapters for ex in missing.get(c, ()))
            found.append(Revisit(claim, chapters, mastery, wrong, gaps))
    found.sort(key=lambda r: (round(r.mastery, 6), -len(r.wrong_ids), r.chapters, claim_order(r.claim)))
    return found[:k]


def not_started(data, items) -> list:
    """Chapters not opened, with no passed exercise and no answered quiz item."""
    begun = set(started(data, items))
    return [c for c in DASHBOARD_CHAPTERS if c not in begun]


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
        links = ", ".join(section_link(c, r.claim) for c in r.chapters)
        where = (CLAIMS[r.claim][1] if r.claim == "C0"  # no note claim: no section of the notes to name
                 else f"노트 「{NOTE_SECTION.get(r.claim, '?')}」: {CLAIMS[r.claim][1]}")
        line = f"{number}. **{claim_name(r.claim)}** (숙련도 {r.mastery:.2f}) — {links} · {where}"
        if r.wrong_ids:
            line += f" · 최근에 틀린 문항 {', '.join(r.wrong_ids)}"
        if r.missing_exercises:
            line += f" · 남은 연습문제 `{'`, `'.join(r.missing_exercises)}`"
        lines.append(line)
    waiting = not_started(data, items)
    if waiting:
        lines += ["", "**아직 시작하지 않은 장**: " + ", ".join(chapter_link(c) for c in waiting)]
    return "\n".join(lines)


# ---------------------------------------------------------------- exam date


def exam_status(items, data, day, chapters=None) -> str:
    """Days left and what remains (Korean), or how to set the date."""
    data, _ = _checked(data)
    if chapters is None:
        chapters = started(data, items) or None
    plan = review.exam_plan(items, data, day, chapters=chapters)
    if plan is None:
        example = (day + _dt.timedelta(days=30)).isoformat()
        return f"시험 날짜가 정해지지 않았습니다. dashboard.set_exam_date(\"{example}\")처럼 내 시험 날짜를 정하면 복습 간격이 시험에 맞춰집니다."
    return plan.text()


def set_exam_date(text, data=None, day=None):
    """Set the exam date (saved for a learner). Prints a Korean message; returns the date or None.
    ``data`` (a record in memory, e.g. the example) is updated too when given."""
    day = day or review.today()
    try:
        exam = progress.set_exam_date(text, day)
    except ValueError as error:
        print("⚠️", error)
        return None
    except OSError as error:
        print(f"⚠️ 진도 파일에 기록하지 못했습니다: {error}")
        return None
    if isinstance(data, dict):
        data["exam_date"] = exam.isoformat()
    saved = ("진도 파일에 저장했습니다" if progress.recording_enabled()
             else "여기서는 진도 파일에 기록하지 않으므로 이 노트북 안에서만 씁니다")
    left = (exam - day).days
    print(f"시험 날짜: {exam.isoformat()} ({f'{left}일 남음' if left else '오늘'}) — {saved}.")
    return exam


# ---------------------------------------------------------------- today's session (widget)


class ReviewView:
    """One item at a time: question, four buttons (in the learner's shuffled order), feedback, "다음";
    a summary at the end; a live panel of the session's claims refreshed after every answer.

    ``choose(position)`` answers the shown item with the button at 0-based shown ``position`` (what a
    click does), ``next()`` moves on.
    """

    def __init__(self, session: review.Session, label: str = "", message: str = "", key=None):
        import ipywidgets as widgets

        self.session = session
        self.label = label
        self.key = key
        self.answered = False
        self.header = widgets.HTML()
        self.question = widgets.HTML()
        self.buttons = []
        for position in range(4):
            button = widgets.Button(layout=widgets.Layout(width="auto", max_width="100%"))
            button.on_click(lambda _b, p=position: self.choose(p))
            self.buttons.append(button)
        self.feedback = widgets.HTML()
        self.next_button = widgets.Button(description="다음 ▶", disabled=True)
        self.next_button.on_click(lambda _b: self.next())
        self.summary = widgets.HTML()
        self.live = widgets.HTML()
        self.message = message
        self.order = [0, 1, 2, 3]
        self.widget = widgets.VBox([self.header, self.question, widgets.VBox(self.buttons), self.feedback,
                                    self.next_button, self.summary, self.live])
        session.listeners.append(self._answered)
        self._refresh_live()
        self._show()

    def _answered(self, _answer):
        self._refresh_live()
        _refresh_dashboards(quiz=self.session.data["quiz"])

    def _refresh_live(self):
        self.live.value = live_html(self.session, self.label) if self.session.items else ""

    def _order(self, item):
        return _order_of(item, self.key)

    def _show(self):
        item = self.session.current
        if item is None:
            self._finish()
            return
        state = review.item_state(self.session.data, item.id)
        where = "새 문항" if state.is_new else f"{state.box}번 상자"
        number = len(self.session.answers) + 1
        tag = f" · <span style='color:#cf222e'>{self.label}</span>" if is_example(self.label) else ""
        self.header.value = (f"<b>문항 {number}/{len(self.session.items)}</b> "
                             f"<span style='color:#888'>({item.chapter}장 · {'용어 카드' if str(item.claim).startswith('용어') else _group_name(item.claim)} · {where})</span>{tag}")
        self.question.value = _to_html(item.question)
        self.order = self._order(item)
        for position, button in enumerate(self.buttons):
            text = _quiz.plain_text(item.choices[self.order[position]])
            button.description = f"{MARKS[position]} {text}"
            button.tooltip = text
            button.button_style = ""
            button.disabled = False
        self.feedback.value = ""
        self.next_button.disabled = True
        self.answered = False

    def choose(self, position: int):
        """Answer the shown item with the button at 0-based ``position`` (what a click does); returns
        the Feedback (None if already answered, or for a position that is not 0-3)."""
        if self.answered or self.session.done:
            return None
        if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < 4:
            self.feedback.value = "<div style='color:#cf222e'>보기는 ①, ②, ③, ④ 가운데 하나를 고르세요.</div>"
            return None
        item = self.session.current
        choice = self.order[position]
        try:
            result = self.session.answer(choice)
            saved = ""
        except OSError as error:  # the progress file could not be written; the session goes on
            result = self.session.answers[-1]
            saved = f" (진도 파일에 기록하지 못했습니다: {error})"
        feedback = grade(item, choice, self.order)
        color = "#1a7f37" if result.correct else "#cf222e"
        moved = f"→ {result.after.box}번 상자, 다음 복습 {result.after.due.isoformat()}{saved}"
        self.feedback.value = (f"<div style='color:{color}'>{_to_html(feedback.message)}</div>"
                               f"<div style='color:#888'>{moved}</div>")
        for p, button in enumerate(self.buttons):
            canonical = self.order[p]
            button.button_style = "success" if canonical == item.answer else "danger" if canonical == choice else ""
            button.disabled = True
        self.answered = True
        self.next_button.disabled = False
        self.next_button.description = "요약 보기 ▶" if self.session.done else "다음 ▶"
        return feedback

    def question_text(self) -> str:
        """The shown item as text (①–④ in the order on screen), or the summary when the session is over."""
        item = self.session.current
        if item is None:
            text = self.session.summary().text(names=_group_name)
            return (self.message + "\n" + text) if self.message and self.session.items else (self.message or text)
        state = review.item_state(self.session.data, item.id)
        where = "새 문항" if state.is_new else f"{state.box}번 상자"
        lines = [f"[{len(self.session.answers) + 1}/{len(self.session.items)}] ({item.id}, {item.claim}, {where}) "
                 f"{_quiz.plain_text(item.question)}"]
        order = self._order(item)
        lines += [f"  {MARKS[p]} {_quiz.plain_text(item.choices[c])}" for p, c in enumerate(order)]
        return "\n".join(lines)

    def show(self) -> None:
        """Print the shown item (text mode, without widgets)."""
        print(self.question_text())

    def answer(self, number):
        """Answer in code, 1-based like the screen (and like ``quiz.answer``): ``view.answer(2)`` or
        ``view.answer("②")`` = the button ②. Prints the feedback, then the next item (or the summary),
        so ``view.show()`` and ``view.answer(n)`` are enough without widgets. A Korean message for bad
        input. Returns the Feedback (None when nothing was answered)."""
        if isinstance(number, str) and number.strip() in MARKS:
            number = MARKS.index(number.strip()) + 1
        elif isinstance(number, str) and number.strip().isascii() and number.strip().isdigit():
            number = int(number.strip())
        if self.session.done:
            print("오늘의 세션은 끝났습니다.\n" + self.question_text())
            return None
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= number <= 4:
            print(f"⚠️ 보기 번호는 1, 2, 3, 4 (①–④) 가운데 하나입니다 (받은 값: {number!r}).")
            return None
        if self.answered:  # answered with a click: move on first
            self.next()
            if self.session.done:
                print("오늘의 세션은 끝났습니다.\n" + self.question_text())
                return None
        feedback = self.choose(number - 1)
        if feedback is not None:
            print(_quiz.plain_text(feedback.message))
            self.next()
            print("\n" + self.question_text())
        return feedback

    def next(self):
        if self.answered:
            self._show()

    def _finish(self):
        self.header.value = "<b>오늘의 복습 끝</b>" if self.session.items else "<b>오늘의 복습</b>"
        self.question.value = ""
        for button in self.buttons:
            button.layout.display = "none"
        self.feedback.value = ""
        self.next_button.layout.display = "none"
        text = self.session.summary().text(names=_group_name)
        if self.message:  # nothing started yet: the message says what to do (no "next review day")
            text = self.message if not self.session.items else self.message + "\n" + text
        self.summary.value = _to_html(text)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def _order_of(item, key=None):
    if getattr(item, "kind", "") == "term" or not hasattr(_quiz, "display_order"):
        return [0, 1, 2, 3]  # term cards: the order is already mixed per card
    try:
        return list(_quiz.display_order(item, key))
    except Exception:  # noqa: BLE001
        return [0, 1, 2, 3]


def _saver(record: bool):
    if not record:
        return None

    def save(item_id, correct, choice=None):
        return progress.record_quiz_answer(item_id, correct, choice=choice)

    return save


def show_review(items, data, day, size: int | None = None, record: bool = True, scope: str = "started",
                label: str = "", key=None) -> ReviewView:
    """Today's session as a widget, from the chapters the learner has started (``scope="all"``:
    every chapter). Answers are saved to the progress file when ``record`` (and only for a learner,
    see ``lib.course.progress.recording_enabled``). Before an exam date the session grows to the
    exam plan's items a day."""
    data, _ = _checked(data)
    chapters, message = None, ""
    if scope != "all":
        chapters = started(data, items)
        if not chapters:
            message = ("아직 시작한 장이 없습니다. 장 노트북을 열어 실행하거나 연습문제·퀴즈를 풀면 그 장의 문항이 "
                       "여기에 나옵니다. 모든 장에서 풀려면 show_review(..., scope=\"all\").")
    size = size or review.session_size(items, data, day, chapters=chapters)
    session = review.Session(items, data, day, size, on_answer=_saver(record), chapters=chapters)
    return ReviewView(session, label=label, message=message, key=key)


def show_terms(data, day, size: int = review.SESSION_SIZE, record: bool = True, scope: str = "started",
               label: str = "", items=None) -> ReviewView:
    """The term deck (both directions) as a review session of the same scheduler."""
    data, _ = _checked(data)
    bank = items if items is not None else _quiz.load_items()
    deck = terms.items()
    chapters, message = None, ""
    if scope != "all":
        chapters = started(data, bank)
        if not chapters:
            message = "아직 시작한 장이 없습니다. 모든 장의 용어를 보려면 show_terms(..., scope=\"all\")."
    session = review.Session(deck, data, day, size, on_answer=_saver(record), chapters=chapters)
    return ReviewView(session, label=label, message=message)


# ---------------------------------------------------------------- mock final (widget)


class MockExamView:
    """The mock final on one screen at a time: question, ①–④ (click again on another to change),
    확실/애매/찍음, ◀ 이전 / 다음 ▶ and a number grid for free navigation, a countdown, 제출.

    The countdown ticks with an ipywidgets ``Play`` (a browser-side timer; the kernel only answers
    each tick, so it is never blocked). It is started once the browser has drawn it (the Play
    widget's view count, so the browser's timer loop really starts). The remaining time is computed
    from the exam's start at each tick and each click; at zero the exam is submitted.
    ``pick(position)``, ``mark(confidence)``, ``go(number)``,
    ``submit()`` and ``tick()`` are what the buttons and the timer do.
    """

    def __init__(self, exam: mock_exam.MockExam, label: str = "", timer: bool = True):
        import ipywidgets as widgets

        self.exam = exam
        self.label = label
        self.number = 1
        self.header = widgets.HTML()
        self.question = widgets.HTML()
        self.choice_buttons = []
        for position in range(4):
            button = widgets.Button(layout=widgets.Layout(width="auto", max_width="100%"))
            button.on_click(lambda _b, p=position: self.pick(p))
            self.choice_buttons.append(button)
        self.confidence_buttons = []
        for mark in mock_exam.CONFIDENCES:
            button = widgets.Button(description=mark, layout=widgets.Layout(width="70px"))
            button.on_click(lambda _b, m=mark: self.mark(m))
            self.confidence_buttons.append(button)
        self.prev_button = widgets.Button(description="◀ 이전", layout=widgets.Layout(width="90px"))
        self.prev_button.on_click(lambda _b: self.go(self.number - 1))
        self.next_button = widgets.Button(description="다음 ▶", layout=widgets.Layout(width="90px"))
        self.next_button.on_click(lambda _b: self.go(self.number + 1))
        self.submit_button = widgets.Button(description="제출", button_style="primary",
                                            layout=widgets.Layout(width="90px"))
        self.submit_button.on_click(lambda _b: self.submit())
        self.grid = []
        for n in range(1, len(exam.items) + 1):
            button = widgets.Button(description=str(n), layout=widgets.Layout(width="38px", padding="0"))
            button.on_click(lambda _b, n=n: self.go(n))
            self.grid.append(button)
        self.status = widgets.HTML()
        self.review = widgets.HTML()
        self.timer = widgets.Play(value=0, min=0, max=10 ** 7, step=1, interval=1000, show_repeat=False,
                                  layout=widgets.Layout(display="none"))
        self.timer.observe(lambda _change: self.tick(), names="value")
        self.timer._view_count = 0  # the browser reports its views: start the timer once one exists
        self.timer.observe(self._start_timer, names="_view_count")
        self.timer_wanted = timer
        self.confirming = False
        self.body = widgets.VBox([
            self.question, widgets.VBox(self.choice_buttons),
            widgets.HBox([widgets.HTML("확신도:")] + self.confidence_buttons),
            widgets.HBox([self.prev_button, self.next_button, self.submit_button]),
            widgets.Box(self.grid, layout=widgets.Layout(flex_flow="row wrap")), self.status])
        self.widget = widgets.VBox([self.header, self.body, self.review, self.timer])
        if exam.submitted:
            self._show_result(exam.result())
        else:
            self._show()

    def _start_timer(self, change):
        if self.timer_wanted and change["new"] and not self.timer.playing and not self.exam.submitted:
            self.timer.playing = True

    # -- drawing
    def _header(self) -> str:
        tag = f" · <span style='color:#cf222e'>{self.label}</span>" if is_example(self.label) else ""
        chapters = ", ".join(self.exam.record["chapters"])
        return (f"<b>모의 기말</b> ({chapters}장, {len(self.exam.items)}문항) · "
                f"<span class='mock-clock'>⏱ 남은 시간 {self.exam.clock_text()}</span> · "
                f"답한 문항 {self.exam.answered()}/{len(self.exam.items)}{tag}")

    def _show(self):
        item = self.exam.item(self.number)
        order = self.exam.orders[item.id]
        shown, confidence = self.exam.current(self.number)
        self.header.value = self._header()
        self.question.value = (f"<b>{self.number}/{len(self.exam.items)}.</b> {_to_html(item.question)} "
                               f"<span style='color:#888'>({item.chapter}장)</span>")
        for position, button in enumerate(self.choice_buttons):
            text = _quiz.plain_text(item.choices[order[position]])
            button.description = f"{MARKS[position]} {text}"
            button.tooltip = text
            button.button_style = "info" if shown == position + 1 else ""
        for mark, button in zip(mock_exam.CONFIDENCES, self.confidence_buttons):
            button.button_style = "warning" if confidence == mark else ""
        self.prev_button.disabled = self.number == 1
        self.next_button.disabled = self.number == len(self.exam.items)
        for n, button in enumerate(self.grid, start=1):
            button.button_style = "info" if self.exam.current(n)[0] is not None else ""
            button.layout.border = "2px solid #0969da" if n == self.number else ""

    def pick(self, position: int):
        """Choose (or change to) the choice at shown ``position`` (0-3) for the current question."""
        if self.exam.submitted:
            return
        try:
            self.status.value = html_escape(self.exam.answer(self.number, position + 1))
        except OSError as error:
            self.status.value = f"⚠️ 답을 저장하지 못했습니다: {html_escape(str(error))}"
        self.confirming = False
        self.submit_button.description = "제출"
        self._show()

    def mark(self, confidence: str):
        if self.exam.submitted:
            return
        shown, _ = self.exam.current(self.number)
        try:
            self.status.value = html_escape(self.exam.answer(self.number, None, confidence))
        except OSError as error:
            self.status.value = f"⚠️ 답을 저장하지 못했습니다: {html_escape(str(error))}"
        self._show()

    def go(self, number: int):
        if 1 <= number <= len(self.exam.items) and not self.exam.submitted:
            self.number = number
            self._show()

    def tick(self):
        """One timer tick: refresh the countdown; submit when the time is up."""
        if self.exam.submitted:
            self.timer.playing = False
            return
        if self.exam.remaining() <= 0:
            self.submit(force=True)
        else:
            self.header.value = self._header()

    def submit(self, force: bool = False):
        """제출 (the first click asks again when questions are unanswered)."""
        if self.exam.submitted:
            return self.exam.result()
        blanks = len(self.exam.items) - self.exam.answered()
        if blanks and not force and not self.confirming:
            self.confirming = True
            self.submit_button.description = "정말 제출"
            self.status.value = f"답하지 않은 문항이 {blanks}개 있습니다. 그래도 제출하려면 '정말 제출'을 누르세요."
            return None
        self.timer_wanted = False
        self.timer.playing = False
        try:
            result = self.exam.submit()
        except OSError as error:
            self.status.value = f"⚠️ 결과를 저장하지 못했습니다: {html_escape(str(error))}"
            result = mock_exam.score(self.exam.record, self.exam.bank)
        self._show_result(result)
        _refresh_dashboards(mock_record=self.exam.record, mock_result=result)
        return result

    def _show_result(self, result):
        self.timer_wanted = False
        self.timer.playing = False
        self.body.layout.display = "none"
        self.header.value = f"<b>모의 기말 결과</b> ({', '.join(self.exam.record['chapters'])}장)" + (
            f" · <span style='color:#cf222e'>{self.label}</span>" if is_example(self.label) else "")
        self.review.value = f"<div class='mock-review'>{mock_exam.result_html(result)}</div>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def html_escape(text: str) -> str:
    import html

    return html.escape(str(text))


class MockFinalStart:
    """The mock final's start screen: nothing starts (no exam saved, no clock) until the learner
    presses 시작 (or 이어 풀기 for an unfinished exam). Run All only draws these buttons.

    ``start()`` / ``resume()`` are what the buttons do; each returns the ``MockExamView`` now on
    screen (None after a Korean message for bad input). ``view`` is that view once started.
    """

    def __init__(self, prepare, unfinished=None, label: str = "", minutes: int = mock_exam.EXAM_MINUTES,
                 size: int = mock_exam.EXAM_SIZE):
        import ipywidgets as widgets

        self._prepare, self._unfinished, self.label, self.view = prepare, unfinished, label, None
        self.start_button = widgets.Button(description=f"모의 기말 시작 (최대 {size}문항, {minutes}분)",
                                           button_style="primary", layout=widgets.Layout(width="auto"))
        self.start_button.on_click(lambda _b: self.start())
        self.resume_button = widgets.Button(description="풀던 모의 기말 이어 풀기", layout=widgets.Layout(width="auto"))
        self.resume_button.on_click(lambda _b: self.resume())
        self.message = widgets.HTML()
        self.output = widgets.Output()
        tag = f" · <span style='color:#cf222e'>{label}</span>" if is_example(label) else ""
        intro = (f"<b>모의 기말</b>{tag}<br>시작 버튼을 누르면 {minutes}분 시계가 갑니다. "
                 "노트북을 다시 실행해도 시험은 저절로 시작되지 않습니다.")
        buttons = [self.start_button]
        if unfinished is not None:
            late = (" 시간이 다 됐으니 이어 풀기를 누르면 그때까지의 답으로 제출됩니다." if unfinished.remaining() == 0
                    else " 시계는 닫아 둔 동안에도 갔습니다.")
            intro += (f"<br>풀던 모의 기말이 있습니다 (답한 문항 {unfinished.answered()}/{len(unfinished.items)}, "
                      f"남은 시간 {unfinished.clock_text()}).{late} 이어 풀거나 새로 시작하세요.")
            buttons.insert(0, self.resume_button)
        self.intro = widgets.HTML(intro)
        self.controls = widgets.VBox([self.intro, widgets.HBox(buttons), self.message])
        self.widget = widgets.VBox([self.controls, self.output])

    def _open(self, exam):
        from IPython.display import display

        self.view = MockExamView(exam, label=self.label)
        self.controls.layout.display = "none"
        with self.output:
            display(self.view.widget)
        return self.view

    def start(self):
        """Start a new exam now (the record is saved and the clock starts from this moment)."""
        if self.view is not None:
            return self.view
        try:
            exam = self._prepare()
        except ValueError as error:
            self.message.value = f"<span style='color:#cf222e'>⚠️ {html_escape(str(error))}</span>"
            print("⚠️", error)
            return None
        return self._open(exam)

    def resume(self):
        """Go on with the unfinished exam (its clock kept running while it was closed)."""
        if self.view is not None:
            return self.view
        if self._unfinished is None:
            return self.start()
        return self._open(self._unfinished)

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def show_mock_final(chapters=None, size: int = mock_exam.EXAM_SIZE, minutes: int = mock_exam.EXAM_MINUTES,
                    items=None, data=None, resume: bool = True, label: str = "", **kwargs) -> MockFinalStart:
    """The mock final's start screen (``MockFinalStart``): the exam is drawn, saved and timed only when
    the learner presses 시작. ``chapters=None``: the chapters the learner has started, read when the
    button is pressed. An unfinished exam in the progress file is offered as 이어 풀기 (``resume=False``:
    not offered). Bad input shows a Korean message when 시작 is pressed."""
    if items is None:
        items = _quiz.load_items()
    unfinished = None
    if resume and data is None and progress.recording_enabled():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                record = mock_exam.unfinished(progress.load_progress(), kwargs.get("clock", mock_exam.utc_now)())
            except OSError:
                record = None
        if record is not None:
            unfinished = mock_exam.MockExam(record, items, clock=kwargs.get("clock", mock_exam.utc_now),
                                            save=mock_exam.progress_saver)

    def prepare():
        return mock_exam.prepare(chapters, size, minutes, items=items, data=data, **kwargs)

    return MockFinalStart(prepare, unfinished, label=label, minutes=minutes, size=size)
