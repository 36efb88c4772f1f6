"""Chapter 11's machinery: spaced repetition with an exam date (lib.course.scheduler), the mock final
(lib.course.mock_exam), the term deck (lib.course.terms), the 오답노트 (lib.course.export), the dashboard
and the widgets (lib.ui.explorers.review). Progress-file migration is in test_progress.py; the mock final
in a real browser in test_browser.py."""

import datetime as dt
import json
import multiprocessing
import os
import re

import matplotlib
import pytest

matplotlib.use("Agg")

from lib.course import export, progress, quiz  # noqa: E402
from lib.course import scheduler as review  # noqa: E402
from lib.course.claims import CLAIMS  # noqa: E402
from lib.ui.explorers import review as view  # noqa: E402
from lib.course.quiz import QuizItem  # noqa: E402

DAY = dt.date(2025, 3, 1)


def make_item(item_id, claim="C7", answer=1):
    chapter = item_id.split("-")[0]
    why = ["틀림 0", "틀림 1", "틀림 2", "틀림 3"]
    why[answer] = ""
    return QuizItem(id=item_id, chapter=chapter, claim=claim, question=f"{item_id}?",
                    choices=("가", "나", "다", "라"), answer=answer, explanation="이유", why_wrong=tuple(why))


ITEMS = [make_item("01-1", "C6"), make_item("01-2", "C7", 0), make_item("02-1", "C8", 2),
         make_item("02-2", "C8", 3), make_item("05-1", "C11"), make_item("07-1", "C22", 2)]


def days(n):
    return dt.timedelta(days=n)


def answer_on(data, item_id, correct, day):
    return review.apply_answer(data, item_id, correct, review.stamp(day))


def empty():
    return progress.empty_progress()


# ---------------------------------------------------------------- one item


def test_learner_who_answers_everything_right_climbs_the_boxes():
    data, day, boxes, gaps = empty(), DAY, [], []
    for _ in range(7):
        state = answer_on(data, "01-1", True, day)
        boxes.append(state.box)
        gaps.append((state.due - day).days)
        assert not review.item_state(data, "01-1").is_due(day + days(gaps[-1] - 1))
        day = state.due  # comes back exactly when due
    assert boxes == [1, 2, 3, 4, 5, 5, 5]
    assert gaps == [1, 3, 7, 14, 30, 30, 30]
    assert review.item_mastery(review.item_state(data, "01-1")) == 1.0


def test_learner_who_answers_everything_wrong_sees_the_item_every_day():
    data, day = empty(), DAY
    for _ in range(5):
        state = answer_on(data, "01-1", False, day)
        assert (state.box, state.due) == (1, day + days(1))
        day += days(1)
        assert [i.id for i in review.build_session(ITEMS[:1], data, day)] == ["01-1"]
    assert review.item_state(data, "01-1").right == 0


def test_wrong_answer_comes_back_sooner_than_right_one():
    data = empty()
    for day in (DAY, DAY + days(1), DAY + days(4)):  # right, right, right -> box 3
        answer_on(data, "01-1", True, day)
        answer_on(data, "01-2", True, day)
    right = answer_on(data, "01-1", True, DAY + days(11))
    wrong = answer_on(data, "01-2", False, DAY + days(11))
    assert right.box == 4 and wrong.box == 1
    assert wrong.due < right.due
    assert wrong.due == DAY + days(12)


def test_early_right_answer_does_not_promote_but_early_wrong_one_demotes():
    data = empty()
    answer_on(data, "01-1", True, DAY)
    again = answer_on(data, "01-1", True, DAY)  # same day, not due yet
    assert (again.box, again.due, again.answers) == (1, DAY + days(1), 2)
    answer_on(data, "01-1", True, DAY + days(1))
    early_wrong = answer_on(data, "01-1", False, DAY + days(2))  # due on day 4
    assert (early_wrong.box, early_wrong.due) == (1, DAY + days(3))


def test_history_is_the_truth_stored_box_is_a_copy():
    data = empty()
    answer_on(data, "01-1", True, DAY)
    answer_on(data, "01-1", True, DAY + days(1))
    entry = data["quiz"]["01-1"]
    assert (entry["box"], entry["due"]) == (2, (DAY + days(4)).isoformat())
    entry["box"] = 5  # a hand edit cannot rush the schedule
    assert review.item_state(data, "01-1").box == 2
    # history out of order (hand-merged files) and unreadable events
    entry["history"] = [entry["history"][1], {"at": "어제", "correct": True}, entry["history"][0],
                        {"at": review.stamp(DAY), "correct": "yes"}]
    assert review.item_state(data, "01-1").box == 2


@pytest.fixture
def local_zone(monkeypatch):
    """Set the process's time zone (TZ) for one test; restored afterwards."""
    import time

    def use(name):
        monkeypatch.setenv("TZ", name)
        time.tzset()

    yield use
    monkeypatch.undo()
    time.tzset()


def test_time_stamps_count_in_the_given_zone():
    utc, seoul = dt.timezone.utc, dt.timezone(dt.timedelta(hours=9))
    assert review.parse_day("2025-03-01T23:30:00-02:00", utc) == dt.date(2025, 3, 2)
    assert review.parse_day("2025-03-01T23:30:00+00:00", seoul) == dt.date(2025, 3, 2)
    assert review.parse_day("2025-03-01T23:30:00+00:00", utc) == dt.date(2025, 3, 1)
    assert review.parse_day("2025-03-01") == dt.date(2025, 3, 1)
    assert review.parse_day(None) is None and review.parse_day("yesterday") is None


def test_a_day_is_the_learners_local_day_not_utc(local_zone):
    """Review r3, 11 item 2: "내일" is the learner's calendar day. In Korea (UTC+9) an answer given at
    08:00 on 06-03 is stamped 2025-06-02T23:00Z; it belongs to 06-03, so a miss comes back on 06-04."""
    local_zone("Asia/Seoul")
    morning = "2025-06-02T23:00:00+00:00"  # 08:00 KST on 2025-06-03, as lib.course.progress stamps it
    assert review.parse_day(morning) == dt.date(2025, 6, 3)
    assert review.today(now=dt.datetime.fromisoformat(morning)) == dt.date(2025, 6, 3)
    assert review.today(dt.timezone.utc, now=dt.datetime.fromisoformat(morning)) == dt.date(2025, 6, 2)
    data = empty()
    review.apply_answer(data, "01-1", False, morning)
    state = review.item_state(data, "01-1")
    assert state.due == dt.date(2025, 6, 4) and not state.is_due(dt.date(2025, 6, 3))
    assert review.summarize([], ITEMS, data, dt.date(2025, 6, 3)).next_due == dt.date(2025, 6, 4)
    # the exam countdown counts local days too
    data["exam_date"] = "2025-06-05"
    plan = review.exam_plan(ITEMS, data, review.today(now=dt.datetime.fromisoformat(morning)))
    assert plan.days_left == 2


@pytest.mark.parametrize("zone", ["Asia/Seoul", "Pacific/Kiritimati", "Pacific/Pago_Pago", "America/New_York"])
def test_stamp_of_a_day_reads_back_as_that_day_in_any_zone(local_zone, zone):
    local_zone(zone)
    for day in (DAY, dt.date(2025, 3, 9), dt.date(2025, 11, 2), dt.date(2025, 12, 31)):  # US DST changes
        assert review.parse_day(review.stamp(day)) == day, (zone, day)
        assert review.stamp(day).endswith("+00:00")  # stored in UTC, as lib.course.progress writes
    trace = review.simulate(lambda n: True, DAY, days=60)
    assert [(day - DAY).days for day, _, _ in trace] == [0, 1, 4, 11, 25, 55]


def test_simulate_follows_the_schedule():
    always = review.simulate(lambda n: True, DAY, days=60)
    assert [(day - DAY).days for day, _, _ in always] == [0, 1, 4, 11, 25, 55]
    never = review.simulate(lambda n: False, DAY, days=10)
    assert len(never) == 10 and {state.box for _, _, state in never} == {1}


# ---------------------------------------------------------------- sessions


def test_new_learner_gets_items_in_course_order():
    session = review.build_session(ITEMS, empty(), DAY, size=4)
    assert [i.id for i in session] == ["01-1", "01-2", "02-1", "02-2"]


def test_session_due_ordering_reviews_first_weakest_claim_first():
    data = empty()
    for item in ITEMS[:4]:
        answer_on(data, item.id, True, DAY)  # all box 1, due DAY+1
    answer_on(data, "02-1", False, DAY)  # C8: one item back in box 1 -> still box 1
    answer_on(data, "01-1", True, DAY + days(1))  # C6 item moves to box 2, not due on DAY+1 any more
    today = DAY + days(1)
    session = [i.id for i in review.build_session(ITEMS, data, today)]
    # 01-1 is not due; reviews (01-2, 02-1, 02-2) before new items (05-1, 07-1)
    assert session[:3] == ["01-2", "02-1", "02-2"] or session[:3] == ["02-1", "02-2", "01-2"]
    assert session[3:] == ["05-1", "07-1"]
    # C8 and C7 both have mastery 0.2; the tie is broken by the bank order -> 01-2 first
    assert session[:3] == ["01-2", "02-1", "02-2"]
    # weakest claim first: a C7 item now climbs, so C8 becomes the weakest
    answer_on(data, "01-2", True, today)
    later = today + days(2)
    assert [i.id for i in review.build_session(ITEMS, data, later)][:2] == ["02-1", "02-2"]


