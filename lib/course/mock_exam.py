"""모의 기말 (mock final): 35 four-choice items in 25 minutes, like the university's final.

Items are drawn from the chapters the learner chooses, weighted by the notes' sections
(``lib.course.outline.NOTES_OUTLINE``): every section with items in those chapters gets a share of
the exam proportional to the number of the notes' claims it makes that have items there (the sections
about using this course, claim C0, are left out; a claim two sections make counts for the first),
spread over its claims; items used in earlier mock finals are
taken last. Only 기본 items are drawn; every section gets at least two items and one per claim
before the rest is shared by weight. One question per screen, choices ①–④ in the learner's shuffled order
(``quiz.display_order``), free navigation, answers (with a confidence mark 확실/애매/찍음) editable
until 제출.

Time. The exam starts at ``started`` and ends ``minutes`` later. The countdown shown is computed
from the clock each time (the widget ticks with an ipywidgets ``Play``, driven by the browser, so
the kernel is never blocked); at zero the exam is submitted. On 제출 the time is checked again: an
answer given or changed after the end does not count (the one given before the end does).

Saving. Every answer is saved as it is given (``save(record)``; for a learner, into the progress
file's ``mock_exams`` list), so closing the notebook mid-exam loses nothing and ``resume()`` goes on
with it. On 제출 the result is stored with the exam and every answered item enters the spaced
repetition's history (``source: "mock"``, with its confidence): a wrong answer marked 확실 comes
back first (``lib.course.scheduler.build_session``).

Text fallback (no widgets)::

    from lib.course import mock_exam as mock
    mock.start(chapters=["00", "04"])     # prints the rules and Q1
    mock.answer(1, 2, "확실")              # Q1: ② (as shown), confident
    mock.show(2)                          # any question, any order
    mock.submit()                         # score, breakdown, every item with its explanation

The logic is pure given a clock (``clock()`` -> aware datetime) and a ``save`` callback, so tests
drive it with a fake clock.
"""

import copy
import datetime as _dt
import hashlib
import html
import re
from dataclasses import dataclass, field, replace

from lib.course import notebooks, progress
from lib.course import scheduler
from lib.course.bank import is_basic
from lib.course.claims import CLAIMS
from lib.course.outline import CHAPTERS, NOTES_OUTLINE, REVIEW_CHAPTER, item_link

EXAM_SIZE = 35
EXAM_MINUTES = 25
MIN_PER_SECTION = 2  # every note section (with 기본 items in the chosen chapters) at least twice
CONFIDENCES = scheduler.CONFIDENCES
MARKS = ("①", "②", "③", "④")


def utc_now() -> _dt.datetime:
    return _dt.datetime.now(_dt.timezone.utc)


def _iso(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.timezone.utc).isoformat(timespec="seconds")


def _moment(text) -> _dt.datetime | None:
    try:
        moment = _dt.datetime.fromisoformat(str(text))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=_dt.timezone.utc)


def _coin(*parts) -> float:
    digest = hashlib.sha256(":".join(map(str, parts)).encode()).hexdigest()
    return int(digest[:8], 16) / 2**32


# ---------------------------------------------------------------- choosing chapters and items


def exam_chapters() -> list:
    """The chapters a mock final can cover (every chapter but the review chapter)."""
    return [c for c in CHAPTERS if c != REVIEW_CHAPTER]


def check_chapters(chapters) -> list:
    """The chosen chapters, normalised ("4" -> "04"), sorted. ValueError with a Korean message for an
    empty selection or an unknown chapter."""
    if chapters is None or isinstance(chapters, (str, int)):
        chapters = [] if chapters is None else [chapters]
    chosen = []
    for chapter in chapters:
        text = str(chapter).strip()
        if text.isascii() and text.isdigit():
            text = f"{int(text):02d}"
        if text not in exam_chapters():
            raise ValueError(f"{chapter!r}장은 없습니다. 고를 수 있는 장: {', '.join(exam_chapters())}")
        chosen.append(text)
    if not chosen:
        raise ValueError("모의 기말에 넣을 장을 하나 이상 고르세요 (예: chapters=[\"00\", \"04\"]).")
    return sorted(set(chosen))


def exam_sections() -> list:
    """[(section name, claims)] of the notes that an exam covers (C0 = using this course, left out)."""
    out = []
    for name, _phrase, claims in NOTES_OUTLINE:
        kept = [c for c in claims if c != "C0"]
        if kept:
            out.append((name, kept))
    return out


