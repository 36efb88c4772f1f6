"""Four-choice quizzes: item data, grading logic, and an ipywidgets view on top.

Items are data in ``lib/course/quizbank/chNN.json``: a list of objects

    {"id": "01-1", "chapter": "01", "claim": "C6",
     "question": "...", "choices": ["...", "...", "...", "..."], "answer": 2,
     "explanation": "why the answer is right",
     "why_wrong": ["why choice 0 is wrong", "...", "", "..."]}   ("" at the answer's index)

Questions and choices may hold Markdown-free plain text; code goes between ``` fences and is
shown in a monospaced block. The logic (load, validate, grade) needs no browser.
"""

import html
import json
import pathlib
from dataclasses import dataclass

from lib.course.claims import CLAIMS
from lib.course.progress import record_quiz_answer

BANK = pathlib.Path(__file__).resolve().parent / "quizbank"
MARKS = ["①", "②", "③", "④"]


@dataclass(frozen=True)
class QuizItem:
    id: str
    chapter: str
    claim: str
    question: str
    choices: tuple
    answer: int
    explanation: str
    why_wrong: tuple


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str


def validate_item(data) -> list:
    """Problems with one raw item (empty list = well formed)."""
    problems = []
    if not isinstance(data, dict):
        return ["item is not an object"]
    for key in ("id", "chapter", "claim", "question", "choices", "answer", "explanation", "why_wrong"):
        if key not in data:
            problems.append(f"missing {key}")
    if problems:
        return problems
    choices, why_wrong, answer = data["choices"], data["why_wrong"], data["answer"]
    if not (isinstance(choices, list) and len(choices) == 4 and all(isinstance(c, str) and c.strip() for c in choices)):
        problems.append("choices must be 4 non-empty strings")
    elif len(set(choices)) != 4:
        problems.append("choices must differ")
    if not (isinstance(answer, int) and 0 <= answer < 4):
        problems.append("answer must be an index 0..3")
    elif not (isinstance(why_wrong, list) and len(why_wrong) == 4):
        problems.append("why_wrong must have 4 entries")
    else:
        for i, text in enumerate(why_wrong):
            if i != answer and not (isinstance(text, str) and text.strip()):
                problems.append(f"why_wrong[{i}] must explain the wrong choice")
    if data["claim"] not in CLAIMS:
        problems.append(f"unknown claim {data['claim']!r}")
    if not str(data["explanation"]).strip() or not str(data["question"]).strip():
        problems.append("question and explanation must not be empty")
    if not str(data["id"]).startswith(str(data["chapter"]) + "-"):
        problems.append("id must start with the chapter number and '-'")
    return problems


def _item(data) -> QuizItem:
    return QuizItem(
        id=data["id"], chapter=data["chapter"], claim=data["claim"], question=data["question"],
        choices=tuple(data["choices"]), answer=data["answer"], explanation=data["explanation"],
        why_wrong=tuple(data["why_wrong"]),
    )


def load_raw(chapter: str) -> list:
    path = BANK / f"ch{chapter}.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def load_items(chapter: str | None = None) -> list:
    """Items of one chapter ("01"), or of every chapter when chapter is None, in bank order."""
    chapters = [chapter] if chapter is not None else sorted(p.stem[2:] for p in BANK.glob("ch*.json"))
    items = []
    for ch in chapters:
        for raw in load_raw(ch):
            problems = validate_item(raw)
            if problems:
                raise ValueError(f"quiz item {raw.get('id', '?')} in ch{ch}.json: {'; '.join(problems)}")
            items.append(_item(raw))
    return items


def find_item(item_id: str) -> QuizItem:
    for item in load_items(item_id.split("-")[0]):
        if item.id == item_id:
            return item
    raise KeyError(item_id)


def grade(item: QuizItem, choice: int) -> Feedback:
    """Korean feedback for choosing ``choice`` (0..3)."""
    if not (isinstance(choice, int) and 0 <= choice < 4):
        return Feedback(False, "보기 번호는 0, 1, 2, 3 중 하나입니다 (①=0, ②=1, ③=2, ④=3).")
    right = MARKS[item.answer]
    if choice == item.answer:
        return Feedback(True, f"⭕ 정답입니다 ({right}). {item.explanation}")
    return Feedback(
        False,
        f"❌ {MARKS[choice]}는 아닙니다. {item.why_wrong[choice]}\n정답은 {right}: {item.explanation}",
    )


