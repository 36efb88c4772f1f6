"""Diagnosis by properties (issue 23): wrong answers of the kinds the issue lists, none of them among
the exercises' listed mistakes, are named by what they do; a difference no probe localises gets a
plain "not localised" note pointing to hint(); correct answers written another way pass, and no probe
claims anything about them."""

import contextlib
import io
import math

import pytest
import torch
import torch.nn.functional as F

from lib import attention, rnn, transformer
from lib.checks import EXERCISES, check
from lib.course.checks import probes

probes.load_all()


def run(exercise_id, answer):
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        result = check(exercise_id, answer, record=False)
    return result


def named_line(message):
    return "\n".join(line for line in message.splitlines() if "💡" in line)


# ---------------------------------------------------------------- wrong answers, by kind (issue 23's list)


def softmax_whole_tensor(z, dim=-1):
    e = torch.exp(z - z.max())
    return e / e.sum()


def softmax_shift_numerator_only(z, dim=-1):
    return torch.exp(z - z.amax(dim, keepdim=True)) / torch.exp(z).sum(dim, keepdim=True)


def log_softmax_offset(z, dim=-1):
    m = z.amax(dim, keepdim=True)
    return (z - m) - torch.log(torch.exp(z - m).sum(dim, keepdim=True)) - m


def rnn_bias_twice(x, h, w_ih, w_hh, b_ih, b_hh):
    return torch.tanh(F.linear(x, w_ih, b_ih) + F.linear(h, w_hh, b_hh) + b_hh)


def lstm_gate_added(x, state, w_ih, w_hh, b_ih, b_hh):
    h, c = state
    i, f, g, o = (x @ w_ih.T + b_ih + h @ w_hh.T + b_hh).chunk(4, -1)
    c2 = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) + torch.tanh(c2), c2


def gru_tanh_gates(x, h, w_ih, w_hh, b_ih, b_hh):
    xr, xz, xn = (x @ w_ih.T + b_ih).chunk(3, -1)
    hr, hz, hn = (h @ w_hh.T + b_hh).chunk(3, -1)
    r, z = torch.tanh(xr + hr), torch.tanh(xz + hz)
    n = torch.tanh(xn + r * hn)
    return (1 - z) * n + z * h


def sdpa_times_sqrt(q, k, v, mask=None):
    s = torch.einsum("...qd,...kd->...qk", q, k) * math.sqrt(q.size(-1))
    if mask is not None:
        s = s.masked_fill(~mask, -1e9)
    w = s.softmax(-1)
    return w @ v, w


