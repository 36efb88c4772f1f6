"""Chapter 01 exercises: the RNN cell and the RNN layer, checked against nn.RNNCell / nn.RNN."""

import torch
import torch.nn as nn

from lib import rnn
from lib.course.checks.exercise import Case, Exercise, Mistake


def _rnn_weights(g, input_size, hidden_size):
    scale = hidden_size ** -0.5
    return (
        torch.empty(hidden_size, input_size).uniform_(-scale, scale, generator=g),
        torch.empty(hidden_size, hidden_size).uniform_(-scale, scale, generator=g),
        torch.empty(hidden_size).uniform_(-scale, scale, generator=g),
        torch.empty(hidden_size).uniform_(-scale, scale, generator=g),
    )


def _cell_cases():
    g = torch.Generator().manual_seed(1)
    cases = []
    for batch, d_in, hidden, label in [(3, 5, 5, "입력 크기 = 은닉 크기"), (2, 3, 4, ""), (1, 2, 6, "배치 1")]:
        x = torch.randn(batch, d_in, generator=g) * 2
        h = torch.randn(batch, hidden, generator=g)
        cases.append(Case((x, h, *_rnn_weights(g, d_in, hidden)), label=label))
    return cases


def _layer_cases():
    g = torch.Generator().manual_seed(2)
    cases = []
    for batch, length, d_in, hidden, label in [(3, 4, 4, 4, "입력 크기 = 은닉 크기"), (2, 5, 3, 4, ""), (1, 1, 2, 3, "시점 하나")]:
        x = torch.randn(batch, length, d_in, generator=g)
        h0 = torch.randn(batch, hidden, generator=g) * 0.5
        cases.append(Case((x, h0, *_rnn_weights(g, d_in, hidden)), label=label))
    return cases


def _load_rnn_weights(module, weight_ih, weight_hh, bias_ih, bias_hh, suffix=""):
    with torch.no_grad():
        getattr(module, "weight_ih" + suffix).copy_(weight_ih)
        getattr(module, "weight_hh" + suffix).copy_(weight_hh)
        getattr(module, "bias_ih" + suffix).copy_(bias_ih)
        getattr(module, "bias_hh" + suffix).copy_(bias_hh)
    return module


def torch_rnn_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    """Oracle: nn.RNNCell with the given weights."""
    cell = nn.RNNCell(x.size(1), h.size(1), nonlinearity="tanh")
    return _load_rnn_weights(cell, weight_ih, weight_hh, bias_ih, bias_hh)(x, h)