def test_session_takes_one_item_per_claim_in_turn_weakest_claim_first():
    bank = [make_item(f"05-{n}", "C11") for n in range(1, 4)] + [make_item(f"07-{n}", "C22") for n in range(1, 4)]
    data = empty()
    for item in bank:
        answer_on(data, item.id, True, DAY)
    for item in bank[3:]:
        answer_on(data, item.id, True, DAY + days(1))  # C22 items climb to box 2, due DAY+4
    answer_on(data, "05-2", False, DAY + days(1))  # C11 is now the weakest claim
    session = [i.id for i in review.build_session(bank, data, DAY + days(4))]
    # within C11 all are in box 1; 05-1 and 05-3 have been due longer than 05-2
    assert session == ["05-1", "07-1", "05-3", "07-2", "05-2", "07-3"]


def test_session_order_is_stable_for_a_given_state_and_date():
    data = empty()
    for n, item in enumerate(ITEMS):
        answer_on(data, item.id, n % 3 != 0, DAY - days(n))
    shuffled = {"quiz": dict(reversed(list(data["quiz"].items())))}
    first = [i.id for i in review.build_session(ITEMS, data, DAY)]
    assert first == [i.id for i in review.build_session(ITEMS, data, DAY)]
    assert first == [i.id for i in review.build_session(ITEMS, shuffled, DAY)]


def test_session_size_is_respected_and_nothing_due_gives_empty_session():
    assert len(review.build_session(ITEMS, empty(), DAY, size=3)) == 3
    data = empty()
    for item in ITEMS:
        answer_on(data, item.id, True, DAY)
    assert review.build_session(ITEMS, data, DAY) == []
    summary = review.Session(ITEMS, data, DAY).summary()
    assert summary.asked == 0 and "없습니다" in summary.text()


def test_learner_back_after_a_month():
    data = empty()
    day = DAY
    for _ in range(3):  # a diligent start: boxes 1..3
        for item in ITEMS:
            state = review.item_state(data, item.id)
            if state.is_due(day):
                answer_on(data, item.id, item.claim != "C11", day)
        day += days(1)
    away = day + days(31)
    due = review.due_items(ITEMS, data, away)
    assert [i.id for i in due] == [i.id for i in ITEMS]  # everything is due after a month
    session = review.Session(ITEMS, data, away, size=4)
    assert session.items[0].claim == "C11"  # the claim missed every time comes first
    assert len(session.items) == 4
    for _ in range(4):
        session.answer(session.current.answer)
    summary = session.summary()
    assert (summary.asked, summary.right, summary.wrong_ids) == (4, 4, ())
    assert summary.moved_up == 4
    assert [i.id for i in session.items] == ["05-1", "01-1", "01-2", "02-1"]  # then bank order among equals
    assert summary.due_tomorrow == 2  # the two items not asked today are still overdue
    assert summary.next_due == away + days(3)  # 05-1: box 1 -> 2


def test_session_summary_counts_and_text():
    data = empty()
    session = review.Session(ITEMS, data, DAY, size=3, on_answer=None)
    results = [session.answer(session.current.answer), session.answer((session.current.answer + 1) % 4),
               session.answer(session.current.answer)]
    assert [r.correct for r in results] == [True, False, True]
    assert session.done and session.current is None
    summary = session.summary()
    assert (summary.asked, summary.right, summary.wrong_ids, summary.moved_up) == (3, 2, ("01-2",), 2)
    assert summary.claims_missed == ("C7",)
    assert summary.next_due == DAY + days(1)
    assert summary.due_tomorrow == len(ITEMS)  # 3 new items never asked + 3 answered ones due tomorrow
    text = summary.text()
    assert "3문항 중 2문항" in text and "01-2" in text and "C7" in text
    with pytest.raises(RuntimeError):
        session.answer(0)


def test_session_works_on_a_copy_and_reports_answers():
    data = empty()
    seen = []
    session = review.Session(ITEMS, data, DAY, size=2, on_answer=lambda i, c, choice=None: seen.append((i, c)))
    with pytest.raises(ValueError):
        session.answer(4)
    session.answer(1)
    assert seen == [("01-1", True)]
    assert data["quiz"] == {}  # the caller's record is untouched; saving is on_answer's job
    assert review.item_state(session.data, "01-1").box == 1


def test_mastery_per_claim_and_chapter():
    data = empty()
    for day in (DAY, DAY + days(1)):
        answer_on(data, "02-1", True, day)  # box 2 -> 0.4
    answer_on(data, "02-2", False, DAY)  # box 1 -> 0.2
    claims = review.claim_mastery(ITEMS, data)
    assert claims["C8"] == pytest.approx(0.3)
    assert claims["C6"] == 0.0
    assert review.chapter_mastery(ITEMS, data)["02"] == pytest.approx(0.3)
    assert review.box_counts(ITEMS, data) == [4, 1, 1, 0, 0, 0]


def test_example_learner_is_reproducible_and_per_item():
    exercises = {"rnn.rnn_cell": "01", "attention.split_heads": "06", "attention.merge_heads": "06",
                 "transformer.Transformer": "09"}
    a = review.example_progress(ITEMS, exercises)
    b = review.example_progress(list(reversed(ITEMS)), exercises)
    assert a["quiz"] == b["quiz"] and a["exercises"] == b["exercises"]
    fewer = review.example_progress(ITEMS[:3], exercises)
    assert all(fewer["quiz"][k] == a["quiz"][k] for k in fewer["quiz"])  # adding items changes no other item
    assert set(a["exercises"]) == {"rnn.rnn_cell", "attention.merge_heads"}
    assert progress.clean_progress(a)[1] == []
    assert review.build_session(ITEMS, a, review.EXAMPLE_DAY)  # something to review on the example day


# ---------------------------------------------------------------- dashboard and a damaged record


HAND_EDITED = {
    "exercises": {"rnn.rnn_cell": {"passes": "many"}, "rnn.gru_cell": True, "attention.weighted_average": {}},
    "quiz": {
        "01-1": {"history": [{"at": "2025-02-27T10:00:00+00:00", "correct": True},
                             {"at": "어제", "correct": True}, {"correct": False}, "right"],
                 "box": "top"},
        "01-2": "all correct",
        "02-1": {"history": {"at": "2025-02-27"}},
        "99-1": {"history": [{"at": "2025-02-27", "correct": False}]},
    },
}


def test_clean_progress_keeps_what_is_readable_and_lists_the_rest():
    clean, problems = progress.clean_progress(HAND_EDITED)
    assert set(clean["exercises"]) == {"rnn.rnn_cell", "attention.weighted_average"}
    assert clean["exercises"]["rnn.rnn_cell"]["passes"] == 1
    assert clean["quiz"]["01-1"]["history"] == [{"at": "2025-02-27T10:00:00+00:00", "correct": True}]
    assert clean["quiz"]["01-1"]["box"] == 1
    assert "01-2" not in clean["quiz"] and "02-1" not in clean["quiz"]
    assert "99-1" in clean["quiz"]  # an item no longer in the bank is kept, and ignored by the dashboard
    assert len(problems) == 7
    assert progress.clean_progress([1, 2]) == (None, ["진도 기록이 JSON 객체가 아닙니다"])


@pytest.mark.parametrize("data", [HAND_EDITED, {}, {"quiz": [], "exercises": "x"}, None, [1],
                                  {"quiz": {"01-1": None}}])
def test_dashboard_never_crashes_on_a_damaged_record(data):
    fig = view.plot_dashboard(data, ITEMS, DAY)
    assert len(fig.axes) == 3
    matplotlib.pyplot.close(fig)
    assert isinstance(view.revisit_markdown(data, ITEMS), str)
    assert isinstance(view.mastery_table(data, ITEMS), str)
    counts = view.exercise_counts(data)
    assert all(0 <= passed <= total for passed, total in counts.values())
    assert view.show_review(ITEMS, data, DAY, record=False, scope="all").session.items


def test_outside_chapters_the_example_learner_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    (tmp_path / "progress.json").write_text("{ broken", encoding="utf-8")
    data, day, label, problems = view.learner_record(ITEMS)
    assert day == review.EXAMPLE_DAY and "예시 데이터" in label and problems == []
    example = review.example_progress(ITEMS, view.exercise_chapters())
    assert {k: v for k, v in data.items() if k != "mock_exams"} == example
    assert len(data["mock_exams"]) == 2 and all(e["submitted"] for e in data["mock_exams"])  # example history
    assert (tmp_path / "progress.json").read_text(encoding="utf-8") == "{ broken"  # the real file is not read


