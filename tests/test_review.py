"""Spaced repetition (lib.course.scheduler), the dashboard and the review widget (lib.ui.explorers.review)."""

import datetime as dt
import json
import multiprocessing
import os

import matplotlib
import pytest

matplotlib.use("Agg")

from lib.course import progress, quiz  # noqa: E402
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


def test_time_stamps_with_offsets_count_in_utc_days():
    assert review.parse_day("2025-03-01T23:30:00-02:00") == dt.date(2025, 3, 2)
    assert review.parse_day("2025-03-01") == dt.date(2025, 3, 1)
    assert review.parse_day(None) is None and review.parse_day("yesterday") is None


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
    session = review.Session(ITEMS, data, DAY, size=2, on_answer=lambda i, c: seen.append((i, c)))
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
    assert view.show_review(ITEMS, data, DAY, record=False).session.items


def test_outside_chapters_the_example_learner_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    (tmp_path / "progress.json").write_text("{ broken", encoding="utf-8")
    data, day, label, problems = view.learner_record(ITEMS)
    assert day == review.EXAMPLE_DAY and "예시 데이터" in label and problems == []
    assert data == review.example_progress(ITEMS, view.exercise_chapters())
    assert (tmp_path / "progress.json").read_text(encoding="utf-8") == "{ broken"  # the real file is not read


def test_hand_edited_file_is_kept_aside_and_repaired(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    original = json.dumps(HAND_EDITED, ensure_ascii=False)
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
    monkeypatch.setattr(progress, "record_quiz_answer", lambda i, c: saved.append((i, c)) or True)
    v = view.show_review(ITEMS, empty(), DAY, size=3)
    assert "1/3" in v.header.value and "01-1" in v.header.value
    assert v.next_button.disabled
    first = v.session.current
    v.buttons[first.answer].click()
    assert "정답" in v.feedback.value and "1번 상자" in v.feedback.value
    assert v.buttons[first.answer].button_style == "success"
    assert v.choose(0) is None  # a second click on the same item does nothing
    v.next_button.click()
    assert "2/3" in v.header.value and v.feedback.value == ""
    second = v.session.current
    wrong = (second.answer + 1) % 4
    v.buttons[wrong].click()
    assert "아닙니다" in v.feedback.value and v.buttons[wrong].button_style == "danger"
    v.next()
    v.choose(v.session.current.answer)
    assert "요약" in v.next_button.description
    v.next()
    assert "끝" in v.header.value
    assert "3문항 중 2문항" in v.summary.value and second.id in v.summary.value
    assert saved == [(first.id, True), (second.id, False), (v.session.items[2].id, True)]


def test_review_widget_goes_on_when_the_progress_file_cannot_be_written(monkeypatch):
    def fail(item_id, correct):
        raise PermissionError("읽기 전용")

    monkeypatch.setattr(progress, "record_quiz_answer", fail)
    v = view.show_review(ITEMS, empty(), DAY, size=2)
    v.choose(v.session.current.answer)
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
    v = view.show_review(items, empty(), DAY, record=False)
    for _ in v.session.items:
        v.choose(v.session.current.answer)
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
