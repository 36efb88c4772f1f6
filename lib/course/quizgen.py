"""Numeric quiz items generated from lib's reference code (course spec section 10).

Every item here is computed when the bank is loaded: the key by lib's reference implementation
(``lib.rnn``, ``lib.attention``, ``lib.masks``, ``lib.losses``, ``lib.transformer``, ``lib.seq2seq``)
or by counting the parameters of the layers it describes, and each distractor by the same computation
with typical mistakes (forgetting 1/√d_k, the unbiased variance, the transposed or inverted mask,
3 vs 4 gates, forgetting biases, softmax over the wrong axis, ...). Equal-looking results are
dropped, so the four choices always differ.

No convergence cue (spec section 10). If every distractor were the key plus one mistake, the key would
sit at the centre of the four and a guesser could pick "the choice most like the others". So where
two mistakes combine, the choices are the key, mistake A, mistake B and A with B together: every
choice is then one mistake away from two others and two away from the third, and the key is no more
central than a distractor. Mistakes that move a number in opposite directions place the key in the
middle of the numeric choices, same-direction ones at an end; both occur, so the middle value is not
a cue either (tests/test_bank_cues.py measures both over the whole bank).

``SPECS`` fixes the items: (id, generator name, params). The ids ("01-g1", ...) and the key's
canonical position (cycling over ①..④ in SPECS order) are stable across runs. An item carries
``"generated": {"gen", "params", "position"}``; ``regenerate`` rebuilds it from that, which is how
``lib.course.quiz.validate_item`` checks that a stored key still comes out. tests/test_bank.py
recomputes every key independently with torch modules (nn.LSTM, nn.LayerNorm,
F.scaled_dot_product_attention, ...).
"""

import functools
import math

import torch

# ---------------------------------------------------------------- formatting


def num(x, nd: int = 2) -> str:
    """A number as shown in a choice: ``nd`` decimals (nd = 0: an integer), never "-0.00"."""
    x = float(x)
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "-inf" if x < 0 else "inf"
    if nd == 0:
        return str(int(round(x)))
    text = f"{x:.{nd}f}"
    return "0." + "0" * nd if text.strip("-0.") == "" else text


def vec(values, nd: int = 2) -> str:
    return "[" + ", ".join(num(v, nd) for v in torch.as_tensor(values).flatten().tolist()) + "]"


def shape(dims) -> str:
    return "(" + ", ".join(str(int(d)) for d in dims) + ")"


def bits(mask) -> str:
    return "[" + ", ".join("1" if b else "0" for b in torch.as_tensor(mask).flatten().tolist()) + "]"


def count(n) -> str:
    return f"{int(n)}개"


# ---------------------------------------------------------------- parameter counting by hand


def _recurrent_params(d_in, hidden, gates, bias=2):
    return gates * (hidden * d_in + hidden * hidden + bias * hidden)


def _linear_params(d_in, d_out, bias=True):
    return d_in * d_out + (d_out if bias else 0)


GENERATORS = {}


def generator(fn):
    GENERATORS[fn.__name__] = fn
    return fn


# Each generator returns dict(question, key, explanation, wrongs=[(text, why), ...], claim, kind).
# ``wrongs`` are in priority order; the first three that differ from the key and from each other are used.
# Where two mistakes combine, the first three are mistake A, mistake B and both (see the module docstring).

# ---------------------------------------------------------------- 01 RNN


@generator
def rnn_params(d_in, hidden):
    key = _recurrent_params(d_in, hidden, 1)
    return dict(
        claim="C6", kind="concept",
        question=f"`nn.RNN(input_size={d_in}, hidden_size={hidden})` 한 층의 학습 가능한 파라미터는 모두 몇 개인가?",
        key=count(key),
        explanation=f"W_ih ({hidden}×{d_in}) + W_hh ({hidden}×{hidden}) + 편향 b_ih, b_hh ({hidden}개씩) = "
                    f"{hidden * d_in} + {hidden * hidden} + {2 * hidden} = {key}개입니다. torch의 RNN은 편향을 두 벌 둡니다.",
        wrongs=[
            (count(_recurrent_params(d_in, hidden, 1, bias=0)), "편향 b_ih, b_hh를 빼고 가중치 행렬만 센 값입니다."),
            (count(2 * hidden * d_in + 2 * hidden), "W_hh를 W_ih와 같은 모양(H×D)으로 본 값입니다. W_hh는 은닉 상태끼리 잇는 H×H입니다."),
            (count(2 * hidden * d_in), "W_hh를 H×D로 보고 편향까지 뺀 값입니다. W_hh는 H×H이고 편향 b_ih, b_hh도 셉니다."),
            (count(_recurrent_params(d_in, hidden, 1, bias=1)), "편향을 한 벌만 센 값입니다. torch는 b_ih와 b_hh를 따로 둡니다."),
            (count(4 * key), "LSTM처럼 네 벌을 센 값입니다. RNN에는 게이트가 없어 한 벌입니다."),
        ])


@generator
def rnn_output_shape(batch, length, d_in, hidden):
    return dict(
        claim="C6", kind="code",
        question=("다음 코드가 출력하는 모양은?\n```python\n"
                  f"rnn = nn.RNN(input_size={d_in}, hidden_size={hidden}, batch_first=True)\n"
                  f"out, h_n = rnn(torch.randn({batch}, {length}, {d_in}))\nprint(tuple(out.shape))\n```"),
        key=shape((batch, length, hidden)),
        explanation=f"out은 모든 시점의 은닉 상태입니다. batch_first=True이므로 (B, T, H) = {shape((batch, length, hidden))}입니다.",
        wrongs=[
            (shape((length, batch, hidden)), "batch_first=True를 잊은 모양입니다. 이 설정에서는 배치 축이 먼저입니다."),
            (shape((batch, length, d_in)), "입력 크기 D를 그대로 둔 모양입니다. 출력의 마지막 축은 hidden_size입니다."),
            (shape((length, batch, d_in)), "batch_first=True를 잊고 마지막 축도 입력 크기 D로 둔 모양입니다. (B, T, H)입니다."),
            (shape((batch, hidden)), "마지막 시점의 은닉 상태 하나만 생각한 모양입니다. 그것은 h_n(층 축 포함 (1, B, H))입니다."),
        ])


@generator
def rnn_hn_shape(batch, length, d_in, hidden):
    return dict(
        claim="C6", kind="code",
        question=(f"`nn.RNN({d_in}, {hidden}, batch_first=True)`에 모양 ({batch}, {length}, {d_in})의 입력을 넣었을 때, "
                  "두 번째 반환값 h_n의 모양은?"),
        key=shape((1, batch, hidden)),
        explanation=f"h_n은 마지막 시점의 은닉 상태이고 모양은 (층 수 × 방향 수, B, H), 여기서는 {shape((1, batch, hidden))}입니다. "
                    "batch_first는 입력과 out에만 적용되고 h_n에는 적용되지 않습니다.",
        wrongs=[
            (shape((batch, 1, hidden)), "batch_first가 h_n에도 적용된다고 본 모양입니다. h_n은 언제나 (층 수 × 방향 수) 축이 먼저입니다."),
            (shape((1, batch, d_in)), "마지막 축을 입력 크기 D로 본 모양입니다. 은닉 상태의 크기는 hidden_size입니다."),
            (shape((batch, 1, d_in)), "batch_first가 h_n에도 적용된다고 보고, 마지막 축도 입력 크기 D로 본 모양입니다. (1, B, H)입니다."),
            (shape((batch, hidden)), "층 축을 빼먹은 모양입니다. nn.RNN의 h_n은 층 수가 1이어도 (1, B, H)입니다."),
        ])


@generator
def rnn_cell_value(w_x, w_h, b, x, h0):
    from lib.rnn import rnn_cell

    t = lambda v: torch.tensor([[float(v)]])  # noqa: E731
    key = rnn_cell(t(x), t(h0), t(w_x), t(w_h), torch.tensor([float(b)]), torch.zeros(1)).item()
    pre = w_x * x + w_h * h0 + b
    return dict(
        claim="C6", kind="concept",
        question=(f"은닉 크기 1인 RNN 셀 h' = tanh(w_x·x + w_h·h + b)에서 w_x = {w_x}, w_h = {w_h}, b = {b}입니다. "
                  f"x = {x}, h = {h0}일 때 h'은? (소수 둘째 자리)"),
        key=num(key),
        explanation=f"w_x·x + w_h·h + b = {num(pre)}이고 tanh({num(pre)}) ≈ {num(key)}입니다.",
        wrongs=[
            (num(pre), "tanh를 적용하지 않은 값입니다. RNN 셀은 선형 결합에 tanh를 씌웁니다."),
            (num(math.tanh(w_x * x + b)), "이전 은닉 상태 h의 항(w_h·h)을 빼먹은 값입니다. 그러면 시점 사이에 정보가 전달되지 않습니다."),
            (num(w_x * x + b), "w_h·h 항을 빼고 tanh도 적용하지 않은 값입니다."),
            (num(1 / (1 + math.exp(-pre))), "tanh 대신 시그모이드를 쓴 값입니다. 기본 RNN의 활성화 함수는 tanh입니다."),
        ])