def torch_rnn_layer(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    """Oracle: nn.RNN (batch_first) with the given weights."""
    layer = nn.RNN(x.size(2), h0.size(1), batch_first=True)
    _load_rnn_weights(layer, weight_ih, weight_hh, bias_ih, bias_hh, suffix="_l0")
    outputs, h_n = layer(x, h0.unsqueeze(0))
    return outputs, h_n.squeeze(0)


def _layer_with(cell_fn, feed_back=True, stack_dim=1):
    """An rnn_layer built around another cell, or with a typical looping mistake."""

    def layer(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
        h, outputs = h0, []
        for t in range(x.size(1)):
            new_h = cell_fn(x[:, t], h if feed_back else h0, weight_ih, weight_hh, bias_ih, bias_hh)
            h = new_h
            outputs.append(new_h)
        return torch.stack(outputs, dim=stack_dim), h

    return layer


def _concatenated_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    """The same cell written as one matrix over [x, h]."""
    weight = torch.cat([weight_ih, weight_hh], dim=1)
    return torch.tanh(torch.cat([x, h], dim=1) @ weight.T + bias_ih + bias_hh)


def _projected_layer(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    """The same layer with the input projection done for all steps at once."""
    projected = x @ weight_ih.T + bias_ih  # (B, T, H)
    h, outputs = h0, []
    for t in range(x.size(1)):
        h = torch.tanh(projected[:, t] + h @ weight_hh.T + bias_hh)
        outputs.append(h)
    return torch.stack(outputs, dim=1), h


def _shifted_layer(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    """Mistake: the state is stored before it is updated, so outputs start with h0."""
    h, outputs = h0, []
    for t in range(x.size(1)):
        outputs.append(h)
        h = rnn.rnn_cell(x[:, t], h, weight_ih, weight_hh, bias_ih, bias_hh)
    return torch.stack(outputs, dim=1), h


EXERCISES_HERE = [
    Exercise(
        id="rnn.rnn_cell",
        hints=[
            "새 은닉 상태는 '지금 입력 x'와 '이전 은닉 상태 h'를 각자의 가중치로 변환해 더하고(편향 두 개 포함), tanh로 -1과 1 사이로 누른 값입니다.",
            "h' = tanh(x W_ihᵀ + b_ih + h W_hhᵀ + b_hh).  모양: x (B, D) @ W_ihᵀ (D, H) → (B, H), h (B, H) @ W_hhᵀ "
            "(H, H) → (B, H); 편향 (H,)는 배치 축을 따라 브로드캐스트됩니다.",
            "pre = x @ weight_ih.___ + bias_ih + h @ ___ + ___     # (B, H)\n"
            "return torch.___(pre)",
        ],
        chapter="01",
        reference=rnn.rnn_cell,
        cases=_cell_cases,
        oracle=torch_rnn_cell,
        oracle_name="nn.RNNCell",
        alternatives=[
            lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(
                torch.nn.functional.linear(x, w_ih, b_ih) + torch.nn.functional.linear(h, w_hh, b_hh)
            ),
            _concatenated_cell,
        ],
        mistakes=[
            Mistake("tanh를 빠뜨림", "새 은닉 상태는 tanh(...)를 거쳐 -1과 1 사이에 있어야 합니다.",
                    lambda x, h, w_ih, w_hh, b_ih, b_hh: x @ w_ih.T + b_ih + h @ w_hh.T + b_hh),
            Mistake("가중치를 전치(.T)하지 않음", "torch의 가중치는 (출력, 입력) 모양이라 x @ weight_ih.T 로 곱합니다.",
                    lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(x @ w_ih + b_ih + h @ w_hh + b_hh)),
            Mistake("bias_hh를 빠뜨림", "torch의 RNN 셀에는 편향이 두 개(bias_ih, bias_hh) 있습니다. 둘 다 더하세요.",
                    lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(x @ w_ih.T + b_ih + h @ w_hh.T)),
            Mistake("tanh 대신 sigmoid 사용", "RNN 셀의 활성화 함수는 tanh입니다 (nn.RNNCell의 기본값).",
                    lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.sigmoid(x @ w_ih.T + b_ih + h @ w_hh.T + b_hh)),
            Mistake("weight_ih와 weight_hh를 바꿔 씀",
                    "weight_ih는 입력 x에, weight_hh는 이전 은닉 상태 h에 곱합니다 (이름의 i=input, h=hidden).",
                    lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(x @ w_hh.T + b_ih + h @ w_ih.T + b_hh)),
            Mistake("이전 은닉 상태 h를 쓰지 않음", "순환(recurrence)이 핵심입니다: h @ weight_hh.T 항이 필요합니다.",
                    lambda x, h, w_ih, w_hh, b_ih, b_hh: torch.tanh(x @ w_ih.T + b_ih + b_hh)),
        ],
    ),
    Exercise(
        id="rnn.rnn_layer",
        hints=[
            "입력의 시점마다(x[:, 0]부터 x[:, T-1]까지) 셀을 한 번씩 부르며, 방금 만든 은닉 상태를 다음 시점에 넘겨줍니다. 각 시점의 새 은닉 상태를 모아 outputs로, 마지막 것을 "
            "h_last로 돌려줍니다.",
            "h_t = rnn_cell(x[:, t-1], h_{t-1}, ...), h_0 = h0 (t = 1..T).  x[:, t-1]는 (B, D), h_t는 (B, H). outputs = "
            "h_1..h_T를 시간 축 dim=1로 쌓은 (B, T, H), h_last = h_T (B, H).",
            "h, outputs = h0, []\n"
            "for t in range(x.size(___)):\n"
            "    h = rnn_cell(x[:, ___], ___, weight_ih, weight_hh, bias_ih, bias_hh)\n"
            "    outputs.append(___)\n"
            "return torch.stack(outputs, dim=___), ___",
        ],
        chapter="01",
        reference=rnn.rnn_layer,
        cases=_layer_cases,
        oracle=torch_rnn_layer,
        oracle_name="nn.RNN",
        output_names=("outputs", "h_last"),
        alternatives=[_layer_with(torch_rnn_cell), _projected_layer],
        mistakes=[
            Mistake("매 시점에 h0을 다시 씀 (은닉 상태를 넘겨주지 않음)",
                    "각 시점의 새 h를 다음 시점의 입력 상태로 넘겨야 정보가 시간을 따라 흐릅니다.",
                    _layer_with(rnn.rnn_cell, feed_back=False)),
            Mistake("outputs를 시간 축이 맨 앞인 (T, B, H)로 쌓음",
                    "이 코스는 배치 우선(batch first)입니다: torch.stack(outputs, dim=1) → (B, T, H).",
                    _layer_with(rnn.rnn_cell, stack_dim=0)),
            Mistake("새 h를 계산하기 전에 outputs에 넣음 (한 칸씩 밀림)",
                    "outputs[:, t]는 x[:, t]까지 읽은 뒤의 은닉 상태입니다. 셀을 먼저 계산하고 그 결과를 쌓으세요.",
                    _shifted_layer),
            Mistake("h_last로 첫 시점의 상태를 돌려줌", "h_last는 마지막 입력 x[:, T-1]까지 읽은 뒤의 은닉 상태 h_T입니다.",
                    lambda x, h0, *w: (rnn.rnn_layer(x, h0, *w)[0], rnn.rnn_layer(x, h0, *w)[0][:, 0])),
            Mistake("h_last로 h0을 그대로 돌려줌", "반복문 안에서 갱신한 h를 돌려주세요.",
                    lambda x, h0, *w: (rnn.rnn_layer(x, h0, *w)[0], h0)),
        ],
    ),
]
