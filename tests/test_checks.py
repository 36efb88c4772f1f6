"""Every exercise check accepts right answers and rejects wrong ones with a specific message.

Data-driven over lib.checks.EXERCISES: a new exercise entry is tested with no new test code.
"""

import importlib
import random
import signal
import threading
import time
import traceback

import numpy as np
import pytest
import torch
import torch.nn as nn

from lib.course.checks import EXERCISES, check, core
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


# ---------------------------------------------------------------- independent oracles
# For the exercises without a torch oracle, test_reference_passes alone would compare the reference
# with itself. These loop implementations share no code with lib: the reference must agree with
# them on every case of the check, and they must pass the check.


def _loop_context_vector(encoder_outputs, lengths):
    rows = [encoder_outputs[b, int(lengths[b]) - 1] for b in range(encoder_outputs.shape[0])]
    return torch.stack(rows)


def _loop_make_decoder_io(tgt):
    inputs = [[int(t) for t in row[:-1]] for row in tgt]
    labels = [[int(t) for t in row[1:]] for row in tgt]
    return torch.tensor(inputs, dtype=torch.long).reshape(tgt.shape[0], -1), \
        torch.tensor(labels, dtype=torch.long).reshape(tgt.shape[0], -1)


def _loop_greedy_decode(model, src, bos_id, eos_id, max_len, pad_id=0):
    """Python lists, one row at a time after every model call (the model sees the whole batch,
    as its rows may depend on the batch); shares no code with lib's tensor loop."""
    rows = [[bos_id] for _ in range(src.shape[0])]
    done = [False] * len(rows)
    for _ in range(max_len):
        if all(done):
            break
        logits = model(src, torch.tensor(rows, dtype=torch.long))
        for b, row in enumerate(rows):
            row.append(pad_id if done[b] else int(logits[b, -1].argmax()))
            done[b] = done[b] or row[-1] == eos_id
    return torch.tensor([row[1:] for row in rows], dtype=torch.long)


def _loop_masked_accuracy(logits, labels, pad_id=0):
    correct = kept = 0
    for b in range(labels.shape[0]):
        for t in range(labels.shape[1]):
            if int(labels[b, t]) == pad_id:
                continue
            kept += 1
            correct += int(int(logits[b, t].argmax()) == int(labels[b, t]))
    return correct / kept if kept else float("nan")


def _loop_split_heads(x, num_heads):
    b, t, d = x.shape
    dh = d // num_heads
    out = torch.empty(b, num_heads, t, dh, dtype=x.dtype)
    for h in range(num_heads):
        out[:, h] = x[:, :, h * dh:(h + 1) * dh]
    return out


def _loop_merge_heads(x):
    return torch.cat([x[:, h] for h in range(x.shape[1])], dim=-1)


def _loop_padding_mask(tokens, pad_id=0):
    b, t = tokens.shape
    mask = torch.zeros(b, 1, t, dtype=torch.bool)
    for i in range(b):
        for j in range(t):
            mask[i, 0, j] = int(tokens[i, j]) != pad_id
    return mask


def _loop_decoder_self_attention_mask(tgt_input, pad_id=0):
    b, t = tgt_input.shape
    mask = torch.zeros(b, t, t, dtype=torch.bool)
    for i in range(b):
        for q in range(t):
            for k in range(q + 1):  # keys up to and including the query's own position
                mask[i, q, k] = int(tgt_input[i, k]) != pad_id
    return mask


INDEPENDENT_ORACLES = {
    "seq2seq.context_vector": _loop_context_vector,
    "seq2seq.make_decoder_io": _loop_make_decoder_io,
    "seq2seq.greedy_decode": _loop_greedy_decode,
    "losses.masked_accuracy": _loop_masked_accuracy,
    "attention.split_heads": _loop_split_heads,
    "attention.merge_heads": _loop_merge_heads,
    "masks.padding_mask": _loop_padding_mask,
    "masks.decoder_self_attention_mask": _loop_decoder_self_attention_mask,
}


def test_every_exercise_without_a_torch_oracle_has_an_independent_one_here():
    without = {i for i, e in EXERCISES.items() if e.oracle is None}
    assert without <= set(INDEPENDENT_ORACLES), without - set(INDEPENDENT_ORACLES)


