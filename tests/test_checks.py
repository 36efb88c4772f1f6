"""Every exercise check accepts right answers and rejects wrong ones with a specific message.

Data-driven over lib.checks.EXERCISES: a new exercise entry is tested with no new test code.
"""

import importlib

import numpy as np
import pytest
import torch

from lib.course.checks import EXERCISES, check
from lib.course.checks.core import STUB_MESSAGE

IDS = sorted(EXERCISES)

# The exercise IDs the course spec fixes (section 3). None may be renamed or missing.
SPEC_IDS = {
    "attention.weighted_average", "rnn.rnn_cell", "rnn.rnn_layer", "rnn.lstm_cell", "rnn.gru_cell",
    "seq2seq.context_vector", "seq2seq.make_decoder_io", "seq2seq.greedy_decode",
    "attention.dot_product_scores", "attention.additive_scores", "attention.attend",
    "losses.softmax", "losses.log_softmax", "losses.cross_entropy", "losses.masked_accuracy",
    "transformer.positional_encoding", "attention.scaled_dot_product_attention",
    "attention.split_heads", "attention.merge_heads", "attention.multi_head_attention",
    "transformer.layer_norm", "masks.causal_mask", "masks.padding_mask",
    "masks.decoder_self_attention_mask", "transformer.DecoderLayer", "transformer.Transformer",
}


def test_every_spec_exercise_is_registered():
    assert SPEC_IDS - set(EXERCISES) == set()


@pytest.mark.parametrize("exercise_id", IDS)
def test_id_is_the_path_of_the_reference(exercise_id):
    module_name, name = exercise_id.rsplit(".", 1)
    module = importlib.import_module(f"lib.{module_name}")
    assert getattr(module, name) is EXERCISES[exercise_id].reference


@pytest.mark.parametrize("exercise_id", IDS)
def test_reference_passes(exercise_id):
    result = check(exercise_id, EXERCISES[exercise_id].reference)
    assert result.passed, result.message
    assert "통과" in result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_a_differently_written_answer_passes(exercise_id):
    alternatives = EXERCISES[exercise_id].alternatives
    assert alternatives, "each exercise lists at least one independent correct answer"
    for alternative in alternatives:
        result = check(exercise_id, alternative)
        assert result.passed, result.message


@pytest.mark.parametrize("exercise_id", IDS)
def test_at_least_three_typical_mistakes(exercise_id):
    assert len(EXERCISES[exercise_id].mistakes) >= 3


@pytest.mark.parametrize(
    "exercise_id, mistake_index",
    [(i, k) for i in IDS for k in range(len(EXERCISES[i].mistakes))],
)
def test_typical_mistake_is_rejected_and_named(exercise_id, mistake_index):
    mistake = EXERCISES[exercise_id].mistakes[mistake_index]
    result = check(exercise_id, mistake.implementation)
    assert not result.passed
    assert mistake.name in result.message, result.message


def _stub_for(exercise):
    if exercise.is_class:
        class Stub(exercise.reference):
            def forward(self, *args, **kwargs):
                raise NotImplementedError()
        return Stub

    def stub(*args, **kwargs):
        # 여기에 코드를 작성하세요
        raise NotImplementedError()
    return stub


@pytest.mark.parametrize("exercise_id", IDS)
def test_stub_reads_as_not_yet_implemented(exercise_id):
    result = check(exercise_id, _stub_for(EXERCISES[exercise_id]))
    assert not result.passed
    assert STUB_MESSAGE in result.message


def _garbage(exercise, kind):
    """Wrong answers of every sort a learner can produce; none may crash the check."""
    if exercise.is_class:
        base = exercise.reference
        if kind == "raises":
            class Broken(base):
                def forward(self, *args, **kwargs):
                    return 1 / 0
            return Broken
        if kind == "none":
            class ReturnsNone(base):
                def forward(self, *args, **kwargs):
                    return None
            return ReturnsNone
        if kind == "numpy":
            class ReturnsNumpy(base):
                def forward(self, *args, **kwargs):
                    return np.zeros(3)
            return ReturnsNumpy
        if kind == "nan":
            class ReturnsNaN(base):
                def forward(self, *args, **kwargs):
                    out = super().forward(*args, **kwargs)
                    return out * float("nan")
            return ReturnsNaN
        return "not a class"
    return {
        "raises": lambda *a, **k: 1 / 0,
        "none": lambda *a, **k: None,
        "numpy": lambda *a, **k: np.zeros(3),
        "nan": lambda *a, **k: torch.full((2, 2), float("nan")),
        "value": 42,
    }[kind]


@pytest.mark.parametrize("kind", ["raises", "none", "numpy", "nan", "value"])
@pytest.mark.parametrize("exercise_id", IDS)
def test_garbage_never_crashes_and_is_rejected(exercise_id, kind):
    result = check(exercise_id, _garbage(EXERCISES[exercise_id], kind))
    assert not result.passed
    assert result.message.startswith("❌"), result.message


def test_exception_message_names_the_error_and_case():
    result = check("attention.weighted_average", lambda values, weights: 1 / 0)
    assert "ZeroDivisionError" in result.message
    assert "케이스 1/" in result.message and "values: (4, 3)" in result.message


def test_numpy_answer_is_explained():
    result = check("attention.weighted_average", lambda v, w: (w[:, None] * v).sum(0).numpy())
    assert "numpy" in result.message


def test_shape_mismatch_reports_expected_and_got():
    result = check("attention.weighted_average", lambda v, w: (w[:, None] * v).sum(0, keepdim=True))
    assert "모양(shape)" in result.message and "기대 (3,)" in result.message and "실제 (1, 3)" in result.message


def test_float64_answer_is_rejected():
    result = check("attention.weighted_average", lambda v, w: (w[:, None] * v).sum(0).double())
    assert not result.passed and "float64" in result.message


def test_endless_loop_hits_the_time_limit(monkeypatch):
    monkeypatch.setattr(EXERCISES["attention.weighted_average"], "time_limit", 0.3)

    def endless(values, weights):
        while True:
            pass

    result = check("attention.weighted_average", endless)
    assert not result.passed and "초 안에 끝나지 않았습니다" in result.message


def test_input_mutation_does_not_poison_later_cases():
    def mutating(values, weights):
        out = (weights[:, None] * values).sum(0)
        values.zero_()
        return out

    assert check("attention.weighted_average", mutating).passed


def test_unknown_id_suggests_the_close_one():
    result = check("attention.weighted_avg", lambda v, w: v)
    assert not result.passed and "attention.weighted_average" in result.message


def test_passing_the_call_result_instead_of_the_function():
    values, weights = torch.randn(3, 2), torch.tensor([0.2, 0.3, 0.5])
    result = check("attention.weighted_average", EXERCISES["attention.weighted_average"].reference(values, weights))
    assert not result.passed and "함수 자체" in result.message


def test_check_result_does_not_display_twice_in_a_notebook(capsys):
    result = check("attention.weighted_average", EXERCISES["attention.weighted_average"].reference)
    assert result._ipython_display_() is None
    assert capsys.readouterr().out.count("통과") == 1
