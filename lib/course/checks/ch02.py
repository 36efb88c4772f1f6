"""Chapter 02 exercises: the LSTM cell and the GRU cell, checked against nn.LSTMCell / nn.GRUCell."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import rnn
from lib.course.checks.exercise import Case, Exercise, Mistake


def _gate_weights(g, gates, input_size, hidden_size):
    """Weights in torch's layout, drawn wide enough that every gate is far from 0.5."""
    scale = 1.5 * hidden_size ** -0.5
    return (
        torch.empty(gates * hidden_size, input_size).uniform_(-scale, scale, generator=g),
        torch.empty(gates * hidden_size, hidden_size).uniform_(-scale, scale, generator=g),
        torch.empty(gates * hidden_size).uniform_(-1.0, 1.0, generator=g),
        torch.empty(gates * hidden_size).uniform_(-1.0, 1.0, generator=g),
    )


def _lstm_cases():
    g = torch.Generator().manual_seed(3)
    cases = []
    for batch, d_in, hidden, label in [(3, 4, 5, ""), (2, 6, 6, "입력 크기 = 은닉 크기"), (1, 3, 2, "배치 1")]:
        x = torch.randn(batch, d_in, generator=g) * 2
        state = (torch.randn(batch, hidden, generator=g), torch.randn(batch, hidden, generator=g) * 2)
        cases.append(Case((x, state, *_gate_weights(g, 4, d_in, hidden)), label=label))
    return cases


def _gru_cases():
    g = torch.Generator().manual_seed(4)
    cases = []
    for batch, d_in, hidden, label in [(3, 4, 5, ""), (2, 6, 6, "입력 크기 = 은닉 크기"), (1, 3, 2, "배치 1")]:
        x = torch.randn(batch, d_in, generator=g) * 2
        h = torch.randn(batch, hidden, generator=g)
        cases.append(Case((x, h, *_gate_weights(g, 3, d_in, hidden)), label=label))
    return cases


def _load(module, weight_ih, weight_hh, bias_ih, bias_hh):
    with torch.no_grad():
        module.weight_ih.copy_(weight_ih)
        module.weight_hh.copy_(weight_hh)
        module.bias_ih.copy_(bias_ih)
        module.bias_hh.copy_(bias_hh)
    return module


def torch_lstm_cell(x, state, weight_ih, weight_hh, bias_ih, bias_hh):
    """Oracle: nn.LSTMCell with the given weights."""
    cell = nn.LSTMCell(x.size(1), state[0].size(1))
    return _load(cell, weight_ih, weight_hh, bias_ih, bias_hh)(x, state)


def torch_gru_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    """Oracle: nn.GRUCell with the given weights."""
    cell = nn.GRUCell(x.size(1), h.size(1))
    return _load(cell, weight_ih, weight_hh, bias_ih, bias_hh)(x, h)


# ---------------------------------------------------------------- LSTM: right and wrong answers


def _lstm_gates(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return (x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh).chunk(4, dim=-1)


def lstm_by_slices(x, state, weight_ih, weight_hh, bias_ih, bias_hh):
    """A correct answer written gate by gate with explicit slices and F.linear."""
    h, c = state
    size = h.size(1)
    pre = F.linear(x, weight_ih, bias_ih) + F.linear(h, weight_hh, bias_hh)
    input_gate = torch.sigmoid(pre[:, :size])
    forget_gate = torch.sigmoid(pre[:, size:2 * size])
    candidate = torch.tanh(pre[:, 2 * size:3 * size])
    output_gate = torch.sigmoid(pre[:, 3 * size:])
    c_next = forget_gate * c + input_gate * candidate
    return output_gate * torch.tanh(c_next), c_next


def _lstm_with_order(order):
    """LSTM whose 4 chunks are read in another order (e.g. 'ifog' = i, f, o, g; torch and Keras 3 both use i, f, g, o)."""

    def cell(x, state, *weights):
        h, c = state
        chunks = dict(zip(order, _lstm_gates(x, h, *weights)))
        i, f, o = torch.sigmoid(chunks["i"]), torch.sigmoid(chunks["f"]), torch.sigmoid(chunks["o"])
        g = torch.tanh(chunks["g"])
        c_next = f * c + i * g
        return o * torch.tanh(c_next), c_next

    return cell


def _lstm_no_tanh_on_cell(x, state, *weights):
    h, c = state
    i, f, g, o = _lstm_gates(x, h, *weights)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * c_next, c_next


def _lstm_sigmoid_candidate(x, state, *weights):
    h, c = state
    i, f, g, o = _lstm_gates(x, h, *weights)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.sigmoid(g)
    return torch.sigmoid(o) * torch.tanh(c_next), c_next


def _lstm_no_input_gate(x, state, *weights):
    h, c = state
    i, f, g, o = _lstm_gates(x, h, *weights)
    c_next = torch.sigmoid(f) * c + torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c_next), c_next