def _apportion(weights: list, capacity: list, total: int, floor: list | None = None) -> list:
    """Integer shares of ``total`` proportional to ``weights``, none above its ``capacity``
    (largest remainder; what a full section cannot take goes to the others). ``floor`` = a minimum
    share for each entry with a weight (capped by its capacity), handed out first; when the floors
    do not fit in ``total``, the largest ones give up one at a time."""
    shares = [0] * len(weights)
    if floor is not None:
        shares = [min(f, c) if w > 0 else 0 for f, c, w in zip(floor, capacity, weights)]
        while sum(shares) > max(total, 0):
            shares[max(range(len(shares)), key=lambda i: (shares[i], -i))] -= 1
    left = min(total, sum(capacity)) - sum(shares)
    while left > 0:
        open_ = [i for i in range(len(weights)) if shares[i] < capacity[i] and weights[i] > 0]
        if not open_:
            break
        weight = sum(weights[i] for i in open_)
        exact = {i: left * weights[i] / weight for i in open_}
        grant = {i: min(int(exact[i]), capacity[i] - shares[i]) for i in open_}
        given = sum(grant.values())
        if given == 0:  # hand out one by one by largest remainder
            for i in sorted(open_, key=lambda i: (-(exact[i] - int(exact[i])), i))[:left]:
                grant[i] = 1
            given = sum(grant.values())
        for i, g in grant.items():
            shares[i] += g
        left -= given
    return shares


def compose(items, chapters, size: int = EXAM_SIZE, seed: str = "", used: dict | None = None) -> list:
    """The exam's items: ``size`` items of ``chapters``, shared between the notes' sections (see the
    module's docstring), in course order. ``used`` = {item id: times in earlier mock finals}
    (least used first); ``seed`` varies the choice among equals. Fewer when fewer exist.

    Only 기본 items are drawn (spec section 10: 심화 items — Keras internals, long hand calculations —
    stay in the chapter quizzes). Every section gets at least ``MIN_PER_SECTION`` items, and at least
    one per claim it has items for, before the rest is shared out by weight."""
    chosen_chapters = set(chapters)
    pool = [item for item in items if item.chapter in chosen_chapters and item.claim != "C0" and is_basic(item)]
    position = {item.id: i for i, item in enumerate(items)}
    used = used or {}

    def rank(item):
        return (used.get(item.id, 0), _coin(seed, item.id))

    sections = exam_sections()
    by_section = [[item for item in pool if item.claim in claims] for _name, claims in sections]
    # an item counts for one section only: the first one it belongs to (C18/C19 appear twice)
    taken_by = {}
    for index, members in enumerate(by_section):
        for item in members:
            taken_by.setdefault(item.id, index)
    by_section = [[i for i in members if taken_by[i.id] == index] for index, members in enumerate(by_section)]
    weights = [len({i.claim for i in members}) for members in by_section]  # its claims that have items
    capacity = [len(members) for members in by_section]
    floor = [max(MIN_PER_SECTION, weight) for weight in weights]
    shares = _apportion(weights, capacity, size, floor)
    picked = []
    for (_name, claims), members, share in zip(sections, by_section, shares):
        queues = {claim: sorted((i for i in members if i.claim == claim), key=rank) for claim in claims}
        order = sorted(queues, key=lambda c: rank(queues[c][0]) if queues[c] else (1e9, 1.0))
        chosen = []
        while len(chosen) < share:
            for claim in order:  # one item per claim in turn
                if queues[claim] and len(chosen) < share:
                    chosen.append(queues[claim].pop(0))
        picked += chosen
    return sorted(picked, key=lambda item: (item.chapter, position[item.id]))


# ---------------------------------------------------------------- scoring


@dataclass(frozen=True)
class Row:
    number: int  # 1-based, as on screen
    item: object  # the QuizItem
    choice: int | None  # canonical index counted (None = blank)
    confidence: str | None
    correct: bool


