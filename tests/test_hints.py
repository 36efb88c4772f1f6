"""The hint ladder (issue 23): ``hint(id)`` shows the next of >= 3 levels for every exercise, the last
one a skeleton with blanks; unknown ids get a Korean message; hints and ``record=False`` and the
progress format ("hints", "hints_used") that chapter 11 reads. No level gives the answer away: an earlier level
never names more of the solution than the skeleton, and none names nearly all of it (tests/hint_coverage.py)."""

import contextlib
import io
import json

import pytest
import torch

import hint_coverage  # tests/hint_coverage.py (tests/ is on sys.path under pytest)

from lib import attention
from lib.checks import EXERCISES, check, hint
from lib.course.checks import hints as hint_module

SPEC_IDS = [
    "attention.weighted_average", "rnn.rnn_cell", "rnn.rnn_layer", "rnn.lstm_cell", "rnn.gru_cell",
    "seq2seq.context_vector", "seq2seq.make_decoder_io", "seq2seq.greedy_decode", "attention.dot_product_scores",
    "attention.additive_scores", "attention.attend", "losses.softmax", "losses.log_softmax", "losses.cross_entropy",
    "losses.masked_accuracy", "transformer.positional_encoding", "attention.scaled_dot_product_attention",
    "attention.split_heads", "attention.merge_heads", "attention.multi_head_attention", "transformer.layer_norm",
    "masks.causal_mask", "masks.padding_mask", "masks.decoder_self_attention_mask", "transformer.EncoderLayer",
    "transformer.DecoderLayer", "transformer.Transformer",
]