@pytest.mark.parametrize("exercise_id", sorted(INDEPENDENT_ORACLES))
def test_reference_agrees_with_an_independent_loop_oracle(exercise_id):
    exercise, oracle = EXERCISES[exercise_id], INDEPENDENT_ORACLES[exercise_id]
    for case in exercise.cases():
        expected = exercise.call(oracle, case)
        got = exercise.call(exercise.reference, case)
        assert core.compare(got, expected, 1e-6, 1e-6) is None, (exercise_id, case.label)
    assert check(exercise_id, oracle).passed


def test_context_vector_reference_equals_packed_gru_final_state():
    """A second oracle for context_vector: nn.GRU on a packed sequence stops at each row's last real step."""
    torch.manual_seed(0)
    gru = nn.GRU(3, 5, batch_first=True)
    lengths = torch.tensor([4, 1, 6, 3])
    x = torch.randn(4, 6, 3)
    outputs, _ = gru(x)
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    _, h_n = gru(packed)
    reference = EXERCISES["seq2seq.context_vector"].reference
    torch.testing.assert_close(reference(outputs, lengths), h_n[0])


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


def _nanify(out):
    if isinstance(out, torch.Tensor) and out.is_floating_point():
        return out * float("nan")
    if isinstance(out, float):
        return float("nan")
    if isinstance(out, (tuple, list)):
        return type(out)(_nanify(o) for o in out)
    return out


def _nan_like_the_reference(exercise):
    """The reference's own output with every float turned into NaN: right shape and dtype, so the
    check reaches its NaN branch (a (2, 2) NaN tensor would fail on shape first)."""
    def nan_answer(*args, **kwargs):
        return _nanify(exercise.reference(*args, **kwargs))
    return nan_answer


def _has_float_output(exercise):
    out = exercise.call(exercise.reference, exercise.cases()[0])
    flat = list(out) if isinstance(out, (tuple, list)) else [out]
    return any(isinstance(o, float) or (isinstance(o, torch.Tensor) and o.is_floating_point()) for o in flat)


def _garbage(exercise, kind):
    """Wrong answers of every sort a learner can produce; none may crash the check."""
    if exercise.is_class:
        base = exercise.reference
        keras_layer = any(k.__module__.startswith("keras") for k in base.__mro__)
        method = "call" if keras_layer else "forward"  # Keras layers (chapter 10) are called through call

        def subclass(name, body):
            return type(name, (base,), {method: body})

        if kind == "raises":
            return subclass("Broken", lambda self, *a, **k: 1 / 0)
        if kind == "none":
            return subclass("ReturnsNone", lambda self, *a, **k: None)
        if kind == "numpy":
            return subclass("ReturnsNumpy", lambda self, *a, **k: np.zeros(3))
        if kind == "nan":
            def nan_body(self, *args, **kwargs):
                return getattr(base, method)(self, *args, **kwargs) * float("nan")
            return subclass("ReturnsNaN", nan_body)
        return "not a class"
    return {
        "raises": lambda *a, **k: 1 / 0,
        "none": lambda *a, **k: None,
        "numpy": lambda *a, **k: np.zeros(3),
        "nan": _nan_like_the_reference(exercise),
        "value": 42,
    }[kind]


@pytest.mark.parametrize("kind", ["raises", "none", "numpy", "nan", "value"])
@pytest.mark.parametrize("exercise_id", IDS)
def test_garbage_never_crashes_and_is_rejected(exercise_id, kind):
    exercise = EXERCISES[exercise_id]
    if kind == "nan" and not exercise.is_class and not _has_float_output(exercise):
        pytest.skip("integer/bool output: NaN cannot occur")
    result = check(exercise_id, _garbage(exercise, kind))
    assert not result.passed
    assert result.message.startswith("❌"), result.message
    if kind == "nan":
        assert "NaN" in result.message, result.message  # reached the NaN branch, not a shape mismatch


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
    """Rendered through IPython's display formatter (what a cell's last expression goes through):
    the result publishes nothing, so the message printed by check() is the only one."""
    from IPython.core.formatters import DisplayFormatter

    formatter = DisplayFormatter()
    result = check("attention.weighted_average", EXERCISES["attention.weighted_average"].reference)
    assert capsys.readouterr().out.count("통과") == 1
    published, _ = formatter.format(result)
    assert published == {}
    assert capsys.readouterr().out == ""
    plain, _ = formatter.format(core.CheckResult(True, "x").__repr__())  # a normal object would show
    assert plain


