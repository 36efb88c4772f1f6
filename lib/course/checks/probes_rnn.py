"""Probes for the recurrent cells and the RNN layer: which term, gate, bias or product differs.

The cells are probed on their own inputs (square and non-square sizes, so a missing transpose shows)
with every formula part as a factor (``probes.search``); the layer is probed step by step against the
reference cell (which step first differs, and what it equals instead)."""

from __future__ import annotations

import itertools

import torch

from lib import rnn
from lib.course.checks.exercise import Case
from lib.course.checks.probe_tools import close, joined, probe, search, tensor

ACTS = {"tanh": torch.tanh, "sigmoid": torch.sigmoid, "relu": torch.relu, "none": lambda x: x}
BIAS = [(1, ""), (0, "{name}를 더하지 않음"), (2, "{name}를 두 번 더함")]


def _bias_options(name):
    return [(value, label.format(name=name)) for value, label in BIAS]


def _weights(g, gates, d_in, hidden, scale=0.6):
    return (torch.randn(gates * hidden, d_in, generator=g) * scale, torch.randn(gates * hidden, hidden, generator=g) * scale,
            torch.randn(gates * hidden, generator=g) * 0.5, torch.randn(gates * hidden, generator=g) * 0.5)


# ---------------------------------------------------------------- RNN cell


def _cell_inputs():
    g = torch.Generator().manual_seed(111)
    cases = []
    for batch, d_in, hidden in [(3, 4, 4), (2, 3, 5)]:
        cases.append(Case((torch.randn(batch, d_in, generator=g), torch.randn(batch, hidden, generator=g),
                           *_weights(g, 1, d_in, hidden))))
    return cases


def _rnn_variant(act, ih_t, hh_t, swap, x_term, h_term, b_ih, b_hh, bias_outside):
    def cell(x, h, w_ih, w_hh, bias_ih, bias_hh):
        if swap:
            w_ih, w_hh = w_hh, w_ih
        pre = 0
        if x_term:
            pre = pre + x @ (w_ih.T if ih_t else w_ih)
        if h_term:
            pre = pre + h @ (w_hh.T if hh_t else w_hh)
        bias = b_ih * bias_ih + b_hh * bias_hh
        return ACTS[act](pre) + bias if bias_outside else ACTS[act](pre + bias)

    return cell


@probe("rnn.rnn_cell")
def rnn_cell_terms(ctx):
    factors = [
        ("act", [("tanh", ""), ("none", "tanh를 빠뜨림 (활성화 함수 없음)"), ("sigmoid", "tanh 대신 sigmoid를 씀"),
                 ("relu", "tanh 대신 ReLU를 씀")]),
        ("ih_t", [(True, ""), (False, "weight_ih를 전치하지 않음 (x @ weight_ih.T 가 아니라 x @ weight_ih)")]),
        ("hh_t", [(True, ""), (False, "weight_hh를 전치하지 않음 (h @ weight_hh.T 가 아니라 h @ weight_hh)")]),
        ("swap", [(False, ""), (True, "weight_ih와 weight_hh를 바꿔 씀 (ih는 입력 x, hh는 이전 은닉 상태 h에 곱함)")]),
        ("x_term", [(True, ""), (False, "입력 x 항(x @ weight_ih.T)이 없음")]),
        ("h_term", [(True, ""), (False, "이전 은닉 상태 h 항(h @ weight_hh.T)이 없음: 순환이 빠졌습니다")]),
        ("b_ih", _bias_options("bias_ih")),
        ("b_hh", _bias_options("bias_hh")),
        ("bias_outside", [(False, ""), (True, "편향을 tanh 밖에서 더함 (편향은 tanh 안, 활성화 전에 더함)")]),
    ]
    labels = search(ctx, factors, lambda **f: _rnn_variant(**f), _cell_inputs())
    text = joined(labels)
    return f"{text}. h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh)" if text else None


# ---------------------------------------------------------------- LSTM cell

LSTM_ORDER = "ifgo"
GATE_NAMES = {"i": "입력 게이트 i", "f": "망각 게이트 f", "g": "후보 g", "o": "출력 게이트 o",
              "r": "리셋 게이트 r", "z": "업데이트 게이트 z", "n": "후보 n"}


def _order_options(order: str):
    options = [(order, "")]
    for perm in itertools.permutations(order):
        text = "".join(perm)
        if text != order:
            options.append((text, f"게이트 덩어리를 {', '.join(perm)} 순서로 읽음 (torch의 순서는 {', '.join(order)})"))
    return options


def _lstm_inputs():
    g = torch.Generator().manual_seed(112)
    cases = []
    for batch, d_in, hidden in [(3, 4, 4), (2, 3, 5)]:
        state = (torch.randn(batch, hidden, generator=g), torch.randn(batch, hidden, generator=g) * 2)
        cases.append(Case((torch.randn(batch, d_in, generator=g), state, *_weights(g, 4, d_in, hidden, 0.8))))
    return cases