def test_hand_edited_file_is_kept_aside_and_repaired(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    original = json.dumps(dict(HAND_EDITED, layout=2), ensure_ascii=False)  # layout 2: no migration here
    path.write_text(original, encoding="utf-8")
    monkeypatch.chdir(tmp_path / "..")
    data, day, label, problems = view.learner_record(ITEMS)
    assert label == "내 진도 파일" and len(problems) == 1 and "복사해 두고" in problems[0]
    kept = list(tmp_path.glob("progress.corrupt-*.json"))
    assert len(kept) == 1 and kept[0].read_text(encoding="utf-8") == original  # nothing erased
    assert set(data["exercises"]) == {"rnn.rnn_cell", "attention.weighted_average"}
    assert len(data["quiz"]["01-1"]["history"]) == 1
    # the file itself is repaired: the next reads report nothing and make no new copies
    with_no_warning = progress.load_progress()
    assert with_no_warning == data
    assert len(list(tmp_path.glob("progress.corrupt-*.json"))) == 1
    assert progress.record_quiz_answer("01-2", True)
    assert progress.load_progress()["quiz"]["01-2"]["box"] == 1


def test_revisit_lists_weakest_met_sections_with_links():
    data = empty()
    for day in (DAY - days(8), DAY - days(7), DAY - days(4)):
        answer_on(data, "01-1", True, day)  # C6 box 3
    answer_on(data, "05-1", False, DAY)  # C11 box 1, wrong
    answer_on(data, "02-1", True, DAY)  # C8 box 1 (02-2 never answered) -> 0.1
    found = view.revisit(data, ITEMS)
    assert [(r.chapter, r.claim) for r in found] == [("02", "C8"), ("05", "C11")]  # C6 0.6 is not weak
    assert found[1].wrong_ids == ("05-1",)
    text = view.revisit_markdown(data, ITEMS)
    assert "[02 LSTM과 GRU" in text and "(02_lstm_gru.ipynb" in text
    assert "[05 from_logits와 교차 엔트로피" in text and "(05_from_logits.ipynb" in text
    assert "05-1" in text and "아직 시작하지 않은 장" in text and "(08_causal_attention.ipynb)" in text
    assert view.revisit(empty(), ITEMS) == []


def test_chapter_links_name_real_chapter_files():
    from lib.course import notebooks

    existing = {p.stem for p in notebooks.SOLUTIONS.glob("*.ipynb")}
    for chapter, (stem, _title) in view.CHAPTERS.items():
        assert stem.startswith(chapter + "_")
        if existing:
            assert stem in existing or not any(e.startswith(chapter) for e in existing), stem
    assert set(view.NOTE_SECTION) == set(view.CLAIM_KEYWORDS) == set(CLAIMS)


def test_section_link_finds_the_section_about_a_claim(tmp_path, monkeypatch):
    import nbformat

    from lib.course import notebooks

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 01. RNN\n\n소개"),
                nbformat.v4.new_markdown_cell("## 2. 같은 파라미터\n> 입력으로 들어오는 ...\n> 같은 파라미터들을 반복적으로"),
                nbformat.v4.new_markdown_cell("## 4. 앞쪽 정보가 사라진다 (C7)"),
                nbformat.v4.new_markdown_cell("## 5. 정리\n> RNN은 시퀀스를 다루기 위해 주로 사용되는 모델이며, "
                                              "이미지 데이터는\n> 주로 CNN을 사용하게 된다."),
                nbformat.v4.new_markdown_cell("## 6. 파라미터 수\n설명\n### 6.1 GRU (C9)\n더 설명")]
    for number, cell in enumerate(nb.cells):
        cell.id = f"cell-{number:03d}"
    nbformat.write(nb, str(tmp_path / "01_rnn.ipynb"))
    monkeypatch.setattr(notebooks, "SOLUTIONS", tmp_path)
    assert view.notebook_section("01", "C7") == "4. 앞쪽 정보가 사라진다 (C7)"  # heading names the claim
    assert view.notebook_section("01", "C5") == "5. 정리"  # the section quoting the note's phrase
    assert view.notebook_section("01", "C6") == "5. 정리"  # C6 comes from the same note section as C5
    assert view.notebook_section("01", "C8") is None
    assert view.notebook_section("01", "C9") == "6.1 GRU (C9)"  # two headings in one cell: each counts
    assert view.section_link("01", "C7") == "[01 RNN › 4. 앞쪽 정보가 사라진다 (C7)](01_rnn.ipynb#cell-id=cell-002)"
    assert view.section_link("01", "C5", "../chapters/") == "[01 RNN › 5. 정리](../chapters/01_rnn.ipynb#cell-id=cell-003)"
    assert view.section_link("01", "C8") == "[01 RNN](01_rnn.ipynb)"
    assert view.section_link("02", "C8") == "[02 LSTM과 GRU](02_lstm_gru.ipynb)"  # no notebook yet


# ---------------------------------------------------------------- the widget, without a browser


def test_review_widget_one_item_at_a_time_then_summary(monkeypatch):
    saved = []
    monkeypatch.setattr(progress, "record_quiz_answer", lambda i, c, choice=None: saved.append((i, c)) or True)
    v = view.show_review(ITEMS, empty(), DAY, size=3, scope="all")
    assert "1/3" in v.header.value and "01장" in v.header.value and "01-1" not in v.header.value
    assert v.next_button.disabled
    first = v.session.current
    v.buttons[v.order.index(first.answer)].click()
    assert "정답" in v.feedback.value and "1번 상자" in v.feedback.value
    assert v.buttons[v.order.index(first.answer)].button_style == "success"
    assert v.choose(0) is None  # a second click on the same item does nothing
    v.next_button.click()
    assert "2/3" in v.header.value and v.feedback.value == ""
    second = v.session.current
    wrong = v.order.index((second.answer + 1) % 4)
    v.buttons[wrong].click()
    assert "정답이 아닙니다" in v.feedback.value and v.buttons[wrong].button_style == "danger"
    v.next()
    v.choose(v.order.index(v.session.current.answer))
    assert "요약" in v.next_button.description
    v.next()
    assert "끝" in v.header.value
    assert "3문항 중 2문항" in v.summary.value and second.id in v.summary.value
    assert saved == [(first.id, True), (second.id, False), (v.session.items[2].id, True)]


def test_review_widget_goes_on_when_the_progress_file_cannot_be_written(monkeypatch):
    def fail(item_id, correct, choice=None):
        raise PermissionError("읽기 전용")

    monkeypatch.setattr(progress, "record_quiz_answer", fail)
    v = view.show_review(ITEMS, empty(), DAY, size=2, scope="all")
    v.choose(v.order.index(v.session.current.answer))
    assert "기록하지 못했습니다" in v.feedback.value and len(v.session.answers) == 1
    v.next()
    assert "2/2" in v.header.value