# ---------------------------------------------------------------- engine hardening (issue 15)


def _weighted_average(values, weights):
    return (weights[:, None] * values).sum(0)


def test_time_limit_works_without_sigalrm(monkeypatch):
    """Windows has no signal.setitimer/SIGALRM: the limit must not depend on them."""
    monkeypatch.delattr(signal, "setitimer", raising=False)
    monkeypatch.delattr(signal, "SIGALRM", raising=False)
    monkeypatch.setattr(EXERCISES["attention.weighted_average"], "time_limit", 0.3)

    def endless(values, weights):
        while True:
            pass

    result = check("attention.weighted_average", endless)
    assert not result.passed and "초 안에 끝나지 않았습니다" in result.message


def _returns(function, patience=120):
    """Run ``function`` in a thread; the result, or a failure if it never returns (a hang detector,
    not a speed test: the patience is far beyond any limit involved)."""
    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("result", function()), daemon=True)
    worker.start()
    worker.join(patience)
    assert not worker.is_alive(), "the check hung"
    return box["result"]


def test_time_limit_works_from_a_thread(monkeypatch):
    """ipykernel subshells and threaded runners call check() off the main thread: still limited."""
    monkeypatch.setattr(EXERCISES["attention.weighted_average"], "time_limit", 0.3)
    finished = []

    def slow(values, weights):
        for _ in range(500):
            time.sleep(0.01)
        finished.append(True)
        return _weighted_average(values, weights)

    result = _returns(lambda: check("attention.weighted_average", slow))
    assert "초 안에 끝나지 않았습니다" in result.message
    assert finished == []  # stopped, not waited for


def test_time_limit_cannot_be_swallowed_by_except_exception(monkeypatch):
    monkeypatch.setattr(EXERCISES["attention.weighted_average"], "time_limit", 0.3)
    laps = []

    def stubborn(values, weights):
        while True:
            try:
                laps.append(1)
                time.sleep(0.01)
            except Exception:  # noqa: BLE001 - the learner's code
                pass

    result = check("attention.weighted_average", stubborn)
    assert "초 안에 끝나지 않았습니다" in result.message
    count = len(laps)
    time.sleep(0.2)
    assert len(laps) == count  # the loop really stopped


def test_code_that_ignores_every_stop_is_reported_and_left_behind(monkeypatch):
    monkeypatch.setattr(EXERCISES["attention.weighted_average"], "time_limit", 0.2)
    release = threading.Event()

    def deaf(values, weights):
        while not release.is_set():
            try:
                time.sleep(0.01)
            except BaseException:  # noqa: BLE001 - swallows even the time limit
                pass

    try:
        result = _returns(lambda: check("attention.weighted_average", deaf))
        assert "초 안에 끝나지 않았습니다" in result.message and "뒤에서 돌고" in result.message
    finally:
        release.set()  # let the left-behind thread end


def test_output_on_another_device_gets_its_own_message():
    result = check("attention.weighted_average", lambda v, w: _weighted_average(v, w).to("meta"))
    assert not result.passed and "장치" in result.message and "meta" in result.message


def test_integer_dtype_is_compared_strictly():
    exercise = EXERCISES["seq2seq.make_decoder_io"]
    result = check("seq2seq.make_decoder_io", lambda tgt: tuple(t.int() for t in exercise.reference(tgt)))
    assert not result.passed and "torch.int32" in result.message and "torch.int64" in result.message


def test_requires_grad_on_a_right_answer_is_noted():
    result = check("attention.weighted_average", lambda v, w: _weighted_average(v, w).requires_grad_())
    assert result.passed and "requires_grad" in result.message


def test_prints_are_captured_and_shown_briefly(capsys):
    def chatty(values, weights):
        for i in range(200):
            print("debug", i)
        return _weighted_average(values, weights)

    result = check("attention.weighted_average", chatty)
    out = capsys.readouterr().out
    assert result.passed and "감췄습니다" in result.message
    assert out.count("debug") == 0 and len(out.splitlines()) <= 3

    def chatty_and_wrong(values, weights):
        for i in range(200):
            print("debug", i)
        return values.sum(0)

    result = check("attention.weighted_average", chatty_and_wrong)
    out = capsys.readouterr().out
    assert not result.passed and "debug 0" in result.message and "debug 10" not in result.message
    assert len(out.splitlines()) < 20