def _lstm_variant(order, g_act, i_gate, f_gate, o_gate, h_from, tanh_c, b_ih, b_hh, swap_out, gate_act):
    def cell(x, state, w_ih, w_hh, bias_ih, bias_hh):
        h, c = state
        pre = x @ w_ih.T + h @ w_hh.T + b_ih * bias_ih + b_hh * bias_hh
        chunks = dict(zip(order, pre.chunk(4, dim=-1)))
        gate = ACTS[gate_act]
        i, f, o = gate(chunks["i"]), gate(chunks["f"]), gate(chunks["o"])
        cand = ACTS[g_act](chunks["g"])
        c_next = (f * c if f_gate == "mul" else c if f_gate == "none" else f + c) + \
            (i * cand if i_gate == "mul" else cand if i_gate == "none" else i + cand)
        c_for_h = c_next if h_from == "new" else c
        squashed = torch.tanh(c_for_h) if tanh_c else c_for_h
        h_next = o * squashed if o_gate == "mul" else squashed if o_gate == "none" else o + squashed
        return (c_next, h_next) if swap_out else (h_next, c_next)

    return cell


@probe("rnn.lstm_cell")
def lstm_cell_terms(ctx):
    factors = [
        ("order", _order_options(LSTM_ORDER)),
        ("g_act", [("tanh", ""), ("sigmoid", "후보 g에 tanh가 아니라 sigmoid를 씀"), ("none", "후보 g에 tanh를 빠뜨림")]),
        ("gate_act", [("sigmoid", ""), ("tanh", "게이트 i, f, o에 sigmoid가 아니라 tanh를 씀")]),
        ("i_gate", [("mul", ""), ("none", "입력 게이트 i를 곱하지 않음 (c' = f*c + g)"),
                    ("add", "입력 게이트 i를 곱하지 않고 더함 (i + g)")]),
        ("f_gate", [("mul", ""), ("none", "망각 게이트 f를 곱하지 않음 (c' = c + i*g)"),
                    ("add", "망각 게이트 f를 곱하지 않고 더함 (f + c)")]),
        ("o_gate", [("mul", ""), ("none", "출력 게이트 o를 곱하지 않음 (h' = tanh(c'))"),
                    ("add", "출력 게이트 o를 곱하지 않고 더함 (o + tanh(c'))")]),
        ("h_from", [("new", ""), ("old", "h'를 새 셀 상태 c'가 아니라 이전 셀 상태 c로 계산함")]),
        ("tanh_c", [(True, ""), (False, "h'를 만들 때 셀 상태에 tanh를 빠뜨림 (h' = o * tanh(c'))")]),
        ("b_ih", _bias_options("bias_ih")),
        ("b_hh", _bias_options("bias_hh")),
        ("swap_out", [(False, ""), (True, "(h, c)가 아니라 (c, h) 순서로 돌려줌")]),
    ]
    labels = search(ctx, factors, lambda **f: _lstm_variant(**f), _lstm_inputs())
    text = joined(labels)
    if text:
        return f"{text}. c' = f*c + i*g, h' = o*tanh(c'), 게이트 덩어리 순서는 i, f, g, o"
    return _which_output(ctx, _lstm_inputs(), ("h", "c"))


# ---------------------------------------------------------------- GRU cell


def _gru_inputs():
    g = torch.Generator().manual_seed(113)
    cases = []
    for batch, d_in, hidden in [(3, 4, 4), (2, 3, 5)]:
        cases.append(Case((torch.randn(batch, d_in, generator=g), torch.randn(batch, hidden, generator=g),
                           *_weights(g, 3, d_in, hidden, 0.8))))
    return cases


def _gru_variant(order, mix, reset, n_act, returns, b_ih, b_hh, gate_act):
    def cell(x, h, w_ih, w_hh, bias_ih, bias_hh):
        size = h.size(1)
        xs = dict(zip(order, (x @ w_ih.T + b_ih * bias_ih).chunk(3, dim=-1)))
        hs = dict(zip(order, (h @ w_hh.T + b_hh * bias_hh).chunk(3, dim=-1)))
        gate = ACTS[gate_act]
        r, z = gate(xs["r"] + hs["r"]), gate(xs["z"] + hs["z"])
        rows = {k: i for i, k in enumerate(order)}["n"]
        if reset == "after":
            h_part = r * hs["n"]
        elif reset == "before":
            h_part = (r * h) @ w_hh[rows * size:(rows + 1) * size].T + b_hh * bias_hh[rows * size:(rows + 1) * size]
        elif reset == "outside_bias":
            h_part = r * (h @ w_hh[rows * size:(rows + 1) * size].T) + b_hh * bias_hh[rows * size:(rows + 1) * size]
        else:
            h_part = hs["n"]
        n = ACTS[n_act](xs["n"] + h_part)
        if returns == "n":
            return n
        return (1 - z) * n + z * h if mix == "torch" else z * n + (1 - z) * h

    return cell