@dataclass(frozen=True)
class Result:
    rows: tuple
    missing: tuple  # ids in the exam no longer in the bank (left out of the score)
    late_seconds: int  # how long after the end it was submitted (0 = in time)
    ignored_late: int  # answers given or changed after the end, not counted
    submitted: str
    orders: dict = field(default_factory=dict)  # item id -> canonical indices as shown
    reviewed: bool = True  # the answers reach the spaced repetition (False: an exam that is not saved)

    def shown(self, item, canonical: int | None) -> str:
        """The mark (①–④) a canonical choice had on the learner's screen."""
        if canonical is None:
            return "(답 없음)"
        order = self.orders.get(item.id) or [0, 1, 2, 3]
        return MARKS[list(order).index(canonical)]

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def right(self) -> int:
        return sum(r.correct for r in self.rows)

    @property
    def blank(self) -> int:
        return sum(r.choice is None for r in self.rows)

    @property
    def confident_wrong(self) -> tuple:
        return tuple(r.item.id for r in self.rows if r.choice is not None and not r.correct and r.confidence == "확실")

    def by(self, key) -> dict:
        """{key: (right, total)} in course order."""
        groups = {}
        for r in self.rows:
            right, total = groups.get(key(r.item), (0, 0))
            groups[key(r.item)] = (right + r.correct, total + 1)
        return groups

    def by_chapter(self) -> dict:
        return dict(sorted(self.by(lambda item: item.chapter).items()))

    def by_claim(self) -> dict:
        return dict(sorted(self.by(lambda item: item.claim).items(), key=lambda kv: _claim_order(kv[0])))

    def by_confidence(self) -> dict:
        """{mark: (right, answered)} for 확실/애매/찍음 (and "표시 안 함")."""
        groups = {}
        for r in self.rows:
            if r.choice is None:
                continue
            mark = r.confidence or "표시 안 함"
            right, total = groups.get(mark, (0, 0))
            groups[mark] = (right + r.correct, total + 1)
        order = list(CONFIDENCES) + ["표시 안 함"]  # always 확실, 애매, 찍음, then unmarked
        return {mark: groups[mark] for mark in order if mark in groups}

    def summary(self) -> dict:
        """What is stored in the progress file (and plotted on the dashboard)."""
        return {"right": self.right, "total": self.total, "blank": self.blank,
                "by_chapter": {k: list(v) for k, v in self.by_chapter().items()},
                "by_claim": {k: list(v) for k, v in self.by_claim().items()},
                "confident_wrong": list(self.confident_wrong), "missing": list(self.missing),
                "late_seconds": self.late_seconds, "ignored_late": self.ignored_late}

    def headline(self) -> str:
        if not self.total:
            return "채점할 문항이 없습니다."
        if self.blank == self.total:
            return "답한 문항이 없습니다. 이 시험은 응시 기록(대시보드의 모의 기말 점수)에 넣지 않았습니다."
        text = f"점수: {self.total}문항 중 {self.right}문항 정답 ({self.right / self.total:.0%})"
        if self.blank:
            text += f", 답하지 않은 문항 {self.blank}개"
        return text + "."


def _claim_order(claim: str) -> int:
    return int(claim[1:]) if claim[1:].isdigit() else 999


def claim_label(claim: str) -> str:
    return f"{claim} {CLAIMS[claim][1]}" if claim in CLAIMS else claim


def effective_answers(record: dict, deadline: _dt.datetime | None) -> tuple:
    """({item id: (canonical choice or None, confidence or None)}, number of events after ``deadline``).

    The answers of an item are a list of events ``{"at", "choice"?, "confidence"?}``: the last choice
    and the last mark given (up to ``deadline``, when one is given) count.
    """
    out, late = {}, 0
    for item_id, events in (record.get("answers") or {}).items():
        if not isinstance(events, list):
            continue
        choice = confidence = None
        for event in events:
            if not isinstance(event, dict):
                continue
            at = _moment(event.get("at"))
            if deadline is not None and at is not None and at > deadline:
                late += 1
                continue
            if isinstance(event.get("choice"), int) and 0 <= event["choice"] < 4:
                choice = event["choice"]
            if event.get("confidence") in CONFIDENCES:
                confidence = event["confidence"]
        out[item_id] = (choice, confidence)
    return out, late


def score(record: dict, bank, when: _dt.datetime | None = None) -> Result:
    """Score an exam record against the bank, as submitted at ``when`` (default: its ``submitted``)."""
    by_id = {item.id: item for item in bank}
    started = _moment(record.get("started"))
    minutes = record.get("minutes", EXAM_MINUTES)
    deadline = started + _dt.timedelta(minutes=minutes) if started else None
    when = when or _moment(record.get("submitted")) or deadline
    late_seconds = max(0, int((when - deadline).total_seconds())) if when and deadline else 0
    answers, late = effective_answers(record, deadline if late_seconds else None)
    rows, missing = [], []
    for number, item_id in enumerate(record.get("items", []), start=1):
        item = by_id.get(item_id)
        if item is None:
            missing.append(item_id)
            continue
        choice, confidence = answers.get(item_id, (None, None))
        rows.append(Row(number, item, choice, confidence, choice is not None and choice == item.answer))
    orders = {item_id: list(order) for item_id, order in (record.get("orders") or {}).items()}
    for row in rows:
        orders.setdefault(row.item.id, _display_order(row.item, None))
    return Result(tuple(rows), tuple(missing), late_seconds, late, _iso(when) if when else "", orders)


# ---------------------------------------------------------------- one exam