@generator
def rnn_two_steps(w_x, w_h, xs, h0):
    from lib.rnn import rnn_layer

    x = torch.tensor([[[float(v)] for v in xs]])
    one = lambda v: torch.tensor([[float(v)]])  # noqa: E731
    _, h_last = rnn_layer(x, one(h0), one(w_x), one(w_h), torch.zeros(1), torch.zeros(1))
    key = h_last.item()
    h0_again = math.tanh(w_x * xs[-1] + w_h * h0)
    no_tanh = h0
    for v in xs:
        no_tanh = w_x * v + w_h * no_tanh
    first_only = math.tanh(w_x * xs[0] + w_h * h0)
    return dict(
        claim="C6", kind="code",
        question=(f"편향이 0이고 은닉 크기 1인 RNN(h_t = tanh(w_x·x_t + w_h·h_(t-1)))에서 w_x = {w_x}, w_h = {w_h}, h_0 = {h0}입니다. "
                  f"입력 x = {list(xs)}를 차례로 넣은 뒤 마지막 은닉 상태 h_{len(xs)}는? (소수 둘째 자리)"),
        key=num(key),
        explanation=f"h_1 = tanh({w_x}·{xs[0]} + {w_h}·{h0}) = {num(math.tanh(w_x * xs[0] + w_h * h0), 3)}, "
                    f"그 h_1을 다음 시점에 넣어 h_2 = {num(key)}입니다. 같은 w_x, w_h를 두 시점에 다시 씁니다.",
        wrongs=[
            (num(h0_again), "두 번째 시점에도 h_0을 넣은 값입니다(매 시점 h0을 다시 쓰는 실수). 직전 시점의 h_1을 넣어야 합니다."),
            (num(no_tanh), "tanh 없이 선형 결합만 반복한 값입니다."),
            (num(first_only), "첫 시점의 h_1에서 멈춘 값입니다. 입력이 두 개이므로 셀을 두 번 적용합니다."),
        ])


@generator
def embedding_params(vocab, dim):
    key = vocab * dim
    return dict(
        claim="C0", kind="concept",  # embedding is no note claim (C0 keeps it out of the mock final)
        question=f"어휘 크기 {vocab}, 임베딩 차원 {dim}인 `nn.Embedding({vocab}, {dim})`의 파라미터 수는?",
        key=count(key),
        explanation=f"임베딩은 토큰 id마다 {dim}차원 벡터 한 줄을 두는 표({vocab}×{dim})입니다: {key}개, 편향은 없습니다.",
        wrongs=[
            (count(vocab + dim), "행 수와 열 수를 더한 값입니다. 표의 칸 수는 곱입니다."),
            (count(key + dim), "nn.Linear처럼 편향이 있다고 본 값입니다. nn.Embedding은 표에서 한 줄을 꺼낼 뿐이라 편향이 없습니다."),
            (count(dim * dim), "어휘 크기 대신 임베딩 차원을 두 번 곱한 값입니다. 토큰마다 한 줄이 필요합니다."),
        ])


# ---------------------------------------------------------------- 02 LSTM / GRU


@generator
def lstm_params(d_in, hidden):
    key = _recurrent_params(d_in, hidden, 4)
    return dict(
        claim="C9", kind="concept",
        question=f"`nn.LSTM(input_size={d_in}, hidden_size={hidden})` 한 층의 파라미터 수는?",
        key=count(key),
        explanation=f"입력·망각·출력 게이트와 후보 g, 네 벌의 (W_ih, W_hh, b_ih, b_hh): 4 × ({hidden}·{d_in} + {hidden}·{hidden} + 2·{hidden}) = {key}개입니다.",
        wrongs=[
            (count(_recurrent_params(d_in, hidden, 3)), "세 벌만 센 값입니다(게이트 세 개만 세고 후보 g를 뺌, 또는 GRU와 혼동). LSTM은 네 벌입니다."),
            (count(_recurrent_params(d_in, hidden, 4, bias=0)), "편향을 뺀 값입니다. 네 벌 모두 b_ih와 b_hh가 있습니다."),
            (count(_recurrent_params(d_in, hidden, 3, bias=0)), "세 벌만 세고 편향도 뺀 값입니다. LSTM은 네 벌이고 모두 b_ih, b_hh가 있습니다."),
            (count(_recurrent_params(d_in, hidden, 4, bias=1)), "편향을 한 벌만 센 값입니다. torch는 b_ih, b_hh 두 벌을 둡니다."),
            (count(_recurrent_params(d_in, hidden, 1)), "기본 RNN의 값입니다. LSTM은 같은 크기의 RNN의 4배입니다."),
        ])


@generator
def gru_params(d_in, hidden):
    key = _recurrent_params(d_in, hidden, 3)
    return dict(
        claim="C9", kind="concept",
        question=f"`nn.GRU(input_size={d_in}, hidden_size={hidden})` 한 층의 파라미터 수는?",
        key=count(key),
        explanation=f"리셋 r, 업데이트 z 게이트와 후보 n, 세 벌: 3 × ({hidden}·{d_in} + {hidden}·{hidden} + 2·{hidden}) = {key}개로, 같은 크기 nn.RNN의 3배입니다(torch 기준. Keras 기본 GRU(reset_after=True)도 {key}개지만, Keras SimpleRNN은 편향이 한 벌이라 Keras에서는 비율이 3배보다 조금 큽니다).",
        wrongs=[
            (count(_recurrent_params(d_in, hidden, 4)), "LSTM처럼 네 벌을 센 값입니다. GRU는 게이트 둘과 후보 하나, 세 벌입니다."),
            (count(_recurrent_params(d_in, hidden, 2)), "게이트 두 개만 세고 후보 n의 가중치를 뺀 값입니다."),
            (count(_recurrent_params(d_in, hidden, 3, bias=0)), "편향을 뺀 값입니다. torch의 GRU는 세 벌 모두 b_ih와 b_hh를 둡니다."),
        ])


@generator
def lstm_hidden_state(o, c):
    from lib.rnn import lstm_cell

    big = 20.0  # i = sigmoid(-20) ~ 0 and f = sigmoid(20) ~ 1, so the new cell state is c itself
    bias = torch.tensor([-big, big, 0.0, math.log(o / (1 - o))])  # i, f, g, o pre-activations
    h_next, _ = lstm_cell(torch.zeros(1, 1), (torch.zeros(1, 1), torch.tensor([[float(c)]])),
                          torch.zeros(4, 1), torch.zeros(4, 1), bias, torch.zeros(4))
    key = h_next.item()
    return dict(
        claim="C8", kind="concept",
        question=(f"LSTM의 한 시점에서 출력 게이트가 o = {o}이고, 새 셀 상태가 c' = {c}입니다 (tanh({c}) ≈ {num(math.tanh(c))}). "
                  "이 시점의 은닉 상태 h'은? (소수 둘째 자리)"),
        key=num(key),
        explanation=f"h' = o ⊙ tanh(c') = {o} × {num(math.tanh(c))} = {num(key)}입니다. 셀 상태는 덧셈으로 이어지고, "
                    "은닉 상태는 그 셀 상태를 tanh로 누른 뒤 출력 게이트만큼 내보낸 값입니다.",
        wrongs=[
            (num(o * c), "tanh를 빼먹고 o ⊙ c'로 계산한 값입니다."),
            (num(math.tanh(c)), "출력 게이트를 곱하지 않은 값입니다. 출력 게이트가 셀 상태의 얼마를 내보낼지 정합니다."),
            (num(c), "출력 게이트도 tanh도 적용하지 않고 셀 상태를 그대로 은닉 상태로 본 값입니다."),
            (num(math.tanh(o * c)), "게이트를 곱한 뒤 tanh를 적용한 값입니다. 순서는 tanh(c') 다음에 o를 곱합니다."),
        ])


@generator
def lstm_cell_state(c, ln_i, ln_f, ln_g):
    from lib.rnn import lstm_cell

    a = [ln_i * math.log(3), ln_f * math.log(3), ln_g * math.log(3), 0.0]  # i, f, g, o pre-activations
    hidden = 1
    bias = torch.tensor(a)
    _, c_next = lstm_cell(torch.zeros(1, 1), (torch.zeros(1, hidden), torch.tensor([[float(c)]])),
                          torch.zeros(4, 1), torch.zeros(4, 1), bias, torch.zeros(4))
    key = c_next.item()
    sig = lambda v: 1 / (1 + math.exp(-v))  # noqa: E731
    i, f, g = sig(a[0]), sig(a[1]), math.tanh(a[2])
    return dict(
        claim="C8", kind="concept",
        question=(f"LSTM의 한 시점에서 입력 게이트 i = {num(i)}, 망각 게이트 f = {num(f)}, 후보 g = {num(g)}이고 "
                  f"이전 셀 상태가 c = {c}입니다. 새 셀 상태 c'은?"),
        key=num(key),
        explanation=f"c' = f ⊙ c + i ⊙ g = {num(f)}·{c} + {num(i)}·{num(g)} = {num(key)}입니다. 셀 상태는 곱이 아니라 덧셈으로 갱신됩니다.",
        wrongs=[
            (num(i * c + f * g), "입력 게이트와 망각 게이트의 역할을 바꾼 값입니다. 이전 셀 상태에 곱하는 것은 망각 게이트 f입니다."),
            (num(f * c), "새 정보 i ⊙ g를 더하지 않은 값입니다."),
            (num(f * c * i * g), "두 항을 더하지 않고 모두 곱한 값입니다. 덧셈 경로가 LSTM의 핵심입니다."),
            (num(c + i * g), "망각 게이트를 적용하지 않은 값입니다."),
        ])


@generator
def gru_update(z, n, h):
    from lib.rnn import gru_cell

    logit = lambda p: math.log(p / (1 - p))  # noqa: E731
    bias_ih = torch.tensor([0.0, logit(z), math.atanh(n)])
    key = gru_cell(torch.zeros(1, 1), torch.tensor([[float(h)]]), torch.zeros(3, 1), torch.zeros(3, 1),
                   bias_ih, torch.zeros(3)).item()
    return dict(
        claim="C9", kind="concept",
        question=(f"torch의 GRU 식 h' = (1 − z) ⊙ n + z ⊙ h에서 업데이트 게이트 z = {z}, 후보 n = {n}, 이전 상태 h = {h}입니다. h'은?"),
        key=num(key),
        explanation=f"h' = (1 − {z})·{n} + {z}·{h} = {num(key)}입니다. z가 클수록 이전 상태를 많이 유지합니다.",
        wrongs=[
            (num(z * n + (1 - z) * h), "z와 1 − z의 자리를 바꾼 값입니다. torch의 식에서 z는 이전 상태 h에 곱해집니다."),
            (num(z * h), "후보 n의 항을 빼먹은 값입니다."),
            (num((1 - z) * n + h), "이전 상태에 z를 곱하지 않은 값입니다. 두 항의 계수 합이 1인 보간입니다."),
        ])


