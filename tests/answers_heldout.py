"""Held-out answers for measuring `check` (issue 23): wrong and correct-but-different answers.

Written by a second author WITHOUT reading the checks (lib/course/checks, lib/checks.py and the
check tests), only from the spec's signatures, lib's reference modules and the exercise cells in
solutions/. This set is only measured, never tuned against: the checker's author should not read it.

Each entry: (exercise_id, answer_object, label)
label = dict(kind="wrong" or "correct", what="<one English sentence: what is actually wrong>",
             names_any=[...keywords, at least one of which a message that names THIS mistake contains])
Optional: train_mode_only=True on a wrong answer that equals the reference in eval mode (dropout
missing or misplaced); issue 23 lets the check pass it with a note that names the mistake.
Class exercises are classes (subclasses of lib's class: the same __init__ as the notebook gives),
passed like the notebook's check cell does: check("transformer.EncoderLayer", EncoderLayer).
"""

import math

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import transformer as _tr


def W(what, *names, train_mode_only=False):
    label = dict(kind="wrong", what=what, names_any=list(names))
    if train_mode_only:  # equal to the reference in eval mode: issue 23 accepts a pass with a named note here
        label["train_mode_only"] = True
    return label


def OK(what):
    return dict(kind="correct", what=what, names_any=[])


CASES = []


def case(ex_id, label):
    def register(obj):
        CASES.append((ex_id, obj, label))
        return obj
    return register


# ================================================================ attention.weighted_average

@case("attention.weighted_average", W(
    "Multiplies the (T,) weights along the feature axis (broadcast against D), not along time; "
    "fails unless T == D and then weights the wrong axis.",
    "축", "axis", "브로드캐스트", "broadcast", "모양", "shape"))
def wa_broadcast_wrong_axis(values, weights):
    return (values * weights).sum(dim=0)


@case("attention.weighted_average", W(
    "Softmaxes the weights again although they are already probabilities, so the average is flattened.",
    "소프트맥스", "softmax", "가중치", "weights", "정규화"))
def wa_softmax_again(values, weights):
    w = torch.softmax(weights, dim=0)
    return (w[:, None] * values).sum(0)


# ================================================================ rnn.rnn_cell

@case("rnn.rnn_cell", W(
    "The input bias b_ih is added twice (once by F.linear and once by hand).",
    "편향", "bias", "두 번", "twice", "b_ih"))
