"""Four-choice quizzes: item data, grading logic, and an ipywidgets view on top.

Items are data in ``lib/course/quizbank/chNN.json`` (hand-written) plus numeric items generated
from lib's reference code at import time (``lib.course.quizgen``). One item::

    {"id": "01-1", "chapter": "01", "claim": "C6",
     "kind": "concept|negative|comparison|code|plot|experiment",
     "level": "기본|심화", "type": "개념|계산|코드",   (the mock final draws 기본 only)
     "question": "...", "choices": ["...", "...", "...", "..."], "answer": 2,
     "explanation": "why the key is right",
     "why_wrong": ["why choice 0 is wrong", "...", "", "..."],   ("" at the answer's index)
     "legacy_ids": ["01-3"],        (optional: layout-v1 ids of old items with the same fact)
     "cell": "cell-002"}            (optional: the heading cell where the item is taught; the mock
                                     final's review and the 오답노트 link there, lib.course.outline.item_link)

Generated items also carry ``"generated": {"gen": name, "params": {...}}``; the validator re-runs
the generator and checks that the key still comes out (tests recompute it independently with torch).

Canonical vs shown order. ``choices`` and ``answer`` are in the bank's (canonical) order. A learner
sees the choices shuffled, deterministically per learner and item (``display_order``; the key is
``lib.course.progress.learner_key()``: random per learner, kept in the progress file, and fixed
where nothing is recorded, so solutions/ and tests print the same everywhere). Answers are recorded
by canonical index, so a changed order never changes what a recorded answer means.

Numbers given in code are 1-based positions *as shown*, like the screen: ``answer("03-1", 2)`` = ②.
``grade(item, choice)`` takes the canonical 0-based index (what the review scheduler stores).

Text may use ``**bold**``, ```code``` and ``` fenced blocks; the widget renders them as HTML and
``print_quiz`` prints them as plain text (markers removed). Choices, explanations and why_wrong never
name a position (①–④): the positions are shuffled.
"""

import hashlib
import html
import random
import re
from dataclasses import dataclass

from lib.course import progress
from lib.course.bank import (BANK, ID_PATTERN, KINDS, LEGACY_PATTERN, MARKS, NEGATIVE_MARKERS,  # noqa: F401
                             QuizItem, chapters_in_bank, find_item, load_items, load_raw, raw_items,
                             validate_item)
from lib.course.progress import record_quiz_answer

# topic particle after a circled number read as 일, 이, 삼, 사: ①은, ②는, ③은, ④는
TOPIC = ["은", "는", "은", "는"]


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str


def mark_with_topic(position: int) -> str:
    """'①은', '②는', '③은', '④는' (0-based shown position)."""
    return MARKS[position] + TOPIC[position]


# ---------------------------------------------------------------- order shown to a learner


def _learner_key() -> str:
    try:
        return progress.learner_key()
    except Exception:  # noqa: BLE001 - the order must never break the quiz
        return progress.FIXED_LEARNER_KEY


def display_order(item: QuizItem, key: str | None = None) -> list:
    """Canonical indices in the order shown: ``display_order(item)[n - 1]`` is the choice shown as
    number n. Deterministic per (learner key, item id); ``key=None`` = this learner's key."""
    key = _learner_key() if key is None else key
    seed = int.from_bytes(hashlib.sha256(f"{key}|{item.id}".encode("utf-8")).digest()[:8], "big")
    order = [0, 1, 2, 3]
    random.Random(seed).shuffle(order)
    return order


# ---------------------------------------------------------------- grading


def grade(item: QuizItem, choice: int, order=None) -> Feedback:
    """Korean feedback for the canonical choice ``choice`` (0..3).

    ``order`` (from ``display_order``) makes the message name the positions as shown; without it
    the canonical positions are named.
    """
    if not (isinstance(choice, int) and not isinstance(choice, bool) and 0 <= choice < 4):
        return Feedback(False, "보기는 ①, ②, ③, ④ 가운데 하나를 고르세요.")
    order = list(order) if order is not None else [0, 1, 2, 3]
    shown = {canonical: position for position, canonical in enumerate(order)}
    right = MARKS[shown[item.answer]]
    if choice == item.answer:
        return Feedback(True, f"⭕ 정답입니다 ({right}). {item.explanation}")
    return Feedback(
        False,
        f"❌ {mark_with_topic(shown[choice])} 정답이 아닙니다. {item.why_wrong[choice]}\n"
        f"정답은 {right}입니다. {item.explanation}",
    )


