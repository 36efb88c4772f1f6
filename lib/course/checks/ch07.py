"""Chapter 07 exercises: positional encoding, layer normalization, and the encoder layer.

Oracles: the paper's formula computed entry by entry, nn.LayerNorm, and nn.TransformerEncoderLayer
(post-LN, ReLU, batch_first, dropout 0, weights copied across, masks turned to its True = blocked).
positional_encoding and layer_norm were chapter 06 exercises in layout v1 (ids unchanged).
"""

import math

import torch
import torch.nn as nn

from lib import attention, masks, transformer
from lib.course.checks.core import Case, Exercise, Mistake, load_like_reference, random_state

# ---------------------------------------------------------------- positional encoding


def _pe_cases():
    return [
        Case((6, 8), label="길이 6, d_model 8"),
        Case((10, 16)),
        Case((1, 4), label="위치 하나 (pos = 0)"),
        Case((50, 6), label="긴 시퀀스"),
    ]


def loop_positional_encoding(length, d_model):
    """Oracle: the paper's formula, one entry at a time, with torch.sin / torch.cos on scalars."""
    pe = torch.zeros(length, d_model)
    for pos in range(length):
        for j in range(d_model):
            angle = torch.tensor(pos / 10000 ** ((j - j % 2) / d_model), dtype=torch.float64)
            pe[pos, j] = torch.sin(angle) if j % 2 == 0 else torch.cos(angle)
    return pe


def _pe_with(layout="interleaved", swap=False, exponent="pair", start=0):
    """positional_encoding with one typical mistake switched on."""

    def pe(length, d_model):
        pos = torch.arange(start, start + length, dtype=torch.float32).unsqueeze(1)
        j = torch.arange(d_model, dtype=torch.float32)
        two_i = j if exponent == "dim" else j - j % 2
        angle = pos / torch.pow(10000.0, two_i / d_model)  # (T, D)
        first, second = (torch.cos, torch.sin) if swap else (torch.sin, torch.cos)
        if layout == "concat":
            half = angle[:, 0::2]
            return torch.cat([first(half), second(half)], dim=1)
        out = first(angle)
        out[:, 1::2] = second(angle[:, 1::2])
        return out

    return pe


def _pe_alternative(length, d_model):
    pos = torch.arange(length).unsqueeze(1).float()
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2).float() / d_model)
    pe = torch.stack([torch.sin(pos * freq), torch.cos(pos * freq)], dim=2)  # (T, D/2, 2)
    return pe.reshape(length, -1)[:, :d_model]


# ---------------------------------------------------------------- layer normalization


def _ln_cases():
    g = torch.Generator().manual_seed(10)

    def affine(d):
        return 1 + 0.5 * torch.randn(d, generator=g), 0.5 * torch.randn(d, generator=g)

    x1 = torch.randn(2, 3, 6, generator=g) * 2 + 1
    x2 = torch.randn(4, 5, generator=g) * 3 + 100
    x3 = 1e-3 * torch.randn(3, 8, generator=g)
    x4 = torch.randn(2, 4, generator=g)
    return [
        Case((x1, *affine(6)), label="(B, T, D) = (2, 3, 6)"),
        Case((x2, *affine(5)), label="평균이 100 근처"),
        Case((x3, *affine(8)), label="분산이 아주 작은 행 (eps가 중요)"),
        Case((x4, *affine(4)), {"eps": 0.1}, label="eps=0.1"),
    ]


def torch_layer_norm(x, weight, bias, eps=1e-5):
    """Oracle: nn.LayerNorm with the given weight and bias."""
    norm = nn.LayerNorm(x.size(-1), eps=eps)
    with torch.no_grad():
        norm.weight.copy_(weight)
        norm.bias.copy_(bias)
    return norm(x)


