"""The quiz bank: item data (``lib/course/quizbank/chNN.json`` plus items generated from lib's
reference code, ``lib.course.quizgen``), its validation and loading. See ``lib.course.quiz`` for the
item format, grading and the widgets.

Exam metadata (course spec section 10): every item carries a ``level`` — 기본 (what the university's
final asks; the mock final draws only these) or 심화 (Keras internals, course engineering, long hand
calculations: kept for the chapter quizzes and the review) — and a ``type``: 개념 (concept), 계산 (a
value or a count worked out) or 코드 (reading code, a shape, a mask).

Link target: an item may carry ``"cell": "cell-002"``, the id of the heading cell in its chapter's
notebook where the item's fact is taught. The mock final's "다시 볼 곳" links there
(``lib.course.outline.item_link``); without it, the link goes to the section about the item's claim.
tests/test_mock_draw.py checks that every ``cell`` is a heading cell of the chapter's solution notebook.

This module imports no progress code, so ``lib.course.progress`` can read the bank (to migrate an
old progress file) without an import circle: quiz -> progress -> bank, quiz -> bank.
"""

import functools
import json
import pathlib
import re
from dataclasses import dataclass, field

from lib.course.claims import CLAIMS

BANK = pathlib.Path(__file__).resolve().parent / "quizbank"
MARKS = ["①", "②", "③", "④"]
KINDS = ("concept", "negative", "comparison", "code", "plot", "experiment")
NEGATIVE_MARKERS = ("않은", "아닌", "틀린", "않는", "없는")
ID_PATTERN = re.compile(r"^(\d\d)-[0-9A-Za-z]+$")
LEGACY_PATTERN = re.compile(r"^0[0-8]-\d+$")
CELL_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
LEVELS = ("기본", "심화")
TYPES = ("개념", "계산", "코드")
BASIC = "기본"


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
    kind: str = "concept"
    legacy_ids: tuple = ()
    generated: dict | None = field(default=None, compare=False, hash=False)
    level: str = BASIC  # 기본 | 심화
    type: str = "개념"  # 개념 | 계산 | 코드
    cell: str = ""  # heading cell where the item is taught ("" = the section about its claim)


def is_basic(item) -> bool:
    """True for a 기본 item (what the mock final may draw); an object without a level counts as 기본."""
    return getattr(item, "level", BASIC) == BASIC


# ---------------------------------------------------------------- validation


def validate_item(data, require_kind: bool = True) -> list:
    """Problems with one raw item (empty list = well formed). Every message starts with the item id.

    ``require_kind=False`` accepts an item without ``kind`` (treated as "concept"); the bank test
    uses the default. A missing ``level``/``type`` reads as 기본/개념 here; tests/test_bank_cues.py
    requires both on every bank item.
    """
    if not isinstance(data, dict):
        return ["? : item is not an object"]
    item_id = data.get("id", "?")
    problems = []
    for key in ("id", "chapter", "claim", "question", "choices", "answer", "explanation", "why_wrong"):
        if key not in data:
            problems.append(f"missing {key}")
    if "kind" not in data and require_kind:
        problems.append("missing kind")
    if problems:
        return [f"{item_id}: {p}" for p in problems]
    choices, why_wrong, answer = data["choices"], data["why_wrong"], data["answer"]
    if not (isinstance(choices, list) and len(choices) == 4 and all(isinstance(c, str) and c.strip() for c in choices)):
        problems.append("choices must be 4 non-empty strings")
    elif len({c.strip() for c in choices}) != 4:
        problems.append("choices must differ")
    if not (isinstance(answer, int) and not isinstance(answer, bool) and 0 <= answer < 4):
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
    if not (isinstance(data["id"], str) and ID_PATTERN.match(data["id"])
            and data["id"].startswith(str(data["chapter"]) + "-")):
        problems.append("id must be the chapter number, '-' and a short suffix (e.g. '03-4')")
    kind = data.get("kind", "concept")
    if kind not in KINDS:
        problems.append(f"unknown kind {kind!r} (one of {', '.join(KINDS)})")
    elif kind == "negative" and not any(m in data["question"] for m in NEGATIVE_MARKERS):
        problems.append("a negative item asks for the wrong statement (e.g. '옳지 않은 것은?')")
    if data.get("level", BASIC) not in LEVELS:
        problems.append(f"unknown level {data.get('level')!r} (one of {', '.join(LEVELS)})")
    if data.get("type", "개념") not in TYPES:
        problems.append(f"unknown type {data.get('type')!r} (one of {', '.join(TYPES)})")
    cell = data.get("cell", "")
    if not (isinstance(cell, str) and (cell == "" or CELL_PATTERN.match(cell))):
        problems.append("cell must be a notebook cell id like 'cell-002'")
    legacy = data.get("legacy_ids", [])
    if not (isinstance(legacy, list) and all(isinstance(x, str) and LEGACY_PATTERN.match(x) for x in legacy)):
        problems.append("legacy_ids must be a list of layout-v1 ids like '07-4'")
    texts = list(choices) + [data["explanation"]] + list(why_wrong if isinstance(why_wrong, list) else [])
    if any(isinstance(t, str) and any(m in t for m in MARKS) for t in texts):
        problems.append("choices and explanations must not name a position (①–④): positions are shuffled")
    if "generated" in data and not problems:
        problems += _check_generated(data)
    return [f"{item_id}: {p}" for p in problems]