@pytest.fixture(autouse=True)
def fresh_ladders(monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    hint_module.forget_shown()
    yield
    hint_module.forget_shown()


def quiet(function, *args, **kwargs):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = function(*args, **kwargs)
    return result, buffer.getvalue()


@pytest.mark.parametrize("exercise_id", sorted(set(SPEC_IDS) | set(EXERCISES)))
def test_every_exercise_has_a_ladder(exercise_id):
    assert exercise_id in EXERCISES, exercise_id
    ladder = EXERCISES[exercise_id].hints
    assert len(ladder) >= 3, exercise_id
    assert all(isinstance(h, str) and len(h) > 40 for h in ladder)
    assert "___" not in "".join(ladder[:-1]), "blanks belong to the last level only"
    skeleton = ladder[-1]
    assert skeleton.count("___") >= 2, "the skeleton leaves blanks: never the whole answer"
    assert any("가" <= ch <= "힣" for ch in ladder[0]), "level 1 is Korean words"


def test_next_level_each_call_then_the_last_repeats_with_a_note():
    texts = EXERCISES["attention.attend"].hints
    seen = []
    for _ in range(len(texts) + 2):
        result, printed = quiet(hint, "attention.attend")
        seen.append(result.level)
        assert texts[result.level - 1].splitlines()[0].strip() in printed
    assert seen == list(range(1, len(texts) + 1)) + [len(texts)] * 2
    assert "마지막 힌트" in printed and "답 전체는 보여 주지 않습니다" in printed
    _, first = quiet(hint, "rnn.rnn_cell")  # ladders are per exercise
    assert "힌트 1/" in first


def test_a_level_can_be_asked_for_directly():
    result, printed = quiet(hint, "losses.softmax", 2)
    assert result.level == 2 and "힌트 2/" in printed
    result, _ = quiet(hint, "losses.softmax")
    assert result.level == 3


@pytest.mark.parametrize("bad", ["attention.atend", "attend_weights", "", None, 42, torch.zeros(2)])
def test_unknown_id_is_a_korean_message_not_a_traceback(bad):
    result, printed = quiet(hint, bad)
    assert result.level == 0
    assert "연습문제는 없습니다" in printed
    if bad == "attention.atend":
        assert '"attention.attend"' in printed


def test_a_function_can_stand_for_its_id():
    def attend(scores, values, mask=None):
        raise NotImplementedError()

    result, _ = quiet(hint, attend)
    assert result.exercise_id == "attention.attend"


def _progress(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    monkeypatch.setenv("COURSE_PROGRESS", "on")
    return path


def test_hints_are_recorded_and_a_pass_notes_how_many(tmp_path, monkeypatch):
    path = _progress(tmp_path, monkeypatch)
    quiet(hint, "attention.attend")
    quiet(hint, "attention.attend")
    data = json.loads(path.read_text())
    assert data["hints"]["attention.attend"]["level"] == 2 and data["hints"]["attention.attend"]["at"]
    quiet(check, "attention.attend", attention.attend)
    quiet(check, "attention.dot_product_scores", attention.dot_product_scores)
    data = json.loads(path.read_text())
    assert data["exercises"]["attention.attend"]["hints_used"] == 2
    assert data["exercises"]["attention.dot_product_scores"]["hints_used"] == 0


def test_record_false_saves_nothing(tmp_path, monkeypatch):
    path = _progress(tmp_path, monkeypatch)
    result, _ = quiet(check, "attention.weighted_average", lambda values, weights: values.mean(0), record=False)
    assert not result.passed
    result, _ = quiet(check, "attention.weighted_average", attention.weighted_average, record=False)
    assert result.passed
    assert not path.exists() or not json.loads(path.read_text()).get("exercises")
    assert not path.exists() or not json.loads(path.read_text()).get("check_failures")
    quiet(check, "attention.weighted_average", lambda values, weights: values.mean(0))
    assert json.loads(path.read_text())["check_failures"]["attention.weighted_average"]


def test_nothing_is_recorded_outside_a_learners_kernel(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    monkeypatch.setenv("COURSE_PROGRESS", "off")
    quiet(hint, "attention.attend")
    assert not path.exists()


# ---- How much each level gives away (review: a level-2 "formula" that was the whole forward in shorthand).
# Measured by tests/hint_coverage.py: the share of the answer's identifiers (solutions/, between BEGIN and END
# SOLUTION) that a hint names in the answer's order. Data-driven over every exercise; none is named here.

# An earlier level may name a little more of the answer than the skeleton, by accident: level 2's shapes and
# math use the same letters and numbers as the code ((T, D), dim 1, "x"). 0.05 is one identifier of a
# 20-identifier answer (the median answer has 19): in long answers it allows such a coincidence,
# in short ones (5-10 identifiers, where one name is a big part of the answer) it allows none.
LADDER_MARGIN = 0.05
# No level may name 90% of the answer in order: at that point the learner only copies.
WHOLE_ANSWER = 0.9


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_every_exercise_has_an_answer_to_measure_against(exercise_id):
    assert len(hint_coverage.answer_identifiers(EXERCISES[exercise_id])) >= 3, (
        f"{exercise_id}: no BEGIN/END SOLUTION region found under its def/class in solutions/{EXERCISES[exercise_id].chapter}_*")


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_the_ladder_reveals_monotonically(exercise_id):
    levels = hint_coverage.ladder_coverage(EXERCISES[exercise_id])
    skeleton = levels[-1]
    too_much = {f"level {i}": round(c, 2) for i, c in enumerate(levels[:-1], 1) if c > skeleton + LADDER_MARGIN}
    assert not too_much, f"{exercise_id}: reveals more than the skeleton ({skeleton:.2f}): {too_much}"


@pytest.mark.parametrize("exercise_id", sorted(EXERCISES))
def test_no_level_is_the_whole_answer(exercise_id):
    ladder = EXERCISES[exercise_id].hints
    levels = hint_coverage.ladder_coverage(EXERCISES[exercise_id])
    problems = [f"level {i} names {c:.0%} of the answer" for i, c in enumerate(levels, 1) if c >= WHOLE_ANSWER]
    if "___" not in ladder[-1]:
        problems.append("the skeleton has no blanks")
    assert not problems, f"{exercise_id}: {problems}"


def test_the_measure_can_tell_a_leak_from_a_hint():
    """The measure itself: the answer scores 1, a blanked copy less, words and an unrelated text ~0."""
    answer = hint_coverage.identifiers("return (weights[:, None] * values).sum(dim=0)")
    assert hint_coverage.coverage("return (weights[:, None] * values).sum(dim=0)", answer) == 1.0
    assert hint_coverage.coverage("return (weights[:, ___] * values).sum(dim=___)", answer) < WHOLE_ANSWER
    assert hint_coverage.coverage("값 벡터마다 가중치를 곱해 시간 축으로 더합니다", answer) == 0.0
    assert hint_coverage.coverage("values weights", answer) < hint_coverage.coverage("weights values", answer)
    assert hint_coverage.lcs_length(list("abcbdab"), list("bdcaba")) == 4
