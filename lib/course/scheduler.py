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
can be read by a person.

Days. A day is the learner's local calendar day (the computer's time zone): "tomorrow" starts at the
learner's midnight, not at midnight UTC (09:00 in Korea). Time stamps stay as ``lib.course.progress``
writes them (ISO 8601 with the UTC offset, e.g. "2025-03-01T23:30:00+00:00"), so old progress files
read as before; ``parse_day`` turns one into the local day it fell on, ``today()`` is the local day,
and ``stamp(day)`` is noon of that local day, written in UTC. Every other module gets its days from
these three functions.

Exam date. When the record holds ``"exam_date"`` (set with ``lib.course.progress.set_exam_date``),
intervals are shortened so the final is prepared for: after an answer given ``left`` days before
the exam (``left >= 2``), a *weak* item (box 1 or 2 after the answer) comes back within
``max(1, (left - 1) // 2)`` days, so it is seen at least twice more before the exam day when
``left >= 2`` (the answer day and the day before the exam at least); a strong item (box 3 or more)
comes back at the latest the day before the exam, for a last look. Nothing is lengthened, and with
the exam one day away or past, the usual intervals apply.

The exam plan counts what the scheduler will really ask. ``forecast`` replays the days from today to
the day before the exam: every item (weak, new *and* strong) is answered on the day it falls due (an
overdue one today) and every answer is right, so its counts are the least the scheduler will bring
back (a wrong answer adds more). ``exam_plan`` sums them (``looks_needed``; ``looks_by_kind`` is the same
forecast run on the weak, new and strong items apart, so the three add up to it), spreads them over the
days left (``per_day``, rounded up) and names the busiest day: strong items all come back by the day
before the exam, so that day is usually the busiest. ``session_size`` grows today's session to
``per_day``, never past ``MAX_SESSION`` items in one sitting (a learner with more due opens another
session; the plan's message says so). The plan is recomputed every day, so items left over today
count again tomorrow.

Which chapters. A session draws only from the chapters the learner has started
(``started_chapters``: a chapter opened in chapters/, an exercise passed, an item answered) unless
asked for all. Confident-but-wrong answers (marked 확실 in a mock final, ``lib.course.mock_exam``) come
back first.
"""

import copy
import datetime as _dt
import hashlib
from dataclasses import dataclass

INTERVALS = (0, 1, 3, 7, 14, 30)
TOP_BOX = len(INTERVALS) - 1
SESSION_SIZE = 10
WEAK_BOX = 2  # an item in box 1 or 2 (or last answered wrong) is weak
MAX_SESSION = 40  # a session grown for an exam never asks more than this in one sitting
CONFIDENCES = ("확실", "애매", "찍음")  # the marks of a mock final's answers


def today(tz: _dt.tzinfo | None = None, now: _dt.datetime | None = None) -> _dt.date:
    """The learner's calendar day at ``now`` (an aware moment; default: this instant): local time (the
    computer's time zone), or in ``tz`` when given."""
    return (now or _dt.datetime.now(_dt.timezone.utc)).astimezone(tz).date()


def parse_day(at, tz: _dt.tzinfo | None = None) -> _dt.date | None:
    """The local calendar day (or the day in ``tz``) of an ISO time stamp ("2025-03-01T10:00:00+00:00";
    a stamp without an offset and a bare date "2025-03-01" are taken as they are); None if unreadable."""
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
        moment = moment.astimezone(tz)
    return moment.date()


def stamp(day: _dt.date, tz: _dt.tzinfo | None = None) -> str:
    """A time stamp for an answer given on ``day`` (noon, local or in ``tz``), written in UTC like
    lib.course.progress's stamps."""
    noon = _dt.datetime.combine(day, _dt.time(12))
    noon = noon.replace(tzinfo=tz) if tz is not None else noon.astimezone()
    return noon.astimezone(_dt.timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------- one item


@dataclass(frozen=True)
class ItemState:
    """Where one item stands. ``due`` is None for an item never answered (due at once)."""

    box: int = 0
    due: _dt.date | None = None
    answers: int = 0
    right: int = 0
    last_correct: bool | None = None
    confident_wrong: bool = False  # the last answer was wrong and marked 확실 (a mock final)
    last_day: _dt.date | None = None

    @property
    def is_new(self) -> bool:
        return self.answers == 0

    @property
    def is_weak(self) -> bool:
        """Answered, and either last answered wrong or still in box 1-2."""
        return not self.is_new and (self.last_correct is False or self.box <= WEAK_BOX)

    def is_due(self, day: _dt.date) -> bool:
        return self.due is None or self.due <= day


def interval(box: int, day: _dt.date, exam: _dt.date | None = None) -> int:
    """Days until an item in ``box`` (after an answer on ``day``) comes back; shortened before an exam
    (see the module's docstring)."""
    days = INTERVALS[box]
    if exam is None:
        return days
    left = (exam - day).days
    if left < 2:
        return days
    cap = max(1, (left - 1) // 2) if box <= WEAK_BOX else left - 1
    return max(1, min(days, cap))


def next_state(state: ItemState, correct: bool, day: _dt.date, exam: _dt.date | None = None,
               confidence: str | None = None) -> ItemState:
    """The state after answering on ``day``: right (when due) -> next box, wrong -> box 1."""
    counted = dict(answers=state.answers + 1, right=state.right + bool(correct), last_correct=bool(correct),
                   confident_wrong=(not correct and confidence == "확실"), last_day=day)
    if not correct:
        box = 1
    elif state.is_due(day):
        box = min(state.box + 1, TOP_BOX)
    else:  # right, but early: the schedule stays as it was
        return ItemState(box=state.box, due=state.due, **counted)
    return ItemState(box=box, due=day + _dt.timedelta(days=interval(box, day, exam)), **counted)


def events_of(entry) -> list:
    """The readable answers of one quiz entry, oldest first: [(day, event dict), ...].

    Events that are not ``{"at": <ISO time>, "correct": <bool>, ...}`` are skipped.
    """
    history = entry.get("history") if isinstance(entry, dict) else None
    if not isinstance(history, list):
        return []
    events = []
    for event in history:
        if isinstance(event, dict) and isinstance(event.get("correct"), bool):
            day = parse_day(event.get("at"))
            if day is not None:
                events.append((day, event))
    return sorted(events, key=lambda e: e[0])  # stable: same-day answers keep their order


def answers_of(entry) -> list:
    """The readable answers of one quiz entry, oldest first: [(day, correct), ...]."""
    return [(day, event["correct"]) for day, event in events_of(entry)]


def replay(entry, exam: _dt.date | None = None) -> ItemState:
    """An item's state from its answer history (intervals shortened before ``exam``, if given)."""
    state = ItemState()
    for day, event in events_of(entry):
        state = next_state(state, event["correct"], day, exam, event.get("confidence"))
    return state


def quiz_record(data) -> dict:
    quiz = data.get("quiz") if isinstance(data, dict) else None
    return quiz if isinstance(quiz, dict) else {}


def exam_day(data) -> _dt.date | None:
    """The exam date stored in the record (``"exam_date": "2025-06-20"``), or None."""
    value = data.get("exam_date") if isinstance(data, dict) else None
    if not isinstance(value, str):
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        return None


def item_state(data, item_id: str) -> ItemState:
    return replay(quiz_record(data).get(item_id), exam_day(data))


def apply_answer(data: dict, item_id: str, correct: bool, at: str, **extra) -> ItemState:
    """Append an answer to ``data["quiz"][item_id]`` and store the replayed box and due date.

    ``extra`` (e.g. ``choice=2``, ``confidence="확실"``, ``source="mock"``) is stored in the event.
    Mutates ``data`` (use inside ``lib.course.progress.update_progress`` to save it).
    """
    quiz = data.setdefault("quiz", {})
    entry = quiz.get(item_id)
    if not isinstance(entry, dict) or not isinstance(entry.get("history"), list):
        entry = quiz[item_id] = {"history": []}
    event = {"at": at, "correct": bool(correct)}
    event.update({k: v for k, v in extra.items() if v is not None})
    entry["history"].append(event)
    state = replay(entry, exam_day(data))
    entry["box"] = state.box
    entry["due"] = state.due.isoformat() if state.due else None
    return state


def simulate(rule, start: _dt.date, days: int, exam: _dt.date | None = None) -> list:
    """One item answered every time it falls due, for ``days`` days from ``start``.

    ``rule(n)`` says whether the n-th answer (0, 1, ...) is right. Returns [(day, correct, state after)].
    """
    data, day, trace = {"quiz": {}}, start, []
    if exam is not None:
        data["exam_date"] = exam.isoformat()
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
    quiz, exam = quiz_record(data), exam_day(data)
    return {item.id: replay(quiz.get(item.id), exam) for item in items}


def _mean_by(items, data, key) -> dict:
    by_id = states(items, data)
    groups = {}
    for item in items:
        groups.setdefault(key(item), []).append(item_mastery(by_id[item.id]))
    return {k: sum(v) / len(v) for k, v in groups.items()}


def claim_mastery(items, data) -> dict:
    """{claim: mean item mastery (0..1)} over the bank's items of each claim."""
    return _mean_by(items, data, lambda item: item.claim)


def started_claim_mastery(items, data, exercises=None) -> dict:
    """{claim: mastery} over each claim's items in the chapters the learner has started
    (``started_chapters``; ``exercises`` maps exercise id -> chapter). The one 숙련도 of a claim: the
    dashboard, "다시 볼 곳" and the 오답노트 all show this figure. A claim with no item in a started
    chapter is absent."""
    chapters = set(started_chapters(data, items, exercises))
    mine = [item for item in items if item.chapter in chapters]
    return claim_mastery(mine, data) if mine else {}


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


def started_chapters(data, items=(), exercises=None) -> list:
    """The chapters the learner has started, sorted: opened in chapters/ (``data["chapters"]``), an
    exercise passed (``exercises`` maps exercise id -> chapter) or a quiz item answered (its chapter
    from ``items``, else the id's "NN-" prefix)."""
    if not isinstance(data, dict):
        return []
    found = set()
    opened = data.get("chapters")
    if isinstance(opened, dict):
        found |= {str(c) for c in opened}
    passed = data.get("exercises")
    if isinstance(passed, dict) and exercises:
        found |= {exercises[ex] for ex in passed if ex in exercises}
    chapter_of = {item.id: item.chapter for item in items}
    for item_id, entry in quiz_record(data).items():
        if answers_of(entry):
            chapter = chapter_of.get(item_id)
            if chapter is None and len(item_id) > 3 and item_id[:2].isdigit() and item_id[2] == "-":
                chapter = item_id[:2]
            if chapter is not None:
                found.add(chapter)
    return sorted(found)


def in_chapters(items, chapters) -> list:
    """The items of the given chapters (all items when ``chapters`` is None)."""
    if chapters is None:
        return list(items)
    chosen = set(chapters)
    return [item for item in items if item.chapter in chosen]


def due_items(items, data, day: _dt.date) -> list:
    by_id = states(items, data)
    return [item for item in items if by_id[item.id].is_due(day)]


def build_session(items, data, day: _dt.date, size: int = SESSION_SIZE, chapters=None) -> list:
    """Today's items: at most ``size`` of the due ones (of ``chapters`` only, when given).

    Items answered wrong with the mark 확실 come first (confident mistakes are the dangerous ones);
    then the other items already answered, taken one claim at a time (weakest claim first; within a
    claim the lower box, then the longer overdue, then the bank's order), so a session touches many
    claims instead of ten items of one; then new items in the bank's order (the course's order).
    A term card (``lib.course.terms``) is asked in one direction per session (one last answered
    wrong, else the one seen longer ago); its other direction stays due for a later session. The same record and day give
    the same list.
    """
    items = in_chapters(items, chapters)
    by_id = states(items, data)
    mastery = claim_mastery(items, data)
    position = {item.id: i for i, item in enumerate(items)}

    def key(item):
        state = by_id[item.id]
        return (round(mastery[item.claim], 6), state.box, state.due or day, position[item.id])

    due = due_items(items, data, day)
    confident = sorted((i for i in due if by_id[i.id].confident_wrong), key=key)
    per_claim = {}
    for item in sorted((i for i in due if not by_id[i.id].is_new and not by_id[i.id].confident_wrong), key=key):
        per_claim.setdefault(item.claim, []).append(item)  # claims in order of their weakest item
    queues = list(per_claim.values())
    reviews = [queue[r] for r in range(max(map(len, queues), default=0)) for queue in queues if r < len(queue)]
    new = [item for item in due if by_id[item.id].is_new]
    ordered = confident + reviews + new
    # A term card's two directions: only one per session (the other would be answered from the
    # feedback just read). A direction last answered wrong is asked (it comes back tomorrow, as
    # any miss); otherwise the one seen longer ago (never = longest), so the directions take turns.
    # The other stays due for a later session.
    keep = {}
    for item in ordered:
        card = getattr(item, "card", None)
        if card:
            state = by_id[item.id]
            rank = (not state.confident_wrong, state.last_correct is not False, state.last_day or _dt.date.min)
            if card not in keep or rank < keep[card][0]:
                keep[card] = (rank, item.id)
    chosen = [item for item in ordered if not getattr(item, "card", None) or keep[item.card][1] == item.id]
    return chosen[:size]


# ---------------------------------------------------------------- an exam date


@dataclass(frozen=True)
class ExamPlan:
    exam: _dt.date
    day: _dt.date
    weak: tuple  # ids of weak items (answered; last wrong or box 1-2)
    new: tuple  # ids never answered
    strong: tuple  # ids of the other answered items (box 3 or more, last answered right)
    looks_needed: int  # answers the scheduler asks from ``day`` to the day before the exam, all right (forecast)
    per_day: int  # looks_needed over the days left, rounded up
    busiest: _dt.date | None = None  # the day with the most items due before the exam
    busiest_count: int = 0
    looks_by_kind: tuple = (0, 0, 0)  # looks_needed of the weak, new and strong items (forecast of each)

    @property
    def days_left(self) -> int:
        return (self.exam - self.day).days

    @property
    def session(self) -> int:
        """Today's session size under this plan (``session_size``): per_day, at least SESSION_SIZE,
        at most MAX_SESSION."""
        return max(SESSION_SIZE, min(self.per_day, MAX_SESSION))

    def text(self) -> str:
        """Korean: days left, the looks of each kind (weak, new, strong) and their sum, how many items a
        day that takes and the busiest day."""
        left = self.days_left
        if left < 0:
            return f"시험일({self.exam.isoformat()})이 지났습니다. 새 시험 날짜를 정하세요."
        if left == 0:
            return f"오늘이 시험일({self.exam.isoformat()})입니다. 약한 문항 {len(self.weak)}개를 마지막으로 훑어보세요."
        head = f"시험까지 {left}일 ({self.exam.isoformat()})."
        if not self.looks_needed:
            return head + " 시험 전에 풀 차례가 오는 문항이 없습니다."
        weak, new, strong = self.looks_by_kind
        if left >= 2:
            weak_rule = "답한 날을 포함해 시험 전에 두 번 이상"
            strong_rule = "때가 되면 나오고, 늦어도 시험 전날에는 다시 나옴"
        else:
            weak_rule = strong_rule = "하루뿐이라 많아야 한 번"
        lines = [f"{head} 시험 전날까지 풀 차례(모두 맞힐 때, 가장 적게 잡은 수):",
                 f"  약한 문항 {len(self.weak)}개 → {weak}번 ({weak_rule})",
                 f"  처음 볼 문항 {len(self.new)}개 → {new}번",
                 f"  강한 문항 {len(self.strong)}개 → {strong}번 ({strong_rule})",
                 f"  합계 {self.looks_needed}번(틀리면 더 늘어납니다). 하루에 약 {self.per_day}문항입니다.",
                 f"오늘의 세션은 {self.session}문항입니다(한 세션은 최대 {MAX_SESSION}문항)."]
        if self.busiest is not None and self.busiest_count > self.session:
            lines.append(f"가장 많이 몰리는 날은 {self.busiest.isoformat()}({self.busiest_count}문항)입니다. "
                         "한 세션에 다 나오지 않으면 세션을 다시 열어 이어서 푸세요.")
        return "\n".join(lines)


def forecast(items, data, day: _dt.date, exam: _dt.date) -> dict:
    """{day: items due that day} from ``day`` to the day before ``exam``, if every item is answered on
    the day it falls due (an overdue one on ``day``) and every answer is right: the least the
    scheduler will ask before the exam (see the module's docstring)."""
    record = dict(data, exam_date=exam.isoformat()) if isinstance(data, dict) else {"exam_date": exam.isoformat()}
    load = {}
    for state in states(items, record).values():
        when = max(state.due or day, day)
        while when < exam:
            load[when] = load.get(when, 0) + 1
            state = next_state(state, True, when, exam)
            when = state.due
    return dict(sorted(load.items()))


def exam_plan(items, data, day: _dt.date, exam: _dt.date | None = None, chapters=None) -> ExamPlan | None:
    """What remains before the exam (``exam`` or the record's exam date); None when none is set."""
    exam = exam or exam_day(data)
    if exam is None:
        return None
    items = in_chapters(items, chapters)
    by_id = states(items, dict(data, exam_date=exam.isoformat()) if isinstance(data, dict) else {})
    weak = tuple(i.id for i in items if by_id[i.id].is_weak)
    new = tuple(i.id for i in items if by_id[i.id].is_new)
    strong = tuple(i.id for i in items if not by_id[i.id].is_new and not by_id[i.id].is_weak)
    load = forecast(items, data, day, exam)
    looks = sum(load.values())
    days = max(1, (exam - day).days)  # today .. the day before the exam
    busiest = max(load, key=lambda d: (load[d], d)) if load else None  # the later day on a tie
    by_kind = tuple(_looks(items, kind, data, day, exam) for kind in (weak, new, strong))
    return ExamPlan(exam, day, weak, new, strong, looks, -(-looks // days), busiest, load.get(busiest, 0), by_kind)


def _looks(items, ids, data, day: _dt.date, exam: _dt.date) -> int:
    """How many looks ``forecast`` counts for the items ``ids`` (each item is replayed on its own)."""
    chosen = set(ids)
    return sum(forecast([item for item in items if item.id in chosen], data, day, exam).values())


def session_size(items, data, day: _dt.date, size: int = SESSION_SIZE, chapters=None) -> int:
    """Today's session size: ``size``, grown to the exam plan's items a day (at most MAX_SESSION)."""
    plan = exam_plan(items, data, day, chapters=chapters)
    if plan is None or plan.days_left < 1:
        return size
    return max(size, min(plan.per_day, MAX_SESSION))


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

    def __init__(self, items, data, day: _dt.date, size: int = SESSION_SIZE, on_answer=None, chapters=None):
        self.day = day
        self.data = {"quiz": copy.deepcopy(quiz_record(data))}
        if exam_day(data) is not None:
            self.data["exam_date"] = exam_day(data).isoformat()
        self.chapters = None if chapters is None else sorted(chapters)
        self.items = build_session(items, data, day, size, chapters=self.chapters)
        self.bank = in_chapters(items, self.chapters)
        self.on_answer = on_answer
        self.listeners = []  # called with the Answer after each answer (e.g. a dashboard refresh)
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
        after = apply_answer(self.data, item.id, correct, stamp(self.day), choice=choice)
        result = Answer(item, choice, correct, before, after)
        self.answers.append(result)  # first: if saving fails, the session has still moved on
        try:
            if self.on_answer is not None:  # saved before the listeners run, so a dashboard that
                self.on_answer(item.id, correct, choice=choice)  # re-reads the file sees this answer
        finally:
            for listener in self.listeners:
                listener(result)
        return result

    def summary(self) -> "Summary":
        return summarize(self.answers, self.bank, self.data, self.day, planned=len(self.items))


@dataclass(frozen=True)
class Summary:
    asked: int
    right: int
    wrong_ids: tuple
    moved_up: int
    claims_missed: tuple  # claims of the wrong answers, in the order met
    due_tomorrow: int  # items of the bank due tomorrow after this session
    next_due: _dt.date | None  # the earliest day an item is due after today

    planned: int = -1  # items in the session (-1: as many as asked)
    new_tomorrow: int = 0  # of ``due_tomorrow``, the items never answered yet (always due)

    def text(self, names=None) -> str:
        """Korean summary shown at the end of a session. A session with items but no answer says so
        (never a score for answers not given). ``names(claim)`` names the claims (default: the ids)."""
        if not self.asked:
            if self.planned > 0:
                return f"아직 답한 문항이 없습니다 (오늘의 세션 {self.planned}문항). 보기를 눌러 답하면 여기에 결과가 나옵니다."
            return "오늘 복습할 문항이 없습니다. 다음 복습일에 다시 오세요."
        lines = [f"오늘 {self.asked}문항 중 {self.right}문항 정답 ({self.right / self.asked:.0%})."]
        if self.moved_up:
            lines.append(f"{self.moved_up}문항이 다음 상자로 올라갔습니다 (더 긴 간격 뒤에 다시 나옵니다).")
        if self.wrong_ids:
            lines.append(f"틀린 문항({', '.join(self.wrong_ids)})은 1번 상자로 돌아가 내일 다시 나옵니다.")
            lines.append(f"다시 볼 주장: {', '.join(map(names or str, self.claims_missed))}")
        if self.next_due is not None:
            new = f", 그중 처음 보는 문항 {self.new_tomorrow}개" if self.new_tomorrow else ""
            lines.append(f"다음 복습일: {self.next_due.isoformat()} (내일 풀 차례인 문항 {self.due_tomorrow}개{new})")
        return "\n".join(lines)


def summarize(answers, items, data, day: _dt.date, planned: int = -1) -> Summary:
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
        planned=planned,
        new_tomorrow=sum(s.is_new for s in by_id.values()),
    )


# ---------------------------------------------------------------- example learner


def _coin(*parts) -> float:
    """A reproducible number in [0, 1) from its parts (no global random state)."""
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:8], 16) / 2**32


EXAMPLE_DAY = _dt.date(2025, 6, 2)
EXAMPLE_START = _dt.date(2025, 5, 5)
EXAMPLE_WEAK = {"C8": 0.45, "C11": 0.35}  # claims the example learner often misses (both in chapters 00-07)


def example_progress(items, exercises, day: _dt.date = EXAMPLE_DAY, chapters=None) -> dict:
    """A made-up learner's record ("예시 데이터"), the same on every machine.

    The learner started four weeks before ``day``, studied chapters 00-07 (two days each; or only
    ``chapters``), opened each chapter, answered its quiz when studying it and then reviewed every
    item on the day it fell due, until a three-day break just before ``day``; right with probability
    0.85 (less on ``EXAMPLE_WEAK``). Exercises passed: all of the studied chapters up to 05, half of 06.
    ``exercises`` maps exercise id -> chapter. Each item's answers depend only on its own id, so
    adding items to the bank leaves the others' histories unchanged.
    """
    studied = sorted(chapters) if chapters is not None else [f"{c:02d}" for c in range(8)]
    data = {"version": 1, "layout": 2, "exercises": {}, "quiz": {}, "chapters": {}}
    for chapter in studied:
        at = stamp(EXAMPLE_START + _dt.timedelta(days=2 * int(chapter)))
        data["chapters"][chapter] = {"first_opened": at, "last_opened": at, "opens": 1}
    for item in items:
        if item.chapter not in studied:
            continue
        answer_day = EXAMPLE_START + _dt.timedelta(days=2 * int(item.chapter))
        p_right = EXAMPLE_WEAK.get(item.claim, 0.85)
        n = 0
        while answer_day < day - _dt.timedelta(days=3):
            state = apply_answer(data, item.id, _coin(item.id, n) < p_right, stamp(answer_day))
            answer_day, n = state.due, n + 1
    passed = sorted(ex for ex, ch in exercises.items() if ch <= "05" and ch in studied)
    in_06 = sorted(ex for ex, ch in exercises.items() if ch == "06" and ch in studied)
    for ex in passed + in_06[: len(in_06) // 2]:
        at = stamp(EXAMPLE_START + _dt.timedelta(days=2 * int(exercises[ex])))
        data["exercises"][ex] = {"first_passed": at, "last_passed": at, "passes": 1}
    return data