@probe("rnn.gru_cell")
def gru_cell_terms(ctx):
    factors = [
        ("order", _order_options("rzn")),
        ("mix", [("torch", ""), ("swapped", "업데이트 게이트의 z와 1 - z를 바꿈 (torch: h' = (1 - z)*n + z*h)")]),
        ("reset", [("after", ""), ("before", "리셋 게이트를 행렬 곱 앞에서 h에 곱함 (torch는 r * (W_hn h + b_hn))"),
                   ("outside_bias", "b_hn을 리셋 게이트 밖에서 더함 (torch는 r * (W_hn h + b_hn))"),
                   ("none", "리셋 게이트 r을 쓰지 않음")]),
        ("n_act", [("tanh", ""), ("sigmoid", "후보 n에 tanh가 아니라 sigmoid를 씀"), ("none", "후보 n에 tanh를 빠뜨림")]),
        ("gate_act", [("sigmoid", ""), ("tanh", "게이트 r, z에 sigmoid가 아니라 tanh를 씀")]),
        ("returns", [("h", ""), ("n", "후보 n을 그대로 새 상태로 돌려줌 (업데이트 게이트로 섞지 않음)")]),
        ("b_ih", _bias_options("bias_ih")),
        ("b_hh", _bias_options("bias_hh")),
    ]
    labels = search(ctx, factors, lambda **f: _gru_variant(**f), _gru_inputs())
    text = joined(labels)
    return f"{text}. r = σ(·), z = σ(·), n = tanh(W_in x + b_in + r*(W_hn h + b_hn)), h' = (1-z)*n + z*h" if text else None


def _which_output(ctx, inputs, names):
    """'c는 맞고 h가 다름' when only one output of a tuple differs on every probe input."""
    wrong = set()
    for case in inputs:
        got = ctx.run(*case.args)
        ref = ctx.ref(*case.args)
        if not (isinstance(got, (tuple, list)) and len(got) == len(names)):
            return None
        for name, a, b in zip(names, got, ref):
            if not close(a, b):
                wrong.add(name)
    if len(wrong) == 1:
        bad = wrong.pop()
        good = [n for n in names if n != bad]
        return (f"{', '.join(good)}는 맞고 {bad}만 다릅니다: {bad}를 만드는 마지막 식을 보세요 "
                "(자동 진단으로 어느 항인지까지는 특정하지 못했습니다)")
    return None


# ---------------------------------------------------------------- RNN layer


def _layer_inputs():
    g = torch.Generator().manual_seed(114)
    x = torch.randn(2, 4, 3, generator=g)
    h0 = torch.randn(2, 5, generator=g) * 0.5
    return x, h0, *_weights(g, 1, 3, 5)


@probe("rnn.rnn_layer")
def rnn_layer_steps(ctx):
    x, h0, *w = _layer_inputs()
    got = ctx.run(x, h0, *w)
    if not (isinstance(got, (tuple, list)) and len(got) == 2):
        return None
    outputs, h_last = tensor(got[0]), tensor(got[1])
    ref_out, ref_last = (tensor(t) for t in ctx.ref(x, h0, *w))
    if outputs is None or h_last is None:
        return None
    if outputs.shape != ref_out.shape:
        if outputs.shape == ref_out.transpose(0, 1).shape and close(outputs.transpose(0, 1), ref_out):
            return "outputs를 시간 축이 맨 앞인 (T, B, H)로 쌓음. 이 코스는 배치 우선입니다: torch.stack(outputs, dim=1)"
        return None
    if close(outputs, ref_out):
        if close(h_last, ref_last):
            return None
        if close(h_last, ref_out[:, 0]):
            return "h_last로 첫 시점의 상태를 돌려줌. h_last는 마지막 시점(t = T-1)의 은닉 상태입니다"
        if close(h_last, h0):
            return "h_last로 h0을 그대로 돌려줌. 반복문 안에서 갱신한 h를 돌려주세요"
        return "outputs는 맞고 h_last만 다릅니다: h_last = outputs[:, -1] (마지막 시점의 은닉 상태)"
    steps = x.size(1)
    if close(outputs[:, 0], h0):
        return ("새 h를 계산하기 전에 outputs에 넣음 (한 칸씩 밀림): outputs[:, 0]이 h0입니다. 셀을 먼저 계산하고 그 결과를 "
                "쌓으세요")
    if close(outputs, ref_out.flip(1)) or close(outputs.flip(1), _run_cells(x.flip(1), h0, w)):
        return "시간을 거꾸로 처리함: t = 0부터 T-1까지 차례로 읽으세요"
    for t in range(steps):
        if not close(outputs[:, t], ref_out[:, t]):
            fresh = rnn.rnn_cell(x[:, t], h0, *w).double()
            if t > 0 and close(outputs[:, t], fresh):
                return (f"시점 {t}부터 다릅니다: 매 시점에 h0을 다시 씀 (은닉 상태를 넘겨주지 않음). 각 시점의 새 h를 다음 "
                        "시점의 입력 상태로 넘기세요")
            return (f"시점 0..{t - 1}은 맞고 시점 {t}부터 다릅니다" if t else "첫 시점부터 다릅니다") + \
                ": 반복문 안에서 셀에 넘기는 x[:, t]와 h를 확인하세요"
    return None


def _run_cells(x, h, w):
    outs = []
    for t in range(x.size(1)):
        h = rnn.rnn_cell(x[:, t], h, *w)
        outs.append(h)
    return torch.stack(outs, 1).double()