def answer(item_id: str, choice: int) -> Feedback:
    """Answer one item in code (no widgets needed): prints and records the feedback."""
    item = find_item(item_id)
    feedback = grade(item, choice)
    if isinstance(choice, int) and 0 <= choice < 4:
        record_quiz_answer(item.id, feedback.correct)
    print(feedback.message)
    return feedback


def question_text(item: QuizItem, number: int | None = None) -> str:
    prefix = f"Q{number}. " if number is not None else ""
    lines = [f"{prefix}{item.question}"]
    lines += [f"  {MARKS[i]} {choice}" for i, choice in enumerate(item.choices)]
    return "\n".join(lines)


def print_quiz(chapter: str) -> None:
    """Plain-text version of a chapter's quiz (answer with quiz.answer(id, choice))."""
    for number, item in enumerate(load_items(chapter), start=1):
        print(f"[{item.id}] " + question_text(item, number) + "\n")


# ---------------------------------------------------------------- widget view


def _to_html(text: str) -> str:
    """Plain text with ``` fenced code -> HTML."""
    parts = text.split("```")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            first, _, rest = part.partition("\n")
            code = rest if first.strip().isalpha() else part  # drop a language tag like ```python
            out.append(f"<pre style='background:#f6f8fa;padding:6px'>{html.escape(code.strip())}</pre>")
        else:
            out.append(html.escape(part).replace("\n", "<br>"))
    return "".join(out)


class QuizView:
    """ipywidgets quiz: one block per item, four buttons, feedback under them.

    ``choose(index, choice)`` is what a click does, so the view can be driven in tests.
    """

    def __init__(self, items, record: bool = True):
        import ipywidgets as widgets

        self.items = list(items)
        self.record = record
        self.feedback = []
        self.buttons = []
        self.results = {}
        blocks = []
        for number, item in enumerate(self.items, start=1):
            header = widgets.HTML(f"<b>Q{number}.</b> {_to_html(item.question)} "
                                  f"<span style='color:#888'>({item.id}, {item.claim})</span>")
            row = []
            for choice, text in enumerate(item.choices):
                button = widgets.Button(description=f"{MARKS[choice]} {text}",
                                        layout=widgets.Layout(width="auto", max_width="100%"),
                                        tooltip=text)
                button.on_click(lambda _b, i=number - 1, c=choice: self.choose(i, c))
                row.append(button)
            feedback = widgets.HTML("")
            self.buttons.append(row)
            self.feedback.append(feedback)
            blocks.append(widgets.VBox([header, widgets.VBox(row), feedback],
                                       layout=widgets.Layout(margin="0 0 12px 0")))
        self.score = widgets.HTML(self._score_text())
        self.widget = widgets.VBox(blocks + [self.score])

    def choose(self, index: int, choice: int) -> Feedback:
        item = self.items[index]
        result = grade(item, choice)
        self.results[item.id] = result.correct
        color = "#1a7f37" if result.correct else "#cf222e"
        self.feedback[index].value = f"<div style='color:{color}'>{_to_html(result.message)}</div>"
        for c, button in enumerate(self.buttons[index]):
            button.button_style = "success" if c == item.answer else "danger" if c == choice else ""
        if self.record:
            record_quiz_answer(item.id, result.correct)
        self.score.value = self._score_text()
        return result

    def _score_text(self) -> str:
        if not self.results:
            return f"<i>{len(self.items)}문항. 보기를 눌러 답하세요.</i>"
        right = sum(self.results.values())
        return f"<b>지금까지 {len(self.results)}/{len(self.items)}문항 답함, {right}개 정답.</b>"

    def _ipython_display_(self):
        from IPython.display import display

        display(self.widget)


def show_quiz(chapter: str) -> QuizView:
    """The chapter's quiz as widgets (the cell carries the tag nbval-ignore-output)."""
    return QuizView(load_items(chapter))