def _ln_with(unbiased=False, dim=-1, eps_inside=True, affine=True, center=True, fixed_eps=None):
    def ln(x, weight, bias, eps=1e-5):
        eps = fixed_eps if fixed_eps is not None else eps
        mean = x.mean(dim=dim, keepdim=True) if center else 0.0
        var = x.var(dim=dim, keepdim=True, unbiased=unbiased)
        if not center:
            var = (x ** 2).mean(dim=dim, keepdim=True)
        y = (x - mean) / (torch.sqrt(var + eps) if eps_inside else torch.sqrt(var) + eps)
        return y * weight + bias if affine else y

    return ln


def _ln_alternative(x, weight, bias, eps=1e-5):
    centered = x - x.mean(-1, keepdim=True)
    var = (centered ** 2).mean(-1, keepdim=True)
    return weight * centered * torch.rsqrt(var + eps) + bias


# ---------------------------------------------------------------- encoder layer


D_MODEL, NUM_HEADS, D_FF = 8, 2, 16


def _encoder_layer_cases():
    g = torch.Generator().manual_seed(13)
    # every sentence has real tokens and padding, so an inverted mask still leaves each row a key
    tokens = torch.tensor([[5, 6, 7, 0, 0], [5, 6, 7, 8, 0]])
    return [
        Case((), {"x": torch.randn(2, 5, D_MODEL, generator=g), "mask": masks.padding_mask(tokens)},
             label="패딩 마스크 (B, 1, T)"),
        Case((), {"x": torch.randn(1, 4, D_MODEL, generator=g), "mask": None}, label="마스크 없음"),
        Case((), {"x": torch.randn(2, 1, D_MODEL, generator=g), "mask": None}, label="토큰 하나"),
    ]


def _encoder_random_state(seed: int) -> dict:
    """An EncoderLayer state_dict with every parameter random (layer norms included)."""
    return random_state(transformer.EncoderLayer(D_MODEL, NUM_HEADS, D_FF), seed)


def run_encoder_layer(layer_class, case: Case):
    """Build layer_class(d_model, num_heads, d_ff, dropout), load the same random weights, eval,
    call forward(x, mask) positionally."""
    layer = load_like_reference(layer_class(D_MODEL, NUM_HEADS, D_FF, 0.1), _encoder_random_state(seed=14),
                                "EncoderLayer")
    return layer(case.kwargs["x"], case.kwargs["mask"])


class TorchEncoderLayer(nn.Module):
    """Oracle: nn.TransformerEncoderLayer (post-LN, ReLU, batch_first, dropout 0) loading a lib
    EncoderLayer state_dict. Our masks are True = may attend; torch's src_mask is True = blocked."""

    def __init__(self, d_model, num_heads, d_ff, dropout=0.1):
        super().__init__()
        self.num_heads = num_heads
        self.layer = nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout=0.0, activation="relu",
                                                batch_first=True, norm_first=False)

    def load_state_dict(self, state, strict=True):
        mapped = {
            "self_attn.in_proj_weight": torch.cat([state[f"self_attention.{n}_proj.weight"] for n in "qkv"]),
            "self_attn.in_proj_bias": torch.cat([state[f"self_attention.{n}_proj.bias"] for n in "qkv"]),
            "self_attn.out_proj.weight": state["self_attention.out_proj.weight"],
            "self_attn.out_proj.bias": state["self_attention.out_proj.bias"],
        }
        for name in ["norm1", "norm2"]:
            mapped[f"{name}.weight"], mapped[f"{name}.bias"] = state[f"{name}.weight"], state[f"{name}.bias"]
        for name in ["linear1", "linear2"]:
            for p in ["weight", "bias"]:
                mapped[f"{name}.{p}"] = state[f"feed_forward.{name}.{p}"]
        return self.layer.load_state_dict(mapped, strict=True)

    def forward(self, x, mask=None):
        batch, length = x.size(0), x.size(1)
        blocked = None
        if mask is not None:
            blocked = (~mask).expand(batch, length, length).repeat_interleave(self.num_heads, dim=0)
        # grad enabled: keeps torch off its inference fast path, which treats padded rows differently
        with torch.enable_grad():
            return self.layer(x, src_mask=blocked).detach()