@generator
def lstm_weight_shape(d_in, hidden):
    return dict(
        claim="C9", kind="code",
        question=f"`lstm = nn.LSTM(input_size={d_in}, hidden_size={hidden})`에서 `lstm.weight_ih_l0`의 모양은?",
        key=shape((4 * hidden, d_in)),
        explanation=f"torch는 게이트 i, f, 후보 g, 게이트 o의 입력 가중치(각 H×D)를 세로로 쌓아 한 행렬로 둡니다: (4H, D) = {shape((4 * hidden, d_in))}.",
        wrongs=[
            (shape((hidden, d_in)), "게이트 하나의 가중치 모양입니다. 네 묶음이 한 행렬에 쌓여 있습니다."),
            (shape((d_in, 4 * hidden)), "전치한 모양입니다. torch의 가중치는 nn.Linear처럼 (출력, 입력) 순서입니다."),
            (shape((d_in, hidden)), "게이트 하나의 가중치를 전치한 모양입니다. 네 묶음을 쌓은 (4H, D)입니다."),
            (shape((3 * hidden, d_in)), "게이트 세 개만 쌓은 모양입니다(GRU의 weight_ih_l0). LSTM은 후보 g까지 네 묶음입니다."),
        ])


@generator
def bigru_output_shape(batch, length, d_in, hidden):
    return dict(
        claim="C9", kind="code",
        question=(f"`nn.GRU({d_in}, {hidden}, batch_first=True, bidirectional=True)`에 모양 ({batch}, {length}, {d_in})의 입력을 넣으면 "
                  "첫 번째 반환값 out의 모양은?"),
        key=shape((batch, length, 2 * hidden)),
        explanation=f"양방향이면 시점마다 정방향과 역방향의 은닉 상태를 이어 붙여 마지막 축이 2H가 됩니다: {shape((batch, length, 2 * hidden))}.",
        wrongs=[
            (shape((batch, length, hidden)), "두 방향의 상태를 더하거나 평균한다고 본 모양입니다. torch는 이어 붙입니다."),
            (shape((2, batch, length, hidden)), "방향 축을 따로 둔다고 본 모양입니다. 그런 축은 h_n에만 있습니다 ((2, B, H))."),
            (shape((batch, 2 * length, hidden)), "역방향 결과를 시간 축 뒤에 이어 붙인다고 본 모양입니다."),
        ])


# ---------------------------------------------------------------- 03 seq2seq


@generator
def context_vector_pick(rows, lengths):
    from lib.seq2seq import context_vector

    out = torch.tensor(rows, dtype=torch.float32).unsqueeze(-1)  # (B, T, 1)
    key = context_vector(out, torch.tensor(lengths)).squeeze(-1)
    table = "\n".join(f"문장 {b + 1}: {vec(r, 1)} (실제 길이 {n})" for b, (r, n) in enumerate(zip(rows, lengths)))
    return dict(
        claim="C10", kind="code",
        question=(f"은닉 크기 1인 인코더가 PAD가 뒤에 붙은 두 문장(두 문장 모두 {len(rows[0])}칸으로 맞춰 패딩)에 대해 "
                  "시점별 은닉 상태를 다음과 같이 냈습니다.\n"
                  f"```\n{table}\n```\n어텐션 없는 seq2seq의 문맥 벡터 C (문장 1, 문장 2)는?"),
        key=vec(key, 1),
        explanation="문장마다 자기 길이의 마지막 실제 시점(lengths − 1)의 은닉 상태가 C입니다. PAD를 읽은 뒤의 상태가 아닙니다.",
        wrongs=[
            (vec([r[-1] for r in rows], 1), "배치 전체의 마지막 시점(encoder_outputs[:, -1])을 고른 값입니다. 짧은 문장은 PAD를 읽은 뒤의 상태가 됩니다."),
            (vec([r[0] for r in rows], 1), "첫 시점을 고른 값입니다. 인코더가 문장 전체를 읽은 뒤의 상태가 문맥 벡터입니다."),
            # both sentences are shorter than T, so indexing with lengths is a real (silent) bug, not an IndexError
            (vec([r[n] for r, n in zip(rows, lengths)], 1), "lengths − 1이 아니라 lengths를 인덱스로 쓴 값입니다(한 칸 밀림: 첫 PAD를 읽은 뒤의 상태)."),
        ])


@generator
def decoder_logits_shape(batch, src_len, tgt_len, hidden, vocab):
    return dict(
        claim="C1", kind="code",
        question=(f"GRU seq2seq(hidden_size={hidden}, 출력 어휘 {vocab}개)에 원문 src ({batch}, {src_len})와 디코더 입력 "
                  f"({batch}, {tgt_len})을 넣어 `logits = model(src, decoder_input)`을 계산했습니다. logits의 모양은?"),
        key=shape((batch, tgt_len, vocab)),
        explanation=f"디코더는 입력 위치마다 다음 단어에 대한 어휘 크기의 로짓을 냅니다: (B, T, V) = {shape((batch, tgt_len, vocab))}.",
        wrongs=[
            (shape((batch, src_len, vocab)), "출력 길이가 원문 길이를 따른다고 본 모양입니다. 출력 단계 수는 디코더 입력의 길이입니다."),
            (shape((batch, tgt_len, hidden)), "디코더 은닉 상태의 모양입니다. 마지막 선형층이 어휘 크기의 로짓으로 바꿉니다."),
            (shape((batch, src_len, hidden)), "인코더 출력(원문 위치마다 은닉 상태)의 모양입니다. 로짓은 디코더 입력 위치마다 어휘 크기입니다."),
            (shape((batch, vocab)), "문장마다 로짓이 하나라고 본 모양입니다. 단계마다 하나씩입니다."),
        ])


@generator
def seq2seq_params(src_vocab, tgt_vocab, emb, hidden):
    enc = src_vocab * emb + _recurrent_params(emb, hidden, 3)
    dec_rnn = tgt_vocab * emb + _recurrent_params(emb, hidden, 3)
    head = _linear_params(hidden, tgt_vocab)
    key = enc + dec_rnn + head
    return dict(
        claim="C1", kind="code",
        question=("어텐션 없는 seq2seq를 다음 층으로 만들었습니다. 학습 가능한 파라미터는 모두 몇 개인가?\n```python\n"
                  f"enc_embed = nn.Embedding({src_vocab}, {emb});  enc_rnn = nn.GRU({emb}, {hidden}, batch_first=True)\n"
                  f"dec_embed = nn.Embedding({tgt_vocab}, {emb});  dec_rnn = nn.GRU({emb}, {hidden}, batch_first=True)\n"
                  f"out = nn.Linear({hidden}, {tgt_vocab})   # 디코더 은닉 상태 -> 어휘 로짓\n```"),
        key=count(key),
        explanation=f"인코더 {enc}개(임베딩 {src_vocab * emb} + GRU {_recurrent_params(emb, hidden, 3)}), 디코더 {dec_rnn}개, "
                    f"출력층 {head}개, 합 {key}개입니다. 인코더와 디코더는 파라미터를 따로 가집니다.",
        wrongs=[
            (count(key + _recurrent_params(emb, hidden, 1) * 2),
             "GRU를 LSTM처럼 네 벌로 센 값입니다. GRU는 리셋·업데이트 게이트와 후보, 세 벌입니다."),
            (count(key + 3 * hidden * hidden),
             f"디코더 GRU의 입력에 문맥 벡터 C(은닉 크기 {hidden}차원)가 붙는다고 본 값입니다. 이 코드의 dec_rnn은 "
             f"nn.GRU({emb}, {hidden})이라 입력이 임베딩 {emb}차원뿐입니다."),
            (count(key + _recurrent_params(emb, hidden, 1) * 2 + 4 * hidden * hidden),
             f"GRU를 네 벌로 세고, 디코더 GRU의 입력에 문맥 벡터 C까지 붙인 값입니다. 이 코드의 두 GRU는 nn.GRU({emb}, {hidden})입니다."),
            (count(enc + tgt_vocab * emb + head), "디코더 GRU가 인코더 GRU의 파라미터를 같이 쓴다고 보고 한 번만 센 값입니다. 두 RNN은 별개입니다."),
            (count(enc + dec_rnn), "어휘 로짓을 내는 출력층을 빼먹은 값입니다."),
            (count(_recurrent_params(emb, hidden, 3) * 2 + head), "임베딩 표(어휘 × 임베딩 차원)를 빼먹은 값입니다. 임베딩도 학습되는 파라미터입니다."),
        ])


class _ScriptedModel:
    """model(src, ys) -> logits whose argmax at the last step follows a fixed script per row."""

    def __init__(self, scripts, vocab):
        self.scripts, self.vocab = scripts, vocab

    def __call__(self, src, ys):
        step = ys.size(1) - 1
        logits = torch.zeros(ys.size(0), ys.size(1), self.vocab)
        for b, script in enumerate(self.scripts):
            logits[b, -1, script[min(step, len(script) - 1)]] = 1.0
        return logits


