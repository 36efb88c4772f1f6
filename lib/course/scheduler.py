"""Spaced repetition over the quiz bank: Leitner boxes, today's session, mastery.

Every function here is pure: the clock is an argument (``today``, a ``datetime.date``) and the
learner's record is a plain dict (the ``lib.course.progress`` format). Nothing reads or writes files.

Leitner boxes. An item never answered sits in box 0 and is due at once. A right answer given
when the item is due moves it up one box; a wrong answer, at any time, sends it back to box 1.
The item is next due ``INTERVALS[box]`` days after the answer:

    box       0    1    2    3    4    5
    interval  0    1    3    7   14   30 days

A right answer before the due date (e.g. clicking the same chapter quiz twice in a day) changes
nothing, so repeating an item cannot rush it to the top box. The box stays at 5 after 5.

The answer history ``data["quiz"][item_id]["history"]`` (a list of ``{"at", "correct"}``) is the
single source of truth: an item's box and due date are recomputed by replaying it, so answers
given in a chapter's quiz count too, and a hand-edited ``box`` cannot confuse the schedule.
``apply_answer`` also stores the replayed ``box`` and ``due`` in the entry, so the progress file
can be read by a person. Dates are calendar days in UTC (the time stamps ``lib.course.progress`` writes).
"""

import copy
import datetime as _dt
import hashlib
from dataclasses import dataclass

INTERVALS = (0, 1, 3, 7, 14, 30)
TOP_BOX = len(INTERVALS) - 1
SESSION_SIZE = 10


def today() -> _dt.date:
    """The current calendar day (UTC), the default clock of the notebooks."""
    return _dt.datetime.now(_dt.timezone.utc).date()


def parse_day(at) -> _dt.date | None:
    """The UTC day of an ISO time stamp ("2025-03-01T10:00:00+00:00" or "2025-03-01"); None if unreadable."""
    if isinstance(at, _dt.datetime):
        moment = at
    elif isinstance(at, _dt.date):
        return at
    else:
        try:
            moment = _dt.datetime.fromisoformat(str(at))
        except ValueError:
            return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(_dt.timezone.utc)
    return moment.date()


def stamp(day: _dt.date) -> str:
    """A time stamp for an answer given on ``day`` (noon UTC), in lib.course.progress's format."""
    return _dt.datetime.combine(day, _dt.time(12), _dt.timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------- one item


@dataclass(frozen=True)
class ItemState:
    """Where one item stands. ``due`` is None for an item never answered (due at once)."""

    box: int = 0
    due: _dt.date | None = None
    answers: int = 0
    right: int = 0
    last_correct: bool | None = None

    @property
    def is_new(self) -> bool:
        return self.answers == 0

    def is_due(self, day: _dt.date) -> bool:
        return self.due is None or self.due <= day


def next_state(state: ItemState, correct: bool, day: _dt.date) -> ItemState:
    """The state after answering on ``day``: right (when due) -> next box, wrong -> box 1."""
    counted = dict(answers=state.answers + 1, right=state.right + bool(correct), last_correct=bool(correct))
    if not correct:
        box = 1
    elif state.is_due(day):
        box = min(state.box + 1, TOP_BOX)
    else:  # right, but early: the schedule stays as it was
        return ItemState(box=state.box, due=state.due, **counted)
    return ItemState(box=box, due=day + _dt.timedelta(days=INTERVALS[box]), **counted)


def answers_of(entry) -> list:
    """The readable answers of one quiz entry, oldest first: [(day, correct), ...].

    Events that are not ``{"at": <ISO time>, "correct": <bool>}`` are skipped.
    """
    history = entry.get("history") if isinstance(entry, dict) else None
    if not isinstance(history, list):
        return []
    events = []
    for event in history:
        if isinstance(event, dict) and isinstance(event.get("correct"), bool):
            day = parse_day(event.get("at"))
            if day is not None:
                events.append((day, event["correct"]))
    return sorted(events, key=lambda e: e[0])  # stable: same-day answers keep their order


def replay(entry) -> ItemState:
    """An item's state from its answer history."""
    state = ItemState()
    for day, correct in answers_of(entry):
        state = next_state(state, correct, day)
    return state


def quiz_record(data) -> dict:
    quiz = data.get("quiz") if isinstance(data, dict) else None
    return quiz if isinstance(quiz, dict) else {}


def item_state(data, item_id: str) -> ItemState:
    return replay(quiz_record(data).get(item_id))


def apply_answer(data: dict, item_id: str, correct: bool, at: str) -> ItemState:
    """Append an answer to ``data["quiz"][item_id]`` and store the replayed box and due date.

    Mutates ``data`` (use inside ``lib.course.progress.update_progress`` to save it).
    """
    quiz = data.setdefault("quiz", {})
    entry = quiz.get(item_id)
    if not isinstance(entry, dict) or not isinstance(entry.get("history"), list):
        entry = quiz[item_id] = {"history": []}
    entry["history"].append({"at": at, "correct": bool(correct)})
    state = replay(entry)
    entry["box"] = state.box
    entry["due"] = state.due.isoformat() if state.due else None
    return state


def simulate(rule, start: _dt.date, days: int) -> list:
    """One item answered every time it falls due, for ``days`` days from ``start``.

    ``rule(n)`` says whether the n-th answer (0, 1, ...) is right. Returns [(day, correct, state after)].
    """
    data, day, trace = {"quiz": {}}, start, []
    while day < start + _dt.timedelta(days=days):
        correct = bool(rule(len(trace)))
        state = apply_answer(data, "item", correct, stamp(day))
        trace.append((day, correct, state))
        day = state.due
    return trace


# ---------------------------------------------------------------- mastery


def item_mastery(state: ItemState) -> float:
    """0 for an item never answered (or just missed in box 1 -> 0.2), 1 in the top box."""
    return state.box / TOP_BOX


def states(items, data) -> dict:
    """{item id: ItemState} for every item of the bank."""
    quiz = quiz_record(data)
    return {item.id: replay(quiz.get(item.id)) for item in items}


def _mean_by(items, data, key) -> dict:
    by_id = states(items, data)
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item_mastery(by_id[item.id]))
    return {k: sum(v) / len(v) for k, v in groups.items()}