class MockExam:
    """One mock final: its record (a dict, as stored in ``mock_exams``) and the bank.

    ``save(record)`` is called after every change (None: nothing is saved); ``clock()`` gives the time.
    Numbers are 1-based like the screen: ``answer(3, 2, "확실")`` = question 3, choice ② as shown.
    """

    def __init__(self, record: dict, bank, clock=utc_now, save=None, key: str | None = None):
        self.record = record
        self.bank = list(bank)
        self.clock = clock
        self.save = save
        by_id = {item.id: item for item in self.bank}
        self.missing = [i for i in record["items"] if i not in by_id]
        self.items = [by_id[i] for i in record["items"] if i in by_id]
        self.key = key
        stored = record.setdefault("orders", {})
        for item in self.items:  # the order shown is kept with the exam: a resumed exam looks the same
            if not (isinstance(stored.get(item.id), list) and sorted(stored[item.id]) == [0, 1, 2, 3]):
                stored[item.id] = _display_order(item, key)
        self.orders = {item.id: list(stored[item.id]) for item in self.items}

    # -- time
    @property
    def started(self) -> _dt.datetime:
        return _moment(self.record["started"])

    @property
    def deadline(self) -> _dt.datetime:
        return self.started + _dt.timedelta(minutes=self.record.get("minutes", EXAM_MINUTES))

    def remaining(self) -> int:
        """Seconds left (0 when the time is up)."""
        return max(0, int((self.deadline - self.clock()).total_seconds()))

    def clock_text(self) -> str:
        left = self.remaining()
        return f"{left // 60:02d}:{left % 60:02d}"

    @property
    def submitted(self) -> bool:
        return bool(self.record.get("submitted"))

    # -- answers
    def current(self, number: int) -> tuple:
        """(shown number 1-4 or None, confidence or None) now recorded for question ``number``."""
        item = self.item(number)
        answers, _ = effective_answers({"answers": {item.id: self.record["answers"].get(item.id, [])}}, None)
        choice, confidence = answers.get(item.id, (None, None))
        shown = self.orders[item.id].index(choice) + 1 if choice is not None else None
        return shown, confidence

    def item(self, number: int):
        if isinstance(number, str) and number.strip().isascii() and number.strip().isdigit():
            number = int(number.strip())
        if isinstance(number, bool) or not (isinstance(number, int) and 1 <= number <= len(self.items)):
            raise ValueError(f"문항 번호는 1부터 {len(self.items)}까지입니다 (받은 값: {number!r}).")
        return self.items[number - 1]

    def answer(self, number: int, shown=None, confidence: str | None = None) -> str:
        """Answer (or change the answer to) question ``number`` with choice ``shown`` (1-4 as on screen,
        or "②"), and/or mark the confidence. Saved at once. Returns a Korean line; ValueError (Korean)
        for a bad number, choice or mark, or when the exam was already submitted."""
        if self.submitted:
            raise ValueError("이미 제출한 시험입니다. 새 모의 기말을 시작하세요 (mock.start(...)).")
        item = self.item(number)
        number = self.items.index(item) + 1
        event = {"at": _iso(self.clock())}
        if shown is not None:
            if isinstance(shown, str) and shown.strip() in MARKS:
                shown = MARKS.index(shown.strip()) + 1
            elif isinstance(shown, str) and shown.strip().isascii() and shown.strip().isdigit():
                shown = int(shown.strip())
            if isinstance(shown, bool) or not (isinstance(shown, int) and 1 <= shown <= 4):
                raise ValueError(f"보기 번호는 1, 2, 3, 4 (①–④) 가운데 하나입니다 (받은 값: {shown!r}).")
            event["choice"] = self.orders[item.id][shown - 1]
        if confidence is not None:
            if confidence not in CONFIDENCES:
                raise ValueError(f"확신도는 {', '.join(CONFIDENCES)} 가운데 하나입니다 (받은 값: {confidence!r}).")
            event["confidence"] = confidence
        if len(event) == 1:
            raise ValueError("보기 번호나 확신도 가운데 하나는 주어야 합니다.")
        self.record["answers"].setdefault(item.id, []).append(event)
        self._save()
        now_shown, now_conf = self.current(number)
        late = " (시간이 끝난 뒤의 답이라 점수에 들어가지 않습니다)" if self.remaining() == 0 else ""
        mark = MARKS[now_shown - 1] if now_shown else "아직 없음"
        return f"{number}번 답: {mark}, 확신도: {now_conf or '표시 안 함'}{late}"

    def answered(self) -> int:
        return sum(self.current(n)[0] is not None for n in range(1, len(self.items) + 1))

    def submit(self) -> Result:
        """Score (time checked now), store the result, feed the answers to the spaced repetition."""
        if self.submitted:
            return self._score()
        when = self.clock()
        self.record["submitted"] = _iso(when)
        result = self._score(when)
        self.record["result"] = result.summary()
        if result.total and result.blank == result.total:
            self.record["empty"] = True  # closed with no answer: kept (never resumed), not an attempt
        self._save(result)
        return result

    def result(self) -> Result | None:
        return self._score() if self.submitted else None

    @property
    def saved(self) -> bool:
        """True when the answers are saved, so that they enter the spaced repetition."""
        return self.save is not None and (self.save is not progress_saver or progress.recording_enabled())

    def _score(self, when: _dt.datetime | None = None) -> Result:
        return replace(score(self.record, self.bank, when), reviewed=self.saved)

    def _save(self, result: Result | None = None) -> None:
        if self.save is not None:
            self.save(self.record, result)

    # -- text
    def question_text(self, number: int) -> str:
        item = self.item(number)
        shown, confidence = self.current(number)
        lines = [f"[{number}/{len(self.items)}] ({item.chapter}장) {_plain(item.question)}"]
        for position, canonical in enumerate(self.orders[item.id]):
            pick = " ◀ 내 답" if shown == position + 1 else ""
            lines.append(f"  {MARKS[position]} {_plain(item.choices[canonical])}{pick}")
        lines.append(f"  확신도: {confidence or '표시 안 함'} · 남은 시간 {self.clock_text()}")
        return "\n".join(lines)