@generator
def greedy_decode_shape(first, second, max_len):
    from lib.seq2seq import greedy_decode

    eos, vocab = 2, 12
    scripts = [list(first) + [eos] + [5] * max_len, list(second) + [eos] + [5] * max_len]
    out = greedy_decode(_ScriptedModel(scripts, vocab), torch.zeros(2, 3, dtype=torch.long), 1, eos, max_len)
    n1, n2 = len(first) + 1, len(second) + 1
    return dict(
        claim="C1", kind="code",
        question=(f"두 문장의 배치를 `greedy_decode(model, src, bos_id, eos_id, max_len={max_len})`로 번역합니다. "
                  f"첫 문장은 {n1}번째 단계에서, 둘째 문장은 {n2}번째 단계에서 EOS를 냈습니다. 돌려받는 텐서의 모양은? "
                  "(BOS는 빼고, EOS는 남기고, EOS 뒤는 PAD로 채우며, 모든 문장이 EOS를 내면 멈춥니다)"),
        key=shape(out.shape),
        explanation=f"가장 늦게 끝난 문장이 {max(n1, n2)}단계에서 EOS를 냈으므로 그때 멈춥니다: (2, {max(n1, n2)}). 먼저 끝난 문장은 EOS 뒤가 PAD입니다.",
        wrongs=[
            (shape((2, max_len)), "언제나 max_len까지 만든다고 본 모양입니다. 모든 문장이 EOS를 내면 일찍 멈춥니다."),
            (shape((2, max(n1, n2) + 1)), "맨 앞의 BOS까지 돌려준다고 본 모양입니다."),
            (shape((2, min(n1, n2))), "첫 EOS가 나온 단계에서 배치 전체를 멈춘다고 본 모양입니다. 다른 문장은 아직 끝나지 않았습니다."),
        ])


# ---------------------------------------------------------------- 04 attention


@generator
def attend_masked(scores, mask):
    from lib.attention import attend

    s = torch.tensor([scores])
    m = torch.tensor([mask])
    values = torch.zeros(1, len(scores), 1)
    _, w = attend(s, values, m)
    _, no_mask = attend(s, values, None)
    _, inverted = attend(s, values, ~m) if (~m).any() else (None, None)
    zero_fill = torch.softmax(s.masked_fill(~m, 0.0), dim=-1)
    shown = ", ".join(("ln 3" if abs(v - math.log(3)) < 1e-9 else num(v, 0)) for v in scores)
    wrongs = [
        (vec(no_mask), "마스크를 적용하지 않은 값입니다. False인 자리도 가중치를 받았습니다."),
        (vec(zero_fill), "가릴 점수를 −inf가 아니라 0으로 바꾼 값입니다. e^0 = 1이라 그 자리도 가중치를 받습니다."),
    ]
    if inverted is not None:
        wrongs.insert(1, (vec(inverted), "마스크를 반대로(True를 가림) 적용한 값입니다. 이 코스의 마스크는 True = 볼 수 있음입니다."))
    return dict(
        claim="C2", kind="concept",
        question=f"attend의 점수가 [{shown}]이고 mask가 {bits(mask)} (1 = 볼 수 있음)입니다. 소프트맥스로 얻은 어텐션 가중치는? (소수 둘째 자리)",
        key=vec(w),
        explanation="가릴 자리의 점수를 −inf로 바꾸면 e^−inf = 0이라 가중치가 정확히 0이 되고, 남은 자리의 가중치 합이 1이 됩니다.",
        wrongs=wrongs)


@generator
def dot_scores(query, keys):
    from lib.attention import dot_product_scores

    q = torch.tensor([query], dtype=torch.float32)
    k = torch.tensor([keys], dtype=torch.float32)
    key = dot_product_scores(q, k)[0]
    return dict(
        claim="C2", kind="concept",
        question=(f"내적 점수 score_t = k_t · q에서 쿼리 q = {query}, 키 k_1, k_2, k_3 = {', '.join(str(x) for x in keys)}입니다. "
                  "세 점수는? (소수 둘째 자리)"),
        key=vec(key),
        explanation="각 키와 쿼리의 내적입니다. 점수는 아직 소프트맥스를 거치지 않은 값이라 합이 1일 필요가 없습니다.",
        wrongs=[
            (vec(key / math.sqrt(len(query))), "√d로 나눈 값입니다. 1/√d_k 스케일링은 트랜스포머의 스케일드 내적 어텐션에서 씁니다."),
            (vec(torch.softmax(key, -1)), "소프트맥스까지 적용한 어텐션 가중치입니다. 점수는 그 전 단계입니다."),
            (vec(torch.softmax(key / math.sqrt(len(query)), -1)), "√d로 나누고 소프트맥스까지 적용한 값입니다. 점수는 스케일도 소프트맥스도 거치기 전입니다."),
            (vec(torch.tensor(keys, dtype=torch.float32).sum(-1) * sum(query)), "원소별 곱 대신 합끼리 곱한 값입니다. 내적은 같은 자리끼리 곱해 더합니다."),
        ])


@generator
def additive_score_values(q, keys, w_q, w_k, v):
    from lib.attention import additive_scores

    Wq = torch.tensor(w_q, dtype=torch.float32).reshape(-1, 1)
    Wk = torch.tensor(w_k, dtype=torch.float32).reshape(-1, 1)
    vv = torch.tensor(v, dtype=torch.float32)
    query = torch.tensor([[float(q)]])
    K = torch.tensor([[[float(k)] for k in keys]])
    key = additive_scores(query, K, Wq, Wk, vv)[0]
    pre = [[wq * q + wk * k for wq, wk in zip(w_q, w_k)] for k in keys]
    return dict(
        claim="C2", kind="concept",
        question=(f"덧셈 점수 score_t = vᵀ tanh(W_q q + W_k k_t)에서 쿼리 q = {q}, 키 k_1 = {keys[0]}, k_2 = {keys[1]} (모두 1차원), "
                  f"W_q = {w_q}ᵀ, W_k = {w_k}ᵀ, v = {v}입니다. 두 점수 [score_1, score_2]는? (소수 둘째 자리)"),
        key=vec(key),
        explanation=f"k_1의 경우 W_q q + W_k k_1 = {vec(torch.tensor(pre[0]))}, tanh를 거쳐 v와 내적합니다. k_2도 같은 방식으로 계산해 두 점수는 {vec(key)}입니다.",
        wrongs=[
            (vec(torch.tensor([sum(a * b for a, b in zip(v, row)) for row in pre])), "tanh를 빼먹은 값입니다. 덧셈 점수는 tanh를 거친 뒤 v와 내적합니다."),
            (vec(torch.tensor([q * k for k in keys], dtype=torch.float32)), "쿼리와 키의 내적(곱셈 점수)입니다. 덧셈 점수가 아닙니다."),
            (vec(torch.tensor([sum(math.tanh(x) for x in row) for row in pre])), "v를 곱하지 않고 tanh 결과를 그냥 더한 값입니다."),
        ])


@generator
def seq2seq_attention_shape(batch, src_len, tgt_len, hidden):
    return dict(
        claim="C4", kind="code",
        question=(f"어텐션 seq2seq에서 원문 길이 {src_len}, 디코더 입력 길이 {tgt_len}, 배치 {batch}, hidden_size={hidden}입니다. "
                  "디코더의 각 단계가 원문 위치들에 대한 가중치(합 1)를 하나씩 낼 때, 그 가중치를 배치 전체에 대해 모은 텐서의 모양은?"),
        key=shape((batch, tgt_len, src_len)),
        explanation=f"디코더 단계마다 원문 {src_len}개 위치에 대한 가중치(합 1)가 한 줄씩: {shape((batch, tgt_len, src_len))}. 행 = 만들 단어, 열 = 원문 토큰입니다.",
        wrongs=[
            (shape((batch, src_len, hidden)), "원문 위치마다 은닉 상태를 모은 인코더 출력의 모양입니다. 가중치는 위치마다 숫자 하나입니다."),
            (shape((tgt_len, src_len)), "배치 축을 빼먹은 모양입니다. 문장마다 맵이 하나씩 있습니다."),
            (shape((src_len, tgt_len)), "배치 축을 빼고 행과 열도 바꾼 모양입니다."),
            (shape((batch, tgt_len, hidden)), "단계마다의 문맥 벡터를 모은 모양입니다. 가중치는 원문 위치마다 하나입니다."),
        ])


# ---------------------------------------------------------------- 05 softmax / cross-entropy


@generator
def softmax_rows(logits):
    from lib.losses import softmax

    z = torch.tensor(logits, dtype=torch.float32)
    key = softmax(z, dim=-1)[0]
    return dict(
        claim="C11", kind="code",
        question=f"로짓 z = {logits} (모양 (2, 3))에 `softmax(z, dim=-1)`을 적용했을 때 첫 행은? (소수 둘째 자리)",
        key=vec(key),
        explanation="dim=-1이면 행마다(클래스 축) 소프트맥스를 하므로 첫 행의 합이 1입니다.",
        wrongs=[
            (vec(softmax(z, dim=0)[0]), "dim=0(배치 축)으로 소프트맥스를 한 값입니다. 열마다 합이 1이 되어 행은 확률분포가 아닙니다."),
            (vec(z[0] / z[0].sum()), "지수 함수 없이 로짓을 합으로 나눈 값입니다."),
            (vec((z / z.sum(dim=0))[0]), "지수 함수 없이, 그것도 열마다(dim=0) 합으로 나눈 값입니다."),
            (vec(torch.softmax(softmax(z, dim=-1), dim=-1)[0]), "소프트맥스를 두 번 적용한 값입니다. 분포가 평평해집니다."),
        ])


@generator
def cross_entropy_value(logits, target):
    from lib.losses import cross_entropy

    z = torch.tensor([logits], dtype=torch.float32)
    t = torch.tensor([target])
    key = cross_entropy(z, t).item()
    p = torch.softmax(z, -1)
    return dict(
        claim="C11", kind="concept",
        question=f"로짓 {logits}, 정답 클래스 {target}(0부터 셈)일 때 교차 엔트로피 손실(from_logits=True, 자연로그)은? (소수 둘째 자리)",
        key=num(key),
        explanation=f"−log softmax(z)[{target}] = log Σe^z − z[{target}] = {num(key)}입니다.",
        wrongs=[
            (num(cross_entropy(p, t).item()), "소프트맥스를 적용한 확률을 다시 로짓으로 넣은 값(소프트맥스 두 번)입니다. 0~1의 확률을 로짓으로 쓰면 분포가 거의 평평해져, 학습해도 손실이 log(1 + (C−1)/e)(C = 클래스 수) 아래로 내려가지 못합니다."),
            (num(-z[0, target].item()), "log-sum-exp 항을 빼먹고 −z[정답]만 쓴 값입니다."),
            (num(-math.log2(p[0, target].item())), "밑이 2인 로그로 계산한 값입니다. 딥러닝 프레임워크의 손실은 자연로그입니다."),
        ])


