"""Dev answers for `check` (issue 23): wrong and correct-but-different answers, open to the checker's author.

Written by a second author WITHOUT reading the checks (lib/course/checks, lib/checks.py and the
check tests), only from the spec's signatures, lib's reference modules and the exercise cells in
solutions/. The held-out set (tests/answers_heldout.py) holds other mistakes and styles and is only
measured.

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
import torch.nn as nn  # noqa: F401  (learners' habit; kept for answers that use it)
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


def _cell(x, h, wi, wh, bi, bh):
    return torch.tanh(x @ wi.T + bi + h @ wh.T + bh)


def _heads(t, h):
    B, T, D = t.shape
    return t.view(B, T, h, D // h).transpose(1, 2)


# ================================================================ part 1 (every exercise in course order; part 2 below goes through them again)

@case("attention.weighted_average", OK("Matrix-vector product weights @ values."))
def wa_matmul(values, weights):
    return weights @ values


@case("rnn.rnn_cell", W(
    "W_hh is used without transposing (h @ W_hh instead of h @ W_hh^T).",
    "전치", "transpose", "W_hh", "weight_hh", "은닉 상태"))
def rnn_cell_whh_not_transposed(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return torch.tanh(x @ weight_ih.T + bias_ih + h @ weight_hh + bias_hh)


@case("rnn.rnn_cell", OK("F.linear in float64, cast back to float32."))
def rnn_cell_f64(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    d = torch.float64
    pre = F.linear(x.to(d), weight_ih.to(d), bias_ih.to(d)) + F.linear(h.to(d), weight_hh.to(d), bias_hh.to(d))
    return torch.tanh(pre).to(x.dtype)


@case("rnn.rnn_layer", W(
    "Appends the state before updating it: outputs hold h0..h_{T-1} (shifted by one step), not h1..h_T.",
    "한 칸", "shift", "밀", "off by one", "이전", "h0"))
def rnn_layer_append_before(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    outputs = []
    h = h0
    for t in range(x.shape[1]):
        outputs.append(h)
        h = _cell(x[:, t], h, weight_ih, weight_hh, bias_ih, bias_hh)
    return torch.stack(outputs, 1), h


@case("rnn.lstm_cell", W(
    "tanh is missing on the new cell state: h' = o * c' instead of o * tanh(c').",
    "tanh", "셀 상태", "cell state", "c'"))
def lstm_no_tanh_on_c(x, state, weight_ih, weight_hh, bias_ih, bias_hh):
    h, c = state
    i, f, g, o = (x @ weight_ih.T + h @ weight_hh.T + bias_ih + bias_hh).chunk(4, -1)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * c_next, c_next


@case("rnn.gru_cell", W(
    "The b_hn bias is kept outside the reset gate: n = tanh(x_n + r*(W_hn h) + b_hn).",
    "편향", "bias", "b_hn", "리셋 게이트", "reset"))
def gru_bhn_outside(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    H = h.shape[1]
    x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, -1)
    hw = h @ weight_hh.T
    r = torch.sigmoid(x_r + hw[:, :H] + bias_hh[:H])
    z = torch.sigmoid(x_z + hw[:, H:2 * H] + bias_hh[H:2 * H])
    n = torch.tanh(x_n + r * hw[:, 2 * H:] + bias_hh[2 * H:])
    return (1 - z) * n + z * h


@case("seq2seq.make_decoder_io", W(
    "Removes EOS from the decoder input by turning it into PAD, so padded rows read PAD where EOS belongs.",
    "EOS", "PAD", "패딩", "디코더 입력"))
def mdio_eos_to_pad(tgt):
    dec_in = tgt[:, :-1].clone()
    dec_in[dec_in == 2] = 0
    return dec_in, tgt[:, 1:]


@case("seq2seq.greedy_decode", W(
    "Feeds only the last generated token to the model (model(src, ys[:, -1:])), not the whole prefix.",
    "전체", "whole", "지금까지", "prefix", "마지막 토큰", "last token"))
def greedy_last_token_only(model, src, bos_id, eos_id, max_len):
    B = src.shape[0]
    ys = torch.full((B, 1), bos_id, dtype=torch.long)
    finished = torch.zeros(B, dtype=torch.bool)
    with torch.no_grad():
        for _ in range(max_len):
            nxt = model(src, ys[:, -1:])[:, -1].argmax(-1)
            nxt[finished] = 0
            ys = torch.cat([ys, nxt.unsqueeze(1)], 1)
            finished |= nxt == eos_id
            if finished.all():
                break
    return ys[:, 1:]


@case("attention.dot_product_scores", OK("Elementwise product summed over the hidden axis."))
def dot_mul_sum(query, keys):
    return (keys * query[:, None, :]).sum(dim=-1)


@case("attention.attend", W(
    "Mask applied after the softmax by zeroing, without renormalising: weights no longer sum to 1.",
    "합", "sum", "1", "정규화", "normal", "소프트맥스"))
def attend_mask_after(scores, values, mask=None):
    w = torch.softmax(scores, -1)
    if mask is not None:
        w = w * mask
    return torch.bmm(w.unsqueeze(1), values).squeeze(1), w


@case("attention.attend", OK("F.softmax + broadcasting sum, -inf fill."))
def attend_ok(scores, values, mask=None):
    s = scores if mask is None else scores.masked_fill(mask == 0, -math.inf)
    w = F.softmax(s, dim=1)
    return (w[..., None] * values).sum(dim=1), w


@case("losses.log_softmax", W(
    "Uses the mean instead of the sum inside the log (log mean exp): off by log C.",
    "평균", "mean", "합", "sum", "log C", "분모"))
def logsm_mean(logits, dim=-1):
    m = logits.amax(dim=dim, keepdim=True)
    return logits - m - torch.log(torch.exp(logits - m).mean(dim=dim, keepdim=True))


@case("losses.log_softmax", OK("F.log_softmax."))
def logsm_F(logits, dim=-1):
    return F.log_softmax(logits, dim=dim)


@case("losses.cross_entropy", W(
    "Keras-style one-hot loss averaged over all N*C entries instead of over the N targets.",
    "분모", "denominator", "평균", "mean", "C"))
def ce_mean_over_all(logits, targets, ignore_index=None):
    keep = torch.ones_like(targets, dtype=torch.bool) if ignore_index is None else targets != ignore_index
    onehot = F.one_hot(targets.masked_fill(~keep, 0), logits.shape[1]).float() * keep[:, None]
    return -(onehot * F.log_softmax(logits, 1))[keep].mean()


@case("losses.masked_accuracy", W(
    "Averages the per-sentence accuracies (mean of means) instead of counting tokens over the batch.",
    "분모", "denominator", "토큰", "token", "평균", "문장"))
def acc_mean_of_means(logits, labels, pad_id=0):
    keep = labels != pad_id
    correct = ((logits.argmax(-1) == labels) & keep).sum(1).float()
    return (correct / keep.sum(1).clamp(min=1)).mean().item()


@case("transformer.positional_encoding", W(
    "Operator precedence: pos / 10000 ** 2 * i / d_model computes (pos / 10000**2) * i / d instead of "
    "pos / 10000**(2i/d).",
    "지수", "exponent", "우선순위", "precedence", "주파수", "frequency"))
def pe_precedence(length, d_model):
    pe = torch.zeros(length, d_model)
    for pos in range(length):
        for i in range(0, d_model, 2):
            angle = pos / 10000 ** 2 * i / d_model
            pe[pos, i] = math.sin(angle)
            if i + 1 < d_model:
                pe[pos, i + 1] = math.cos(angle)
    return pe


@case("attention.scaled_dot_product_attention", W(
    "Masked positions filled with 0 instead of -inf, so they still get weight after the softmax.",
    "마스크", "mask", "-inf", "0", "무한"))
def sdpa_fill_zero(q, k, v, mask=None):
    s = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask, 0.0)
    w = torch.softmax(s, -1)
    return w @ v, w


@case("attention.split_heads", OK("unflatten(-1, (h, -1)).transpose(1, 2)."))
def split_unflatten(x, num_heads):
    return x.unflatten(-1, (num_heads, -1)).transpose(1, 2)


@case("attention.merge_heads", W(
    "transpose(1, 2) followed by .view(): RuntimeError, the transposed tensor is not contiguous.",
    "contiguous", "view", "reshape", "연속"))
def merge_view_noncontig(x):
    B, h, T, dh = x.shape
    return x.transpose(1, 2).view(B, T, h * dh)


@case("attention.merge_heads", OK("permute + flatten."))
def merge_flatten(x):
    return x.permute(0, 2, 1, 3).flatten(2)


@case("attention.multi_head_attention", W(
    "The query bias b_q is added twice (F.linear with bias, then + b_q again).",
    "편향", "bias", "두 번", "twice", "b_q"))
def mha_bias_twice(query, key, value, params, num_heads, mask=None):
    p = params
    q = _heads(F.linear(query, p["W_q"], p["b_q"]) + p["b_q"], num_heads)
    k = _heads(F.linear(key, p["W_k"], p["b_k"]), num_heads)
    v = _heads(F.linear(value, p["W_v"], p["b_v"]), num_heads)
    s = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask.unsqueeze(-3), float("-inf"))
    w = s.softmax(-1)
    out = (w @ v).transpose(1, 2).flatten(2)
    return F.linear(out, p["W_o"], p["b_o"]), w


@case("transformer.layer_norm", OK("F.layer_norm."))
def ln_F(x, weight, bias, eps=1e-5):
    return F.layer_norm(x, (x.shape[-1],), weight, bias, eps)


@case("masks.causal_mask", W(
    "Additive float mask (0 and -inf) instead of a bool mask.",
    "bool", "dtype", "float", "-inf", "자료형"))
def causal_float(length):
    return torch.triu(torch.full((length, length), float("-inf")), diagonal=1)


@case("masks.causal_mask", OK("arange comparison i >= j."))
def causal_arange(length):
    i = torch.arange(length)
    return i[:, None] >= i[None, :]


@case("masks.padding_mask", W(
    "TF-tutorial 4-D mask (B, 1, 1, T): one axis too many.",
    "축", "axis", "차원", "모양", "shape", "(B, 1, T)"))
def pad_4d(tokens, pad_id=0):
    return (tokens != pad_id)[:, None, None, :]


@case("transformer.DecoderLayer", W(
    "Only two norms: norm2 is reused after the feed-forward and norm3 is never used.",
    "norm3", "정규화", "norm", "재사용", "reuse", "계층 정규화"))
class DecNormReused(_tr.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        a, self.self_attention_weights = self.self_attention(x, x, x, self_mask)
        x = self.norm1(x + self.dropout(a))
        c, self.cross_attention_weights = self.cross_attention(x, context, context, cross_mask)
        x = self.norm2(x + self.dropout(c))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


@case("transformer.DecoderLayer", OK("Sublayers written as a loop over (attention, norm) pairs."))
class DecLoop(_tr.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        steps = [(self.self_attention, self.norm1, None, self_mask),
                 (self.cross_attention, self.norm2, context, cross_mask)]
        weights = []
        for attn, norm, memory, m in steps:
            kv = x if memory is None else memory
            out, w = attn(x, kv, kv, m)
            weights.append(w)
            x = norm(x + self.dropout(out))
        self.self_attention_weights, self.cross_attention_weights = weights
        return self.norm3(x + self.dropout(self.feed_forward(x)))


# ================================================================ attention.weighted_average

@case("attention.weighted_average", W(
    "Averages the weighted values (mean over time) instead of summing them: divided by T.",
    "평균", "mean", "합", "sum", "T"))
def wa_mean(values, weights):
    return (weights[:, None] * values).mean(dim=0)


@case("attention.weighted_average", OK("einsum 't,td->d'."))
def wa_einsum(values, weights):
    return torch.einsum("t,td->d", weights, values)


# ================================================================ rnn

@case("rnn.rnn_cell", W(
    "ReLU instead of tanh as the activation.",
    "tanh", "relu", "ReLU", "활성화", "activation"))
def rnn_cell_relu(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return torch.relu(F.linear(x, weight_ih, bias_ih) + F.linear(h, weight_hh, bias_hh))


@case("rnn.rnn_cell", OK("einsum for both products."))
def rnn_cell_einsum(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return torch.tanh(torch.einsum("bd,hd->bh", x, weight_ih) + torch.einsum("bk,hk->bh", h, weight_hh)
                      + bias_ih + bias_hh)


@case("rnn.rnn_layer", W(
    "Outputs stacked time-major (T, B, H) with torch.stack(dim=0) instead of batch first (B, T, H).",
    "batch first", "배치", "모양", "shape", "(B, T, H)", "축"))
def rnn_layer_time_major(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    h = h0
    outs = []
    for x_t in x.unbind(1):
        h = _cell(x_t, h, weight_ih, weight_hh, bias_ih, bias_hh)
        outs.append(h)
    return torch.stack(outs), h


@case("rnn.rnn_layer", OK("Preallocated output tensor filled step by step."))
def rnn_layer_prealloc(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    B, T, _ = x.shape
    outputs = x.new_zeros(B, T, h0.shape[1])
    h = h0
    for t in range(T):
        h = torch.tanh(F.linear(x[:, t], weight_ih, bias_ih) + F.linear(h, weight_hh, bias_hh))
        outputs[:, t] = h
    return outputs, h


@case("rnn.lstm_cell", W(
    "Input and forget gates play each other's role: c' = i*c + f*g.",
    "입력 게이트", "input gate", "망각 게이트", "forget gate", "게이트 순서", "gate order"))
def lstm_if_roles(x, state, weight_ih, weight_hh, bias_ih, bias_hh):
    h, c = state
    i, f, g, o = (x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh).chunk(4, -1)
    c_next = torch.sigmoid(i) * c + torch.sigmoid(f) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_next), c_next


@case("rnn.lstm_cell", OK("Four separate weight slices, one F.linear per gate, in a loop."))
def lstm_per_gate(x, state, weight_ih, weight_hh, bias_ih, bias_hh):
    h, c = state
    H = h.shape[1]
    pre = []
    for k in range(4):
        s = slice(k * H, (k + 1) * H)
        pre.append(F.linear(x, weight_ih[s], bias_ih[s]) + F.linear(h, weight_hh[s], bias_hh[s]))
    i, f, o = torch.sigmoid(pre[0]), torch.sigmoid(pre[1]), torch.sigmoid(pre[3])
    c_next = f * c + i * torch.tanh(pre[2])
    return o * torch.tanh(c_next), c_next


@case("rnn.gru_cell", W(
    "tanh missing on the candidate: n = x_n + r * h_n.",
    "tanh", "후보", "candidate", "n", "활성화"))
def gru_no_tanh(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    x_r, x_z, x_n = F.linear(x, weight_ih, bias_ih).chunk(3, 1)
    h_r, h_z, h_n = F.linear(h, weight_hh, bias_hh).chunk(3, 1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = x_n + r * h_n
    return (1 - z) * n + z * h


# ================================================================ seq2seq

@case("seq2seq.context_vector", W(
    "Takes the last time step outputs[:, -1] for every row, a padding step for the shorter sentences.",
    "마지막", "last", "패딩", "padding", "실제", "real"))
def ctx_last_step(encoder_outputs, lengths):
    return encoder_outputs[:, -1, :]


@case("seq2seq.context_vector", OK("One-hot mask over time, multiply and sum."))
def ctx_onehot(encoder_outputs, lengths):
    T = encoder_outputs.shape[1]
    pick = F.one_hot(lengths - 1, T).to(encoder_outputs.dtype)  # (B, T)
    return (pick.unsqueeze(-1) * encoder_outputs).sum(1)


@case("seq2seq.make_decoder_io", W(
    "The decoder input keeps the whole target (B, T): the last column is not dropped, so input and labels differ in length.",
    "길이", "length", "마지막", "last", "모양", "shape"))
def mdio_input_not_truncated(tgt):
    return tgt, tgt[:, 1:]


@case("seq2seq.make_decoder_io", OK("narrow() views, returned as clones."))
def mdio_narrow(tgt):
    T = tgt.size(1)
    return tgt.narrow(1, 0, T - 1).clone(), tgt.narrow(1, 1, T - 1).clone()


@case("seq2seq.greedy_decode", W(
    "BOS kept in the output: returns ys including the start token.",
    "BOS", "시작", "start", "빼", "제외"))
def greedy_bos_kept(model, src, bos_id, eos_id, max_len):
    ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long)
    finished = torch.zeros(src.size(0), dtype=torch.bool)
    with torch.no_grad():
        for _ in range(max_len):
            nxt = model(src, ys)[:, -1].argmax(-1).masked_fill(finished, 0)
            ys = torch.cat([ys, nxt.unsqueeze(1)], 1)
            finished |= nxt == eos_id
            if finished.all():
                break
    return ys


@case("seq2seq.greedy_decode", W(
    "Never stops early: always runs max_len steps even after every row has produced EOS.",
    "멈", "stop", "일찍", "early", "모든", "max_len"))
def greedy_no_early_stop(model, src, bos_id, eos_id, max_len):
    ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long)
    finished = torch.zeros(src.size(0), dtype=torch.bool)
    with torch.no_grad():
        for _ in range(max_len):
            nxt = model(src, ys)[:, -1].argmax(-1)
            nxt = torch.where(finished, torch.zeros_like(nxt), nxt)
            ys = torch.cat([ys, nxt.unsqueeze(1)], 1)
            finished = finished | (nxt == eos_id)
    return ys[:, 1:]


# ================================================================ attention (chapter 04)

@case("attention.dot_product_scores", W(
    "Returns softmax weights instead of the raw scores (softmax applied too early).",
    "소프트맥스", "softmax", "점수", "scores", "가중치"))
def dot_softmaxed(query, keys):
    return torch.softmax(torch.einsum("bh,bth->bt", query, keys), dim=-1)


@case("attention.dot_product_scores", OK("einsum 'bh,bth->bt'."))
def dot_einsum(query, keys):
    return torch.einsum("bh,bth->bt", query, keys)


@case("attention.additive_scores", W(
    "The query term is missing: scores = tanh(k W_k^T) v, the same for every decoder state.",
    "쿼리", "query", "W_q", "q"))
def add_no_query(query, keys, W_q, W_k, v):
    return torch.tanh(keys @ W_k.T) @ v


@case("attention.attend", W(
    "Softmax over the whole (B, T) tensor instead of per row.",
    "전체", "whole", "행", "row", "축", "axis"))
def attend_global(scores, values, mask=None):
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    e = torch.exp(scores - scores.max())
    w = e / e.sum()
    return torch.bmm(w[:, None, :], values)[:, 0], w


@case("attention.attend", W(
    "The mask is accepted but never used: padding steps get weight.",
    "마스크", "mask", "패딩", "padding", "무시"))
def attend_mask_unused(scores, values, mask=None):
    w = scores.softmax(dim=-1)
    return torch.einsum("bt,bth->bh", w, values), w


@case("attention.attend", OK("-1e9 fill, einsum."))
def attend_1e9(scores, values, mask=None):
    if mask is not None:
        scores = torch.where(mask, scores, torch.full_like(scores, -1e9))
    w = torch.softmax(scores, -1)
    return torch.einsum("bt,bth->bh", w, values), w


# ================================================================ losses

@case("losses.softmax", W(
    "Shifts the numerator by the max but not the denominator: exp(z - m) / sum exp(z).",
    "분모", "denominator", "최댓값", "max", "합"))
def softmax_numerator_only(logits, dim=-1):
    m = logits.amax(dim=dim, keepdim=True)
    return torch.exp(logits - m) / torch.exp(logits).sum(dim=dim, keepdim=True)


@case("losses.softmax", W(
    "The dim argument is ignored (always the last axis).",
    "dim", "축", "axis", "인자"))
def softmax_dim_ignored(logits, dim=-1):
    e = (logits - logits.max(-1, keepdim=True).values).exp()
    return e / e.sum(-1, keepdim=True)


@case("losses.softmax", OK("F.softmax."))
def softmax_F(logits, dim=-1):
    return F.softmax(logits, dim=dim)


@case("losses.log_softmax", W(
    "No max shift at all: z - log(sum exp(z)) overflows to inf/nan for large logits.",
    "오버플로", "overflow", "log-sum-exp", "logsumexp", "최댓값", "안정"))
def logsm_no_shift(logits, dim=-1):
    return logits - logits.exp().sum(dim=dim, keepdim=True).log()


@case("losses.log_softmax", OK("z - torch.logsumexp(z, dim, keepdim=True)."))
def logsm_lse(logits, dim=-1):
    return logits - torch.logsumexp(logits, dim=dim, keepdim=True)


@case("losses.cross_entropy", W(
    "Sign missing: returns the mean log-probability (negative) instead of its negative.",
    "부호", "sign", "음수", "negative", "마이너스"))
def ce_sign(logits, targets, ignore_index=None):
    lp = torch.log_softmax(logits, dim=1)
    keep = torch.ones_like(targets, dtype=torch.bool) if ignore_index is None else targets != ignore_index
    picked = lp.gather(1, targets.masked_fill(~keep, 0)[:, None])[:, 0]
    return picked[keep].mean()


@case("losses.cross_entropy", W(
    "Softmax applied first and the probabilities passed to F.cross_entropy as if they were logits "
    "(from_logits confusion).",
    "로짓", "logits", "확률", "probabilit", "소프트맥스", "from_logits"))
def ce_probs_as_logits(logits, targets, ignore_index=None):
    probs = torch.softmax(logits, -1)
    return F.cross_entropy(probs, targets, ignore_index=-100 if ignore_index is None else ignore_index)


@case("losses.cross_entropy", OK("F.cross_entropy with ignore_index=-100 when none is given."))
def ce_F(logits, targets, ignore_index=None):
    return F.cross_entropy(logits, targets, ignore_index=-100 if ignore_index is None else ignore_index)


@case("losses.masked_accuracy", W(
    "logits.max(-1) returns (values, indices); the max VALUES are compared with the labels.",
    "argmax", "인덱스", "index", "max", "값"))
def acc_max_values(logits, labels, pad_id=0):
    pred = logits.max(dim=-1)[0]
    keep = labels != pad_id
    return ((pred == labels) & keep).sum().item() / keep.sum().item()


@case("losses.masked_accuracy", W(
    "Padding counted: plain accuracy over every position.",
    "패딩", "padding", "PAD", "제외"))
def acc_padding_counted(logits, labels, pad_id=0):
    return (logits.argmax(-1) == labels).float().mean().item()


@case("losses.masked_accuracy", OK("Boolean indexing of the real tokens; returns a python float."))
def acc_bool_index(logits, labels, pad_id=0):
    keep = labels != pad_id
    return (logits.argmax(-1)[keep] == labels[keep]).float().mean().item()


# ================================================================ transformer.positional_encoding

@case("transformer.positional_encoding", W(
    "Built in numpy and returned as float64 (torch.from_numpy keeps the dtype).",
    "float32", "dtype", "float64", "자료형"))
def pe_float64(length, d_model):
    pe = np.zeros((length, d_model))
    pos = np.arange(length)[:, None]
    div = np.power(10000.0, np.arange(0, d_model, 2) / d_model)
    pe[:, 0::2] = np.sin(pos / div)
    pe[:, 1::2] = np.cos(pos / div)[:, : d_model // 2]
    return torch.from_numpy(pe)


@case("transformer.positional_encoding", W(
    "Exponent uses the column index j itself (10000^(j/d)) for both columns of a pair, instead of 2*(j//2): "
    "odd columns get a different frequency from their sin partner.",
    "지수", "exponent", "주파수", "frequency", "2i", "홀수"))
def pe_column_exponent(length, d_model):
    pos = torch.arange(length, dtype=torch.float32)[:, None]
    j = torch.arange(d_model, dtype=torch.float32)[None, :]
    angle = pos / torch.pow(10000.0, j / d_model)
    pe = angle.clone()
    pe[:, 0::2] = torch.sin(angle[:, 0::2])
    pe[:, 1::2] = torch.cos(angle[:, 1::2])
    return pe


# ================================================================ attention (chapter 06)

@case("attention.scaled_dot_product_attention", W(
    "d_k taken from v's last dimension (dv) instead of q/k's: wrong scale when dv != d.",
    "d_k", "스케일", "scale", "sqrt", "√"))
def sdpa_dk_from_v(q, k, v, mask=None):
    s = q @ k.transpose(-2, -1) / math.sqrt(v.size(-1))
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = s.softmax(-1)
    return w @ v, w


@case("attention.scaled_dot_product_attention", W(
    "k.T (numpy habit) reverses ALL axes for batched tensors instead of swapping the last two.",
    "전치", "transpose", "마지막 두", "last two", ".T", "배치"))
def sdpa_dot_T(q, k, v, mask=None):
    s = q @ k.T / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = F.softmax(s, dim=-1)
    return w @ v, w


@case("attention.split_heads", W(
    "Strided heads: view(B, T, dh, h) so head j takes every h-th feature, not a contiguous slice.",
    "헤드", "head", "연속", "slice", "순서", "view"))
def split_strided(x, num_heads):
    B, T, D = x.shape
    return x.view(B, T, D // num_heads, num_heads).permute(0, 3, 1, 2)


@case("attention.split_heads", OK("torch.stack of chunks along the feature axis."))
def split_chunks(x, num_heads):
    return torch.stack(x.chunk(num_heads, dim=-1), dim=1)


@case("attention.merge_heads", W(
    "permute(0, 2, 3, 1) puts the head axis last, so features of different heads interleave.",
    "순서", "축", "permute", "transpose", "헤드", "head"))
def merge_interleaved(x):
    B, h, T, dh = x.shape
    return x.permute(0, 2, 3, 1).reshape(B, T, h * dh)


@case("attention.merge_heads", OK("torch.cat of the heads along the feature axis."))
def merge_cat(x):
    return torch.cat(x.unbind(1), dim=-1)


@case("attention.multi_head_attention", W(
    "Output projection W_o, b_o never applied: returns the merged heads directly.",
    "출력", "output", "W_o", "투영", "projection"))
def mha_no_out_proj(query, key, value, params, num_heads, mask=None):
    p = params
    q = _heads(query @ p["W_q"].T + p["b_q"], num_heads)
    k = _heads(key @ p["W_k"].T + p["b_k"], num_heads)
    v = _heads(value @ p["W_v"].T + p["b_v"], num_heads)
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask.unsqueeze(1), float("-inf"))
    w = torch.softmax(s, -1)
    return (w @ v).transpose(1, 2).reshape(query.shape), w


@case("attention.multi_head_attention", W(
    "The mask is used as given, without a head axis: (B, Tq, Tk) lines up B with the head axis.",
    "헤드", "head", "축", "axis", "마스크", "broadcast"))
def mha_mask_no_head_axis(query, key, value, params, num_heads, mask=None):
    p = params
    q = _heads(F.linear(query, p["W_q"], p["b_q"]), num_heads)
    k = _heads(F.linear(key, p["W_k"], p["b_k"]), num_heads)
    v = _heads(F.linear(value, p["W_v"], p["b_v"]), num_heads)
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    if mask is not None:
        s = s.masked_fill(~mask, float("-inf"))
    w = torch.softmax(s, -1)
    return F.linear((w @ v).transpose(1, 2).flatten(2), p["W_o"], p["b_o"]), w


@case("attention.multi_head_attention", OK("Loop over heads with weight slices, concatenated."))
def mha_loop_heads(query, key, value, params, num_heads, mask=None):
    p = params
    D = query.shape[-1]
    dh = D // num_heads
    outs, ws = [], []
    for j in range(num_heads):
        s = slice(j * dh, (j + 1) * dh)
        q = F.linear(query, p["W_q"][s], p["b_q"][s])
        k = F.linear(key, p["W_k"][s], p["b_k"][s])
        v = F.linear(value, p["W_v"][s], p["b_v"][s])
        sc = torch.einsum("bqd,bkd->bqk", q, k) / math.sqrt(dh)
        if mask is not None:
            sc = sc.masked_fill(~mask, float("-inf"))
        w = sc.softmax(-1)
        outs.append(w @ v)
        ws.append(w)
    return F.linear(torch.cat(outs, -1), p["W_o"], p["b_o"]), torch.stack(ws, 1)


# ================================================================ transformer.layer_norm

@case("transformer.layer_norm", W(
    "The mean is not subtracted (RMS normalisation): x / sqrt(mean(x^2) + eps).",
    "평균", "mean", "빼", "subtract", "중심"))
def ln_rms(x, weight, bias, eps=1e-5):
    return x / torch.sqrt(x.pow(2).mean(-1, keepdim=True) + eps) * weight + bias


@case("transformer.layer_norm", W(
    "weight and bias swapped: x_hat * bias + weight.",
    "weight", "bias", "바뀌", "swap", "스케일", "이동"))
def ln_swapped_params(x, weight, bias, eps=1e-5):
    mu = x.mean(-1, keepdim=True)
    var = x.var(-1, keepdim=True, unbiased=False)
    return (x - mu) / (var + eps).sqrt() * bias + weight


# ================================================================ masks

@case("masks.causal_mask", W(
    "Upper triangle including the diagonal (triu instead of tril): each position sees the future, not the past.",
    "위", "upper", "아래", "미래", "future", "반대"))
def causal_triu(length):
    return torch.ones(length, length, dtype=torch.bool).triu()


@case("masks.causal_mask", OK("~triu(ones, 1)."))
def causal_not_triu(length):
    return ~torch.ones(length, length, dtype=torch.bool).triu(1)


@case("masks.padding_mask", W(
    "No query axis added: returns (B, T) instead of (B, 1, T).",
    "축", "axis", "모양", "shape", "(B, 1, T)", "unsqueeze"))
def pad_no_unsqueeze(tokens, pad_id=0):
    return tokens != pad_id


@case("masks.padding_mask", OK("tokens.ne(pad_id)[:, None, :]."))
def pad_ne(tokens, pad_id=0):
    return tokens.ne(pad_id)[:, None, :]


@case("masks.decoder_self_attention_mask", W(
    "Causal part excludes the diagonal: no position may attend to itself (and row 0 sees nothing).",
    "대각", "diagonal", "자기 자신", "itself"))
def dec_mask_no_diag(tgt_input, pad_id=0):
    T = tgt_input.size(1)
    causal = torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=-1)
    return causal.unsqueeze(0) & (tgt_input != pad_id).unsqueeze(1)


@case("masks.decoder_self_attention_mask", OK("Explicit python loops."))
def dec_mask_loops(tgt_input, pad_id=0):
    B, T = tgt_input.shape
    out = torch.zeros(B, T, T, dtype=torch.bool)
    for b in range(B):
        for i in range(T):
            for j in range(i + 1):
                out[b, i, j] = bool(tgt_input[b, j] != pad_id)
    return out


# ================================================================ class exercises

@case("transformer.EncoderLayer", W(
    "norm1 and norm2 swapped: the attention sublayer uses norm2 and the feed-forward norm1.",
    "norm1", "norm2", "바뀌", "swap", "정규화", "순서"))
class EncNormsSwapped(_tr.EncoderLayer):
    def forward(self, x, mask=None):
        a, self.attention_weights = self.self_attention(x, x, x, mask)
        x = self.norm2(x + self.dropout(a))
        return self.norm1(x + self.dropout(self.feed_forward(x)))


@case("transformer.EncoderLayer", W(
    "The padding mask is not passed to the self-attention.",
    "마스크", "mask", "패딩", "padding"))
class EncMaskIgnored(_tr.EncoderLayer):
    def forward(self, x, mask=None):
        a, self.attention_weights = self.self_attention(x, x, x)
        x = self.norm1(x + self.dropout(a))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


@case("transformer.DecoderLayer", W(
    "Residual missing around the feed-forward: norm3(dropout(ffn(x))).",
    "잔차 연결", "residual", "더하", "Add", "피드포워드"))
class DecNoFfnResidual(_tr.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        a, self.self_attention_weights = self.self_attention(x, x, x, self_mask)
        x = self.norm1(x + self.dropout(a))
        c, self.cross_attention_weights = self.cross_attention(x, context, context, cross_mask)
        x = self.norm2(x + self.dropout(c))
        return self.norm3(self.dropout(self.feed_forward(x)))


@case("transformer.Transformer", W(
    "context and x unpacked in the wrong order (x, context = inputs): the encoder reads the target.",
    "순서", "order", "context", "x", "inputs", "바뀌"))
class TrfSwappedInputs(_tr.Transformer):
    def forward(self, inputs):
        x, context = inputs
        mask = _tr.padding_mask(context)
        enc = self.encoder(context, mask)
        return self.final_layer(self.decoder(x, enc, mask))


@case("transformer.Transformer", W(
    "final_layer never applied: returns the decoder output (B, T, D), not logits over the vocabulary.",
    "final_layer", "선형", "linear", "로짓", "logits", "어휘"))
class TrfNoFinalLayer(_tr.Transformer):
    def forward(self, inputs):
        context, x = inputs
        mask = _tr.padding_mask(context)
        return self.decoder(x, self.encoder(context, mask), mask)


@case("transformer.Transformer", W(
    "The cross-attention gets no source padding mask (decoder called without it).",
    "패딩 마스크", "padding mask", "크로스 어텐션", "cross", "마스크"))
class TrfNoCrossMask(_tr.Transformer):
    def forward(self, inputs):
        context, x = inputs
        context = self.encoder(context, _tr.padding_mask(context))
        return self.final_layer(self.decoder(x, context))


@case("transformer.EncoderLayer", W(
    "Dropout applied to the residual sum (dropout(x + attention)) instead of to the sublayer output only: "
    "differs only in training.",
    "드롭아웃", "dropout", "학습 모드", "train", "위치", train_mode_only=True))
class EncDropoutOnSum(_tr.EncoderLayer):
    def forward(self, x, mask=None):
        a, self.attention_weights = self.self_attention(x, x, x, mask)
        x = self.norm1(self.dropout(x + a))
        return self.norm2(self.dropout(x + self.feed_forward(x)))