def pe_integer_division(length, d_model):
    pe = torch.zeros(length, d_model)
    for pos in range(length):
        for i in range(0, d_model, 2):
            pe[pos, i] = math.sin(pos / 10000 ** (i // d_model))
            pe[pos, i + 1] = math.cos(pos / 10000 ** (i // d_model))
    return pe


def pe_precedence(length, d_model):
    pos = torch.arange(length).float()[:, None]
    i = torch.arange(0, d_model, 2).float()
    angle = pos / 10000 ** 2 * i / d_model  # ** binds first: (10000^2) * i / d
    pe = torch.zeros(length, d_model)
    pe[:, 0::2], pe[:, 1::2] = torch.sin(angle), torch.cos(angle)
    return pe


def layer_norm_all_axes(x, weight, bias, eps=1e-5):
    mean, var = x.mean(), x.var(unbiased=False)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


def causal_off_by_one(length):
    return torch.ones(length, length).tril(1).bool()


def padding_masks_nothing(tokens, pad_id=0):
    return (tokens == tokens).unsqueeze(1)


def decoder_mask_pad_to_pad(tgt, pad_id=0):
    t = tgt.size(1)
    real = tgt != pad_id
    causal = torch.tril(torch.ones(t, t, dtype=torch.bool))
    return causal & (real[:, None, :] | ~real[:, :, None])


def greedy_one_flag(model, src, bos_id, eos_id, max_len):
    ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long)
    for _ in range(max_len):
        token = model(src, ys)[:, -1].argmax(-1)
        ys = torch.cat([ys, token[:, None]], 1)
        if bool((token == eos_id).any()):  # one flag for the whole batch
            break
    return ys[:, 1:]


def decoder_io_shift_twice(tgt):
    return tgt[:, :-1], tgt[:, 2:]


def ce_raw_logits(logits, targets, ignore_index=None):
    keep = torch.ones_like(targets, dtype=torch.bool) if ignore_index is None else targets != ignore_index
    return -logits[keep].gather(1, targets[keep][:, None]).mean()


def accuracy_all_positions(logits, labels, pad_id=0):
    keep = labels != pad_id
    return ((logits.argmax(-1) == labels) & keep).float().sum() / labels.numel()


WRONG = [
    ("losses.softmax", softmax_whole_tensor, "텐서 전체"),
    ("losses.softmax", softmax_shift_numerator_only, "분자에서만"),
    ("losses.log_softmax", log_softmax_offset, "행마다"),
    ("rnn.rnn_cell", rnn_bias_twice, "bias_hh를 두 번"),
    ("rnn.lstm_cell", lstm_gate_added, "출력 게이트 o를 곱하지 않고 더함"),
    ("rnn.gru_cell", gru_tanh_gates, "게이트 r, z에 sigmoid가 아니라 tanh"),
    ("attention.scaled_dot_product_attention", sdpa_times_sqrt, "곱함"),
    ("transformer.positional_encoding", pe_integer_division, "지수가 0"),
    ("transformer.positional_encoding", pe_precedence, "주파수"),
    ("transformer.layer_norm", layer_norm_all_axes, "텐서 전체"),
    ("masks.causal_mask", causal_off_by_one, "한 칸 어긋남"),
    ("masks.padding_mask", padding_masks_nothing, "아무것도 가리지 않음"),
    # on batches padded at the end (every case) a causal-only mask behaves exactly like this one, so
    # either name is true of what the answer does; with a padding inside a row only pad-to-pad fits
    ("masks.decoder_self_attention_mask", decoder_mask_pad_to_pad, "패딩"),
    ("seq2seq.greedy_decode", greedy_one_flag, "한 문장만 끝나도"),
    ("seq2seq.make_decoder_io", decoder_io_shift_twice, "두 번 밀었"),
    ("losses.cross_entropy", ce_raw_logits, "로짓을 그대로"),
    ("losses.masked_accuracy", accuracy_all_positions, "분모"),
]


@pytest.mark.parametrize("exercise_id, answer, words", WRONG, ids=[w[1].__name__ for w in WRONG])
def test_a_mistake_nobody_listed_is_named_by_its_property(exercise_id, answer, words):
    for mistake in EXERCISES[exercise_id].mistakes:  # not a listed mistake: the probes must find it
        assert mistake.implementation is not answer
    result = run(exercise_id, answer)
    assert not result.passed
    assert words in named_line(result.message), result.message
    assert "🔎" not in result.message


def test_the_mask_probe_tells_pad_to_pad_from_causal_only():
    exercise = EXERCISES["masks.decoder_self_attention_mask"]
    case = exercise.cases()[0]
    finding = probes.run_probes(exercise, decoder_mask_pad_to_pad, case, None, None)
    assert finding and "pad-to-pad" in finding


def test_the_wrong_softmax_axis_is_named_first_not_the_mask():
    def attend(scores, values, mask=None):
        if mask is not None:
            scores = scores.masked_fill(~mask, float("-inf"))
        weights = torch.softmax(scores, dim=0)
        return torch.einsum("bt,bth->bh", weights, values), weights

    message = run("attention.attend", attend).message
    assert "True/False를 뒤집지" not in message  # the walk's finding: no mask guess before the cause
    assert "dim=0" in named_line(message)


def test_an_unlocalised_difference_is_said_plainly_with_the_hint():
    def odd(values, weights):
        return (weights[:, None] * values).sum(0) + 0.01 * torch.sin(values.sum(0))

    result = run("attention.weighted_average", odd)
    assert not result.passed
    assert "💡" not in result.message
    assert "특정하지 못했습니다" in result.message and 'hint("attention.weighted_average")' in result.message


# ---------------------------------------------------------------- correct answers written another way


def sdpa_float64_inside(q, k, v, mask=None):
    s = (q.double() @ k.double().transpose(-2, -1)) / math.sqrt(q.size(-1))
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = torch.softmax(s, -1)
    return (w @ v.double()).float(), w.float()


def rnn_layer_loop(x, h0, w_ih, w_hh, b_ih, b_hh):
    h, outs = h0, []
    for t in range(x.size(1)):
        h = torch.tanh(torch.einsum("bd,hd->bh", x[:, t], w_ih) + b_ih + torch.einsum("bk,hk->bh", h, w_hh) + b_hh)
        outs.append(h)
    return torch.stack(outs, 1), h


def layer_norm_module(x, weight, bias, eps=1e-5):
    return F.layer_norm(x, (x.size(-1),), weight, bias, eps)


def softmax_builtin(z, dim=-1):
    return F.softmax(z, dim=dim)


class EncoderWithFunctionalDropout(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        attended, _ = self.self_attention(x, x, x, mask)
        x = self.norm1(x + F.dropout(attended, 0.1, self.training))
        return self.norm2(x + F.dropout(self.feed_forward(x), 0.1, self.training))


CORRECT = [
    ("attention.scaled_dot_product_attention", sdpa_float64_inside),
    ("rnn.rnn_layer", rnn_layer_loop),
    ("transformer.layer_norm", layer_norm_module),
    ("losses.softmax", softmax_builtin),
    ("rnn.lstm_cell", rnn.lstm_cell),
    ("attention.attend", attention.attend),
    ("transformer.EncoderLayer", transformer.EncoderLayer),
    ("transformer.EncoderLayer", EncoderWithFunctionalDropout),
]


@pytest.mark.parametrize("exercise_id, answer", CORRECT, ids=[c[1].__name__ for c in CORRECT])
def test_a_correct_answer_written_another_way_passes_without_notes(exercise_id, answer):
    result = run(exercise_id, answer)
    assert result.passed, result.message
    assert "⚠️" not in result.message and "💡" not in result.message


@pytest.mark.parametrize("exercise_id", sorted(probes.PROBES) or ["attention.attend"])
def test_no_probe_claims_anything_about_the_reference(exercise_id):
    probes.load_all()
    exercise = EXERCISES[exercise_id]
    case = exercise.cases()[0]
    expected = exercise.call(exercise.reference, case)
    assert probes.run_probes(exercise, exercise.reference, case, expected, expected) is None
    for alternative in exercise.alternatives:
        assert probes.run_probes(exercise, alternative, case, expected, expected) is None, alternative


# ---------------------------------------------------------------- dropout in train mode


class EncoderNoDropout(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        attended, _ = self.self_attention(x, x, x, mask)
        x = self.norm1(x + attended)
        return self.norm2(x + self.feed_forward(x))


class EncoderDropoutOnSum(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        attended, _ = self.self_attention(x, x, x, mask)
        x = self.norm1(self.dropout(x + attended))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


@pytest.mark.parametrize("answer, words", [(EncoderNoDropout, "한 번도 쓰지 않았습니다"),
                                           (EncoderDropoutOnSum, "위치가 참조 구현과 다릅니다")])
def test_dropout_left_out_or_moved_gets_a_warning_even_when_eval_passes(answer, words):
    result = run("transformer.EncoderLayer", answer)
    assert result.passed  # eval mode cannot tell; the note can
    assert "⚠️" in result.message and words in result.message


def test_a_numpy_result_does_not_point_to_values_it_did_not_print():
    """A failure that names its own cause (here: a numpy array) gets the hint line, not the 🔎 line that
    points to expected and actual values (review r4, 00 item 3: none were printed)."""
    result = run("attention.weighted_average", lambda values, weights: ((weights[:, None] * values).sum(0)).numpy())
    assert not result.passed and "numpy" in result.message
    assert "기대값과 실제값" not in result.message and 'hint("attention.weighted_average")' in result.message