@generator
def cross_entropy_ignore(losses, labels):
    from lib.losses import cross_entropy

    # logits whose per-token loss is exactly losses[i]: target logit 0, the other logit = log(e^l - 1)
    rows = []
    for loss in losses:
        other = math.log(math.exp(loss) - 1)
        rows.append([0.0, other])
    z = torch.tensor(rows, dtype=torch.float32)
    targets = torch.tensor([0 if lab != 0 else -100 for lab in labels])  # class 0 = the token's target; PAD -> ignored
    key = cross_entropy(z, targets, ignore_index=-100).item()
    kept = [l for l, lab in zip(losses, labels) if lab != 0]
    return dict(
        claim="C11", kind="concept",
        question=(f"레이블 {labels} (0 = PAD)의 토큰별 손실이 차례로 {losses}입니다. PAD를 무시하는 교차 엔트로피"
                  "(ignore_index=PAD)의 평균 손실은? (소수 둘째 자리)"),
        key=num(key),
        explanation=f"PAD 자리는 분자에서도 분모에서도 빠집니다: ({' + '.join(str(k) for k in kept)}) / {len(kept)} = {num(key)}.",
        wrongs=[
            (num(sum(losses) / len(losses)), "PAD 자리의 손실까지 모두 평균한 값입니다."),
            (num(sum(kept)), "평균이 아니라 합을 낸 값입니다."),
            (num(sum(losses)), "PAD 자리까지 넣고, 평균이 아니라 합을 낸 값입니다."),
            (num(sum(kept) / len(losses)), "PAD 자리를 합에서만 빼고 분모에는 넣은 값입니다. 평균이 PAD 수만큼 작아집니다."),
        ])


@generator
def log_softmax_large(big):
    from lib.losses import log_softmax

    z = torch.tensor([float(big), 0.0])
    key = log_softmax(z)
    return dict(
        claim="C11", kind="code",
        question=f"float32 로짓 z = [{big}, 0]에 log-sum-exp로 안정화한 `log_softmax(z)`를 적용하면?",
        key=vec(key, 0),
        explanation=f"최댓값 {big}을 빼고 계산하면 z − logsumexp(z) = [0, −{big}]이 유한하게 나옵니다 (e^−{big}은 언더플로로 0이 되어도 로그를 취하지 않으므로 괜찮습니다).",
        wrongs=[
            ("[0, -inf]", "소프트맥스를 먼저 계산하고 log를 취한 결과입니다. 작은 확률이 0으로 언더플로해 log 0 = −inf가 됩니다."),
            (vec(torch.tensor([-float(big), 0.0]), 0), "두 값의 자리를 바꾼 값입니다. 가장 큰 로짓(첫 자리)의 로그 확률이 0에 가장 가깝습니다."),
            ("[-inf, 0]", "자리를 바꾼 데다, 소프트맥스 뒤에 log를 취해 언더플로한 −inf까지 적은 값입니다."),
            ("[nan, nan]", f"최댓값을 빼지 않고 e^{big}을 계산한 결과입니다. float32에서 inf로 오버플로해 inf/inf = nan이 됩니다."),
        ])


@generator
def masked_accuracy_value(pred, labels):
    from lib.losses import masked_accuracy

    pred_t, lab_t = torch.tensor([pred]), torch.tensor([labels])
    logits = torch.nn.functional.one_hot(pred_t, 10).float()
    key = masked_accuracy(logits, lab_t, pad_id=0)
    real = sum(l != 0 for l in labels)
    right = sum(p == l for p, l in zip(pred, labels) if l != 0)
    all_right = sum(p == l for p, l in zip(pred, labels))
    return dict(
        claim="C11", kind="code",
        question=f"예측(argmax) {pred}, 레이블 {labels} (0 = PAD)일 때 패딩을 뺀 토큰 정확도(masked_accuracy)는? (소수 둘째 자리)",
        key=num(key),
        explanation=f"PAD가 아닌 {real}자리 가운데 {right}자리를 맞혔습니다: {right}/{real} = {num(key)}.",
        wrongs=[
            (num(all_right / len(labels)), "PAD 자리까지 세어(예측 0 = 레이블 0도 정답으로) 계산한 값입니다."),
            (num(right / len(labels)), "맞힌 수는 실제 토큰에서만 셌지만 분모에 PAD 자리를 넣은 값입니다."),
            (num((real - right) / real), "틀린 비율(오류율)입니다."),
        ])


# ---------------------------------------------------------------- 06 self-attention


@generator
def sdpa_weights(q, k):
    from lib.attention import scaled_dot_product_attention

    Q = torch.tensor(q, dtype=torch.float32)
    K = torch.tensor(k, dtype=torch.float32)
    _, w = scaled_dot_product_attention(Q, K, K)
    scores = Q @ K.T
    d = Q.size(-1)
    return dict(
        claim="C13", kind="concept",
        question=(f"쿼리 Q = {q}, 키 K = {k} (d_k = {d})일 때 스케일드 내적 어텐션 가중치 softmax(QKᵀ/√d_k)의 첫 행은? (소수 둘째 자리)"),
        key=vec(w[0]),
        explanation=f"첫 쿼리의 점수 QKᵀ = {vec(scores[0])}를 √{d}로 나눈 뒤 키 축(마지막 축)으로 소프트맥스합니다.",
        wrongs=[
            (vec(torch.softmax(scores, -1)[0]), "1/√d_k 스케일링을 빼먹은 값입니다. 분포가 더 뾰족해집니다."),
            (vec(torch.softmax(scores / d, -1)[0]), "√d_k가 아니라 d_k로 나눈 값입니다."),
            (vec(torch.softmax(scores / math.sqrt(d), 0)[0]), "소프트맥스를 쿼리 축(dim=0)으로 한 값입니다. 한 쿼리의 가중치는 키들에 대해 합이 1이어야 합니다."),
        ])


@generator
def sdpa_output_shape(batch, tq, tk, d, dv):
    return dict(
        claim="C14", kind="code",
        question=(f"q: ({batch}, {tq}, {d}), k: ({batch}, {tk}, {d}), v: ({batch}, {tk}, {dv})를 "
                  "`scaled_dot_product_attention(q, k, v)`에 넣었을 때 출력 out의 모양은?"),
        key=shape((batch, tq, dv)),
        explanation=f"가중치가 ({batch}, {tq}, {tk})이고 out = 가중치 @ v라서 (B, T_q, d_v) = {shape((batch, tq, dv))}입니다. 쿼리마다 값 벡터의 가중 평균 하나입니다.",
        wrongs=[
            (shape((batch, tk, dv)), "출력이 키의 개수를 따른다고 본 모양입니다. 출력은 쿼리마다 하나입니다."),
            (shape((batch, tq, d)), "출력의 마지막 축을 쿼리·키 차원 d로 본 모양입니다. 마지막 축은 v의 차원입니다."),
            (shape((batch, tk, d)), "출력이 키의 개수를 따르고 마지막 축도 쿼리·키 차원이라고 본 모양입니다. (B, T_q, d_v)입니다."),
            (shape((batch, tq, tk)), "어텐션 가중치의 모양입니다. 출력은 그 가중치로 v를 섞은 것입니다."),
        ])


@generator
def scaled_score(dot, d_model, heads):
    d_k = d_model // heads
    key = dot / math.sqrt(d_k)
    return dict(
        claim="C13", kind="concept",
        question=(f"d_model = {d_model}, 헤드 {heads}개인 멀티 헤드 어텐션(논문·PyTorch처럼 d_k = d_model/h)의 한 헤드에서 쿼리와 키의 내적이 {dot}입니다. "
                  "소프트맥스에 들어가는 스케일된 점수는? (소수 둘째 자리)"),
        key=num(key),
        explanation=f"d_k는 헤드 하나의 크기 {d_model}/{heads} = {d_k}이고, 점수는 {dot}/√{d_k} = {num(key)}입니다.",
        wrongs=[
            (num(dot / math.sqrt(d_model)), "√d_model로 나눈 값입니다(d_k 자리에 d_model을 넣음). 이 방식에서 d_k는 헤드당 크기 d_model/h입니다(Keras처럼 key_dim을 따로 주면 그 값이 d_k, 10장)."),
            (num(dot / d_k), "√d_k가 아니라 d_k로 나눈 값입니다."),
            (num(dot), "스케일하지 않은 값입니다."),
        ])


# ---------------------------------------------------------------- 07 transformer layers


@generator
def mha_params(d_model, heads):
    key = 4 * _linear_params(d_model, d_model)
    return dict(
        claim="C19", kind="concept",
        question=f"d_model = {d_model}, 헤드 {heads}개인 멀티 헤드 어텐션(논문·PyTorch처럼 d_k = d_model/h; Q·K·V 투영과 출력 투영, 모두 편향 있음)의 파라미터 수는?",
        key=count(key),
        explanation=f"d_model×d_model 선형층 네 개(W_q, W_k, W_v, W_o)와 편향: 4 × ({d_model}² + {d_model}) = {key}개. 이 방식에서는 헤드 수가 이 행렬을 나눠 쓸 뿐이라 파라미터 수를 바꾸지 않습니다(Keras처럼 key_dim을 따로 주면 달라집니다, 10장).",
        wrongs=[
            (count(heads * key), "헤드마다 d_model×d_model 행렬을 따로 둔다고 본 값입니다. d_k = d_model/h이면 헤드는 d_model을 나눠 가집니다."),
            (count(3 * _linear_params(d_model, d_model)), "출력 투영 W_o를 빼먹은 값입니다."),
            (count(heads * 3 * _linear_params(d_model, d_model)), "헤드마다 d_model×d_model 행렬을 따로 두고, 출력 투영 W_o는 빼먹은 값입니다."),
            (count(4 * d_model * d_model), "편향을 뺀 값입니다."),
        ])