def _lstm_old_cell_for_h(x, state, *weights):
    h, c = state
    i, f, g, o = _lstm_gates(x, h, *weights)
    c_next = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
    return torch.sigmoid(o) * torch.tanh(c), c_next


# ---------------------------------------------------------------- GRU: right and wrong answers


def gru_by_slices(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    """A correct answer with the three gates' weights sliced out one by one."""
    size = h.size(1)
    w_ir, w_iz, w_in = weight_ih[:size], weight_ih[size:2 * size], weight_ih[2 * size:]
    w_hr, w_hz, w_hn = weight_hh[:size], weight_hh[size:2 * size], weight_hh[2 * size:]
    b_ir, b_iz, b_in = bias_ih[:size], bias_ih[size:2 * size], bias_ih[2 * size:]
    b_hr, b_hz, b_hn = bias_hh[:size], bias_hh[size:2 * size], bias_hh[2 * size:]
    reset = torch.sigmoid(F.linear(x, w_ir, b_ir) + F.linear(h, w_hr, b_hr))
    update = torch.sigmoid(F.linear(x, w_iz, b_iz) + F.linear(h, w_hz, b_hz))
    candidate = torch.tanh(F.linear(x, w_in, b_in) + reset * F.linear(h, w_hn, b_hn))
    return h + (1 - update) * (candidate - h)


def _gru_parts(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    return (x @ weight_ih.T + bias_ih).chunk(3, dim=-1), (h @ weight_hh.T + bias_hh).chunk(3, dim=-1)


def _gru_update_swapped(x, h, *weights):
    (x_r, x_z, x_n), (h_r, h_z, h_n) = _gru_parts(x, h, *weights)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return z * n + (1 - z) * h


def _gru_order_zrn(x, h, *weights):
    (x_z, x_r, x_n), (h_z, h_r, h_n) = _gru_parts(x, h, *weights)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


def _gru_reset_before_matmul(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    (x_r, x_z, x_n), (h_r, h_z, _) = _gru_parts(x, h, weight_ih, weight_hh, bias_ih, bias_hh)
    r, z = torch.sigmoid(x_r + h_r), torch.sigmoid(x_z + h_z)
    size = h.size(1)
    h_n = (r * h) @ weight_hh[2 * size:].T + bias_hh[2 * size:]
    n = torch.tanh(x_n + h_n)
    return (1 - z) * n + z * h


def _gru_no_reset(x, h, *weights):
    (x_r, x_z, x_n), (h_r, h_z, h_n) = _gru_parts(x, h, *weights)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + h_n)
    return (1 - z) * n + z * h


def _gru_returns_candidate(x, h, *weights):
    (x_r, x_z, x_n), (h_r, h_z, h_n) = _gru_parts(x, h, *weights)
    r = torch.sigmoid(x_r + h_r)
    return torch.tanh(x_n + r * h_n)


EXERCISES_HERE = [
    Exercise(
        id="rnn.lstm_cell",
        hints=[
            "x와 h를 한 번에 변환해 네 덩어리로 나눕니다: 입력 게이트 i, 망각 게이트 f, 후보 g, 출력 게이트 o (torch의 순서). 새 셀 상태는 '이전 셀 상태 중 남길 몫 "
            "+ 후보 중 받아들일 몫', 새 은닉 상태는 출력 게이트로 거른 tanh(새 셀 상태)입니다.",
            "gates = x W_ihᵀ + b_ih + h W_hhᵀ + b_hh  (B, 4H) → chunk(4, dim=-1)로 i, f, g, o 각각 (B, H).  i, f, "
            "o에는 sigmoid, g에는 tanh.  c' = f ⊙ c + i ⊙ g,  h' = o ⊙ tanh(c').  돌려주는 순서는 (h', c').",
            "h, c = state\n"
            "gates = x @ weight_ih.T + bias_ih + ___ + ___          # (B, 4H)\n"
            "i, f, g, o = gates.chunk(___, dim=-1)\n"
            "i, f, o = torch.sigmoid(i), torch.sigmoid(f), torch.sigmoid(o)\n"
            "g = torch.___(g)\n"
            "c_next = ___ * c + ___ * g\n"
            "h_next = o * ___\n"
            "return h_next, c_next",
        ],
        chapter="02",
        reference=rnn.lstm_cell,
        cases=_lstm_cases,
        oracle=torch_lstm_cell,
        oracle_name="nn.LSTMCell",
        output_names=("h", "c"),
        alternatives=[lstm_by_slices],
        mistakes=[
            Mistake("게이트 순서를 i, f, o, g로 읽음",
                    "torch는 4H개 행을 입력 게이트 i, 망각 게이트 f, 후보 g, 출력 게이트 o 순서로 쌓습니다: i, f, g, o = gates.chunk(4, dim=-1).",
                    _lstm_with_order("ifog")),
            Mistake("게이트 순서를 f, i, g, o로 읽음",
                    "첫 번째 덩어리가 입력 게이트 i, 두 번째가 망각 게이트 f입니다 (torch 순서 i, f, g, o).",
                    _lstm_with_order("figo")),
            Mistake("h를 만들 때 셀 상태에 tanh를 빠뜨림",
                    "h' = o * tanh(c')입니다. 셀 상태는 범위가 제한되지 않으므로 tanh로 눌러 준 뒤 출력 게이트를 곱합니다.",
                    _lstm_no_tanh_on_cell),
            Mistake("후보 g에 sigmoid를 씀",
                    "후보 값 g는 tanh(-1~1)이고, 0~1의 sigmoid는 게이트(i, f, o)에만 씁니다.",
                    _lstm_sigmoid_candidate),
            Mistake("입력 게이트 i를 곱하지 않음",
                    "새 셀 상태는 c' = f * c + i * g입니다. 후보 g를 얼마나 받아들일지 입력 게이트가 정합니다.",
                    _lstm_no_input_gate),
            Mistake("h를 이전 셀 상태 c로 계산함",
                    "먼저 c'를 계산하고, 그 새 셀 상태로 h' = o * tanh(c')를 만듭니다.",
                    _lstm_old_cell_for_h),
        ],
    ),
    Exercise(
        id="rnn.gru_cell",
        hints=[
            "GRU는 게이트 둘(리셋 r, 업데이트 z)과 후보 n, 세 묶음입니다(torch 순서 r, z, n). 후보 n을 만들 때 이전 상태 쪽 항에 리셋 게이트를 곱하고, 마지막에 업데이트 게이트 z로 "
            "'이전 상태'와 '후보'를 섞습니다 (z가 클수록 이전 상태 유지).",
            "x 쪽: x W_ihᵀ + b_ih (B, 3H) → r_x, z_x, n_x;  h 쪽: h W_hhᵀ + b_hh (B, 3H) → r_h, z_h, n_h.  r = "
            "σ(r_x + r_h), z = σ(z_x + z_h), n = tanh(n_x + r ⊙ n_h),  h' = (1 - z) ⊙ n + z ⊙ h.",
            "x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=-1)\n"
            "h_r, h_z, h_n = (___).chunk(3, dim=-1)\n"
            "r = torch.sigmoid(x_r + h_r)\n"
            "z = torch.sigmoid(___)\n"
            "n = torch.tanh(x_n + ___ * h_n)\n"
            "return (1 - ___) * n + ___ * h",
        ],
        chapter="02",
        reference=rnn.gru_cell,
        cases=_gru_cases,
        oracle=torch_gru_cell,
        oracle_name="nn.GRUCell",
        alternatives=[gru_by_slices],
        mistakes=[
            Mistake("업데이트 게이트의 z와 1 - z를 바꿈",
                    "torch의 GRU는 h' = (1 - z) * n + z * h 입니다 (z가 클수록 이전 상태를 유지). 교재마다 반대로 쓰기도 하니 torch 식을 따르세요.",
                    _gru_update_swapped),
            Mistake("게이트 순서를 z, r, n으로 읽음",
                    "torch는 3H개 행을 리셋(r)·업데이트(z)·후보(n) 순서로 쌓습니다: chunk(3)의 첫 덩어리가 r입니다.",
                    _gru_order_zrn),
            Mistake("리셋 게이트를 행렬 곱 앞에서 곱함 (원 논문 / Keras reset_after=False 방식)",
                    "torch는 n = tanh(W_in x + b_in + r * (W_hn h + b_hn))로, 행렬 곱과 편향 뒤에 r을 곱합니다.",
                    _gru_reset_before_matmul),
            Mistake("리셋 게이트를 쓰지 않음", "후보 n을 만들 때 이전 상태 쪽 항(W_hn h + b_hn)에 r을 곱해야 합니다.",
                    _gru_no_reset),
            Mistake("후보 n을 그대로 새 상태로 돌려줌",
                    "마지막에 업데이트 게이트로 섞어야 합니다: h' = (1 - z) * n + z * h.",
                    _gru_returns_candidate),
        ],
    ),
]