@pytest.mark.parametrize("exercise_id", ["rnn.rnn_cell", "transformer.DecoderLayer", "transformer.Transformer"])
def test_a_check_leaves_the_random_state_as_it_found_it(exercise_id):
    def also_seeds(*args, **kwargs):
        torch.manual_seed(123)
        random.seed(5)
        np.random.seed(7)
        return EXERCISES[exercise_id].reference(*args, **kwargs)

    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    before = torch.rand(3), random.random(), np.random.rand()
    torch.manual_seed(0)
    random.seed(0)
    np.random.seed(0)
    check(exercise_id, EXERCISES[exercise_id].reference)
    if not EXERCISES[exercise_id].is_class:
        check(exercise_id, also_seeds)
    after = torch.rand(3), random.random(), np.random.rand()
    assert torch.equal(before[0], after[0]) and before[1:] == after[1:]


def test_in_place_change_of_an_input_is_reported():
    def mutating(values, weights):
        weights /= weights.sum()
        return _weighted_average(values, weights)

    result = check("attention.weighted_average", mutating)
    assert "제자리(in-place)" in result.message and "weights" in result.message


def _frame(filename, lineno, line):
    return traceback.FrameSummary(filename, lineno, "f", line=line)


def test_learner_line_is_found_with_windows_paths(monkeypatch):
    """Backslash paths, another drive letter case: torch and lib frames are still not 'your line'."""
    monkeypatch.setattr(core, "LIB_DIR", r"C:\Users\학생\course\lib")
    monkeypatch.setattr(core, "TORCH_DIR", r"C:\Users\학생\.venv\Lib\site-packages\torch")
    frames = [
        _frame(r"C:\Users\학생\course\lib\course\checks\core.py", 10, "return fn()"),
        _frame(r"C:\Users\학생\AppData\Local\Temp\ipykernel_42\123.py", 3, "return x @ w"),
        _frame(r"c:\users\학생\course\lib\attention.py", 70, "scores = q @ k"),
        _frame(r"C:\Users\학생\.venv\Lib\site-packages\torch\functional.py", 5, "return _VF.x()"),
    ]
    monkeypatch.setattr(core.traceback, "extract_tb", lambda tb: frames)
    where = core._learner_frame(RuntimeError("boom"))
    assert "줄 3: return x @ w" in where
    assert "lib/attention.py" in where


def test_error_inside_lib_parts_points_at_the_learners_call():
    class WrongKeys(EXERCISES["transformer.DecoderLayer"].reference):
        def forward(self, x, context, self_mask=None, cross_mask=None):
            x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
            x = self.norm2(x + self.cross_attention(x, context.transpose(1, 2), context, cross_mask)[0])
            return self.norm3(x + self.feed_forward(x))

    result = check("transformer.DecoderLayer", WrongKeys)
    assert "lib/attention.py 안에서" in result.message
    assert "context.transpose(1, 2)" in result.message  # the learner's own line


@pytest.mark.parametrize("method, expected", [("call", "Keras"), ("foward", "철자"), ("forwrad", "철자")])
def test_class_with_call_or_a_misspelt_forward_is_told_so(method, expected):
    reference = EXERCISES["transformer.DecoderLayer"].reference

    class Given(nn.Module):
        __init__ = reference.__init__

    setattr(Given, method, lambda self, x, *rest: x)
    result = check("transformer.DecoderLayer", Given)
    assert not result.passed and expected in result.message and STUB_MESSAGE not in result.message


def test_inverted_mask_is_named_not_blamed_on_exp_overflow():
    reference = EXERCISES["transformer.DecoderLayer"].reference

    class Inverted(reference):
        def forward(self, x, context, self_mask=None, cross_mask=None):
            return super().forward(x, context, None if self_mask is None else ~self_mask, cross_mask)

    result = check("transformer.DecoderLayer", Inverted)
    assert "뒤집" in result.message and "큰 값에 exp" not in result.message