def _display_order(item, key):
    try:
        from lib.course import quiz

        return list(quiz.display_order(item, key)) if hasattr(quiz, "display_order") else [0, 1, 2, 3]
    except Exception:  # noqa: BLE001 - the canonical order is a safe fallback
        return [0, 1, 2, 3]


def _html(text: str) -> str:
    """Item text (``` fences, `code`, **bold**) as HTML, as the quiz shows it."""
    try:
        from lib.course.quiz import _to_html

        return _to_html(text)
    except ImportError:
        return html.escape(text)


def _plain(text: str) -> str:
    try:
        from lib.course.quiz import plain_text

        return plain_text(text)
    except ImportError:
        return text


def new_record(items, chapters, minutes: int, now: _dt.datetime, number: int) -> dict:
    return {"id": f"mock-{number}-{_iso(now)}", "started": _iso(now), "minutes": minutes,
            "chapters": list(chapters), "items": [item.id for item in items], "answers": {},
            "submitted": None, "result": None}


def used_counts(data) -> dict:
    counts = {}
    for exam in (data or {}).get("mock_exams", []) if isinstance(data, dict) else []:
        for item_id in exam.get("items", []):
            counts[item_id] = counts.get(item_id, 0) + 1
    return counts


def has_answers(record: dict) -> bool:
    """Whether any question of the exam got a choice (a confidence mark alone is no answer)."""
    answers = record.get("answers") if isinstance(record, dict) else None
    return any(isinstance(event, dict) and event.get("choice") is not None
               for events in (answers or {}).values() if isinstance(events, list) for event in events)


def unfinished(data, now: _dt.datetime | None = None) -> dict | None:
    """The last mock final started and not submitted that can still be resumed, or None. An exam whose
    time ran out with no answer at all was left alone, not taken: it is not offered again."""
    now = now or utc_now()
    exams = data.get("mock_exams") if isinstance(data, dict) else None
    for exam in reversed(exams or []):
        if not isinstance(exam, dict) or exam.get("submitted"):
            continue
        started = _moment(exam.get("started"))
        if started is None:
            continue
        over = now >= started + _dt.timedelta(minutes=exam.get("minutes", EXAM_MINUTES))
        if over and not has_answers(exam):
            continue
        return exam
    return None


def is_attempt(exam: dict) -> bool:
    """A submitted mock final with at least one answered question. An exam closed (or timed out)
    with no answer is not an attempt: it is never shown on the dashboard, old records included."""
    result = exam.get("result") if isinstance(exam, dict) else None
    if not (exam.get("submitted") and isinstance(result, dict) and result.get("total")):
        return False
    return result["total"] - result.get("blank", 0) > 0


def history(data) -> list:
    """[(submitted day, right, total, by_chapter)] of the mock finals taken (``is_attempt``), oldest first."""
    out = []
    for exam in (data.get("mock_exams") or []) if isinstance(data, dict) else []:
        result = exam.get("result")
        if is_attempt(exam):
            out.append((scheduler.parse_day(exam["submitted"]), result["right"], result["total"],
                        result.get("by_chapter", {})))
    return sorted(out, key=lambda row: str(row[0]))


def feed_scheduler(data: dict, record: dict, result: Result) -> None:
    """Append the exam's answered items to the spaced repetition's history (mutates ``data``)."""
    for row in result.rows:
        if row.choice is not None:
            scheduler.apply_answer(data, row.item.id, row.correct, result.submitted, choice=row.choice,
                                   confidence=row.confidence, source="mock")


def store(data: dict, record: dict, result: Result | None = None) -> None:
    """Put ``record`` into ``data["mock_exams"]`` (replacing the one with its id); on submit, also
    feed the answers to the scheduler (mutates ``data``)."""
    exams = data.setdefault("mock_exams", [])
    for index, exam in enumerate(exams):
        if exam.get("id") == record["id"]:
            exams[index] = copy.deepcopy(record)
            break
    else:
        exams.append(copy.deepcopy(record))
    if result is not None:
        feed_scheduler(data, record, result)