def _shown_number(choice):
    """1..4 from 2, "2" or "②"; None for anything else."""
    if isinstance(choice, bool):
        return None
    if isinstance(choice, int):
        return choice if 1 <= choice <= 4 else None
    if isinstance(choice, str):
        text = choice.strip()
        if text in MARKS:
            return MARKS.index(text) + 1
        if text in ("1", "2", "3", "4"):
            return int(text)
    return None


def answer(item_id: str, choice) -> Feedback:
    """Answer one item in code: ``answer("03-1", 2)`` = ② as shown on screen (and by print_quiz).

    Prints the feedback and records it (by canonical index). An unknown id or a number outside 1–4
    prints a Korean message instead of raising.
    """
    try:
        item = find_item(item_id)
    except KeyError:
        feedback = Feedback(False, f"문항 {item_id!r}을(를) 찾을 수 없습니다. 문항 번호는 "
                                   "print_quiz(\"03\")처럼 장의 퀴즈를 출력하면 [03-1]처럼 보입니다.")
        print(feedback.message)
        return feedback
    except ValueError as error:  # a malformed bank file (the bank tests catch this first)
        feedback = Feedback(False, f"문항을 불러오지 못했습니다: {error}")
        print(feedback.message)
        return feedback
    number = _shown_number(choice)
    if number is None:
        feedback = Feedback(False, f"보기 번호 {choice!r}은(는) 쓸 수 없습니다. 화면의 번호대로 1, 2, 3, 4 "
                                   f"가운데 하나를 넣으세요 (예: quiz.answer({item.id!r}, 2) = ②).")
        print(feedback.message)
        return feedback
    order = display_order(item)
    canonical = order[number - 1]
    feedback = grade(item, canonical, order)
    try:
        record_quiz_answer(item.id, feedback.correct, choice=canonical)
    except OSError as error:  # the progress file could not be written; the answer is still graded
        feedback = Feedback(feedback.correct, feedback.message + f"\n(진도 파일에 기록하지 못했습니다: {error})")
    print(feedback.message)
    return feedback


# ---------------------------------------------------------------- text rendering

_BOLD = re.compile(r"\*\*(.+?)\*\*", re.S)
_CODE = re.compile(r"`([^`\n]+)`")


def _inline(text: str, code, bold, escape=lambda t: t) -> str:
    """Apply ``code``/``bold`` to `code` spans and **bold** runs; bold is never looked for inside code."""
    out = []
    for i, part in enumerate(re.split(r"(`[^`\n]+`)", text)):
        if i % 2:
            out.append(code(escape(part[1:-1])))
        else:
            out.append(_BOLD.sub(lambda m: bold(m.group(1)), escape(part)))
    return "".join(out)


def plain_text(text: str) -> str:
    """Inline Markdown markers removed (``**bold**`` -> bold, ```code``` -> code); a fenced block keeps
    its code lines (language tag dropped)."""
    parts = text.split("```")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            first, _, rest = part.partition("\n")
            out.append("\n" + (rest if first.strip().isalpha() else part).strip("\n") + "\n")
        else:
            out.append(_inline(part, code=lambda c: c, bold=lambda b: b))
    return re.sub(r"\n{2,}", "\n", "".join(out)).strip("\n")


def question_text(item: QuizItem, number: int | None = None, order=None) -> str:
    """The item as plain text, choices in ``order`` (canonical order when None)."""
    order = list(order) if order is not None else [0, 1, 2, 3]
    prefix = f"Q{number}. " if number is not None else ""
    lines = [f"{prefix}{plain_text(item.question)}"]
    lines += [f"  {MARKS[pos]} {plain_text(item.choices[c])}" for pos, c in enumerate(order)]
    return "\n".join(lines)