@generator
def split_heads_shape(batch, length, d_model, heads):
    return dict(
        claim="C19", kind="code",
        question=f"x의 모양이 ({batch}, {length}, {d_model})일 때 `split_heads(x, num_heads={heads})`의 결과 모양은?",
        key=shape((batch, heads, length, d_model // heads)),
        explanation=f"특징 축을 헤드 {heads}개로 나누고(각 {d_model // heads}차원) 헤드 축을 시간 축 앞으로 옮깁니다: (B, h, T, D/h).",
        wrongs=[
            (shape((batch, length, heads, d_model // heads)), "view만 하고 transpose(1, 2)를 하지 않은 모양입니다. 헤드마다 (T, D/h) 행렬 곱을 하려면 헤드 축이 앞에 와야 합니다."),
            (shape((batch, heads, length, d_model)), "헤드마다 d_model 전체를 복사한다고 본 모양입니다."),
            (shape((batch, length, heads, d_model)), "헤드마다 d_model 전체를 복사하고, 헤드 축을 시간 축 앞으로 옮기지도 않은 모양입니다."),
            (shape((heads, batch, length, d_model // heads)), "헤드 축을 배치 축 앞에 둔 모양입니다."),
        ])


@generator
def layer_norm_values(x):
    from lib.transformer import layer_norm

    t = torch.tensor([x], dtype=torch.float32)
    d = len(x)
    key = layer_norm(t, torch.ones(d), torch.zeros(d))[0]
    mean = t.mean()
    unbiased = (t - mean) / torch.sqrt(t.var(unbiased=True) + 1e-5)
    no_sqrt = (t - mean) / (t.var(unbiased=False) + 1e-5)
    no_mean = t / torch.sqrt(t.var(unbiased=False) + 1e-5)
    unbiased_no_sqrt = (t - mean) / (t.var(unbiased=True) + 1e-5)
    return dict(
        claim="C15", kind="concept",
        question=f"x = {x}에 계층 정규화(γ = 1, β = 0, ε ≈ 0; nn.LayerNorm과 같은 정의)를 적용한 결과는? (소수 둘째 자리)",
        key=vec(key),
        explanation=f"평균 {num(mean)}을 빼고, 편향 분산(N으로 나눔) {num(t.var(unbiased=False))}의 제곱근으로 나눕니다. nn.LayerNorm은 편향 분산을 씁니다.",
        wrongs=[
            (vec(unbiased), "불편 분산(N − 1로 나눔)을 쓴 값입니다. nn.LayerNorm은 N으로 나누는 편향 분산을 씁니다."),
            (vec(no_sqrt), "표준편차가 아니라 분산으로 나눈 값입니다."),
            (vec(unbiased_no_sqrt), "불편 분산(N − 1로 나눔)을 쓰고, 그 제곱근이 아니라 분산 자체로 나눈 값입니다."),
            (vec(no_mean), "평균을 빼지 않고 나누기만 한 값입니다."),
        ])


@generator
def positional_row(pos, d_model):
    from lib.transformer import positional_encoding

    pe = positional_encoding(pos + 1, d_model)
    key = pe[pos]
    half = torch.cat([pe[pos, 0::2], pe[pos, 1::2]])
    swapped = torch.stack([pe[pos, 1::2], pe[pos, 0::2]], dim=-1).flatten()
    return dict(
        claim="C12", kind="concept",
        question=(f"논문의 사인·코사인 위치 인코딩(짝수 차원 sin, 홀수 차원 cos, PE(pos, 2i) = sin(pos/10000^(2i/d)))에서 "
                  f"d_model = {d_model}일 때 위치 pos = {pos}의 벡터는? (소수 둘째 자리)"),
        key=vec(key),
        explanation=f"차원 쌍 (0, 1)은 주기가 가장 짧은 sin({pos}), cos({pos}), 쌍 (2, 3)은 sin({pos}/100), cos({pos}/100)입니다 (d_model = 4이면 10000^(2/4) = 100).",
        wrongs=[
            (vec(half), "TF 튜토리얼처럼 [sin들 | cos들]로 이어 붙인 배치입니다. 같은 정보지만 논문의 교차 배치와 차원 순서가 다릅니다."),
            (vec(swapped), "짝수 차원에 cos, 홀수 차원에 sin을 둔 값입니다."),
            (vec(positional_encoding(pos + 2, d_model)[pos + 1]), f"위치를 1부터 세어 pos = {pos + 1}의 값을 쓴 것입니다. 위치는 0부터 셉니다."),
        ])


@generator
def ffn_params(d_model, d_ff):
    key = _linear_params(d_model, d_ff) + _linear_params(d_ff, d_model)
    return dict(
        claim="C20", kind="concept",
        question=f"d_model = {d_model}, d_ff = {d_ff}인 위치별 피드포워드 신경망(Linear → ReLU → Linear, 편향 있음)의 파라미터 수는?",
        key=count(key),
        explanation=f"{d_model}→{d_ff} 선형층 {_linear_params(d_model, d_ff)}개 + {d_ff}→{d_model} 선형층 {_linear_params(d_ff, d_model)}개 = {key}개. 모든 위치가 같은 가중치를 씁니다.",
        wrongs=[
            (count(2 * d_model * d_ff), "편향을 뺀 값입니다."),
            (count(_linear_params(d_model, d_ff)), "첫 선형층만 센 값입니다."),
            (count(d_model * d_ff), "첫 선형층만 세고 편향도 뺀 값입니다."),
            (count(2 * _linear_params(d_model, d_ff)), "두 선형층의 편향이 같은 크기라고 본 값입니다. 두 번째 층의 편향은 d_model개입니다."),
        ])


# ---------------------------------------------------------------- 08 causal attention


@generator
def causal_true_count(length):
    from lib.masks import causal_mask

    key = int(causal_mask(length).sum())
    return dict(
        claim="C22", kind="concept",
        question=f"길이 {length}의 인과 마스크 `causal_mask({length})` (True = 볼 수 있음)에서 True인 칸은 몇 개인가?",
        key=count(key),
        explanation=f"위치 i는 0..i를 봅니다(자기 자신 포함): 1 + 2 + … + {length} = {key}개. 대각선과 그 아래가 True입니다.",
        wrongs=[
            (count(length * (length - 1) // 2), "대각선(자기 자신)을 빼고 센 값입니다. 각 위치는 자기 자신을 볼 수 있습니다."),
            (count(length * length), "마스크가 없는 경우입니다."),
            (count(length), "대각선만 센 값입니다."),
        ])


@generator
def causal_row(length, row):
    from lib.masks import causal_mask

    m = causal_mask(length)
    return dict(
        claim="C22", kind="code",
        question=f"`causal_mask({length})[{row}]`(위치 {row}의 쿼리가 볼 수 있는 키, 1 = True)는?",
        key=bits(m[row]),
        explanation=f"{row}번 행은 위치 0..{row}의 키만 볼 수 있습니다. 미래(위치 {row + 1} 이후)는 가립니다.",
        wrongs=[
            (bits(~m[row]), "True/False를 뒤집은 마스크입니다(True = 가림인 nn.MultiheadAttention의 약속과 혼동)."),
            (bits(m.T[row]), "전치한 마스크의 행입니다. 과거가 아니라 미래를 보게 됩니다."),
            (bits(torch.tril(torch.ones(length, length, dtype=torch.bool), -1)[row]), "대각선을 뺀 마스크입니다. 자기 자신의 위치는 볼 수 있습니다."),
        ])


@generator
def decoder_mask_row(tokens, row):
    from lib.masks import decoder_self_attention_mask, causal_mask

    t = torch.tensor([tokens])
    m = decoder_self_attention_mask(t)[0]
    real = t[0] != 0
    return dict(
        claim="C22", kind="code",
        question=(f"디코더 입력 {tokens} (0 = PAD)에 `decoder_self_attention_mask`(인과 AND 패딩, 1 = 볼 수 있음)를 만들었을 때 "
                  f"{row}번 행은?"),
        key=bits(m[row]),
        explanation="행은 쿼리, 열은 키입니다. 인과 마스크의 행과, PAD가 아닌 키를 나타내는 패딩 마스크를 AND합니다.",
        wrongs=[
            (bits(causal_mask(len(tokens))[row]), "패딩 마스크를 빼고 인과 마스크만 쓴 값입니다. PAD 키도 보게 됩니다."),
            (bits(causal_mask(len(tokens))[row] & real[row]), "키가 아니라 쿼리 쪽의 PAD로 가린 값입니다. 패딩 마스크는 키(열)에 걸립니다."),
            (bits(causal_mask(len(tokens))[row] & ~real), "패딩 마스크의 극성을 뒤집은 값입니다(PAD만 보게 됨). 이 코스의 마스크는 True = 볼 수 있음입니다."),
        ])


@generator
def causal_uniform_weights(length, row):
    from lib.attention import scaled_dot_product_attention
    from lib.masks import causal_mask

    q = torch.zeros(length, 2)
    _, w = scaled_dot_product_attention(q, q, q, causal_mask(length))
    _, w_t = scaled_dot_product_attention(q, q, q, causal_mask(length).T)
    strict = torch.tril(torch.ones(length, length, dtype=torch.bool), -1)
    strict[0, 0] = True
    _, w_s = scaled_dot_product_attention(q, q, q, strict)
    return dict(
        claim="C22", kind="concept",
        question=(f"길이 {length}, 모든 점수가 0인 인과 셀프 어텐션(마스크 = causal_mask({length}))에서 위치 {row}(0부터 셈)의 쿼리가 "
                  "키 위치 0, 1, …에 주는 가중치는? (소수 둘째 자리)"),
        key=vec(w[row]),
        explanation=f"위치 {row}의 쿼리는 키 0..{row}({row + 1}개)만 보고 점수가 모두 같으니 1/{row + 1}씩 나눠 갖습니다. 미래 키의 가중치는 0입니다.",
        wrongs=[
            (vec(torch.full((length,), 1 / length)), "마스크를 적용하지 않은 값입니다. 미래 위치까지 가중치를 받습니다."),
            (vec(w_t[row]), "전치한 마스크를 쓴 값입니다. 현재와 미래만 보게 됩니다."),
            (vec(w_s[row]), "자기 자신(대각선)까지 가린 값입니다."),
        ])


@generator
def padding_mask_shape(batch, length):
    return dict(
        claim="C22", kind="code",
        question=f"토큰 ({batch}, {length})에 `padding_mask(tokens)`를 적용한 결과의 모양은? (이 코스의 정의: 쿼리 축으로 브로드캐스트되는 모양)",
        key=shape((batch, 1, length)),
        explanation=f"키 위치마다 True/False를 두고 쿼리 축 자리에 1을 끼워 (B, 1, T) = {shape((batch, 1, length))}입니다. 점수 (B, T_q, T_k)와 브로드캐스트되어 모든 쿼리에 같은 키를 가립니다.",
        wrongs=[
            (shape((batch, length, 1)), "1을 키 축 자리에 둔 모양입니다. 그러면 키가 아니라 쿼리가 가려집니다."),
            (shape((batch, length, length)), "패딩 마스크를 쿼리마다 펼친 모양입니다. 브로드캐스트로 충분하고, 이 함수는 (B, 1, T)를 돌려줍니다."),
            (shape((length, length)), "인과 마스크의 모양입니다. 패딩 마스크는 문장마다 다르므로 배치 축이 있습니다."),
        ])


# ---------------------------------------------------------------- 09 transformer


@generator
def transformer_logits_shape(batch, src_len, tgt_len, d_model, vocab):
    return dict(
        claim="C23", kind="code",
        question=(f"노트의 코드처럼 `logits = model((context, x))`를 계산합니다. context (원문) = ({batch}, {src_len}), "
                  f"x (디코더 입력) = ({batch}, {tgt_len}), d_model = {d_model}, 타깃 어휘 {vocab}개일 때 logits의 모양은?"),
        key=shape((batch, tgt_len, vocab)),
        explanation=f"디코더는 x의 위치마다 다음 토큰의 로짓을 냅니다: (B, T_x, V) = {shape((batch, tgt_len, vocab))}. 원문 길이는 크로스 어텐션 안에서만 쓰입니다.",
        wrongs=[
            (shape((batch, src_len, vocab)), "출력 길이를 원문 길이로 본 모양입니다."),
            (shape((batch, tgt_len, d_model)), "final_layer(어휘 크기로의 선형층)를 거치기 전 디코더 출력의 모양입니다."),
            (shape((batch, src_len, d_model)), "인코더 출력(context)의 모양입니다. 로짓은 x의 위치마다 어휘 크기입니다."),
            (shape((batch, vocab)), "문장마다 로짓이 하나라고 본 모양입니다."),
        ])


@generator
def cross_attention_shape(batch, heads, src_len, tgt_len):
    return dict(
        claim="C14", kind="code",
        question=(f"헤드 {heads}개인 디코더 층의 크로스 어텐션에서 원문 길이 {src_len}, 디코더 입력 길이 {tgt_len}, 배치 {batch}일 때 "
                  "헤드별 어텐션 가중치의 모양은?"),
        key=shape((batch, heads, tgt_len, src_len)),
        explanation=f"크로스 어텐션은 두 시퀀스 사이의 어텐션이라, 헤드마다 디코더 입력 {tgt_len}개 위치와 원문 {src_len}개 위치를 잇는 직사각형 가중치 행렬이 있습니다: (B, h, T_tgt, T_src) = {shape((batch, heads, tgt_len, src_len))}.",
        wrongs=[
            (shape((batch, heads, src_len, tgt_len)), "행과 열을 바꾼 모양입니다. 행은 쿼리(디코더 입력 위치), 열은 키(원문 위치)입니다."),
            (shape((batch, tgt_len, src_len)), "헤드 축을 빼먹은 모양입니다. 헤드마다 가중치가 따로 있습니다(torch nn.MultiheadAttention은 기본값 average_attn_weights=True이면 헤드를 평균해 이 모양으로 돌려주지만, 문제는 헤드별 가중치입니다)."),
            (shape((batch, src_len, tgt_len)), "헤드 축을 빼먹고 행과 열도 바꾼 모양입니다."),
            (shape((batch, heads, src_len, src_len)), "인코더 셀프 어텐션의 모양입니다. 크로스 어텐션은 원문과 디코더 입력, 두 시퀀스 사이에서 일어납니다."),
            (shape((batch, heads, tgt_len, tgt_len)), "디코더 셀프 어텐션의 모양입니다."),
        ])


@generator
def decoder_layer_params(d_model, d_ff):
    mha = 4 * _linear_params(d_model, d_model)
    ffn = _linear_params(d_model, d_ff) + _linear_params(d_ff, d_model)
    ln = 2 * d_model
    key = 2 * mha + ffn + 3 * ln
    return dict(
        claim="C20", kind="concept",
        question=(f"d_model = {d_model}, d_ff = {d_ff}인 논문 방식(post-LN) 디코더 층 하나(인과 셀프 어텐션, 크로스 어텐션, 피드포워드 부분층과 "
                  "Add & Norm; 선형층 모두 편향 있음)의 파라미터 수는?"),
        key=count(key),
        explanation=f"멀티 헤드 어텐션 두 개 {2 * mha} + 피드포워드 {ffn} + 계층 정규화 세 개(γ, β) {3 * ln} = {key}개입니다.",
        wrongs=[
            (count(3 * mha + ffn + 4 * ln), "인코더 셀프 어텐션(과 그 Add & Norm)까지 디코더 층 안에 있다고 본 값입니다. 디코더 층의 어텐션은 인과 셀프 어텐션과 크로스 어텐션, 둘입니다."),
            (count(2 * mha + ffn + 6 * ln), "계층 정규화가 배치 정규화처럼 이동 평균·분산까지 저장한다고 보고 두 배로 센 값입니다. 계층 정규화의 파라미터는 γ, β뿐입니다."),
            (count(3 * mha + ffn + 8 * ln), "어텐션을 셋으로 세고, 계층 정규화도 배치 정규화처럼 두 배로 센 값입니다."),
            (count(mha + ffn + 2 * ln), "크로스 어텐션을 빼고 인코더 층처럼 센 값입니다."),
            (count(2 * mha + ffn + 2 * ln), "계층 정규화를 두 개만 센 값입니다. 부분층이 셋이라 Add & Norm도 셋입니다."),
            (count(2 * mha + ffn), "계층 정규화의 파라미터(γ, β)를 뺀 값입니다."),
        ])


@generator
def self_attention_score_count(length, heads):
    key = heads * length * length
    return dict(
        claim="C17", kind="concept",
        question=f"길이 {length}인 시퀀스에 헤드 {heads}개의 셀프 어텐션(마스크 없음)을 적용합니다. 문장 하나에 대해, 헤드마다 따로 계산하는 어텐션 점수를 모두 세면 몇 개인가?",
        key=count(key),
        explanation=f"헤드마다 모든 쿼리 {length}개가 모든 키 {length}개와 점수를 냅니다: {heads} × {length}² = {key}개. 그래서 모든 토큰이 한 번에 연결되는 대신 비용이 길이의 제곱으로 늡니다.",
        wrongs=[
            (count(heads * length), "토큰마다 점수 하나라고 본 값입니다. 점수는 쿼리와 키의 쌍마다 있습니다."),
            (count(heads * length * (length + 1) // 2), "인과 마스크처럼 대각선과 그 아래만 센 값입니다. 마스크가 없으면 모든 쌍을 계산합니다."),
            (count(length * length), "헤드 수를 곱하지 않은 값입니다. 헤드마다 점수를 따로 계산합니다."),
        ])


@generator
def layer_norm_params(d_model):
    return dict(
        claim="C15", kind="concept",
        question=f"`nn.LayerNorm({d_model})`의 학습 가능한 파라미터 수는?",
        key=count(2 * d_model),
        explanation=f"특징마다 스케일 γ와 이동 β 하나씩: 2 × {d_model} = {2 * d_model}개입니다. 평균과 분산은 입력마다 그때그때 계산하므로 파라미터도 저장된 통계도 아닙니다.",
        wrongs=[
            (count(4 * d_model), "배치 정규화처럼 이동 평균과 이동 분산을 저장한다고 보고 더한 값입니다. 계층 정규화에는 그런 통계가 없습니다(배치 정규화의 통계도 torch에서는 파라미터가 아닌 버퍼, Keras에서는 학습되지 않는 가중치라 학습 가능한 파라미터는 아닙니다)."),
            (count(d_model), "γ와 β 가운데 하나만 센 값입니다."),
            (count(d_model * d_model), "선형층처럼 d_model × d_model 행렬이 있다고 본 값입니다. 계층 정규화는 특징마다 원소별로 곱하고 더합니다."),
        ])


@generator
def embedding_scale(value, d_model):
    key = value * math.sqrt(d_model)
    return dict(
        claim="C16", kind="concept",
        question=(f"이 코스의 트랜스포머(논문과 같은 방식)는 위치 인코딩을 더하기 전에 임베딩에 배율을 곱합니다. d_model = {d_model}일 때 "
                  f"임베딩의 한 성분 {value}는 얼마가 되는가?"),
        key=num(key),
        explanation=f"임베딩에 √d_model = √{d_model} = {num(math.sqrt(d_model))}을 곱합니다: {value} × {num(math.sqrt(d_model))} = {num(key)}. 이 코스처럼 토큰 벡터를 분산 1/d_model로 초기화할 때, 위치 인코딩(−1~1)에 비해 임베딩이 너무 작아지지 않게 합니다.",
        wrongs=[
            (num(value * d_model), "√d_model이 아니라 d_model을 곱한 값입니다."),
            (num(value / math.sqrt(d_model)), "√d_model로 나눈 값입니다. 어텐션 점수의 1/√d_k 스케일링과 헷갈린 경우입니다."),
            (num(value / d_model), "곱하지 않고 나눈 데다, √d_model이 아니라 d_model을 쓴 값입니다."),
            (num(value), "배율을 곱하지 않은 값입니다."),
        ])


# ---------------------------------------------------------------- the generated bank

SPECS = [
    ("01-g1", "rnn_params", {"d_in": 10, "hidden": 20}),
    ("01-g2", "rnn_output_shape", {"batch": 4, "length": 12, "d_in": 6, "hidden": 32}),
    ("01-g3", "rnn_hn_shape", {"batch": 8, "length": 15, "d_in": 5, "hidden": 24}),
    ("01-g4", "rnn_cell_value", {"w_x": 0.5, "w_h": -1.0, "b": 0.2, "x": 2.0, "h0": 0.6}),
    ("01-g5", "rnn_two_steps", {"w_x": 1.0, "w_h": 0.5, "xs": [1.0, -0.5], "h0": 0.0}),
    ("01-g6", "embedding_params", {"vocab": 1000, "dim": 32}),
    ("02-g1", "lstm_params", {"d_in": 16, "hidden": 32}),
    ("02-g2", "gru_params", {"d_in": 16, "hidden": 32}),
    ("02-g3", "lstm_hidden_state", {"o": 0.5, "c": 2.0}),
    ("02-g4", "lstm_cell_state", {"c": 2.0, "ln_i": -1, "ln_f": 1, "ln_g": 1}),
    ("02-g5", "gru_update", {"z": 0.75, "n": 0.8, "h": 0.4}),
    ("02-g6", "lstm_weight_shape", {"d_in": 5, "hidden": 10}),
    ("02-g7", "bigru_output_shape", {"batch": 2, "length": 9, "d_in": 4, "hidden": 12}),
    ("03-g1", "context_vector_pick", {"rows": [[0.3, -0.1, 0.4, 0.6, -0.5, 0.2], [0.2, -0.7, -0.1, 0.8, 0.9, -0.4]], "lengths": [4, 3]}),
    ("03-g2", "decoder_logits_shape", {"batch": 16, "src_len": 9, "tgt_len": 11, "hidden": 96, "vocab": 88}),
    ("03-g3", "seq2seq_params", {"src_vocab": 50, "tgt_vocab": 40, "emb": 8, "hidden": 16}),
    ("03-g4", "greedy_decode_shape", {"first": [7, 8], "second": [9, 10, 4, 6], "max_len": 10}),
    ("04-g1", "attend_masked", {"scores": [math.log(3), 0.0, 5.0], "mask": [True, True, False]}),
    ("04-g2", "dot_scores", {"query": [1.0, 2.0], "keys": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]}),
    ("04-g3", "additive_score_values", {"q": 1.0, "keys": [1.0, -1.0], "w_q": [1.0, 0.5], "w_k": [1.0, -1.0], "v": [1.0, 2.0]}),
    ("04-g4", "seq2seq_attention_shape", {"batch": 8, "src_len": 11, "tgt_len": 7, "hidden": 64}),
    ("05-g1", "softmax_rows", {"logits": [[2.0, 1.0, 0.0], [0.0, 3.0, 1.0]]}),
    ("05-g2", "cross_entropy_value", {"logits": [2.0, 0.0, 0.0], "target": 1}),
    ("05-g3", "cross_entropy_ignore", {"losses": [0.7, 1.5, 1.0, 2.0], "labels": [5, 9, 0, 0]}),
    ("05-g4", "log_softmax_large", {"big": 1000}),
    ("05-g5", "masked_accuracy_value", {"pred": [4, 6, 2, 0, 0], "labels": [4, 5, 2, 0, 0]}),
    ("06-g1", "sdpa_weights", {"q": [[2.0, 1.0], [0.0, 2.0]], "k": [[2.0, 0.0], [0.0, 2.0], [1.0, 1.0]]}),
    ("06-g2", "sdpa_output_shape", {"batch": 2, "tq": 5, "tk": 7, "d": 16, "dv": 8}),
    ("06-g3", "scaled_score", {"dot": 16.0, "d_model": 512, "heads": 8}),
    ("07-g1", "mha_params", {"d_model": 64, "heads": 4}),
    ("07-g2", "split_heads_shape", {"batch": 2, "length": 10, "d_model": 64, "heads": 8}),
    ("07-g3", "layer_norm_values", {"x": [1.0, 2.0, 3.0, 6.0]}),
    ("07-g4", "positional_row", {"pos": 2, "d_model": 4}),
    ("07-g5", "ffn_params", {"d_model": 32, "d_ff": 128}),
    ("08-g1", "causal_true_count", {"length": 6}),
    ("08-g2", "causal_row", {"length": 5, "row": 2}),
    ("08-g3", "decoder_mask_row", {"tokens": [1, 6, 7, 8, 0, 0], "row": 5}),
    ("08-g4", "causal_uniform_weights", {"length": 4, "row": 2}),
    ("08-g5", "padding_mask_shape", {"batch": 4, "length": 9}),
    ("09-g1", "transformer_logits_shape", {"batch": 8, "src_len": 12, "tgt_len": 10, "d_model": 64, "vocab": 90}),
    ("09-g2", "cross_attention_shape", {"batch": 2, "heads": 4, "src_len": 9, "tgt_len": 6}),
    ("09-g3", "decoder_layer_params", {"d_model": 32, "d_ff": 64}),
    # new items go at the end: an item's key position is its index here modulo 4, so appending keeps
    # every earlier item's canonical order (and the meaning of recorded answers) unchanged
    ("06-g4", "self_attention_score_count", {"length": 12, "heads": 4}),
    ("07-g6", "layer_norm_params", {"d_model": 64}),
    ("09-g4", "embedding_scale", {"value": 0.5, "d_model": 64}),
]


# Exam metadata (spec section 10). Type: 계산 (a value or a count worked out), 코드 (a shape, an index, a
# mask read from code). Level: 심화 for long hand calculations (exp, tanh, ln, square roots by hand, sums
# of five terms) and for shapes of layers the chapters only mention; everything else is 기본.
CODE_GENERATORS = {
    "rnn_output_shape", "rnn_hn_shape", "lstm_weight_shape", "bigru_output_shape", "context_vector_pick",
    "decoder_logits_shape", "greedy_decode_shape", "seq2seq_attention_shape", "sdpa_output_shape",
    "split_heads_shape", "causal_row", "decoder_mask_row", "padding_mask_shape", "transformer_logits_shape",
    "cross_attention_shape",
}
ADVANCED = {
    "01-g4", "01-g5", "03-g3", "04-g3", "05-g1", "05-g2", "06-g1", "07-g3", "07-g4", "09-g3",
}


# layout-v1 items whose fact a generated item keeps (see the schema in lib.course.quiz)
LEGACY = {
    "02-g1": ["02-1"],
    "02-g5": ["02-6"],
    "03-g1": ["03-1"],
    "03-g4": ["03-6"],
    "04-g1": ["04-1", "04-2"],
    "05-g5": ["05-8"],
    "07-g3": ["06-8"],
    "08-g5": ["07-5"],
}


def build(item_id: str, gen: str, params: dict, position: int) -> dict:
    """One item: the key at canonical ``position``, the first three distinct distractors around it."""
    made = GENERATORS[gen](**params)
    key = made["key"]
    chosen, seen = [], {key}
    for text, why in made["wrongs"]:
        if text not in seen:
            seen.add(text)
            chosen.append((text, why))
        if len(chosen) == 3:
            break
    if len(chosen) < 3:
        raise ValueError(f"{item_id}: only {len(chosen)} distinct distractors")
    choices = [text for text, _ in chosen]
    why_wrong = [why for _, why in chosen]
    choices.insert(position, key)
    why_wrong.insert(position, "")
    return {
        "id": item_id, "chapter": item_id.split("-")[0], "claim": made["claim"], "kind": made["kind"],
        "level": "심화" if item_id in ADVANCED else "기본", "type": "코드" if gen in CODE_GENERATORS else "계산",
        "question": made["question"], "choices": choices, "answer": position,
        "explanation": made["explanation"], "why_wrong": why_wrong,
        "generated": {"gen": gen, "params": params, "position": position},
        **({"legacy_ids": list(LEGACY[item_id])} if item_id in LEGACY else {}),
    }


def regenerate(spec: dict) -> dict:
    """The item rebuilt from its ``generated`` field (id left out)."""
    return build("00-g0", spec["gen"], spec["params"], spec["position"])


@functools.lru_cache(maxsize=None)
def _all() -> tuple:
    with torch.no_grad():
        return tuple(build(item_id, gen, params, i % 4) for i, (item_id, gen, params) in enumerate(SPECS))


def generated_items(chapter: str | None = None) -> list:
    """Generated items of one chapter (all when None), as raw dicts (copies)."""
    import copy

    return [copy.deepcopy(item) for item in _all() if chapter is None or item["chapter"] == chapter]


def chapters() -> list:
    return sorted({item_id.split("-")[0] for item_id, _, _ in SPECS})