def progress_saver(record: dict, result: Result | None = None) -> None:
    """``save`` for a learner: into the progress file (only when recording is on)."""
    if progress.recording_enabled():
        progress.update_progress(lambda data: store(data, record, result))


def memory_saver(data: dict):
    """``save`` that keeps everything in ``data`` (a record in memory: examples, tests)."""
    return lambda record, result=None: store(data, record, result)


# ---------------------------------------------------------------- results as text / HTML


def result_notes(result: Result) -> list:
    """The remarks above the tables (late submission, items gone from the bank, confident but wrong,
    right answers per confidence mark), as plain sentences for both the Markdown and the HTML review."""
    notes = []
    if result.late_seconds:
        notes.append(f"⏰ 시간이 끝난 뒤 {result.late_seconds // 60}분 {result.late_seconds % 60}초에 제출했습니다. "
                     f"끝난 뒤에 주거나 고친 답 {result.ignored_late}개는 세지 않았습니다.")
    if result.missing:
        notes.append(f"문항({', '.join(result.missing)})이 문제 은행에 더 이상 없어 채점에서 뺐습니다.")
    if result.confident_wrong:
        then = ("간격 반복에서 가장 먼저 다시 나옵니다." if result.reviewed
                else "저장하지 않는 시험이라 복습 기록에는 들어가지 않습니다.")
        notes.append(f"⚠️ 확실하다고 했는데 틀린 문항 {len(result.confident_wrong)}개: "
                     f"{', '.join(result.confident_wrong)} — {then}")
    conf = result.by_confidence()
    if conf:
        notes.append("확신도별 정답: " + ", ".join(f"{m} {r}/{t}" for m, (r, t) in conf.items()))
    return notes


def result_markdown(result: Result, prefix: str = "") -> str:
    """The review after 제출: score, per chapter, per claim (with names), then every item with
    its explanation and a link to the chapter's section (``prefix`` before the notebook names)."""
    lines = [f"### {result.headline()}", ""]
    lines += [f"- {note}" for note in result_notes(result)]
    lines += ["", "| 장 | 정답 |", "|---|---|"]
    lines += [f"| {c} {CHAPTERS[c][1]} | {r}/{t} |" for c, (r, t) in result.by_chapter().items()]
    lines += ["", "| 노트의 주장 | 정답 |", "|---|---|"]
    lines += [f"| {claim_label(c)} | {r}/{t} |" for c, (r, t) in result.by_claim().items()]
    lines += ["", "#### 문항별 풀이", ""]
    for row in result.rows:
        item = row.item
        key, mine = result.shown(item, item.answer), result.shown(item, row.choice)
        verdict = "⭕" if row.correct else "❌"
        lines.append(f"{row.number}. {verdict} **{_plain(item.question)}**  ")
        lines.append(f"   내 답 {mine}{_confidence_note(row)} · 정답 {key}: "
                     f"{_plain(item.choices[item.answer])}  ")
        if row.choice is not None and not row.correct:
            lines.append(f"   내 답이 틀린 이유: {_plain(item.why_wrong[row.choice])}  ")
        lines.append(f"   풀이: {_plain(item.explanation)}  ")
        lines.append(f"   다시 볼 곳: {item_link(item, prefix)}")
        lines.append("")
    return "\n".join(lines)


def _confidence_note(row: Row) -> str:
    """" (확실)" after an answer; nothing after a blank (no answer, so no confidence to show)."""
    if row.choice is None:
        return ""
    return f" ({row.confidence or '확신도 표시 안 함'})"


def result_text(result: Result) -> str:
    """The same review as plain text (for print)."""
    return result_markdown(result).replace("**", "").replace("#### ", "").replace("### ", "")