def test_unreadable_progress_folder_is_reported_not_raised(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    monkeypatch.setattr(progress, "load_progress", lambda: (_ for _ in ()).throw(PermissionError("막힘")))
    data, _day, _label, problems = view.learner_record(ITEMS)
    assert data == progress.empty_progress() and "열지 못했습니다" in problems[0]


def test_review_widget_with_nothing_due_shows_summary_at_once():
    data = empty()
    for item in ITEMS:
        answer_on(data, item.id, True, DAY)
    v = view.show_review(ITEMS, data, DAY, record=False)
    assert "없습니다" in v.summary.value


def test_review_widget_on_the_real_bank_if_any():
    items = quiz.load_items()
    if not items:
        pytest.skip("the quiz bank is empty")
    v = view.show_review(items, empty(), DAY, record=False, scope="all")
    for _ in v.session.items:
        v.choose(v.order.index(v.session.current.answer))
        v.next()
    assert v.session.summary().right == len(v.session.items)


# ---------------------------------------------------------------- two notebooks at once


def _review_worker(args):
    path, worker, count = args
    os.environ["COURSE_PROGRESS_FILE"] = path
    os.environ["COURSE_PROGRESS"] = "on"
    for i in range(count):
        progress.record_quiz_answer(f"01-{i % 3}", (i + worker) % 2 == 0)
        if i % 5 == 0:
            progress.record_exercise_passed(f"ex.{worker}.{i}")


def test_two_processes_answering_the_same_items_lose_nothing(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    count = 30
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        pool.map(_review_worker, [(str(path), 0, count), (str(path), 1, count)])
    data = progress.load_progress()
    assert sum(len(e["history"]) for e in data["quiz"].values()) == 2 * count
    assert len(data["exercises"]) == 2 * len(range(0, count, 5))
    for entry in data["quiz"].values():
        state = review.replay(entry)
        assert (entry["box"], entry["due"]) == (state.box, state.due.isoformat())


# ---------------------------------------------------------------- review follows the learner (issue 14)


def course_bank():
    """Two items per chapter 00-09 (claims as the chapters teach them)."""
    claims = {"00": "C2", "01": "C7", "02": "C8", "03": "C1", "04": "C3", "05": "C11", "06": "C13",
              "07": "C15", "08": "C22", "09": "C21"}
    return [make_item(f"{ch}-{n}", claim, answer=n % 4) for ch, claim in claims.items() for n in (1, 2)]


def test_learner_who_studied_only_00_and_04_reviews_those_two_chapters():
    bank = course_bank()
    data = empty()
    data["chapters"] = {"00": {"first_opened": review.stamp(DAY), "last_opened": review.stamp(DAY), "opens": 1}}
    answer_on(data, "04-1", False, DAY)  # an answered item starts its chapter
    assert review.started_chapters(data, bank) == ["00", "04"]
    later = DAY + days(1)
    session = view.show_review(bank, data, later, record=False).session
    assert {item.chapter for item in session.items} == {"00", "04"}
    assert [i.id for i in session.items] == ["04-1", "00-1", "00-2", "04-2"]  # the missed one first
    everything = view.show_review(bank, data, later, record=False, scope="all", size=30).session
    assert {item.chapter for item in everything.items} == {f"{c:02d}" for c in range(10)}
    # a passed exercise counts too
    data["exercises"]["rnn.rnn_cell"] = {"first_passed": review.stamp(DAY), "passes": 1}
    assert review.started_chapters(data, bank, {"rnn.rnn_cell": "01"}) == ["00", "01", "04"]


def test_opening_the_review_chapter_starts_no_chapter():
    """start_chapter("11") records chapter 11 as opened; a learner who opened only 11 still gets the
    "no chapter started" messages, not an empty session that promises a next review day."""
    bank = course_bank()
    data = empty()
    data["chapters"] = {"11": {"first_opened": review.stamp(DAY), "last_opened": review.stamp(DAY), "opens": 1}}
    assert view.started(data, bank) == []
    assert "아직 시작한 장이 없습니다" in view.show_review(bank, data, DAY, record=False).message
    assert "아직 시작한 장이 없습니다" in view.show_terms(data, DAY, record=False, items=bank).message
    data["chapters"]["04"] = dict(data["chapters"]["11"])
    assert view.started(data, bank) == ["04"]
    assert view.show_review(bank, data, DAY, record=False).message == ""


def test_example_learner_of_00_and_04_on_the_real_bank():
    items = quiz.load_items()
    data = review.example_progress(items, view.exercise_chapters(), chapters=["00", "04"])
    assert view.started(data, items) == ["00", "04"]
    session = view.show_review(items, data, review.EXAMPLE_DAY + days(3), record=False).session
    assert session.items and {i.chapter for i in session.items} <= {"00", "04"}


def test_example_learner_misses_only_claims_of_the_chapters_it_studied():
    """Chapter 11 says the example learner often misses EXAMPLE_WEAK's claims: each must have items
    in the studied chapters (00-07) and be missed there more often than the other claims."""
    items = quiz.load_items()
    data = review.example_progress(items, view.exercise_chapters())
    studied = set(view.started(data, items))
    rates = {}
    for item in items:
        for event in data["quiz"].get(item.id, {}).get("history", []):
            wrong, total = rates.get(item.claim, (0, 0))
            rates[item.claim] = (wrong + (not event["correct"]), total + 1)
    for claim in review.EXAMPLE_WEAK:
        assert any(i.claim == claim and i.chapter in studied for i in items), claim
        assert rates[claim][1] > 0, claim
    weak = sum(rates[c][0] for c in review.EXAMPLE_WEAK) / sum(rates[c][1] for c in review.EXAMPLE_WEAK)
    others = [rates[c] for c in rates if c not in review.EXAMPLE_WEAK]
    assert weak > 1.5 * sum(w for w, _ in others) / sum(t for _, t in others)


def test_nobody_gets_a_score_for_answers_not_given():
    session = review.Session(ITEMS, empty(), DAY)
    text = session.summary().text()
    assert "100%" not in text and "아직 답한 문항이 없습니다" in text
    v = view.show_review(ITEMS, empty(), DAY, record=False)  # nothing started
    assert v.session.items == [] and "아직 시작한 장이 없습니다" in v.summary.value
    assert "100%" not in v.summary.value


def test_live_panel_refreshes_after_every_answer():
    v = view.show_review(ITEMS, empty(), DAY, record=False, scope="all", size=3, label=view.EXAMPLE_LABEL)
    assert "아직 답한 문항이 없습니다" in v.live.value and "예시 데이터" in v.live.value
    v.choose(v.order.index(v.session.current.answer))
    assert "1문항 답함, 1개 정답" in v.live.value and "C6 파라미터 공유" in v.live.value
    v.next()
    v.choose(v.order.index((v.session.current.answer + 1) % 4))
    assert "2문항 답함, 1개 정답" in v.live.value


def test_one_mastery_figure_per_claim_with_its_name():
    data = empty()
    bank = ITEMS + [make_item("04-9", "C7")]  # C7 taught in 01 and 04
    answer_on(data, "01-2", False, DAY)
    answer_on(data, "04-9", False, DAY)
    found = view.revisit(data, bank)
    assert [r.claim for r in found].count("C7") == 1 and found[0].chapters == ("01", "04")
    text = view.revisit_markdown(data, bank)
    assert "C7 앞쪽 정보 소실" in text
    rows = dict(view.claim_rows(data, bank))
    assert rows["C7"] == pytest.approx(0.2) and rows["C11"] is None  # chapter 05 not started: no figure
    fig = view.plot_dashboard(data, bank, DAY, view.EXAMPLE_LABEL)
    labels = [t.get_text() for t in fig.axes[2].get_yticklabels()]
    assert "C7 앞쪽 정보 소실" in labels and "예시 데이터" in fig._suptitle.get_text()
    matplotlib.pyplot.close(fig)


# ---------------------------------------------------------------- exam date


def seen_before(bank, data, start, exam, rule=lambda item, n: True):
    """Answer every due item each day from ``start`` to the day before ``exam``; {id: times seen}."""
    seen = {item.id: 0 for item in bank}
    day = start
    while day < exam:
        for item in review.due_items(bank, data, day):
            answer_on(data, item.id, rule(item, seen[item.id]), day)
            seen[item.id] += 1
        day += days(1)
    return seen


def test_exam_date_every_weak_item_seen_twice_when_all_were_wrong():
    data = empty()
    for item in ITEMS:
        answer_on(data, item.id, False, DAY)
    data["exam_date"] = (DAY + days(12)).isoformat()
    plan = review.exam_plan(ITEMS, data, DAY + days(1))
    assert set(plan.weak) == {i.id for i in ITEMS} and plan.days_left == 11
    seen = seen_before(ITEMS, data, DAY + days(1), DAY + days(12))
    assert min(seen.values()) >= 2
    # without the exam date, box 2 -> 3 days, box 3 -> 7 days: still seen, but spaced as usual
    assert review.interval(3, DAY, None) == 7 and review.interval(3, DAY, DAY + days(5)) == 4


def test_exam_date_all_right_gets_a_last_look_before_the_exam():
    data = empty()
    for item in ITEMS:
        for day in (DAY, DAY + days(1), DAY + days(4), DAY + days(11)):
            answer_on(data, item.id, True, day)  # box 4: next due in 14 days
    exam = DAY + days(20)
    data["exam_date"] = exam.isoformat()
    plan = review.exam_plan(ITEMS, data, DAY + days(12))
    assert plan.weak == () and plan.new == () and len(plan.strong) == len(ITEMS)
    assert plan.looks_needed == len(ITEMS) and f"강한 문항 {len(ITEMS)}개" in plan.text()
    assert printed_looks(plan.text()) == ([0, 0, len(ITEMS)], len(ITEMS))
    for item in ITEMS:
        state = review.item_state(data, item.id)
        assert state.due <= exam - days(1)  # capped: 14 days would pass the exam
    seen = seen_before(ITEMS, data, DAY + days(12), exam)
    assert min(seen.values()) >= 1 and sum(seen.values()) == plan.looks_needed


def test_exam_date_mixed_weak_twice_strong_once():
    data = empty()
    weak = {"01-2", "02-2", "07-1"}
    for item in ITEMS:
        for day in (DAY, DAY + days(1), DAY + days(4)):
            answer_on(data, item.id, item.id not in weak or day != DAY + days(4), day)
    exam = DAY + days(9)
    data["exam_date"] = exam.isoformat()
    plan = review.exam_plan(ITEMS, data, DAY + days(5))
    assert set(plan.weak) == weak and set(plan.strong) == {i.id for i in ITEMS} - weak
    seen = seen_before(ITEMS, data, DAY + days(5), exam)
    assert all(seen[i] >= 2 for i in weak)
    assert all(seen[i.id] >= 1 for i in ITEMS)
    assert plan.looks_needed == sum(seen.values())  # strong items' last looks counted too
    kinds, total = printed_looks(plan.text())
    assert kinds == [sum(seen[i] for i in ids) for ids in (plan.weak, plan.new, plan.strong)] and total == sum(kinds)


def printed_looks(text):
    """([weak, new, strong] looks, total) as the exam plan's text prints them."""
    kinds = [int(re.search(rf"{kind} 문항 \d+개 → (\d+)번", text).group(1)) for kind in ("약한", "처음 볼", "강한")]
    return kinds, int(re.search(r"합계 (\d+)번", text).group(1))


def test_exam_plan_counts_every_review_the_scheduler_brings_back():
    """Review r3, 11 item 1: the plan counts what the scheduler will really ask before the exam (strong
    items' last looks and the exam caps on old answers included), and the session follows it. A
    simulated learner (the example learner, two weeks before the exam) answers everything due each day,
    all right; the plan made on the first day must match what that learner was asked."""
    bank = quiz.load_items()
    data = review.example_progress(bank, {})
    day, exam = review.EXAMPLE_DAY, review.EXAMPLE_DAY + days(14)
    data["exam_date"] = exam.isoformat()
    plan = review.exam_plan(bank, data, day)
    size = review.session_size(bank, data, day)
    seen = seen_before(bank, data, day, exam)
    asked = sum(seen.values())
    assert plan.looks_needed == asked
    assert plan.per_day == -(-asked // 14) and plan.per_day * 14 >= asked
    assert size == plan.session == max(review.SESSION_SIZE, min(plan.per_day, review.MAX_SESSION))
    assert len(plan.strong) > len(plan.weak) and asked > 2 * len(plan.weak) + len(plan.new)  # why it is not 2/weak
    text = plan.text()
    assert f"하루에 약 {plan.per_day}문항" in text and f"최대 {review.MAX_SESSION}문항" in text
    assert f"{plan.busiest_count}문항" in text and plan.busiest == exam - days(1)  # strong items' last look
    # review r12, 11 item 1: the looks printed per kind are what the learner was asked for those items,
    # and they add up to the printed total
    kinds, total = printed_looks(text)
    assert sum(kinds) == total == asked
    assert kinds == [sum(seen[i] for i in ids) for ids in (plan.weak, plan.new, plan.strong)]
    assert plan.busiest_count > size  # more due that day than one session holds: the text says to go on


def test_session_never_passes_the_cap():
    bank = [make_item(f"03-{n}", "C1") for n in range(1, 120)]
    data = empty()
    data["exam_date"] = (DAY + days(2)).isoformat()
    plan = review.exam_plan(bank, data, DAY)
    assert plan.per_day > review.MAX_SESSION and review.session_size(bank, data, DAY) == review.MAX_SESSION
    assert f"세션은 {review.MAX_SESSION}문항" in plan.text()


def test_exam_tomorrow_all_weak_items_today():
    bank = [make_item(f"03-{n}", "C1") for n in range(1, 31)]
    data = empty()
    for item in bank:
        answer_on(data, item.id, False, DAY - days(3))
        answer_on(data, item.id, True, DAY - days(2))  # box 2, due DAY + 1 without an exam
    today = DAY
    assert review.due_items(bank, data, today) == []
    data["exam_date"] = (today + days(1)).isoformat()
    plan = review.exam_plan(bank, data, today)
    assert plan.days_left == 1 and len(plan.weak) == 30
    assert "하루뿐" in plan.text() and plan.per_day == 30
    assert printed_looks(plan.text()) == ([30, 0, 0], 30)
    assert review.session_size(bank, data, today) == 30
    assert len(review.build_session(bank, data, today, review.session_size(bank, data, today))) == 30


def test_exam_date_input_gets_korean_messages(tmp_path, monkeypatch, capsys):
    with pytest.raises(ValueError, match="이미 지났습니다"):
        progress.parse_exam_date("2025-02-01", DAY)
    with pytest.raises(ValueError, match="읽을 수 없습니다"):
        progress.parse_exam_date("다음 주 금요일", DAY)
    assert progress.parse_exam_date("2025.03.20", DAY) == dt.date(2025, 3, 20)
    assert progress.parse_exam_date(DAY, DAY) == DAY
    assert view.set_exam_date("2024-13-40", day=DAY) is None
    assert "읽을 수 없습니다" in capsys.readouterr().out
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    assert view.set_exam_date("2025-03-20", day=DAY) == dt.date(2025, 3, 20)
    assert progress.load_progress()["exam_date"] == "2025-03-20"
    assert "18일" in view.exam_status(ITEMS, progress.load_progress(), DAY + days(1))
    fig = view.plot_dashboard(progress.load_progress(), ITEMS, DAY + days(1))
    assert "시험까지 18일" in fig._suptitle.get_text()
    matplotlib.pyplot.close(fig)


# ---------------------------------------------------------------- mock final


class Clock:
    def __init__(self, start=dt.datetime(2025, 3, 1, 10, 0, tzinfo=dt.timezone.utc)):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **kwargs):
        self.now += dt.timedelta(**kwargs)


def exam_bank():
    """Six items for every claim C1-C23 in the chapter that teaches it, and some C0 items."""
    from lib.course.claims import CLAIMS as claims

    bank = []
    for claim, (chapters, _text) in claims.items():
        chapter = chapters.split(",")[0]
        bank += [make_item(f"{chapter}-{claim[1:]}{n}", claim, answer=n % 4) for n in range(6)]
    return bank


def test_mock_final_is_weighted_by_the_notes_sections():
    from lib.course import mock_exam

    bank = exam_bank()
    chosen = mock_exam.compose(bank, mock_exam.exam_chapters(), 35, seed="1")
    assert len(chosen) == 35 and len({i.id for i in chosen}) == 35
    assert all(i.claim != "C0" for i in chosen)
    per_claim = {}
    for item in chosen:
        per_claim[item.claim] = per_claim.get(item.claim, 0) + 1
    assert set(per_claim) == {f"C{n}" for n in range(1, 24)}  # every claim of the notes
    assert max(per_claim.values()) - min(per_claim.values()) <= 1
    assert [i.chapter for i in chosen] == sorted(i.chapter for i in chosen)  # course order
    only = mock_exam.compose(bank, ["00", "04"], 35)
    assert {i.chapter for i in only} == {"00", "04"}
    assert len(only) == len([i for i in bank if i.chapter in ("00", "04") and i.claim != "C0"])
    # items used before come last
    again = mock_exam.compose(bank, mock_exam.exam_chapters(), 35, seed="1", used={i.id: 1 for i in chosen})
    assert not {i.id for i in again} & {i.id for i in chosen}


def test_mock_final_scoring_confidence_and_history():
    from lib.course import mock_exam

    bank, data, clock = exam_bank(), empty(), Clock()
    exam = mock_exam.prepare(["01", "02", "04"], size=6, items=bank, data=data, clock=clock,
                             save=mock_exam.memory_saver(data), key="test")
    assert len(exam.items) == 6 and exam.remaining() == 25 * 60
    assert data["mock_exams"][0]["answers"] == {}  # saved at once
    items = exam.items
    shown = [exam.orders[item.id].index(item.answer) + 1 for item in items]
    wrong = [s % 4 + 1 for s in shown]
    exam.answer(1, wrong[0], "확실")  # confident and wrong
    exam.answer(2, shown[1], "애매")
    exam.answer(3, wrong[2])
    exam.answer(3, shown[2], "찍음")  # changed: right now
    exam.answer(4, wrong[3], "찍음")
    assert exam.current(3) == (shown[2], "찍음")
    saved = data["mock_exams"][0]["answers"]
    assert len(saved[items[2].id]) == 2  # every answer saved as given
    with pytest.raises(ValueError, match="1부터 6까지"):
        exam.answer(9, 1)
    with pytest.raises(ValueError, match="확신도"):
        exam.answer(1, 1, "글쎄")
    clock.advance(minutes=10)
    result = exam.submit()
    assert (result.right, result.total, result.blank) == (2, 6, 2)
    assert result.confident_wrong == (items[0].id,)
    assert result.by_confidence() == {"확실": (0, 1), "애매": (1, 1), "찍음": (1, 2)}
    assert sum(t for _r, t in result.by_chapter().values()) == 6
    assert result.late_seconds == 0
    stored = data["mock_exams"][0]
    assert stored["submitted"] and stored["result"]["right"] == 2
    assert mock_exam.history(data)[0][1:3] == (2, 6)
    # answers enter the spaced repetition; the confident mistake comes back first
    event = data["quiz"][items[0].id]["history"][-1]
    assert event["source"] == "mock" and event["confidence"] == "확실" and event["correct"] is False
    session = review.build_session(bank, data, review.parse_day(stored["submitted"]) + days(1))  # local "tomorrow"
    assert session[0].id == items[0].id
    with pytest.raises(ValueError, match="이미 제출한"):
        exam.answer(1, 1)
    text = mock_exam.result_text(result)
    assert "6문항 중 2문항 정답" in text and "확실하다고 했는데 틀린" in text
    assert "다시 볼 곳: [" in text and items[0].question in text and "풀이: 이유" in text
    assert "C8 LSTM은 RNN보다 긴 시퀀스를 잘 다룬다" in text or "C7" in text


def test_mock_final_time_is_checked_on_submit():
    from lib.course import mock_exam

    bank, data, clock = exam_bank(), empty(), Clock()
    exam = mock_exam.prepare(["03"], size=3, items=bank, data=data, clock=clock, save=None, key="k")
    key = exam.orders[exam.items[0].id].index(exam.items[0].answer) + 1
    exam.answer(1, key, "확실")
    clock.advance(minutes=26)
    exam.answer(1, key % 4 + 1, "확실")  # changed after the end: does not count
    exam.answer(2, 1)
    result = exam.submit()
    assert result.late_seconds == 60 and result.ignored_late == 2
    assert result.right == 1 and result.blank == 2
    assert "세지 않았습니다" in mock_exam.result_text(result)


def test_mock_final_not_saved_promises_no_review(monkeypatch):
    """The confident-but-wrong note promises a review only when the answers reach the spaced repetition."""
    from lib.course import mock_exam

    monkeypatch.setenv("COURSE_PROGRESS", "off")
    bank = exam_bank()
    for how in ("memory", "none", "progress file, recording off"):
        data, clock = empty(), Clock()
        save = {"memory": mock_exam.memory_saver(data), "none": None,
                "progress file, recording off": mock_exam.progress_saver}[how]
        exam = mock_exam.prepare(["03"], size=3, items=bank, data=data, clock=clock, save=save, key="k")
        first = exam.items[0]
        key = exam.orders[first.id].index(first.answer) + 1
        exam.answer(1, key % 4 + 1, "확실")  # confident and wrong
        result = exam.submit()
        assert result.confident_wrong == (first.id,)
        reviewed = first.id in data["quiz"]  # what really happened to the item
        assert reviewed is (how == "memory")
        for shown in (mock_exam.result_text(result), mock_exam.result_html(result),
                      mock_exam.result_text(exam.submit()), mock_exam.result_text(exam.result())):
            assert ("가장 먼저 다시 나옵니다" in shown) is reviewed, (how, shown)
            assert ("복습 기록에는 들어가지 않습니다" in shown) is not reviewed, (how, shown)


def test_mock_final_resumes_after_the_notebook_was_closed(tmp_path, monkeypatch, capsys):
    from lib.course import mock_exam as mock

    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    bank, clock = exam_bank(), Clock()
    exam = mock.start(["05", "06"], size=4, items=bank, clock=clock, seed="s")
    assert "모의 기말 시작" in capsys.readouterr().out
    mock.answer(1, 2, "확실")
    mock.answer(2, 3)
    saved = progress.load_progress()["mock_exams"][0]
    assert saved["submitted"] is None and len(saved["answers"]) == 2
    mock._STATE.exam = None  # the kernel is gone
    clock.advance(minutes=5)
    again = mock.resume(items=bank, clock=clock)
    out = capsys.readouterr().out
    assert "2/4문항 답함" in out and "20:00" in out
    assert again.current(1) == (2, "확실") and again.orders == exam.orders
    # an item that no longer exists is left out, with a Korean message
    mock._STATE.exam = None
    smaller = [i for i in bank if i.id != exam.items[3].id]
    resumed = mock.resume(items=smaller, clock=clock)
    assert exam.items[3].id in capsys.readouterr().out and len(resumed.items) == 3
    result = mock.submit()
    assert result.missing == (exam.items[3].id,) and "더 이상 없어" in mock.result_text(result)
    data = progress.load_progress()
    assert data["mock_exams"][0]["submitted"] and mock.unfinished(data) is None
    assert any(e.get("source") == "mock" for entry in data["quiz"].values() for e in entry["history"])


def test_mock_final_bad_input_gets_korean_messages(capsys):
    from lib.course import mock_exam as mock

    mock._STATE.exam = None
    assert mock.start([], items=exam_bank(), data=empty()) is None
    assert "하나 이상 고르세요" in capsys.readouterr().out
    assert mock.start(["12"], items=exam_bank(), data=empty()) is None
    assert "12'장은 없습니다" in capsys.readouterr().out
    assert mock.start(None, items=exam_bank(), data=empty()) is None
    assert "아직 시작한 장이 없습니다" in capsys.readouterr().out
    mock.answer(1, 2)
    assert "진행 중인 모의 기말이 없습니다" in capsys.readouterr().out
    assert mock.check_chapters(["4", 0]) == ["00", "04"]


def test_mock_final_widget_navigation_change_and_submit():
    from lib.course import mock_exam

    bank, data, clock = exam_bank(), empty(), Clock()
    v = view.show_mock_final(["01"], size=3, items=bank, data=data, clock=clock, key="w").start()
    assert "25:00" in v.header.value and "0/3" in v.header.value
    first = v.exam.items[0]
    key = v.exam.orders[first.id].index(first.answer)
    v.choice_buttons[(key + 1) % 4].click()
    v.confidence_buttons[0].click()
    assert v.choice_buttons[(key + 1) % 4].button_style == "info"
    v.next_button.click()
    assert v.number == 2 and "2/3." in v.question.value
    v.grid[0].click()
    v.choice_buttons[key].click()  # change the answer to the key
    assert v.choice_buttons[key].button_style == "info" and v.choice_buttons[(key + 1) % 4].button_style == ""
    clock.advance(seconds=61)
    v.tick()
    assert "23:59" in v.header.value
    v.submit_button.click()
    assert "정말 제출" in v.submit_button.description  # two questions blank: asks again
    v.submit_button.click()
    assert "3문항 중 1문항 정답" in v.review.value and v.body.layout.display == "none"
    assert "확실 1/1" in v.review.value and "다시 볼 곳" in v.review.value
    assert mock_exam.history(data)[0][1:3] == (1, 3)


def test_mock_final_submits_itself_when_time_is_up():
    bank, data, clock = exam_bank(), empty(), Clock()
    v = view.show_mock_final(["02"], size=2, minutes=1, items=bank, data=data, clock=clock).start()
    v.pick(0)
    clock.advance(seconds=61)
    v.tick()
    assert v.exam.submitted and not v.timer.playing and "2문항 중" in v.review.value


# ---------------------------------------------------------------- term deck


def test_term_deck_has_80_cards_in_both_directions():
    from lib.course import terms

    assert len(terms.CARDS) >= 80
    assert len({c.id for c in terms.CARDS}) == len({c.ko for c in terms.CARDS}) == len(terms.CARDS)
    deck = terms.items()
    assert len(deck) == 2 * len(terms.CARDS)
    by_id = {item.id: item for item in deck}
    ko, en = by_id["T-causal-self-attention-ko"], by_id["T-causal-self-attention-en"]
    assert "is_causal=True" in ko.choices[ko.answer] and "use_causal_mask=True" in ko.choices[ko.answer]
    assert en.choices[en.answer] == "인과 셀프 어텐션"
    assert "nn.LayerNorm" in by_id["T-layer-norm-ko"].choices[by_id["T-layer-norm-ko"].answer]
    assert "tgt[:, :-1]" in by_id["T-teacher-forcing-ko"].choices[by_id["T-teacher-forcing-ko"].answer]
    for item in deck:
        assert len(set(item.choices)) == 4 and item.why_wrong[item.answer] == ""
    # the same scheduler: answered wrong -> back tomorrow, in both directions independently
    data = empty()
    answer_on(data, ko.id, False, DAY)
    assert review.item_state(data, ko.id).box == 1 and review.item_state(data, en.id).is_new
    session = review.Session(deck, data, DAY + days(1), chapters=["08"])
    assert session.items[0].id == ko.id and {i.chapter for i in session.items} == {"08"}


def test_term_deck_uses_the_spec_terms():
    from lib.course import terms

    korean = {c.ko for c in terms.CARDS}
    for term in ("인코더-디코더", "문맥 벡터", "은닉 상태", "셀 상태", "위치 인코딩", "계층 정규화", "잔차 연결",
                 "셀프 어텐션", "크로스 어텐션", "인과 셀프 어텐션", "멀티 헤드 어텐션", "교사 강요",
                 "탐욕적 디코딩", "빔 서치", "로짓", "소프트맥스", "교차 엔트로피", "기울기 소실", "패딩",
                 "패딩 마스크", "인과 마스크", "임베딩", "망각 게이트", "리셋 게이트", "업데이트 게이트"):
        assert term in korean, term


def test_term_card_never_offers_its_own_kind_as_a_distractor():
    """A card's distractors never include a card that names it as its kind (two right answers):
    sinusoidal PE is a positional encoding, additive attention is an attention (review r3, 11 item 4)."""
    from lib.course import terms

    by_id = {item.id: item for item in terms.items()}
    card = {c.id: c for c in terms.CARDS}
    for one, other in (("sinusoidal", "positional-encoding"), ("attention", "additive-attention"),
                       ("causal-self-attention", "masked-mha")):
        for a, b in ((one, other), (other, one)):
            assert card[b].ko not in by_id[f"T-{a}-en"].choices, (a, b)
            assert terms.english(card[b]) not in by_id[f"T-{a}-ko"].choices, (a, b)
    heads = terms.english(card["num-heads"])  # nn.Transformer takes nhead=, not num_heads= (review r3, 11 item 3)
    assert "nhead=" in heads and "nn.MultiheadAttention" in heads


def _resolve(path):
    import importlib

    parts = path.split(".")
    for k in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:k]))
            break
        except ImportError:
            continue
    for part in parts[k:]:
        obj = getattr(obj, part)
    return obj