def test_a_failed_check_records_the_named_mistake_for_the_wrong_answers_notebook(tmp_path, monkeypatch):
    """check() -> progress: a failure is recorded with the typical mistake its message names (the
    오답노트 of chapter 11 lists them); a stub is not a failed attempt; a pass is not a failure."""
    from lib.course import progress

    monkeypatch.setenv("COURSE_PROGRESS", "on")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    exercise = EXERCISES["attention.scaled_dot_product_attention"]
    named = [m for m in exercise.mistakes if m.name]
    result = check("attention.scaled_dot_product_attention", named[0].implementation)
    assert not result.passed and result.mistake == named[0].name

    def stub(q, k, v, mask=None):
        raise NotImplementedError()

    check("attention.scaled_dot_product_attention", stub)
    check("attention.scaled_dot_product_attention", exercise.reference)
    failures = progress.load_progress()["check_failures"]["attention.scaled_dot_product_attention"]
    assert [f["mistake"] for f in failures] == [named[0].name]


# ---------------------------------------------------------------- layer diagnosis by data flow (ch07/ch08 rules)
# Wrong layers of our own (not the blind set's, not the mistake entries): each must be named with
# every mistake it makes, and right answers written in other styles must never be named.

from lib import attention as _attention  # noqa: E402
from lib import masks as _masks  # noqa: E402
from lib import transformer as _transformer  # noqa: E402