class _EncoderAlternative(transformer.EncoderLayer):
    """The same two sublayers written as one loop over (sublayer, norm) pairs."""

    def forward(self, x, mask=None):
        for sublayer, norm in [(lambda h: self.self_attention(h, h, h, mask)[0], self.norm1),
                               (self.feed_forward, self.norm2)]:
            x = norm(x + self.dropout(sublayer(x)))
        return x


class _EncoderPreNorm(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        h = self.norm1(x)
        x = x + self.self_attention(h, h, h, mask)[0]
        return x + self.feed_forward(self.norm2(x))


class _EncoderNoResidual(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = self.norm1(self.self_attention(x, x, x, mask)[0])
        return self.norm2(self.feed_forward(x))


class _EncoderNoNorm(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = x + self.self_attention(x, x, x, mask)[0]
        return x + self.feed_forward(x)


class _EncoderFeedForwardFirst(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = self.norm1(x + self.feed_forward(x))
        return self.norm2(x + self.self_attention(x, x, x, mask)[0])


class _EncoderMaskIgnored(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        return super().forward(x, None)


class _EncoderMaskInverted(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        return super().forward(x, None if mask is None else ~mask)


class _EncoderUnscaled(transformer.EncoderLayer):
    """Attention written by hand from the module's weights, without the 1/sqrt(d_k)."""

    def forward(self, x, mask=None):
        p, h = self.self_attention.params(), self.self_attention.num_heads
        q = attention.split_heads(x @ p["W_q"].T + p["b_q"], h)
        k = attention.split_heads(x @ p["W_k"].T + p["b_k"], h)
        v = attention.split_heads(x @ p["W_v"].T + p["b_v"], h)
        scores = q @ k.transpose(-2, -1)
        if mask is not None:
            scores = scores.masked_fill(~mask.unsqueeze(-3), float("-inf"))
        attended = attention.merge_heads(torch.softmax(scores, dim=-1) @ v) @ p["W_o"].T + p["b_o"]
        x = self.norm1(x + attended)
        return self.norm2(x + self.feed_forward(x))


class _EncoderNoActivation(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, mask)[0])
        ffn = self.feed_forward
        return self.norm2(x + ffn.linear2(ffn.linear1(x)))


EXERCISES_HERE = [
    Exercise(
        id="transformer.positional_encoding",
        chapter="07",
        reference=transformer.positional_encoding,
        cases=_pe_cases,
        oracle=loop_positional_encoding,
        oracle_name="sin·cos로 한 칸씩 계산한 논문 수식",
        alternatives=[_pe_alternative],
        mistakes=[
            Mistake("sin과 cos을 이어붙인 배치 (TF 튜토리얼의 [sin | cos])",
                    "이 코스는 논문의 교차 배치를 씁니다: 짝수 차원 2i에 sin, 홀수 차원 2i+1에 cos. "
                    "정보는 같지만 열의 순서가 다릅니다.",
                    _pe_with(layout="concat")),
            Mistake("sin과 cos의 자리가 바뀜", "짝수 차원(0, 2, 4, ...)이 sin, 홀수 차원이 cos입니다.",
                    _pe_with(swap=True)),
            Mistake("지수에 차원 번호 j를 그대로 씀",
                    "짝수·홀수 두 차원 2i와 2i+1은 같은 주파수를 나눠 씁니다: 지수는 j가 아니라 2i(= j - j % 2)입니다.",
                    _pe_with(exponent="dim")),
            Mistake("위치를 1부터 셈", "위치 pos는 0부터 셉니다. 첫 토큰의 인코딩은 [0, 1, 0, 1, ...]입니다.",
                    _pe_with(start=1)),
        ],
    ),
    Exercise(
        id="transformer.layer_norm",
        chapter="07",
        reference=transformer.layer_norm,
        cases=_ln_cases,
        oracle=torch_layer_norm,
        oracle_name="nn.LayerNorm",
        alternatives=[_ln_alternative],
        mistakes=[
            Mistake("불편 분산(unbiased=True)을 씀",
                    "nn.LayerNorm은 N으로 나누는 편향 분산을 씁니다: x.var(dim=-1, unbiased=False, keepdim=True).",
                    _ln_with(unbiased=True)),
            Mistake("배치 축으로 정규화함 (배치 정규화처럼)",
                    "계층 정규화는 토큰 하나의 특징 벡터(마지막 축, dim=-1) 안에서 평균과 분산을 구합니다. 배치와 무관합니다.",
                    _ln_with(dim=0)),
            Mistake("eps를 제곱근 밖에서 더함", "분모는 sqrt(var + eps)입니다. sqrt(var) + eps가 아닙니다.",
                    _ln_with(eps_inside=False)),
            Mistake("weight와 bias(γ, β)를 적용하지 않음", "정규화한 뒤 y * weight + bias로 크기와 위치를 되돌립니다.",
                    _ln_with(affine=False)),
            Mistake("평균을 빼지 않음", "먼저 평균을 빼서 중심을 0으로 옮긴 뒤 표준편차로 나눕니다.",
                    _ln_with(center=False)),
            Mistake("eps 인자를 무시하고 1e-5를 씀", "함수의 eps 인자를 그대로 쓰세요.",
                    _ln_with(fixed_eps=1e-5)),
        ],
    ),
    Exercise(
        id="transformer.EncoderLayer",
        chapter="07",
        reference=transformer.EncoderLayer,
        cases=_encoder_layer_cases,
        run=run_encoder_layer,
        oracle=TorchEncoderLayer,
        oracle_name="nn.TransformerEncoderLayer",
        is_class=True,
        alternatives=[_EncoderAlternative],
        mistakes=[
            Mistake("사전 정규화(pre-LN)로 구현",
                    "노트와 논문의 트랜스포머는 사후 정규화(post-LN)입니다: x = norm(x + sublayer(x)). "
                    "정규화를 부분층 앞에 두는 pre-LN(x + sublayer(norm(x)))은 다른 (요즘 흔한) 설계입니다.",
                    _EncoderPreNorm),
            Mistake("잔차 연결(Add)을 빠뜨림",
                    "Add & Norm의 Add는 부분층의 입력을 출력에 더하는 것입니다: x = norm1(x + attended), "
                    "x = norm2(x + feed_forward(x)).",
                    _EncoderNoResidual),
            Mistake("Add & Norm에서 정규화(Norm)를 빠뜨림",
                    "더한 뒤에 계층 정규화를 합니다: x = self.norm1(x + attended), x = self.norm2(x + ...).",
                    _EncoderNoNorm),
            Mistake("부분층의 순서가 바뀜 (피드포워드가 먼저)",
                    "인코더 층은 셀프 어텐션 → Add & Norm → 피드포워드 → Add & Norm 순서입니다.",
                    _EncoderFeedForwardFirst),
            Mistake("패딩 마스크를 쓰지 않음",
                    "셀프 어텐션에 mask를 넘기세요: self.self_attention(x, x, x, mask). "
                    "그래야 패딩 토큰이 키에서 빠집니다.",
                    _EncoderMaskIgnored),
            Mistake("마스크를 반대로 넘김 (True인 곳을 가림)",
                    "이 코스의 마스크는 True = 볼 수 있음입니다. mask를 뒤집지 말고 그대로 넘기세요 "
                    "(뒤집는 것은 nn.MultiheadAttention에 넘길 때뿐입니다).",
                    _EncoderMaskInverted),
            Mistake("어텐션 점수를 √d_k로 나누지 않음",
                    "어텐션을 직접 계산했다면 점수를 √d_k(헤드 하나의 크기)로 나누세요. "
                    "self.self_attention(x, x, x, mask)를 부르면 그 안에서 나눕니다.",
                    _EncoderUnscaled),
            Mistake("피드포워드에서 활성화 함수(ReLU)를 빠뜨림",
                    "피드포워드는 Linear → ReLU → Linear입니다. ReLU가 없으면 두 선형층이 선형층 하나와 같아집니다. "
                    "self.feed_forward(x)를 그대로 부르세요.",
                    _EncoderNoActivation),
        ],
    ),
]