def _check_generated(data) -> list:
    from lib.course import quizgen

    spec = data["generated"]
    try:
        fresh = quizgen.regenerate(spec)
    except Exception as error:  # noqa: BLE001 - reported as a problem of this item
        return [f"generated item cannot be rebuilt: {error!r}"]
    if fresh["choices"][fresh["answer"]] != data["choices"][data["answer"]]:
        return [f"generated key does not recompute: stored {data['choices'][data['answer']]!r}, "
                f"recomputed {fresh['choices'][fresh['answer']]!r}"]
    return []


def _item(data) -> QuizItem:
    return QuizItem(
        id=data["id"], chapter=data["chapter"], claim=data["claim"], question=data["question"],
        choices=tuple(data["choices"]), answer=data["answer"], explanation=data["explanation"],
        why_wrong=tuple(data["why_wrong"]), kind=data.get("kind", "concept"),
        legacy_ids=tuple(data.get("legacy_ids", ())), generated=data.get("generated"),
        level=data.get("level", BASIC), type=data.get("type", "개념"), cell=data.get("cell", ""),
    )


# ---------------------------------------------------------------- loading


def chapters_in_bank() -> list:
    """Chapters with a hand-written file or generated items, sorted ("00", "01", ...)."""
    from lib.course import quizgen

    found = {p.stem[2:] for p in BANK.glob("ch*.json")} | set(quizgen.chapters())
    return sorted(found)


def load_raw(chapter: str) -> list:
    """The hand-written items of one chapter as stored (no generated items)."""
    path = BANK / f"ch{chapter}.json"
    if not path.exists():
        return []
    return json.loads(path.read_text(encoding="utf-8"))


def raw_items(chapter: str) -> list:
    """Hand-written then generated items of one chapter, as raw dicts."""
    from lib.course import quizgen

    return load_raw(chapter) + quizgen.generated_items(chapter)


@functools.lru_cache(maxsize=None)
def _load_chapter(chapter: str, mtime: float) -> tuple:
    items = []
    for raw in raw_items(chapter):
        problems = validate_item(raw, require_kind=False)
        if problems:
            raise ValueError(f"quiz item in ch{chapter}: {'; '.join(problems)}")
        items.append(_item(raw))
    return tuple(items)


def load_items(chapter: str | None = None) -> list:
    """Items of one chapter ("01"), or of every chapter when chapter is None: hand-written items in
    bank order, then the chapter's generated items."""
    chapters = [chapter] if chapter is not None else chapters_in_bank()
    items = []
    for ch in chapters:
        path = BANK / f"ch{ch}.json"
        items += _load_chapter(ch, path.stat().st_mtime if path.exists() else 0.0)
    return items


def find_item(item_id: str) -> QuizItem:
    """The item with this id; KeyError if there is none."""
    if isinstance(item_id, str):
        for item in load_items(item_id.split("-")[0]) if ID_PATTERN.match(item_id) else []:
            if item.id == item_id:
                return item
    raise KeyError(item_id)