def test_term_deck_api_names_exist_in_installed_torch_and_keras(monkeypatch):
    import inspect

    from lib.course import terms

    monkeypatch.setenv("KERAS_BACKEND", "torch")
    pytest.importorskip("keras")
    missing = []
    for card in terms.CARDS:
        for path, argument in card.api_refs:
            try:
                obj = _resolve(path)
            except (AttributeError, ImportError) as error:
                missing.append(f"{card.id}: {path} ({error})")
                continue
            if argument:
                try:
                    found = argument in inspect.signature(obj).parameters
                except (TypeError, ValueError):  # builtins without a signature: their docstring
                    found = False
                if not found and argument not in (inspect.getdoc(obj) or ""):
                    missing.append(f"{card.id}: {path}({argument}=)")
    assert not missing, missing


# ---------------------------------------------------------------- 오답노트 export


def test_wrong_notes_html_has_missed_items_mistakes_weak_claims_and_links(tmp_path):
    from lib.course import export

    data = empty()
    answer_on(data, "05-1", False, DAY)
    data["quiz"]["05-1"]["history"][-1]["choice"] = 0
    answer_on(data, "02-1", False, DAY - days(2))
    answer_on(data, "02-1", True, DAY - days(1))  # missed once, right since
    answer_on(data, "01-1", True, DAY)
    data["check_failures"] = {"attention.attend": [{"at": review.stamp(DAY), "mistake": "뒤집힌 마스크"},
                                                   {"at": review.stamp(DAY), "mistake": "뒤집힌 마스크"},
                                                   {"at": review.stamp(DAY), "mistake": None}]}
    answer_on(data, "T-layer-norm-en", False, DAY)
    path = export.write_wrong_notes(tmp_path / "note.html", items=ITEMS, data=data, day=DAY,
                                    order=lambda item: [0, 1, 2, 3])
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>") and "<meta name='viewport'" in text and "@media print" in text
    assert "<script" not in text and "http://" not in text and "https://" not in text  # offline, self-contained
    assert "05-1?" in text and "02-1?" in text and "01-1?" not in text
    assert text.index("05-1?") < text.index("02-1?")  # still-wrong first
    assert "← 내 답" in text and "틀림 0" in text and "이유" in text  # my choice, why it is wrong, explanation
    assert "뒤집힌 마스크 × 2" in text and "attention.attend" in text and "04_attention.ipynb" in text
    assert CLAIMS["C11"][1] in text  # a weak claim, named
    assert "05_from_logits.ipynb" in text  # a link back to the chapter
    assert "아직 헷갈리는 용어" in text and "계층 정규화" in text