def _md_link_to_html(text: str) -> str:
    import re

    out, last = [], 0
    for match in re.finditer(r"\[([^\]]+)\]\(([^)]+)\)", text):
        out.append(html.escape(text[last:match.start()]))
        out.append(f"<a href='{html.escape(match.group(2))}' target='_blank' "
                   f"style='color:#0969da;text-decoration:underline'>{html.escape(match.group(1))}</a>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


def result_html(result: Result, prefix: str = "") -> str:
    """The review after 제출 as HTML (for the widget)."""
    parts = [f"<h3>{html.escape(result.headline())}</h3>"]
    parts.append("".join(f"<div>{html.escape(note)}</div>" for note in result_notes(result)))

    def table(title, rows):
        body = "".join(f"<tr><td style='padding:1px 1.5em 1px 0'>{html.escape(a)}</td>"
                       f"<td style='text-align:right;white-space:nowrap'>{r}/{t}</td></tr>" for a, (r, t) in rows)
        return f"<table style='margin:6px 0'><tr><th style='text-align:left'>{title}</th><th>정답</th></tr>{body}</table>"

    parts.append(table("장", [(f"{c} {CHAPTERS[c][1]}", v) for c, v in result.by_chapter().items()]))
    parts.append(table("노트의 주장", [(claim_label(c), v) for c, v in result.by_claim().items()]))
    parts.append("<h4>문항별 풀이</h4>")
    for row in result.rows:
        item = row.item
        mine = result.shown(item, row.choice)
        color = "#1a7f37" if row.correct else "#cf222e"
        wrong = (f"<div>내 답이 틀린 이유: {html.escape(_plain(item.why_wrong[row.choice]))}</div>"
                 if row.choice is not None and not row.correct else "")
        parts.append(
            f"<div class='mock-review-item' style='margin:8px 0;padding:6px;border-left:4px solid {color}'>"
            f"<b>{row.number}. {'⭕' if row.correct else '❌'}</b> {_html(item.question)}"
            f"<div>내 답 {mine}{html.escape(_confidence_note(row))} · 정답 "
            f"{result.shown(item, item.answer)}: {html.escape(_plain(item.choices[item.answer]))}</div>{wrong}"
            f"<div>풀이: {html.escape(_plain(item.explanation))}</div>"
            f"<div>다시 볼 곳: {_md_link_to_html(item_link(item, prefix))}</div></div>")
    return "".join(parts)


# ---------------------------------------------------------------- starting, resuming (learner API)


@dataclass
class _State:
    exam: MockExam | None = None
    data: dict = field(default_factory=dict)


_STATE = _State()


def prepare(chapters=None, size: int = EXAM_SIZE, minutes: int = EXAM_MINUTES, items=None, data=None,
            clock=utc_now, save="auto", seed: str | None = None, key: str | None = None) -> MockExam:
    """A new exam (not printed). ``chapters``: the chosen chapters (None = the chapters the learner
    has started). ``data``: the learner's record (None = the progress file). ``save="auto"``:
    into the progress file for a learner, in memory otherwise. ValueError (Korean) on a bad choice."""
    if items is None:
        from lib.course import quiz

        items = quiz.load_items()
    if data is None:
        data = progress.load_progress() if progress.recording_enabled() else progress.empty_progress()
    if chapters is None:
        from lib.course.checks import EXERCISES

        chapters = [c for c in scheduler.started_chapters(data, items, {e.id: e.chapter for e in EXERCISES.values()})
                    if c in exam_chapters()]
        if not chapters:
            raise ValueError("아직 시작한 장이 없습니다. 모의 기말에 넣을 장을 골라 주세요 "
                             "(예: chapters=[\"00\", \"04\"]).")
    chapters = check_chapters(chapters)
    if isinstance(size, bool) or not (isinstance(size, int) and size > 0):
        raise ValueError(f"문항 수는 1 이상의 정수입니다 (받은 값: {size!r}). 기말처럼 보려면 {EXAM_SIZE}.")
    if isinstance(minutes, bool) or not (isinstance(minutes, (int, float)) and minutes > 0):
        raise ValueError(f"시험 시간은 0보다 큰 분 수입니다 (받은 값: {minutes!r}).")
    number = len(data.get("mock_exams", [])) + 1
    chosen = compose(items, chapters, size, seed=seed if seed is not None else str(number), used=used_counts(data))
    if not chosen:
        raise ValueError(f"고른 장({', '.join(chapters)})에는 모의 기말에 낼 문항이 없습니다. 다른 장을 고르세요.")
    record = new_record(chosen, chapters, minutes, clock(), number)
    if save == "auto":
        save = progress_saver if progress.recording_enabled() else memory_saver(data)
    exam = MockExam(record, items, clock=clock, save=save, key=key)
    exam._save()
    _STATE.exam, _STATE.data = exam, data
    return exam


def _current() -> MockExam:
    if _STATE.exam is None:
        raise ValueError("진행 중인 모의 기말이 없습니다. mock.start(chapters=[...])로 시작하거나 mock.resume()으로 이어 푸세요.")
    return _STATE.exam


def _say(call):
    """Run a learner-facing step; print a Korean message instead of raising for bad input."""
    try:
        return call()
    except ValueError as error:
        print("⚠️", error)
    except OSError as error:  # the progress file could not be written: the answer is kept in memory
        print(f"⚠️ 진도 파일에 저장하지 못했습니다 ({error}). 답은 이 노트북 안에는 남아 있습니다.")
    return None


def start(chapters=None, size: int = EXAM_SIZE, minutes: int = EXAM_MINUTES, **kwargs):
    """Start a mock final in text (no widgets): prints the rules and question 1."""

    def go():
        exam = prepare(chapters, size, minutes, **kwargs)
        saving = "답은 줄 때마다 저장되고, " if exam.save is not None else "이 시험은 저장하지 않습니다(save=None). 답은 "
        short = (f": 고른 장에서 낼 수 있는 기본 문항(C0 제외)이 {len(exam.items)}개뿐입니다"
                 if len(exam.items) < size else "")
        print(f"모의 기말 시작: {', '.join(exam.record['chapters'])}장, {len(exam.items)}문항{short}, {minutes}분.\n"
              "mock.answer(번호, 보기, \"확실\"/\"애매\"/\"찍음\")으로 답하고, mock.show(번호)로 아무 문항이나 보고, "
              f"mock.submit()으로 제출하세요. {saving}제출 전까지 고칠 수 있습니다.\n")
        print(exam.question_text(1))
        return exam

    return _say(go)


def show(number: int | None = None) -> None:
    """Print a question (default: the first without an answer)."""

    def go():
        exam = _current()
        n = number
        if n is None:
            n = next((k for k in range(1, len(exam.items) + 1) if exam.current(k)[0] is None), 1)
        print(exam.question_text(n))

    _say(go)


def answer(number: int, choice=None, confidence: str | None = None) -> None:
    """Answer (or change) question ``number``: ``choice`` 1-4 as shown, ``confidence`` 확실/애매/찍음."""
    _say(lambda: print(_current().answer(number, choice, confidence)))


def status() -> None:
    def go():
        exam = _current()
        print(f"답한 문항 {exam.answered()}/{len(exam.items)} · 남은 시간 {exam.clock_text()}"
              + (" · 제출함" if exam.submitted else ""))

    _say(go)


def submit() -> Result | None:
    """Submit: prints the score, the breakdowns and every item with its explanation."""

    def go():
        exam = _current()
        if exam.submitted:
            print("이미 제출한 시험입니다. 그때의 결과를 다시 보여 드립니다. "
                  "새 모의 기말은 mock.start(...)로 시작하세요.\n")
        result = exam.submit()
        print(result_text(result))
        return result

    return _say(go)


def resume(items=None, data=None, clock=utc_now, save="auto", key: str | None = None):
    """Go on with the last unfinished mock final saved in the progress file (or ``data``)."""

    def go():
        nonlocal items, data, save
        if items is None:
            from lib.course import quiz

            items = quiz.load_items()
        if data is None:
            data = progress.load_progress() if progress.recording_enabled() else _STATE.data
        record = unfinished(data, clock())
        if record is None:
            raise ValueError("이어 풀 모의 기말이 없습니다. mock.start(chapters=[...])로 새로 시작하세요.")
        if save == "auto":
            save = progress_saver if progress.recording_enabled() else memory_saver(data)
        exam = MockExam(copy.deepcopy(record), items, clock=clock, save=save, key=key)
        _STATE.exam, _STATE.data = exam, data
        gone = f" 문항({', '.join(exam.missing)})이 문제 은행에서 사라져 뺐습니다." if exam.missing else ""
        print(f"이어 풀기: {exam.answered()}/{len(exam.items)}문항 답함, 남은 시간 {exam.clock_text()}.{gone}")
        return exam

    return _say(go)


# ---------------------------------------------------------------- example learner


def example_exams(items, data: dict, day: _dt.date, chapters=None) -> dict:
    """Add two submitted mock finals of a made-up learner ("예시 데이터") to ``data`` (a week and three
    days before ``day``, at 20:00 local time; the second one better), the same days on every machine. Only the exam records are
    added (nothing enters the spaced repetition), so the example's sessions stay as they were."""
    chapters = chapters or [c for c in scheduler.started_chapters(data, items) if c in exam_chapters()]
    for number, (back, p_right) in enumerate(((7, 0.6), (3, 0.75)), start=1):
        start = _dt.datetime.combine(day - _dt.timedelta(days=back), _dt.time(20)).astimezone()  # 20:00 local
        chosen = compose(items, chapters, EXAM_SIZE, seed=f"example-{number}", used=used_counts(data))
        record = new_record(chosen, chapters, EXAM_MINUTES, start, number)
        record["orders"] = {item.id: [0, 1, 2, 3] for item in chosen}
        for k, item in enumerate(chosen):
            at = _iso(start + _dt.timedelta(seconds=40 * (k + 1)))
            right = _coin("example", number, item.id) < p_right
            choice = item.answer if right else (item.answer + 1) % 4
            mark = CONFIDENCES[int(_coin("mark", number, item.id) * 3)]
            record["answers"][item.id] = [{"at": at, "choice": choice, "confidence": mark}]
        when = start + _dt.timedelta(minutes=24)
        record["submitted"] = _iso(when)
        record["result"] = score(record, items, when).summary()
        data.setdefault("mock_exams", []).append(record)
    return data