def rnn_cell_bias_twice(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return torch.tanh(F.linear(x, weight_ih, bias_ih) + F.linear(h, weight_hh, bias_hh) + bias_ih)


# ================================================================ rnn.rnn_layer

def _cell(x, h, wi, wh, bi, bh):
    return torch.tanh(x @ wi.T + bi + h @ wh.T + bh)


@case("rnn.rnn_layer", W(
    "The hidden state is not carried over: every step starts again from h0.",
    "은닉 상태", "hidden", "h0", "이전", "previous", "carry"))
def rnn_layer_no_carry(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    outputs = []
    h = h0
    for t in range(x.shape[1]):
        h = _cell(x[:, t], h0, weight_ih, weight_hh, bias_ih, bias_hh)
        outputs.append(h)
    return torch.stack(outputs, 1), h


@case("rnn.rnn_layer", OK("nn.RNN run through torch.func.functional_call with the given weights."))
def rnn_layer_functional_call(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    rnn = nn.RNN(x.shape[-1], h0.shape[-1], batch_first=True)
    params = {"weight_ih_l0": weight_ih, "weight_hh_l0": weight_hh, "bias_ih_l0": bias_ih, "bias_hh_l0": bias_hh}
    out, h_n = torch.func.functional_call(rnn, params, (x, h0.unsqueeze(0).contiguous()))
    return out, h_n[0]


# ================================================================ rnn.lstm_cell

@case("rnn.lstm_cell", W(
    "Gates unpacked in the order i, f, o, g (output and candidate swapped) instead of torch's i, f, g, o.",
    "게이트 순서", "gate order", "순서", "order", "i, f, g, o"))
def lstm_ifog(x, state, weight_ih, weight_hh, bias_ih, bias_hh):
    h, c = state
    gates = x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
    i, f, o, g = gates.chunk(4, dim=1)
    c2 = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c2), c2


@case("rnn.lstm_cell", W(
    "The input gate is added to the candidate instead of multiplied: c' = f*c + (i + g).",
    "입력 게이트", "input gate", "곱", "multipl", "더", "add"))
def lstm_gate_added(x, state, weight_ih, weight_hh, bias_ih, bias_hh):
    h, c = state
    H = h.shape[1]
    z = F.linear(x, weight_ih, bias_ih) + F.linear(h, weight_hh, bias_hh)
    i = torch.sigmoid(z[:, :H])
    f = torch.sigmoid(z[:, H:2 * H])
    g = torch.tanh(z[:, 2 * H:3 * H])
    o = torch.sigmoid(z[:, 3 * H:])
    c_new = f * c + (i + g)
    return o * torch.tanh(c_new), c_new


@case("rnn.lstm_cell", OK("Gates via view(B, 4, H).unbind(1), computed in float64."))
def lstm_view_unbind(x, state, weight_ih, weight_hh, bias_ih, bias_hh):
    h, c = state
    B, H = h.shape
    gates = (x.double() @ weight_ih.double().T + bias_ih.double()
             + h.double() @ weight_hh.double().T + bias_hh.double())
    i, f, g, o = gates.view(B, 4, H).unbind(1)
    c_next = torch.sigmoid(f) * c.double() + torch.sigmoid(i) * torch.tanh(g)
    h_next = torch.sigmoid(o) * torch.tanh(c_next)
    return h_next.float(), c_next.float()


# ================================================================ rnn.gru_cell

@case("rnn.gru_cell", W(
    "Reset gate applied before the hidden-to-hidden product (n = tanh(x_n + W_hn (r*h) + b_hn), the "
    "paper/Keras reset_after=False form) instead of torch's r * (W_hn h + b_hn).",
    "리셋 게이트", "reset gate", "r", "위치", "place"))
def gru_reset_before(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    H = h.shape[1]
    x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, -1)
    h_r, h_z, _ = (h @ weight_hh.T + bias_hh).chunk(3, -1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + (r * h) @ weight_hh[2 * H:].T + bias_hh[2 * H:])
    return (1 - z) * n + z * h


@case("rnn.gru_cell", W(
    "Update gate used the other way round: h' = z*n + (1-z)*h instead of (1-z)*n + z*h.",
    "업데이트 게이트", "update gate", "z", "1 - z", "반대"))
def gru_z_swapped(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    gi = F.linear(x, weight_ih, bias_ih)
    gh = F.linear(h, weight_hh, bias_hh)
    x_r, x_z, x_n = gi.chunk(3, 1)
    h_r, h_z, h_n = gh.chunk(3, 1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return z * n + (1 - z) * h


@case("rnn.gru_cell", OK("einsum over gate blocks reshaped to (3, H, ·)."))
def gru_einsum(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    H = h.shape[1]
    gi = torch.einsum("bd,ghd->gbh", x, weight_ih.view(3, H, -1)) + bias_ih.view(3, 1, H)
    gh = torch.einsum("bk,ghk->gbh", h, weight_hh.view(3, H, H)) + bias_hh.view(3, 1, H)
    r = torch.sigmoid(gi[0] + gh[0])
    z = torch.sigmoid(gi[1] + gh[1])
    n = torch.tanh(gi[2] + r * gh[2])
    return n + z * (h - n)


# ================================================================ seq2seq.context_vector

@case("seq2seq.context_vector", W(
    "Index off by one: takes step lengths[b] (the first padding step, clamped to T-1) instead of lengths[b]-1.",
    "마지막", "last", "실제", "real", "패딩", "하나"))
def ctx_off_by_one(encoder_outputs, lengths):
    T = encoder_outputs.shape[1]
    idx = lengths.clamp(max=T - 1)
    return encoder_outputs[torch.arange(len(lengths)), idx]


@case("seq2seq.context_vector", W(
    "Averages the hidden states over the real steps (mean pooling) instead of taking the last real one.",
    "평균", "mean", "마지막", "last", "문맥 벡터"))
def ctx_mean_pool(encoder_outputs, lengths):
    T = encoder_outputs.shape[1]
    keep = (torch.arange(T)[None, :] < lengths[:, None]).float()
    return (encoder_outputs * keep[..., None]).sum(1) / lengths[:, None].float()


@case("seq2seq.context_vector", OK("torch.gather with an index expanded over the hidden axis."))
def ctx_gather(encoder_outputs, lengths):
    H = encoder_outputs.shape[-1]
    idx = (lengths - 1).long().view(-1, 1, 1).expand(-1, 1, H)
    return encoder_outputs.gather(1, idx).squeeze(1)


# ================================================================ seq2seq.make_decoder_io

@case("seq2seq.make_decoder_io", W(
    "Labels are not shifted: labels = tgt[:, :-1], the same tokens the decoder reads.",
    "레이블", "label", "밀", "shift", "다음 토큰", "next"))
def mdio_labels_not_shifted(tgt):
    return tgt[:, :-1], tgt[:, :-1]


@case("seq2seq.make_decoder_io", W(
    "Decoder input shifted twice: BOS is prepended to a target that already starts with BOS.",
    "두 번", "twice", "BOS", "밀", "shift", "디코더 입력"))
def mdio_shift_twice(tgt):
    bos = torch.full_like(tgt[:, :1], 1)
    return torch.cat([bos, tgt[:, :-2]], dim=1), tgt[:, 1:]


# ================================================================ seq2seq.greedy_decode

@case("seq2seq.greedy_decode", W(
    "One 'finished' check for the whole batch: stops as soon as ANY row produces EOS.",
    "모든", "every", "행", "row", "any", "멈"))
def greedy_stop_any(model, src, bos_id, eos_id, max_len):
    ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long)
    with torch.no_grad():
        for _ in range(max_len):
            nxt = model(src, ys)[:, -1].argmax(-1)
            ys = torch.cat([ys, nxt[:, None]], 1)
            if (nxt == eos_id).any():
                break
    return ys[:, 1:]


@case("seq2seq.greedy_decode", W(
    "No PAD after EOS: finished rows keep appending whatever the model predicts.",
    "PAD", "패딩", "EOS", "뒤", "after"))
def greedy_no_pad(model, src, bos_id, eos_id, max_len):
    ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long)
    done = torch.zeros(src.size(0), dtype=torch.bool)
    with torch.no_grad():
        for _ in range(max_len):
            nxt = model(src, ys)[:, -1].argmax(-1)
            ys = torch.cat([ys, nxt[:, None]], 1)
            done = done | (nxt == eos_id)
            if done.all():
                break
    return ys[:, 1:]


@case("seq2seq.greedy_decode", OK("Per-row python lists, padded with 0 to the number of steps taken."))
def greedy_lists(model, src, bos_id, eos_id, max_len):
    B = src.shape[0]
    rows = [[] for _ in range(B)]
    done = [False] * B
    ys = torch.full((B, 1), bos_id, dtype=torch.long)
    steps = 0
    with torch.no_grad():
        while steps < max_len and not all(done):
            logits = model(src, ys)
            nxt = logits[:, -1, :].argmax(dim=-1).tolist()
            for b in range(B):
                tok = 0 if done[b] else nxt[b]
                rows[b].append(tok)
                if tok == eos_id:
                    done[b] = True
            ys = torch.cat([torch.full((B, 1), bos_id, dtype=torch.long), torch.tensor(rows, dtype=torch.long)], 1)
            steps += 1
    return torch.tensor(rows, dtype=torch.long).view(B, steps)


# ================================================================ attention.dot_product_scores

@case("attention.dot_product_scores", W(
    "Scales the Luong dot-product scores by 1/sqrt(H) (transformer habit): the exercise asks for the plain dot product.",
    "스케일", "scale", "sqrt", "√", "나누"))
def dot_scaled(query, keys):
    return (keys @ query.unsqueeze(-1)).squeeze(-1) / math.sqrt(query.shape[-1])


@case("attention.dot_product_scores", W(
    "keys @ query.T mixes the batch (B,T,B) and then takes [..., 0]: every row uses the first example's query.",
    "배치", "batch", "쿼리", "query", "첫"))
def dot_first_query(query, keys):
    return (keys @ query.T)[..., 0]


# ================================================================ attention.additive_scores

@case("attention.additive_scores", W(
    "tanh is missing: scores = (q W_q^T + k W_k^T) v.",
    "tanh", "활성화", "activation"))
def add_no_tanh(query, keys, W_q, W_k, v):
    return ((query @ W_q.T)[:, None, :] + keys @ W_k.T) @ v


@case("attention.additive_scores", W(
    "v is not used: the tanh features are summed instead of dotted with v.",
    "v", "내적", "dot", "합", "sum"))
def add_sum_instead_of_v(query, keys, W_q, W_k, v):
    return torch.tanh((query @ W_q.T).unsqueeze(1) + keys @ W_k.T).sum(-1)


@case("attention.additive_scores", OK("einsum in float64."))
def add_einsum(query, keys, W_q, W_k, v):
    q = torch.einsum("bh,ah->ba", query.double(), W_q.double())
    k = torch.einsum("bth,ah->bta", keys.double(), W_k.double())
    return torch.einsum("bta,a->bt", torch.tanh(q[:, None] + k), v.double()).float()


# ================================================================ attention.attend

@case("attention.attend", W(
    "Softmax over the batch axis (dim=0) instead of over time.",
    "축", "axis", "dim", "시점", "time", "배치"))
def attend_dim0(scores, values, mask=None):
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    w = torch.softmax(scores, dim=0)
    return torch.einsum("bt,bth->bh", w, values), w


@case("attention.attend", W(
    "Inverted mask: fills -inf where mask is True (the real steps) and keeps the padding.",
    "마스크", "mask", "반대", "invert", "뒤집"))
def attend_inverted(scores, values, mask=None):
    if mask is not None:
        scores = scores.masked_fill(mask, -1e9)
    w = F.softmax(scores, -1)
    return (w.unsqueeze(-1) * values).sum(1), w


# ================================================================ losses.softmax

@case("losses.softmax", W(
    "Normalises over the whole tensor instead of along dim: the entire tensor sums to 1.",
    "전체", "whole", "축", "axis", "dim", "합"))
def softmax_global(logits, dim=-1):
    e = torch.exp(logits - logits.max())
    return e / e.sum()


@case("losses.softmax", W(
    "Subtracts the global max instead of the row max: rows far below it underflow to 0/0 = NaN.",
    "최댓값", "max", "행", "row", "언더플로", "underflow"))
def softmax_global_max(logits, dim=-1):
    e = (logits - logits.max()).exp()
    return e / e.sum(dim=dim, keepdim=True)


@case("losses.softmax", OK("exp(z - logsumexp(z)) in float64."))
def softmax_lse(logits, dim=-1):
    z = logits.double()
    return torch.exp(z - torch.logsumexp(z, dim=dim, keepdim=True)).to(logits.dtype)


# ================================================================ losses.log_softmax

@case("losses.log_softmax", W(
    "log(softmax(z)): the probabilities underflow to 0 for large gaps, giving -inf (no log-sum-exp).",
    "log-sum-exp", "logsumexp", "언더플로", "underflow", "inf", "안정"))
def logsm_naive(logits, dim=-1):
    p = torch.exp(logits - logits.amax(dim, keepdim=True))
    return torch.log(p / p.sum(dim, keepdim=True))


@case("losses.log_softmax", W(
    "Shifts the numerator by the max but not the denominator: (z - m) - log(sum exp(z)).",
    "최댓값", "max", "분모", "denominator", "log-sum-exp", "logsumexp"))
def logsm_shift_numerator_only(logits, dim=-1):
    m = logits.max(dim=dim, keepdim=True).values
    return (logits - m) - torch.log(torch.exp(logits).sum(dim=dim, keepdim=True))


# ================================================================ losses.cross_entropy

@case("losses.cross_entropy", W(
    "Raw logits go into the negative log-likelihood: -mean(logits[target]) without log-softmax.",
    "로짓", "logits", "log_softmax", "로그 소프트맥스", "소프트맥스"))
def ce_raw_logits(logits, targets, ignore_index=None):
    if ignore_index is None:
        return F.nll_loss(logits, targets)
    return F.nll_loss(logits, targets, ignore_index=ignore_index)


@case("losses.cross_entropy", W(
    "Ignored targets are zeroed in the sum but still counted in the denominator (divides by N).",
    "분모", "denominator", "패딩", "padding", "ignore", "평균"))
def ce_padding_in_denominator(logits, targets, ignore_index=None):
    logp = logits.log_softmax(-1)
    nll = -logp[torch.arange(len(targets)), targets.clamp(min=0, max=logits.shape[1] - 1)]
    if ignore_index is not None:
        nll = nll * (targets != ignore_index)
    return nll.mean()


@case("losses.cross_entropy", OK("Explicit python loop over kept targets, logsumexp per row."))
def ce_loop(logits, targets, ignore_index=None):
    total = logits.new_zeros(())
    n = 0
    for row, t in zip(logits, targets.tolist()):
        if ignore_index is not None and t == ignore_index:
            continue
        total = total + torch.logsumexp(row, 0) - row[t]
        n += 1
    return total / n if n else torch.tensor(float("nan"))


# ================================================================ losses.masked_accuracy

@case("losses.masked_accuracy", W(
    "Padding counted as correct: (pred == label) OR is_pad, averaged over every position.",
    "패딩", "padding", "PAD", "제외"))
def acc_pad_correct(logits, labels, pad_id=0):
    ok = (logits.argmax(-1) == labels) | (labels == pad_id)
    return ok.float().mean().item()


@case("losses.masked_accuracy", W(
    "Counts only correct real tokens but divides by every position, padding included (B*T).",
    "분모", "denominator", "패딩", "padding", "제외"))
def acc_wrong_denominator(logits, labels, pad_id=0):
    keep = labels != pad_id
    correct = (logits.argmax(-1) == labels) & keep
    return (correct.sum() / labels.numel()).item()


# ================================================================ transformer.positional_encoding

def _pe_from_angles(angle_even, angle_odd, length, d_model):
    pe = torch.zeros(length, d_model)
    pe[:, 0::2] = torch.sin(angle_even)
    pe[:, 1::2] = torch.cos(angle_odd)
    return pe


@case("transformer.positional_encoding", W(
    "sin and cos swapped: cos on the even dimensions, sin on the odd ones.",
    "sin", "cos", "바뀌", "swap", "짝수", "even"))
def pe_swapped(length, d_model):
    pos = torch.arange(length).float()[:, None]
    div = 10000 ** (torch.arange(0, d_model, 2).float() / d_model)
    pe = torch.zeros(length, d_model)
    pe[:, 0::2] = torch.cos(pos / div)
    pe[:, 1::2] = torch.sin(pos / div)[:, : d_model // 2]
    return pe


@case("transformer.positional_encoding", W(
    "TF-tutorial concatenated layout [sin | cos] instead of the paper's interleaved layout.",
    "교차", "interleave", "이어 붙", "concat", "배치", "layout"))
def pe_concat(length, d_model):
    pos = np.arange(length)[:, None]
    i = np.arange(d_model // 2)[None, :]
    angle = pos / np.power(10000, 2 * i / d_model)
    pe = np.concatenate([np.sin(angle), np.cos(angle)], axis=-1)
    return torch.tensor(pe, dtype=torch.float32)


@case("transformer.positional_encoding", W(
    "Integer division in the exponent (2*i // d_model with int tensors): the exponent is 0, every "
    "column has frequency 1.",
    "정수 나눗셈", "integer", "지수", "exponent", "주파수", "frequency"))
def pe_int_div(length, d_model):
    pos = torch.arange(length)[:, None]
    i = torch.arange(0, d_model, 2)
    angle = pos / torch.pow(10000, (i // d_model))
    return _pe_from_angles(angle, angle[:, : d_model // 2], length, d_model)


@case("transformer.positional_encoding", OK("div_term = exp(-log(10000) * 2i / d), odd d_model handled."))
def pe_div_term(length, d_model):
    position = torch.arange(length, dtype=torch.float32).unsqueeze(1)
    div_term = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float32) * (-math.log(10000.0) / d_model))
    pe = torch.zeros(length, d_model)
    pe[:, 0::2] = torch.sin(position * div_term)
    pe[:, 1::2] = torch.cos(position * div_term)[:, : d_model // 2]
    return pe


# ================================================================ attention.scaled_dot_product_attention

@case("attention.scaled_dot_product_attention", W(
    "Multiplies the scores by sqrt(d_k) instead of dividing.",
    "스케일", "scale", "sqrt", "√", "곱", "나누"))
def sdpa_times_sqrt(q, k, v, mask=None):
    s = q @ k.transpose(-2, -1) * math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = s.softmax(-1)
    return w @ v, w


@case("attention.scaled_dot_product_attention", W(
    "Divides the scores by d_k instead of sqrt(d_k).",
    "스케일", "scale", "sqrt", "√", "d_k"))
def sdpa_div_d(q, k, v, mask=None):
    s = torch.matmul(q, k.transpose(-1, -2)) / q.size(-1)
    if mask is not None:
        s = s.masked_fill(mask.logical_not(), -1e9)
    w = torch.softmax(s, dim=-1)
    return torch.matmul(w, v), w


@case("attention.scaled_dot_product_attention", W(
    "Softmax over the query axis (dim=-2): columns sum to 1 instead of each query row.",
    "축", "axis", "dim", "행", "row", "쿼리"))
def sdpa_softmax_queries(q, k, v, mask=None):
    s = torch.einsum("...qd,...kd->...qk", q, k) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = torch.softmax(s, dim=-2)
    return torch.einsum("...qk,...kd->...qd", w, v), w


@case("attention.scaled_dot_product_attention", OK("einsum in float64, finfo.min fill."))
def sdpa_ok_f64(q, k, v, mask=None):
    qd, kd, vd = q.double(), k.double(), v.double()
    s = torch.einsum("...id,...jd->...ij", qd, kd) * q.shape[-1] ** -0.5
    if mask is not None:
        s = s.masked_fill(~mask.bool(), torch.finfo(torch.float64).min)
    w = torch.softmax(s, dim=-1)
    return torch.einsum("...ij,...jd->...id", w, vd).float(), w.float()


# ================================================================ attention.split_heads / merge_heads

@case("attention.split_heads", W(
    "view(B, h, T, dh) directly, without going through (B, T, h, dh) and transposing: time and "
    "features are mixed across heads.",
    "전치", "transpose", "view", "순서", "축"))
def split_direct_view(x, num_heads):
    B, T, D = x.shape
    return x.view(B, num_heads, T, D // num_heads)


@case("attention.merge_heads", W(
    "Reshapes (B, h, T, dh) to (B, T, h*dh) without moving the head axis first.",
    "전치", "transpose", "순서", "축", "reshape"))
def merge_no_transpose(x):
    B, h, T, dh = x.shape
    return x.reshape(B, T, h * dh)


# ================================================================ attention.multi_head_attention

def _heads(t, h):
    B, T, D = t.shape
    return t.view(B, T, h, D // h).transpose(1, 2)


@case("attention.multi_head_attention", W(
    "Scores scaled by 1/sqrt(d_model) instead of 1/sqrt(d_k) (the per-head size).",
    "d_k", "d_model", "헤드", "head", "스케일", "scale"))
def mha_scale_dmodel(query, key, value, params, num_heads, mask=None):
    p = params
    q = _heads(F.linear(query, p["W_q"], p["b_q"]), num_heads)
    k = _heads(F.linear(key, p["W_k"], p["b_k"]), num_heads)
    v = _heads(F.linear(value, p["W_v"], p["b_v"]), num_heads)
    s = q @ k.transpose(-1, -2) / math.sqrt(query.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask.unsqueeze(1), float("-inf"))
    w = s.softmax(-1)
    out = (w @ v).transpose(1, 2).reshape(query.shape)
    return F.linear(out, p["W_o"], p["b_o"]), w


@case("attention.multi_head_attention", W(
    "Keras kernel habit: x @ W instead of x @ W^T for every projection (weights are in nn.Linear's (out, in) layout).",
    "전치", "transpose", "W^T", "가중치", "layout", "(out, in)"))
def mha_no_transpose(query, key, value, params, num_heads, mask=None):
    p = params
    q = _heads(query @ p["W_q"] + p["b_q"], num_heads)
    k = _heads(key @ p["W_k"] + p["b_k"], num_heads)
    v = _heads(value @ p["W_v"] + p["b_v"], num_heads)
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask[:, None], float("-inf"))
    w = s.softmax(-1)
    B, h, T, dh = w.shape[0], num_heads, query.shape[1], q.shape[-1]
    out = (w @ v).transpose(1, 2).reshape(B, T, h * dh)
    return out @ p["W_o"] + p["b_o"], w


@case("attention.multi_head_attention", W(
    "Returns the attention weights averaged over the heads, (B, Tq, Tk), as nn.MultiheadAttention does by default.",
    "헤드", "head", "평균", "average", "모양", "shape"))
def mha_weights_averaged(query, key, value, params, num_heads, mask=None):
    p = params
    B, Tq, D = query.shape
    Tk = key.shape[1]
    dh = D // num_heads
    q = F.linear(query, p["W_q"], p["b_q"]).view(B, Tq, num_heads, dh).transpose(1, 2)
    k = F.linear(key, p["W_k"], p["b_k"]).view(B, Tk, num_heads, dh).transpose(1, 2)
    v = F.linear(value, p["W_v"], p["b_v"]).view(B, Tk, num_heads, dh).transpose(1, 2)
    s = q @ k.transpose(-1, -2) / math.sqrt(dh)
    if mask is not None:
        s = s.masked_fill(~mask.unsqueeze(-3), float("-inf"))
    w = s.softmax(-1)
    out = (w @ v).transpose(1, 2).reshape(B, Tq, D)
    return F.linear(out, p["W_o"], p["b_o"]), w.mean(dim=1)


@case("attention.multi_head_attention", OK(
    "F.multi_head_attention_forward (time-major, separate projections, inverted bool mask, per-head weights)."))
def mha_torch_functional(query, key, value, params, num_heads, mask=None):
    p = params
    B, Tq, D = query.shape
    Tk = key.shape[1]
    attn_mask = None
    if mask is not None:
        m = mask.expand(B, Tq, Tk) if mask.dim() == 3 else mask.expand(B, Tq, Tk)
        attn_mask = (~m).repeat_interleave(num_heads, dim=0)  # (B*h, Tq, Tk), True = blocked
    out, w = F.multi_head_attention_forward(
        query.transpose(0, 1), key.transpose(0, 1), value.transpose(0, 1), D, num_heads,
        None, torch.cat([p["b_q"], p["b_k"], p["b_v"]]), None, None, False, 0.0,
        p["W_o"], p["b_o"], training=False, need_weights=True, attn_mask=attn_mask,
        use_separate_proj_weight=True, q_proj_weight=p["W_q"], k_proj_weight=p["W_k"],
        v_proj_weight=p["W_v"], average_attn_weights=False)
    return out.transpose(0, 1), w


# ================================================================ transformer.layer_norm

@case("transformer.layer_norm", W(
    "Unbiased variance (x.var() divides by D-1); nn.LayerNorm uses the biased variance (divide by D).",
    "분산", "variance", "불편", "unbiased", "D-1", "N-1"))
def ln_unbiased(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


@case("transformer.layer_norm", W(
    "eps added outside the square root: (x - mean) / (std + eps).",
    "eps", "제곱근", "sqrt", "√", "바깥"))
def ln_eps_outside(x, weight, bias, eps=1e-5):
    mean = x.mean(-1, keepdim=True)
    std = x.std(-1, keepdim=True, unbiased=False)
    return weight * (x - mean) / (std + eps) + bias


@case("transformer.layer_norm", W(
    "Normalises over the last two axes (T and D together, Keras axis=[1, 2]) instead of only the last.",
    "축", "axis", "마지막", "last", "dim"))
def ln_two_axes(x, weight, bias, eps=1e-5):
    dims = (-2, -1) if x.dim() >= 2 else (-1,)
    mean = x.mean(dim=dims, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=dims, keepdim=True)
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


@case("transformer.layer_norm", OK("float64 inside with torch.var_mean(correction=0) and rsqrt."))
def ln_f64(x, weight, bias, eps=1e-5):
    xd = x.double()
    var, mean = torch.var_mean(xd, dim=-1, keepdim=True, correction=0)
    return ((xd - mean) * torch.rsqrt(var + eps) * weight.double() + bias.double()).to(x.dtype)


# ================================================================ masks.causal_mask

@case("masks.causal_mask", W(
    "Inverted: True strictly above the diagonal (the 'True = blocked' convention of nn.MultiheadAttention).",
    "반대", "invert", "위", "above", "True", "미래"))
def causal_inverted(length):
    return torch.triu(torch.ones(length, length, dtype=torch.bool), diagonal=1)


@case("masks.causal_mask", W(
    "Diagonal excluded: a position cannot see itself (tril with diagonal=-1).",
    "대각", "diagonal", "자기 자신", "itself"))
def causal_no_diag(length):
    return torch.ones(length, length).tril(-1).bool()


# ================================================================ masks.padding_mask

@case("masks.padding_mask", W(
    "Mask on the query axis: (B, T, 1) instead of (B, 1, T), so padding rows are hidden, not padding keys.",
    "축", "axis", "쿼리", "query", "키", "(B, 1, T)"))
def pad_query_axis(tokens, pad_id=0):
    return (tokens != pad_id).unsqueeze(-1)


@case("masks.padding_mask", W(
    "Inverted: True at the padding (tokens == pad_id).",
    "반대", "invert", "패딩", "padding", "True"))
def pad_inverted(tokens, pad_id=0):
    return (tokens == pad_id)[:, None, :]


# ================================================================ masks.decoder_self_attention_mask

@case("masks.decoder_self_attention_mask", W(
    "Padding part missing: only the causal triangle, expanded to (B, T, T).",
    "패딩", "padding", "AND", "인과"))
def dec_mask_causal_only(tgt_input, pad_id=0):
    B, T = tgt_input.shape
    return torch.tril(torch.ones(T, T, dtype=torch.bool)).expand(B, T, T)


@case("masks.decoder_self_attention_mask", W(
    "Causal OR padding instead of AND: future real tokens become visible.",
    "AND", "OR", "그리고", "또는", "미래", "인과"))
def dec_mask_or(tgt_input, pad_id=0):
    T = tgt_input.shape[1]
    causal = torch.tril(torch.ones(T, T)).bool()
    return causal | (tgt_input != pad_id)[:, None, :]


@case("masks.decoder_self_attention_mask", W(
    "Pads masked as queries too (padding AND-ed on the rows as well): padding query rows see nothing.",
    "쿼리", "query", "행", "row", "패딩", "padding"))
def dec_mask_rows_too(tgt_input, pad_id=0):
    T = tgt_input.shape[1]
    real = tgt_input != pad_id
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool))
    return causal & real[:, None, :] & real[:, :, None]


@case("masks.decoder_self_attention_mask", OK("tril applied to the expanded padding mask."))
def dec_mask_tril_expand(tgt_input, pad_id=0):
    B, T = tgt_input.shape
    return torch.tril((tgt_input != pad_id).unsqueeze(1).expand(B, T, T))


# ================================================================ transformer.EncoderLayer

@case("transformer.EncoderLayer", W(
    "Residual missing around self-attention: x = norm1(dropout(attention)) without adding x.",
    "잔차 연결", "residual", "더하", "Add", "x +"))
class EncNoResidual(_tr.EncoderLayer):
    def forward(self, x, mask=None):
        attended, self.attention_weights = self.self_attention(x, x, x, mask)
        x = self.norm1(self.dropout(attended))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


@case("transformer.EncoderLayer", W(
    "Pre-LN instead of post-LN: x + sublayer(norm(x)), no norm after the addition.",
    "post-LN", "pre-LN", "사후", "사전", "Add & Norm", "정규화"))
class EncPreLN(_tr.EncoderLayer):
    def forward(self, x, mask=None):
        n = self.norm1(x)
        attended, self.attention_weights = self.self_attention(n, n, n, mask)
        x = x + self.dropout(attended)
        return x + self.dropout(self.feed_forward(self.norm2(x)))


@case("transformer.EncoderLayer", W(
    "The feed-forward reads the layer input x, not the output of the first Add & Norm.",
    "피드포워드", "feed-forward", "FFN", "입력", "input", "첫"))
class EncFfnWrongInput(_tr.EncoderLayer):
    def forward(self, x, mask=None):
        attended, self.attention_weights = self.self_attention(x, x, x, mask)
        h = self.norm1(x + self.dropout(attended))
        return self.norm2(h + self.dropout(self.feed_forward(x)))


@case("transformer.EncoderLayer", W(
    "No dropout on the sublayer outputs (equal in eval mode, differs in training).",
    "드롭아웃", "dropout", "학습 모드", "train", train_mode_only=True))
class EncNoDropout(_tr.EncoderLayer):
    def forward(self, x, mask=None):
        attended, self.attention_weights = self.self_attention(x, x, x, mask)
        x = self.norm1(x + attended)
        return self.norm2(x + self.feed_forward(x))


@case("transformer.EncoderLayer", OK("FFN unrolled by hand (linear1, relu, its dropout, linear2), keyword call."))
class EncManualFFN(_tr.EncoderLayer):
    def forward(self, x, mask=None):
        out, weights = self.self_attention(query=x, key=x, value=x, mask=mask)
        self.attention_weights = weights.detach()
        y = self.norm1(x + self.dropout(out))
        ff = self.feed_forward
        z = ff.linear2(ff.dropout(F.relu(ff.linear1(y))))
        return self.norm2(y + self.dropout(z))


# ================================================================ transformer.DecoderLayer

@case("transformer.DecoderLayer", W(
    "Cross-attention queries come from the layer input x instead of the output of the first Add & Norm.",
    "크로스 어텐션", "cross-attention", "쿼리", "query", "입력"))
class DecCrossQueryFromInput(_tr.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        a, self.self_attention_weights = self.self_attention(x, x, x, self_mask)
        h = self.norm1(x + self.dropout(a))
        c, self.cross_attention_weights = self.cross_attention(x, context, context, cross_mask)
        h = self.norm2(h + self.dropout(c))
        return self.norm3(h + self.dropout(self.feed_forward(h)))


@case("transformer.DecoderLayer", W(
    "Cross-attention attends to the decoder's own states (x, x, x) instead of the encoder output "
    "(context), and drops cross_mask.",
    "크로스 어텐션", "cross-attention", "context", "인코더", "encoder"))
class DecCrossOnSelf(_tr.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        a, self.self_attention_weights = self.self_attention(x, x, x, self_mask)
        x = self.norm1(x + self.dropout(a))
        c, self.cross_attention_weights = self.cross_attention(x, x, x)
        x = self.norm2(x + self.dropout(c))
        return self.norm3(x + self.dropout(self.feed_forward(x)))


@case("transformer.DecoderLayer", W(
    "Causal mask not passed to the self-attention: the decoder sees future tokens.",
    "인과", "causal", "마스크", "mask", "미래", "self_mask"))
class DecNoSelfMask(_tr.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        a, self.self_attention_weights = self.self_attention(x, x, x)
        x = self.norm1(x + self.dropout(a))
        c, self.cross_attention_weights = self.cross_attention(x, context, context, cross_mask)
        x = self.norm2(x + self.dropout(c))
        return self.norm3(x + self.dropout(self.feed_forward(x)))


@case("transformer.DecoderLayer", W(
    "No dropout after the cross-attention sublayer (the other two have it): differs only in training.",
    "드롭아웃", "dropout", "학습 모드", "train", "크로스 어텐션", train_mode_only=True))
class DecNoCrossDropout(_tr.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        a, self.self_attention_weights = self.self_attention(x, x, x, self_mask)
        x = self.norm1(x + self.dropout(a))
        c, self.cross_attention_weights = self.cross_attention(x, context, context, cross_mask)
        x = self.norm2(x + c)
        return self.norm3(x + self.dropout(self.feed_forward(x)))


# ================================================================ transformer.Transformer

@case("transformer.Transformer", W(
    "The source padding mask is not given to the encoder (only to the decoder's cross-attention).",
    "패딩 마스크", "padding mask", "인코더", "encoder", "마스크"))
class TrfNoEncoderMask(_tr.Transformer):
    def forward(self, inputs):
        context, x = inputs
        mask = _tr.padding_mask(context)
        context = self.encoder(context)
        return self.final_layer(self.decoder(x, context, mask))


@case("transformer.Transformer", W(
    "Returns softmax probabilities instead of logits.",
    "로짓", "logits", "소프트맥스", "softmax", "확률"))
class TrfSoftmax(_tr.Transformer):
    def forward(self, inputs):
        context, x = inputs
        m = _tr.padding_mask(context)
        enc = self.encoder(context, m)
        return torch.softmax(self.final_layer(self.decoder(x, enc, m)), dim=-1)


@case("transformer.Transformer", W(
    "Inverted source mask (~padding_mask, the nn.MultiheadAttention convention): only padding is visible.",
    "반대", "invert", "마스크", "mask", "패딩"))
class TrfInvertedMask(_tr.Transformer):
    def forward(self, inputs):
        context, x = inputs
        blocked = context == 0  # True = blocked, as nn.MultiheadAttention
        m = blocked.unsqueeze(1)
        context = self.encoder(context, m)
        return self.final_layer(self.decoder(x, context, m))


@case("transformer.Transformer", OK("Encoder and decoder layers looped by hand; mask written inline."))
class TrfManual(_tr.Transformer):
    def forward(self, inputs):
        src, tgt = inputs
        src_mask = (src != 0)[:, None, :]
        h = self.encoder.embedding(src)
        for layer in self.encoder.layers:
            h = layer(h, src_mask)
        out = self.decoder(tgt, h, cross_mask=src_mask)
        return self.final_layer(out)