def test_check_failures_and_chapter_opened_are_recorded(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    for _ in range(progress.MAX_FAILURES_KEPT + 3):
        assert progress.record_check_failure("attention.attend", "뒤집힌 마스크")
    monkeypatch.setenv("JPY_SESSION_NAME", str(tmp_path / "chapters" / "04_attention.ipynb"))
    assert progress.chapter_of_session() == "04"
    assert progress.record_chapter_opened()
    assert progress.record_chapter_opened("00")
    monkeypatch.setenv("JPY_SESSION_NAME", "Untitled.ipynb")
    assert not progress.record_chapter_opened()
    data = progress.load_progress()
    assert len(data["check_failures"]["attention.attend"]) == progress.MAX_FAILURES_KEPT
    assert set(data["chapters"]) == {"00", "04"} and data["chapters"]["04"]["opens"] == 1
    assert review.started_chapters(data) == ["00", "04"]
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    assert not progress.record_check_failure("x", "y") and not progress.record_chapter_opened("01")


def test_dashboard_widget_redraws_after_every_answer_and_at_mock_final_submit():
    from lib.course import mock_exam

    data = empty()
    board = view.show_dashboard(ITEMS, data, DAY, view.EXAMPLE_LABEL)
    assert board.draws == 1
    v = view.show_review(ITEMS, data, DAY, record=False, scope="all", size=2)
    v.choose(v.order.index(v.session.current.answer))
    assert board.draws == 2 and answers_in(board.data) == 1  # the example's board keeps the answer
    v.next()
    v.choose(0)
    assert board.draws == 3 and answers_in(board.data) == 2
    assert data["quiz"] == {}  # the caller's record is untouched
    exam = view.show_mock_final(["01"], size=2, items=ITEMS, data=data, clock=Clock()).start()
    exam.pick(0)
    exam.mark("확실")
    assert board.draws == 3  # a mock final's answer enters the record only at submit (chapter 11 says so)
    exam.submit(force=True)
    assert board.draws == 4 and len(mock_exam.history(board.data)) == 1
    matplotlib.pyplot.close("all")


def answers_in(data):
    return sum(len(e["history"]) for e in data["quiz"].values())


# ---------------------------------------------------------------- found by trying it as a learner


def test_learner_dashboard_sees_the_answer_just_saved(tmp_path, monkeypatch):
    """A learner's dashboard re-reads the progress file after each answer: the answer is saved first."""
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    board = view.show_dashboard(ITEMS, empty(), DAY, "내 진도 파일")
    v = view.show_review(ITEMS, empty(), DAY, scope="all", size=2, label="내 진도 파일")
    v.choose(v.order.index(v.session.current.answer))
    assert board.draws == 2 and answers_in(board.data) == 1 == answers_in(progress.load_progress())
    matplotlib.pyplot.close("all")


def test_review_widget_answer_in_code_is_one_based_and_bad_input_is_refused(capsys):
    v = view.show_review(ITEMS, empty(), DAY, record=False, scope="all", size=2)
    assert v.choose(-1) is None and v.choose(4) is None and v.choose("2") is None
    assert not v.session.answers and "①, ②, ③, ④" in v.feedback.value
    for bad in (0, 5, "⑤", None):
        assert v.answer(bad) is None
        assert "보기 번호는 1, 2, 3, 4" in capsys.readouterr().out
    v.show()
    item = v.session.current
    assert "[1/2]" in capsys.readouterr().out
    shown = v.order.index(item.answer) + 1
    assert v.answer(str(shown)).correct and v.session.answers[0].choice == item.answer
    out = capsys.readouterr().out
    assert "정답입니다" in out and "[2/2]" in out  # the feedback, then the next item
    second = v.session.current
    assert not v.answer(v.order.index((second.answer + 1) % 4) + 1).correct
    assert "2문항 중 1문항 정답" in capsys.readouterr().out  # then the summary
    assert v.answer(1) is None and "끝났습니다" in capsys.readouterr().out


def test_term_card_is_asked_in_one_direction_per_session():
    from lib.course import terms

    deck = terms.items()
    session = review.Session(deck, empty(), DAY, size=40)
    cards = [item.card for item in session.items]
    assert len(session.items) == 40 and len(cards) == len(set(cards))
    data = empty()
    for item in session.items:
        answer_on(data, item.id, True, DAY)
    later = review.Session(deck, data, DAY + days(1), size=len(deck))
    asked = {item.id for item in session.items}
    assert {f"T-{card}-{'en' if item.id.endswith('-ko') else 'ko'}" for card, item in
            zip(cards, session.items)} <= {item.id for item in later.items} | asked


def test_mock_final_size_and_numbers_given_as_text(capsys):
    from lib.course import mock_exam as mock

    for size in ("ten", 0, -3, True):
        assert mock.start(["01"], size=size, items=exam_bank(), data=empty(), save=None) is None
        assert "문항 수는 1 이상의 정수" in capsys.readouterr().out
    exam = mock.start(["01"], size=3, items=exam_bank(), data=empty(), save=None, clock=Clock())
    capsys.readouterr()
    mock.answer("2", "3", "확실")  # typed as text: question 2, choice ③
    assert "2번 답: ③, 확신도: 확실" in capsys.readouterr().out
    mock.answer(1, "⑤")
    assert "보기 번호는 1, 2, 3, 4" in capsys.readouterr().out
    result = mock.submit()
    out = capsys.readouterr().out
    assert result.blank == 2 and "(답 없음) · 정답" in out and "(답 없음) (" not in out
    mock.submit()
    assert "이미 제출한 시험입니다" in capsys.readouterr().out
    assert exam.submitted


def test_confidence_breakdown_in_fixed_order():
    from lib.course import mock_exam

    bank = exam_bank()
    exam = mock_exam.prepare(["01"], size=4, items=bank, data=empty(), save=None, clock=Clock(), key="k")
    for number, mark in ((1, None), (2, "찍음"), (3, "확실"), (4, "애매")):
        exam.answer(number, 1, mark)
    assert list(exam.submit().by_confidence()) == ["확실", "애매", "찍음", "표시 안 함"]


def test_wrong_notes_weak_claims_count_only_chapters_met():
    from lib.course import export

    items = [make_item("04-1", "C4"), make_item("04-2", "C4"), make_item("08-1", "C4"), make_item("08-2", "C4")]
    data = empty()
    answer_on(data, "04-1", True, DAY)
    answer_on(data, "04-2", True, DAY)
    (claim, mastery), = export.weak_claims(items, data)
    assert claim == "C4" and mastery == pytest.approx(0.2)  # 04's two items in box 1, not diluted by 08's
    assert [r.mastery for r in view.revisit(data, items)] == [pytest.approx(mastery)]


def test_one_mastery_per_claim_on_dashboard_revisit_and_wrong_notes():
    """Review r4 (11, 3): a claim's 숙련도 is the dashboard's (its items in the started chapters) in
    "다시 볼 곳" and the 오답노트's 약한 주장 too, also when an opened chapter has no answer yet."""
    from lib.course import export

    bank = [make_item("00-1", "C2"), make_item("00-2", "C2"), make_item("04-1", "C2"), make_item("04-2", "C2"),
            make_item("04-3", "C3")]
    data = empty()
    stamp = review.stamp(DAY)
    data["chapters"] = {c: {"first_opened": stamp, "last_opened": stamp, "opens": 1} for c in ("00", "04")}
    answer_on(data, "00-1", False, DAY)  # only 00's items answered; 04 opened, nothing answered there
    answer_on(data, "00-2", True, DAY)
    dashboard = dict(view.claim_rows(data, bank))["C2"]
    answered_only = (review.item_mastery(review.states(bank, data)["00-1"])
                     + review.item_mastery(review.states(bank, data)["00-2"])) / 2
    assert dashboard < answered_only - 0.01  # the two definitions differ here, so the test can fail
    (found,) = [r for r in view.revisit(data, bank) if r.claim == "C2"]
    assert found.mastery == pytest.approx(dashboard) and found.chapters == ("00", "04")
    assert dict(export.weak_claims(bank, data))["C2"] == pytest.approx(dashboard)
    assert "C3" not in dict(export.weak_claims(bank, data))  # no answered item: not listed
    assert f"숙련도 {dashboard:.2f}" in view.revisit_markdown(data, bank)


# ---------------------------------------------------------------- issue 21: no accidental exam


def test_mock_final_waits_for_the_start_button(tmp_path, monkeypatch):
    """Run All only draws the start screen: nothing is saved and no clock runs until 시작 is pressed."""
    from lib.course import mock_exam

    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    bank, clock = exam_bank(), Clock()
    screen = view.show_mock_final(["01"], size=3, items=bank, clock=clock)
    assert screen.view is None and "남은 시간" not in screen.intro.value
    assert not progress.load_progress().get("mock_exams")  # nothing recorded by showing it
    clock.advance(minutes=30)  # a learner who never presses the button gets no attempt at all
    assert mock_exam.history(progress.load_progress()) == []
    exam_view = screen.start_button.click() or screen.view
    assert exam_view is not None and "25:00" in exam_view.header.value  # the clock starts at the press
    assert len(progress.load_progress()["mock_exams"]) == 1
    assert screen.start() is exam_view  # a second press does not start a second exam


def test_a_closed_exam_resumes_only_with_its_button_and_its_clock_kept_running(tmp_path, monkeypatch):
    """Chapter 11: running the cell again offers "풀던 모의 기말 이어 풀기"; the clock ran while closed."""
    from lib.course import mock_exam

    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    bank, clock = exam_bank(), Clock()
    first = view.show_mock_final(["01"], size=3, items=bank, clock=clock).start()
    first.pick(0)
    clock.advance(minutes=10)  # the notebook is closed, then the cell is run again
    screen = view.show_mock_final(["01"], size=3, items=bank, clock=clock)
    assert screen.view is None and "15:00" in screen.intro.value and "닫아 둔 동안에도" in screen.intro.value
    again = screen.resume_button.click() or screen.view
    assert again is not None and "15:00" in again.header.value and again.exam.answered() == 1
    clock.advance(minutes=20)  # closed again until after the time is up
    late = view.show_mock_final(["01"], size=3, items=bank, clock=clock)
    assert "00:00" in late.intro.value and "제출됩니다" in late.intro.value
    resumed = late.resume()
    resumed.tick()  # the browser's first tick submits it, with the answer given in time
    assert resumed.exam.submitted and resumed.exam.result().blank == 2  # the answer before the time counts
    assert len(mock_exam.history(progress.load_progress())) == 1
    assert mock_exam.unfinished(progress.load_progress(), clock()) is None


def test_an_exam_closed_without_an_answer_is_not_an_attempt():
    from lib.course import mock_exam

    bank, data, clock = exam_bank(), empty(), Clock()
    v = view.show_mock_final(["02"], size=2, minutes=1, items=bank, data=data, clock=clock).start()
    clock.advance(seconds=61)
    v.tick()  # time up with nothing answered: submitted, but not an attempt
    assert v.exam.submitted and "응시 기록" in v.review.value
    assert mock_exam.history(data) == [] and mock_exam.unfinished(data, clock()) is None
    w = view.show_mock_final(["02"], size=2, minutes=1, items=bank, data=data, clock=clock).start()
    w.pick(0)
    w.submit(force=True)
    assert len(mock_exam.history(data)) == 1  # one answer makes it an attempt


def test_old_empty_exam_records_are_not_shown_and_not_resumed():
    """Records written before issue 21 (a 0/35 auto-submission; an abandoned exam past its time)."""
    from lib.course import mock_exam

    blank = {"id": "mock-2", "started": "2026-12-04T17:09:05+00:00", "minutes": 25, "chapters": ["00"],
             "items": ["00-1"], "answers": {}, "submitted": "2026-12-04T17:34:04+00:00",
             "result": {"right": 0, "total": 35, "blank": 35, "by_chapter": {}}}
    taken = dict(blank, id="mock-1", result={"right": 8, "total": 35, "blank": 25, "by_chapter": {}})
    left = dict(blank, id="mock-3", submitted=None, result=None)
    data = {"mock_exams": [taken, blank, left]}
    assert [row[1:3] for row in mock_exam.history(data)] == [(8, 35)]
    later = dt.datetime(2026, 12, 5, tzinfo=dt.timezone.utc)
    assert mock_exam.unfinished(data, later) is None
    begun = dict(left, answers={"00-1": [{"at": "2026-12-04T17:10:00+00:00", "choice": 1}]})
    assert mock_exam.unfinished({"mock_exams": [begun]}, later) is begun  # answered: still offered
    fig = view.plot_dashboard(data, ITEMS, DAY)
    assert "0/35" not in [t.get_text() for t in fig.axes[1].texts]
    matplotlib.pyplot.close(fig)


# ---------------------------------------------------------------- issue 21: fresh records, exports/, hints


def test_record_is_read_again_at_every_use(tmp_path, monkeypatch):
    """A cell run after answers given elsewhere (a review, a mock final, another kernel) sees them:
    chapter 11 keeps no copy of the record from an earlier cell."""
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    monkeypatch.setenv("COURSE_EXPORTS_DIR", str(tmp_path / "exports"))
    from lib.ui import exports

    progress.record_quiz_answer("01-1", False, choice=0)
    record = view.Record(ITEMS)
    before = exports.summary(ITEMS, record.data)
    table_before = view.mastery_table(record.data, ITEMS)
    for item_id in ("02-1", "05-1"):  # answered after the cells above ran
        progress.record_quiz_answer(item_id, False, choice=0)
    assert "틀린 적 있는 문항 1개" in before and "틀린 적 있는 문항 3개" in exports.summary(ITEMS, record.data)
    assert view.mastery_table(record.data, ITEMS) != table_before
    assert "05" in view.revisit_markdown(record.data, ITEMS)
    panel = exports.show_exports(ITEMS, record)
    path = panel.wrong_notes()
    assert path.parent == tmp_path / "exports" and path.name.startswith("odapnote-")
    assert path.read_text(encoding="utf-8").count("class='item") == 3


def test_exports_go_to_exports_and_link_relative_to_the_notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_EXPORTS_DIR", str(tmp_path / "exports"))
    (tmp_path / "chapters").mkdir()
    monkeypatch.chdir(tmp_path / "chapters")  # a chapter's kernel runs in chapters/
    from lib.ui import exports

    assert export.default_path(DAY) == tmp_path / "exports" / f"odapnote-{DAY.isoformat()}.html"
    target = tmp_path / "exports" / "odapnote-x.html"
    assert exports.relative_link(target) == "../exports/odapnote-x.html"
    assert "href='../exports/odapnote-x.html'" in exports.link_html(target)
    text = export.write_wrong_notes(items=ITEMS, data=empty(), day=DAY).read_text(encoding="utf-8")
    assert "word-break:keep-all" in text


def test_example_exports_never_touch_the_course(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    monkeypatch.delenv("COURSE_EXPORTS_DIR", raising=False)
    from lib.ui import exports

    record = view.Record(ITEMS)
    panel = exports.show_exports(ITEMS, record)
    path = panel.wrong_notes()
    assert record.is_example and not str(path).startswith(str(progress.REPO_ROOT))
    assert "COURSE_EXPORTS_DIR" not in os.environ  # restored after the call


def test_study_pack_button_without_the_module_says_so(monkeypatch):
    from lib.ui import exports

    monkeypatch.setattr(exports, "study_pack_module", lambda: None)
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    panel = exports.show_exports(ITEMS, view.Record(ITEMS))
    assert panel.study_pack() == []


def test_passes_after_hints_are_counted_apart():
    data = empty()
    chapter04 = sorted(e for e, c in view.exercise_chapters().items() if c == "04")
    data["exercises"] = {chapter04[0]: {"passes": 1}, chapter04[1]: {"passes": 1, "hints_used": 2}}
    data["hints"] = {chapter04[1]: {"level": 2, "at": "2025-03-01T10:00:00+00:00"},
                     chapter04[2]: {"level": 1, "at": "2025-03-01T10:00:00+00:00"}}
    assert view.hint_counts(data)["04"] == (1, 1, 1)
    assert "(1 + 1)" in view.mastery_table(data, ITEMS).split("\n")[5]
    data["exercises"][chapter04[1]]["hints_used"] = True  # a hand-edited flag is no level
    assert view.hint_counts(data)["04"] == (2, 0, 1)


def test_quiz_code_block_keeps_its_first_line_indent():
    """04-9's table: the header row starts with spaces; stripping them shifts the column names."""
    from lib.course.quiz import _to_html, plain_text

    block = "표:\n```\n        나는   사과를\nI       0.90   0.05\n```"
    assert "<pre style='background:#f6f8fa;padding:6px'>        나는" in _to_html(block)
    assert "\n        나는" in plain_text(block)
    assert "<pre>        나는" in export._text(block)


def test_exam_date_hint_suggests_a_future_date():
    status = view.exam_status(ITEMS, empty(), DAY)
    suggested = dt.date.fromisoformat(status.split('set_exam_date("')[1][:10])
    assert suggested > DAY