def print_quiz(chapter: str, key: str | None = None) -> None:
    """Plain-text version of a chapter's quiz, choices in this learner's order (answer with
    ``quiz.answer(id, number)``, number 1–4 as printed)."""
    key = _learner_key() if key is None else key
    for number, item in enumerate(load_items(chapter), start=1):
        print(f"[{item.id}] " + question_text(item, number, display_order(item, key)) + "\n")


def _inline_html(text: str) -> str:
    html_text = _inline(text, code=lambda c: f"<code>{c}</code>", bold=lambda b: f"<b>{b}</b>", escape=html.escape)
    return html_text.replace("\n", "<br>")


def _to_html(text: str) -> str:
    """Text with ``` fenced code, `code` and **bold** -> HTML."""
    parts = text.split("```")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            first, _, rest = part.partition("\n")
            code = rest if first.strip().isalpha() else part  # drop a language tag like ```python
            code = code.strip("\n").rstrip()  # not strip(): a table's first line may start with its indent
            out.append(f"<pre style='background:#f6f8fa;padding:6px'>{html.escape(code)}</pre>")
        else:
            out.append(_inline_html(part))
    return "".join(out)


# ---------------------------------------------------------------- widget view


class QuizView:
    """ipywidgets quiz: one block per item, four buttons (shuffled per learner), feedback under them.

    ``choose(index, position)`` is what a click on the button at 0-based shown ``position`` does, so
    the view can be driven in tests. A question locks after its first answer (as in the review).
    """

    def __init__(self, items, record: bool = True, key: str | None = None):
        import ipywidgets as widgets

        self.items = list(items)
        self.record = record
        key = _learner_key() if key is None else key
        self.orders = [display_order(item, key) for item in self.items]
        self.feedback = []
        self.buttons = []
        self.results = {}
        blocks = []
        for number, (item, order) in enumerate(zip(self.items, self.orders), start=1):
            header = widgets.HTML(f"<b>Q{number}.</b> {_to_html(item.question)} "
                                  f"<span style='color:#888'>({item.id}, {item.claim})</span>")
            row = []
            for position, canonical in enumerate(order):
                text = plain_text(item.choices[canonical])
                button = widgets.Button(description=f"{MARKS[position]} {text}",
                                        layout=widgets.Layout(width="auto", max_width="100%"),
                                        tooltip=text)
                button.on_click(lambda _b, i=number - 1, p=position: self.choose(i, p))
                row.append(button)
            feedback = widgets.HTML("")
            self.buttons.append(row)
            self.feedback.append(feedback)
            blocks.append(widgets.VBox([header, widgets.VBox(row), feedback],
                                       layout=widgets.Layout(margin="0 0 12px 0")))
        self.score = widgets.HTML(self._score_text())
        self.widget = widgets.VBox(blocks + [self.score])

    def choose(self, index: int, position: int):
        """Answer item ``index`` with the button at shown ``position`` (0..3). Returns the Feedback,
        or None when the question was already answered (it is locked)."""
        item, order = self.items[index], self.orders[index]
        if item.id in self.results:
            return None
        canonical = order[position]
        result = grade(item, canonical, order)
        self.results[item.id] = result.correct
        color = "#1a7f37" if result.correct else "#cf222e"
        self.feedback[index].value = f"<div style='color:{color}'>{_to_html(result.message)}</div>"
        for p, button in enumerate(self.buttons[index]):
            c = order[p]
            button.button_style = "success" if c == item.answer else "danger" if c == canonical else ""
            button.disabled = True
        if self.record:
            try:
                record_quiz_answer(item.id, result.correct, choice=canonical)
            except OSError as error:  # the progress file could not be written; the quiz goes on
                self.feedback[index].value += f"<div style='color:#888'>(진도 파일에 기록하지 못했습니다: {error})</div>"
        self.score.value = self._score_text()
        return result

    def _score_text(self) -> str:
        if not self.results:
            return f"<i>{len(self.items)}문항. 보기를 눌러 답하세요. 한 문항에 한 번만 답할 수 있습니다.</i>"
        right = sum(self.results.values())
        return f"<b>지금까지 {len(self.results)}/{len(self.items)}문항 답함, {right}개 정답.</b>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def show_quiz(chapter: str) -> QuizView:
    """The chapter's quiz as widgets (the cell carries the tag nbval-ignore-output)."""
    return QuizView(load_items(chapter))