def claim_mastery(items, data) -> dict:
    """{claim: mean item mastery (0..1)} over the bank's items of each claim."""
    return _mean_by(items, data, lambda item: item.claim)


def chapter_mastery(items, data) -> dict:
    """{chapter: mean item mastery (0..1)} over the bank's items of each chapter."""
    return _mean_by(items, data, lambda item: item.chapter)


def box_counts(items, data) -> list:
    """How many items sit in each box, [box 0, ..., box 5]."""
    counts = [0] * (TOP_BOX + 1)
    for state in states(items, data).values():
        counts[state.box] += 1
    return counts


# ---------------------------------------------------------------- a session


def due_items(items, data, day: _dt.date) -> list:
    by_id = states(items, data)
    return [item for item in items if by_id[item.id].is_due(day)]


def build_session(items, data, day: _dt.date, size: int = SESSION_SIZE) -> list:
    """Today's items: at most ``size`` of the due ones.

    Items already answered come first, taken one claim at a time (weakest claim first; within a
    claim the lower box, then the longer overdue, then the bank's order), so a session touches many
    claims instead of ten items of one; then new items in the bank's order (the course's order).
    The same record and day give the same list.
    """
    by_id = states(items, data)
    mastery = claim_mastery(items, data)
    position = {item.id: i for i, item in enumerate(items)}

    def key(item):
        state = by_id[item.id]
        return (round(mastery[item.claim], 6), state.box, state.due or day, position[item.id])

    due = due_items(items, data, day)
    per_claim = {}
    for item in sorted((i for i in due if not by_id[i.id].is_new), key=key):
        per_claim.setdefault(item.claim, []).append(item)  # claims in order of their weakest item
    queues = list(per_claim.values())
    reviews = [queue[r] for r in range(max(map(len, queues), default=0)) for queue in queues if r < len(queue)]
    new = [item for item in due if by_id[item.id].is_new]
    return (reviews + new)[:size]


@dataclass(frozen=True)
class Answer:
    item: object
    choice: int
    correct: bool
    before: ItemState
    after: ItemState


class Session:
    """One review session: the items of ``build_session``, answered one at a time.

    ``data`` is the learner's record; a copy is updated in memory as answers come in
    (``self.data``), and ``on_answer(item_id, correct)`` is called for each answer (e.g.
    ``lib.course.progress.record_quiz_answer`` to save it). Items are ``lib.course.quiz.QuizItem``s.
    """

    def __init__(self, items, data, day: _dt.date, size: int = SESSION_SIZE, on_answer=None):
        self.day = day
        self.data = {"quiz": copy.deepcopy(quiz_record(data))}
        self.items = build_session(items, data, day, size)
        self.bank = list(items)
        self.on_answer = on_answer
        self.answers = []

    @property
    def current(self):
        """The item to answer now, or None when the session is over."""
        return self.items[len(self.answers)] if not self.done else None

    @property
    def done(self) -> bool:
        return len(self.answers) >= len(self.items)

    def answer(self, choice: int) -> Answer:
        """Answer the current item with choice 0..3 and move on."""
        item = self.current
        if item is None:
            raise RuntimeError("the session is over")
        if not (isinstance(choice, int) and 0 <= choice < 4):
            raise ValueError("choice must be 0, 1, 2 or 3")
        correct = choice == item.answer
        before = item_state(self.data, item.id)
        after = apply_answer(self.data, item.id, correct, stamp(self.day))
        result = Answer(item, choice, correct, before, after)
        self.answers.append(result)
        if self.on_answer is not None:  # last: if saving fails, the session has still moved on
            self.on_answer(item.id, correct)
        return result

    def summary(self) -> "Summary":
        return summarize(self.answers, self.bank, self.data, self.day)