def _attend_via_projections(mha, query, key, value, mask=None, softmax_dim=-1):
    """Multi-head attention written out with the module's q/k/v/out projections (a learner's style)."""
    b, tq, d = query.shape
    h = mha.num_heads
    q = mha.q_proj(query).view(b, tq, h, d // h).transpose(1, 2)
    k = mha.k_proj(key).view(b, key.size(1), h, d // h).transpose(1, 2)
    v = mha.v_proj(value).view(b, value.size(1), h, d // h).transpose(1, 2)
    scores = q @ k.transpose(-2, -1) / (d // h) ** 0.5
    if mask is not None:
        scores = scores.masked_fill(~mask.unsqueeze(1), float("-inf"))
    out = torch.softmax(scores, dim=softmax_dim) @ v
    return mha.out_proj(out.transpose(1, 2).reshape(b, tq, d))


class _EncKeywordsAndHelper(_transformer.EncoderLayer):  # right: keyword arguments, a helper for Add & Norm
    def forward(self, x, mask=None):
        def add_and_norm(norm, before, after):
            return norm(before + self.dropout(after))

        attended = self.self_attention(query=x, key=x, value=x, mask=mask)[0]
        hidden = add_and_norm(self.norm1, x, attended)
        return add_and_norm(self.norm2, hidden, self.feed_forward(hidden))


class _EncAllByHand(_transformer.EncoderLayer):  # right: attention and feed-forward written out
    def forward(self, x, mask=None):
        h = self.norm1(x + _attend_via_projections(self.self_attention, x, x, x, mask))
        ff = self.feed_forward
        return self.norm2(h + ff.linear2(torch.relu(ff.linear1(h))))


class _DecKeywordsByHand(_transformer.DecoderLayer):  # right: self-attention by hand, keywords for cross
    def forward(self, x, context, self_mask=None, cross_mask=None):
        first = self.norm1(x + _attend_via_projections(self.self_attention, x, x, x, self_mask))
        cross, _ = self.cross_attention(query=first, key=context, value=context, mask=cross_mask)
        second = self.norm2(first + self.dropout(cross))
        return self.norm3(second + self.dropout(self.feed_forward(second)))


class _DecSoftmaxOverQueriesByHand(_transformer.DecoderLayer):  # wrong inside attention only: no structure named
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + _attend_via_projections(self.self_attention, x, x, x, self_mask, softmax_dim=-2))
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


_RIGHT_LAYERS = [("transformer.EncoderLayer", _transformer.EncoderLayer),
                 ("transformer.EncoderLayer", _EncKeywordsAndHelper),
                 ("transformer.EncoderLayer", _EncAllByHand),
                 ("transformer.DecoderLayer", _transformer.DecoderLayer),
                 ("transformer.DecoderLayer", _DecKeywordsByHand)]
_RIGHT_LAYERS += [(i, a) for i in ("transformer.EncoderLayer", "transformer.DecoderLayer")
                  for a in EXERCISES[i].alternatives]


@pytest.mark.parametrize("exercise_id, layer_class", _RIGHT_LAYERS, ids=lambda v: getattr(v, "__name__", v))
def test_layer_diagnosis_never_names_a_right_answer_written_differently(exercise_id, layer_class):
    exercise = EXERCISES[exercise_id]
    assert check(exercise_id, layer_class).passed
    for case in exercise.cases():
        with torch.no_grad():
            assert exercise.diagnose(layer_class, core.clone_case(case)) is None, (layer_class.__name__, case.label)


def test_layer_diagnosis_names_no_structure_when_only_the_attention_inside_is_wrong():
    exercise = EXERCISES["transformer.DecoderLayer"]
    with torch.no_grad():
        assert exercise.diagnose(_DecSoftmaxOverQueriesByHand, exercise.cases()[0]) is None


class _EncFfnResidualFromInput(_transformer.EncoderLayer):
    def forward(self, x, mask=None):
        hidden = self.norm1(x + self.self_attention(x, x, x, mask)[0])
        return self.norm2(x + self.feed_forward(hidden))


class _EncAttentionTwiceNoFfn(_transformer.EncoderLayer):
    def forward(self, x, mask=None):
        for norm in (self.norm1, self.norm2):
            x = norm(x + self.self_attention(x, x, x, mask)[0])
        return x


class _EncByHandNoFfnResidual(_transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = self.norm1(x + _attend_via_projections(self.self_attention, x, x, x, mask))
        return self.norm2(self.feed_forward(x))


class _EncNormThenAddKeywords(_transformer.EncoderLayer):
    def forward(self, x, mask=None):
        a, _ = self.self_attention(query=x, key=x, value=x, mask=mask)
        x = self.norm1(x) + a
        return self.norm2(x + self.feed_forward(x))


class _EncNoMaskAndNormsSwapped(_transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = self.norm2(x + self.self_attention(x, x, x)[0])
        return self.norm1(x + self.feed_forward(x))


class _DecValuesFromX(_transformer.DecoderLayer):  # raises on the case (S != T): the probe sees the rest
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, x, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class _DecSelfMaskEverywhere(_transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, self_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class _DecInvertedCrossMaskNoNorm3(_transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, None if cross_mask is None else ~cross_mask)[0])
        return x + self.feed_forward(x)


class _DecFfnReadsFirstBlock(_transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        h1 = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        h2 = self.norm2(h1 + self.cross_attention(h1, context, context, cross_mask)[0])
        return self.norm3(h2 + self.feed_forward(h1))


class _TfReturnsWeightsPerLayer(_transformer.Transformer):
    def forward(self, inputs):
        context, x = inputs
        mask = _masks.padding_mask(context)
        logits = self.final_layer(self.decoder(x, self.encoder(context, mask), mask))
        return logits, [layer.cross_attention_weights for layer in self.decoder.layers]


class _TfReturnsEncoderOutputToo(_transformer.Transformer):
    def forward(self, inputs):
        context, x = inputs
        mask = _masks.padding_mask(context)
        memory = self.encoder(context, mask)
        return self.final_layer(self.decoder(x, memory, mask)), memory


_NAMED_WRONG = [
    ("transformer.EncoderLayer", _EncFfnResidualFromInput, ["피드포워드 뒤 잔차로 층의 처음 입력 x를 더함"]),
    ("transformer.EncoderLayer", _EncAttentionTwiceNoFfn, ["셀프 어텐션을 두 번 함", "피드포워드 부분층을 빠뜨림"]),
    ("transformer.EncoderLayer", _EncByHandNoFfnResidual, ["피드포워드 뒤 잔차 연결(Add)을 빠뜨림"]),
    ("transformer.EncoderLayer", _EncNormThenAddKeywords,
     ["Add & Norm의 순서가 틀림: x를 정규화한 뒤 부분층 출력을 더함"]),
    ("transformer.EncoderLayer", _EncNoMaskAndNormsSwapped,
     ["셀프 어텐션에 mask를 넘기지 않음", "Add & Norm의 정규화 층이 뒤바뀜 (셀프 어텐션 뒤 norm2, 피드포워드 뒤 norm1)"]),
    ("transformer.DecoderLayer", _DecValuesFromX, ["크로스 어텐션의 값으로 x를 씀 (키만 context)"]),
    ("transformer.DecoderLayer", _DecSelfMaskEverywhere, ["크로스 어텐션에 cross_mask 대신 self_mask를 넘김"]),
    ("transformer.DecoderLayer", _DecInvertedCrossMaskNoNorm3,
     ["크로스 어텐션에 cross_mask를 뒤집어(~) 넘김", "피드포워드 뒤 Add & Norm의 Norm(norm3)을 빠뜨림"]),
    ("transformer.DecoderLayer", _DecFfnReadsFirstBlock,
     ["피드포워드에 앞 블록의 출력이 아닌 더 앞의 값을 넣음 (바로 앞 크로스 어텐션 블록의 출력을 안 씀)"]),
    ("transformer.Transformer", _TfReturnsWeightsPerLayer, ["노트의 주석처럼 (출력, 어텐션 가중치)를 돌려줌"]),
    ("transformer.Transformer", _TfReturnsEncoderOutputToo, ["로짓과 다른 값을 튜플로 함께 돌려줌"]),
]


@pytest.mark.parametrize("exercise_id, wrong, names", _NAMED_WRONG, ids=lambda v: getattr(v, "__name__", None))
def test_layer_diagnosis_names_every_mistake_of_a_wrong_forward(exercise_id, wrong, names):
    result = check(exercise_id, wrong)
    assert not result.passed
    lines = [line.strip() for line in result.message.splitlines() if "💡 흔한 실수:" in line]
    named = [core.named_mistake(line) for line in lines]
    assert named == names, result.message
    assert result.mistake == names[0]


def test_record_calls_tells_the_learners_calls_from_the_calls_inside_a_part():
    layer = _transformer.EncoderLayer(8, 2, 16).eval()
    x = torch.randn(1, 3, 8)
    with torch.no_grad(), core.record_calls(layer, ["feed_forward", "feed_forward.linear1"]) as calls:
        layer.feed_forward(x)
        layer.feed_forward.linear1(x)
    assert [(c.name, c.depth) for c in calls] == [("feed_forward", 0), ("feed_forward.linear1", 1),
                                                  ("feed_forward.linear1", 0)]


def test_a_shape_error_is_named_by_the_diagnosis_not_by_a_mistake_failing_the_same_way():
    """Swapped masks and a key taken from x raise the same shape error as the query/context swap entry:
    the recorded calls, not the error text, decide the name."""
    result = check("transformer.DecoderLayer", _DecValuesFromX)
    assert "실행 중 오류" in result.message and "x와 context를 바꿈" not in result.message


# ---------------------------------------------------------------- gradients of class exercises
# An output can match while part of the graph is cut (.detach(), torch.no_grad()): the part then
# never learns. The torch class exercises backpropagate one fixed random upstream gradient through
# the learner's module and the reference and compare every parameter's (and float input's) gradient.

from lib import masks as _masks  # noqa: E402


class _TfDetachedEncoder(_transformer.Transformer):
    def forward(self, inputs):
        context, x = inputs
        mask = _masks.padding_mask(context)
        context = self.encoder(context, mask).detach()
        return self.final_layer(self.decoder(x, context, mask))


class _TfEncoderWithoutGrad(_transformer.Transformer):
    def forward(self, inputs):
        context, x = inputs
        mask = _masks.padding_mask(context)
        with torch.no_grad():
            context = self.encoder(context, mask)
        return self.final_layer(self.decoder(x, context, mask))


class _DecTimesDetachedRatio(_transformer.DecoderLayer):
    """Multiplies by x.detach() / x (exactly 1, so the output is the same) on the way to the feed-forward."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        x = x * (x.detach() / x)
        return self.norm3(x + self.feed_forward(x))


class _EncWholeForwardWithoutGrad(_transformer.EncoderLayer):
    @torch.no_grad()
    def forward(self, x, mask=None):
        return super().forward(x, mask)


class _EncNumpyRoundTrip(_transformer.EncoderLayer):
    def forward(self, x, mask=None):
        return torch.from_numpy(super().forward(x, mask).numpy())


def test_torch_class_exercises_check_gradients_and_function_exercises_do_not():
    flagged = {i for i, e in EXERCISES.items() if e.check_gradients}
    assert flagged == {"transformer.EncoderLayer", "transformer.DecoderLayer", "transformer.Transformer"}
    assert all(EXERCISES[i].is_class for i in flagged)


@pytest.mark.parametrize("wrong", [_TfDetachedEncoder, _TfEncoderWithoutGrad], ids=lambda c: c.__name__)
def test_a_transformer_whose_encoder_gets_no_gradient_is_rejected(wrong):
    exercise = EXERCISES["transformer.Transformer"]
    with torch.no_grad():  # the outputs are the reference's: only the gradients can tell
        case = exercise.cases()[0]
        torch.testing.assert_close(exercise.call(wrong, case), exercise.call(exercise.reference, case))
    result = check("transformer.Transformer", wrong)
    assert not result.passed
    assert "출력은 같지만 encoder.* 파라미터에 기울기가 흐르지 않습니다" in result.message, result.message
    assert "detach()나 torch.no_grad()" in result.message and "학습이 되지 않습니다" in result.message
    assert "decoder" not in result.message.split("흐르지 않습니다")[0]  # the decoder still learns
    assert result.mistake == core.GRADIENT_MISTAKE


def test_a_decoder_layer_multiplying_by_a_detached_x_is_rejected():
    result = check("transformer.DecoderLayer", _DecTimesDetachedRatio)
    assert not result.passed
    assert "기울기가 lib 참조 구현과 다릅니다" in result.message, result.message
    assert "self_attention.*" in result.message and "입력 x" in result.message
    assert "feed_forward" not in result.message.split("다릅니다")[0]  # after the cut, the gradients agree
    assert result.mistake == core.GRADIENT_MISTAKE


def test_an_output_without_a_graph_and_a_backward_error_get_their_own_messages():
    result = check("transformer.EncoderLayer", _EncWholeForwardWithoutGrad)
    assert not result.passed and "계산 그래프에 연결되어 있지 않습니다" in result.message, result.message
    result = check("transformer.EncoderLayer", _EncNumpyRoundTrip)
    assert not result.passed and "autograd를 켜고" in result.message and ".numpy()" in result.message, result.message


@pytest.mark.parametrize("exercise_id", ["transformer.EncoderLayer", "transformer.DecoderLayer",
                                         "transformer.Transformer"])
def test_the_reference_and_its_alternatives_have_the_reference_gradients(exercise_id):
    exercise = EXERCISES[exercise_id]
    for case in exercise.cases():
        expected = core.backward_gradients(exercise, exercise.reference, case)
        assert expected.params and any(g is not None and bool(g.ne(0).any()) for g in expected.params.values())
        for impl in [exercise.reference] + exercise.alternatives:
            got = core.backward_gradients(exercise, impl, case)
            assert core.gradient_problem(exercise, got, expected) is None, (impl.__name__, case.label)
        assert check(exercise_id, exercise.reference).passed


def test_the_gradient_check_leaves_the_random_state_and_grad_mode_as_found():
    torch.manual_seed(5)
    before = torch.random.get_rng_state()
    with torch.no_grad():
        assert not check("transformer.DecoderLayer", _DecTimesDetachedRatio).passed
        assert not torch.is_grad_enabled()
    assert torch.equal(torch.random.get_rng_state(), before)
    assert torch.is_grad_enabled()


def test_mine_or_reference_says_whose_code_ran_once_per_cell():
    """A cell after an exercise uses the learner's function if it runs, else lib's, and says which, once
    per cell (a loop does not repeat it; the next cell says it again). Run in a real IPython shell."""
    import subprocess
    import sys
    import textwrap

    script = textwrap.dedent("""
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        shell.run_cell("from lib.checks import mine_or_reference\\n"
                       "def mine(x):\\n    raise NotImplementedError()\\n"
                       "def good(x):\\n    return x + 1\\n"
                       "ref = lambda x: x + 1")
        shell.run_cell("for i in range(3):\\n    y = mine_or_reference(mine, ref, i)\\nprint('y', y)")
        shell.run_cell("print('z', mine_or_reference(good, ref, 1))")
        shell.run_cell("print('w', mine_or_reference(mine, ref, 5))")
    """)
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                         encoding="utf-8", env={**__import__("os").environ, "COURSE_PROGRESS": "off"})
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    assert lines[0].startswith("ℹ️ 사용한 구현: lib의 참조 구현") and "아직 구현하지 않음" in lines[0], out
    assert lines[1] == "y 3"  # the loop printed the note once
    assert lines[2] == "ℹ️ 사용한 구현: 내 good" and lines[3] == "z 2"
    assert lines[4].startswith("ℹ️ 사용한 구현: lib의 참조 구현") and lines[5] == "w 6"  # a new cell says it again