@dataclass(frozen=True)
class Summary:
    asked: int
    right: int
    wrong_ids: tuple
    moved_up: int
    claims_missed: tuple  # claims of the wrong answers, in the order met
    due_tomorrow: int  # items of the bank due tomorrow after this session
    next_due: _dt.date | None  # the earliest day an item is due after today

    def text(self) -> str:
        """Korean summary shown at the end of a session."""
        if not self.asked:
            return "오늘 복습할 문항이 없습니다. 다음 복습일에 다시 오세요."
        lines = [f"오늘 {self.asked}문항 중 {self.right}문항 정답 ({self.right / self.asked:.0%})."]
        if self.moved_up:
            lines.append(f"{self.moved_up}문항이 다음 상자로 올라갔습니다 (더 긴 간격 뒤에 다시 나옵니다).")
        if self.wrong_ids:
            lines.append(f"틀린 문항 {', '.join(self.wrong_ids)} 은(는) 1번 상자로 돌아가 내일 다시 나옵니다.")
            lines.append(f"다시 볼 주장: {', '.join(self.claims_missed)}")
        if self.next_due is not None:
            lines.append(f"다음 복습일: {self.next_due.isoformat()} (내일 풀 차례인 문항 {self.due_tomorrow}개)")
        return "\n".join(lines)


def summarize(answers, items, data, day: _dt.date) -> Summary:
    """What a session did: score, boxes moved up, what comes back and when."""
    wrong = [a for a in answers if not a.correct]
    claims = []
    for a in wrong:
        if a.item.claim not in claims:
            claims.append(a.item.claim)
    tomorrow = day + _dt.timedelta(days=1)
    by_id = states(items, data)
    upcoming = [s.due for s in by_id.values() if s.due is not None and s.due > day]
    return Summary(
        asked=len(answers),
        right=len(answers) - len(wrong),
        wrong_ids=tuple(a.item.id for a in wrong),
        moved_up=sum(a.correct and a.after.box > a.before.box for a in answers),
        claims_missed=tuple(claims),
        due_tomorrow=sum(s.is_due(tomorrow) for s in by_id.values()),
        next_due=min(upcoming) if upcoming else None,
    )


# ---------------------------------------------------------------- example learner


def _coin(*parts) -> float:
    """A reproducible number in [0, 1) from its parts (no global random state)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:8], 16) / 2**32


EXAMPLE_DAY = _dt.date(2025, 6, 2)
EXAMPLE_START = _dt.date(2025, 5, 5)
EXAMPLE_WEAK = {"C8": 0.45, "C11": 0.35, "C22": 0.4}  # claims the example learner often misses


def example_progress(items, exercises, day: _dt.date = EXAMPLE_DAY) -> dict:
    """A made-up learner's record ("예시 데이터"), the same on every machine.

    The learner started four weeks before ``day``, studied chapters 00-07 (two days each), answered
    each chapter's quiz when studying it and then reviewed every item on the day it fell due, until
    a three-day break just before ``day``; right with probability 0.85 (less on ``EXAMPLE_WEAK``). Exercises passed: all of
    chapters 00-05, half of 06. ``exercises`` maps exercise id -> chapter. Each item's answers
    depend only on its own id, so adding items to the bank leaves the others' histories unchanged.
    """
    data = {"version": 1, "exercises": {}, "quiz": {}}
    for item in items:
        chapter = int(item.chapter)
        if chapter > 7:
            continue
        answer_day = EXAMPLE_START + _dt.timedelta(days=2 * chapter)
        p_right = EXAMPLE_WEAK.get(item.claim, 0.85)
        n = 0
        while answer_day < day - _dt.timedelta(days=3):
            state = apply_answer(data, item.id, _coin(item.id, n) < p_right, stamp(answer_day))
            answer_day, n = state.due, n + 1
    passed = sorted(ex for ex, ch in exercises.items() if ch <= "05")
    in_06 = sorted(ex for ex, ch in exercises.items() if ch == "06")
    for offset, ex in enumerate(passed + in_06[: len(in_06) // 2]):
        at = stamp(EXAMPLE_START + _dt.timedelta(days=2 * int(exercises[ex])))
        data["exercises"][ex] = {"first_passed": at, "last_passed": at, "passes": 1}
    return data
