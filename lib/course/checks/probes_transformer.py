"""Probes for the Transformer's parts: positional encoding (frequency and phase per column), layer
norm (axes, variance, eps, affine), masks (which pattern), splitting and merging heads (where each
number went), multi-head attention (scale, heads, projections, mask), and dropout in train mode for
the layer classes (``train_mode_note``: a ⚠️ note even when the eval-mode check passes)."""

from __future__ import annotations

import math

import torch
import torch.nn as nn

from lib import attention, masks
from lib.course.checks import ch07, ch08
from lib.course.checks.ch06 import _mha_params, mha_variant
from lib.course.checks.class_exercises import load_like_reference
from lib.course.checks.exercise import Case
from lib.course.checks.isolation import call_with_time_limit, capture_output
from lib.course.checks.probe_tools import close, joined, probe, search, tensor

# ---------------------------------------------------------------- positional encoding


def _column_form(col, pos, d):
    """(func, exponent e, start) with col = func((pos + start) * 10000^(-e)), or None."""
    exponents = sorted({k / d for k in range(-2 * d, 2 * d + 1)} | {0.0})
    for start in (0, 1):
        for e in exponents:
            angle = (pos + start) * 10000.0 ** (-e)
            for name, func in (("sin", torch.sin), ("cos", torch.cos)):
                if bool(torch.allclose(col, func(angle), atol=2e-3)):
                    return name, e, start
    return None


def _exponent_text(e, d):
    frac = e * d
    return f"{int(round(frac))}/{d}" if abs(frac - round(frac)) < 1e-9 else f"{e:.3g}"


@probe("transformer.positional_encoding")
def pe_columns(ctx):
    length, d = 40, 8
    got = tensor(ctx.run(length, d))
    if got is None:
        return None
    if got.shape == (d, length):
        if close(got.T, tensor(ctx.ref(length, d))):
            return "(d_model, length)로 돌려줌: 행이 위치, 열이 차원인 (length, d_model)이어야 합니다 (.T를 빼세요)"
        got = got.T
    if got.shape != (length, d):
        return None
    pos = torch.arange(length, dtype=torch.float64)
    forms = [_column_form(got[:, j], pos, d) for j in range(d)]
    if any(f is None for f in forms):
        bad = [j for j, f in enumerate(forms) if f is None]
        return None if len(bad) == d else (
            f"열 {bad[:3]}이 sin·cos(pos × 주파수) 어느 꼴과도 맞지 않습니다: 그 열의 각도와 sin/cos를 확인하세요")
    findings = []
    funcs = [f[0] for f in forms]
    expected_funcs = ["sin" if j % 2 == 0 else "cos" for j in range(d)]
    half = d // 2
    concatenated = funcs == ["sin"] * half + ["cos"] * half
    swapped_concat = funcs == ["cos"] * half + ["sin"] * half
    if concatenated or swapped_concat:
        findings.append("sin과 cos을 이어붙인 배치 ([sin | cos]): 논문의 배치는 교차입니다: 짝수 차원 2i에 sin, 홀수 차원 "
                        "2i+1에 cos")
        pair = [j % half for j in range(d)]
        expected_e = [2 * pair[j] / d for j in range(d)]
    else:
        expected_e = [2 * (j // 2) / d for j in range(d)]
    if funcs == [("cos" if f == "sin" else "sin") for f in expected_funcs] or swapped_concat:
        findings.append("sin과 cos의 자리가 바뀜: 짝수 차원(0, 2, 4, ...)이 sin, 홀수 차원이 cos입니다")
    elif funcs != expected_funcs and not concatenated:
        findings.append(f"열마다 sin/cos이 {funcs}입니다 (기대: 짝수 열 sin, 홀수 열 cos)")
    exps = [f[1] for f in forms]
    if not all(abs(a - b) < 1e-9 for a, b in zip(exps, expected_e)):
        findings.append(_exponent_finding(exps, expected_e, d))
    if any(f[2] == 1 for f in forms):
        findings.append("위치를 1부터 셈: 위치 pos는 0부터 셉니다 (첫 행은 [0, 1, 0, 1, ...])")
    return "; 또 ".join(findings) if findings else None


def _exponent_finding(exps, expected, d) -> str:
    if all(abs(e) < 1e-9 for e in exps):
        return ("모든 열의 주파수가 1입니다 (지수가 0): 정수 나눗셈(2 * i // d_model)이나 연산 순서 때문에 지수 2i/d_model이 "
                "0이 되었습니다. 실수 나눗셈으로 2i / d_model을 계산하세요")
    if all(abs(e + x) < 1e-9 for e, x in zip(exps, expected)):
        return ("지수의 부호가 반대: 10000^(2i/d)로 나누지 않고 곱했습니다. 각도는 pos / 10000^(2i/d_model)입니다")
    if all(abs(e - j / d) < 1e-9 for j, e in enumerate(exps)):
        return ("지수에 차원 번호 j를 그대로 씀: 짝수·홀수 두 차원 2i와 2i+1은 같은 주파수를 나눠 씁니다. 지수는 j가 아니라 "
                "2i(= j - j % 2)입니다")
    if all(abs(e - 2 * x) < 1e-9 for e, x in zip(exps, expected)):
        return "지수가 두 배입니다 (2·2i/d_model): i가 이미 짝수 차원 번호 2i라면 2를 또 곱하지 마세요"
    if all(abs(e - x / 2) < 1e-9 for e, x in zip(exps, expected)):
        return "지수가 절반입니다 (i/d_model): 지수는 2i/d_model입니다"
    shown = ", ".join(f"열 {j}: 10000^(-{_exponent_text(e, d)})" for j, e in enumerate(exps[:4]))
    want = ", ".join(_exponent_text(e, d) for e in expected[:4])
    return f"주파수가 다릅니다 ({shown}, ...; 기대 지수 {want}, ...): 각도는 pos / 10000^(2i/d_model)입니다"


# ---------------------------------------------------------------- layer norm


def _ln_inputs():
    g = torch.Generator().manual_seed(131)

    def affine(d):
        return 1 + 0.5 * torch.randn(d, generator=g), 0.5 * torch.randn(d, generator=g)

    return [
        Case((torch.randn(2, 3, 6, generator=g) * 2 + 1, *affine(6))),
        Case((1e-2 * torch.randn(3, 5, generator=g), *affine(5)), {"eps": 0.01}),
    ]


def _ln_variant(axis, unbiased, eps_mode, sqrt, center, affine):
    def ln(x, weight, bias, eps=1e-5):
        dims = {"last": (-1,), "first": (0,), "all": tuple(range(x.dim())), "last2": (-2, -1)}[axis]
        mean = x.mean(dim=dims, keepdim=True) if center else torch.zeros(())
        if center:
            var = x.var(dim=dims, keepdim=True, unbiased=unbiased)
        else:
            var = (x ** 2).mean(dim=dims, keepdim=True)
        e = {"inside": eps, "outside": eps, "none": 0.0, "fixed": 1e-5}[eps_mode]
        spread = (var + e if eps_mode != "outside" else var)
        spread = spread.sqrt() if sqrt else spread
        if eps_mode == "outside":
            spread = spread + eps
        y = (x - mean) / spread
        return {"ok": y * weight + bias, "none": y, "swapped": y * bias + weight, "weight": y * weight,
                "bias": y + bias}[affine]

    return ln


@probe("transformer.layer_norm")
def layer_norm_parts(ctx):
    factors = [
        ("axis", [("last", ""), ("first", "배치 축(dim=0)으로 정규화함 (배치 정규화처럼): 토큰 하나의 특징 벡터(dim=-1) 안에서 "
                                          "평균과 분산을 구합니다"),
                  ("all", "텐서 전체로 평균과 분산을 구함: 마지막 축(dim=-1) 하나만 쓰세요"),
                  ("last2", "마지막 두 축 (T, D)로 정규화함: 마지막 축(dim=-1) 하나만 쓰세요")]),
        ("unbiased", [(False, ""), (True, "불편 분산(N-1로 나눔, unbiased=True)을 씀: nn.LayerNorm은 N으로 나누는 편향 분산"
                                          "입니다 (unbiased=False)")]),
        ("eps_mode", [("inside", ""), ("outside", "eps를 제곱근 밖에서 더함: 분모는 sqrt(var + eps)입니다"),
                      ("none", "eps를 더하지 않음: 분모는 sqrt(var + eps)입니다"),
                      ("fixed", "eps 인자를 무시하고 1e-5를 씀: 함수의 eps 인자를 쓰세요")]),
        ("sqrt", [(True, ""), (False, "제곱근을 빠뜨림 (분산으로 나눔): 표준편차 sqrt(var + eps)로 나눕니다")]),
        ("center", [(True, ""), (False, "평균을 빼지 않음: 먼저 평균을 빼서 중심을 0으로 옮깁니다")]),
        ("affine", [("ok", ""), ("none", "weight와 bias(γ, β)를 적용하지 않음: 정규화한 뒤 y * weight + bias"),
                    ("swapped", "weight와 bias를 바꿔 씀: y * weight + bias"),
                    ("weight", "bias(β)를 더하지 않음: y * weight + bias"),
                    ("bias", "weight(γ)를 곱하지 않음: y * weight + bias")]),
    ]
    return joined(search(ctx, factors, lambda **f: _ln_variant(**f), _ln_inputs()))


# ---------------------------------------------------------------- masks


def _mask_shape_finding(got, expected_shape, what) -> str | None:
    if not isinstance(got, torch.Tensor):
        return None
    if got.dtype != torch.bool:
        return f"{what}이 bool이 아니라 {got.dtype}입니다: masked_fill(~mask, ...)에 쓰려면 dtype=torch.bool이어야 합니다"
    if tuple(got.shape) != tuple(expected_shape) and got.numel() == math.prod(expected_shape):
        squeezed = [s for s in got.shape if s != 1]
        if squeezed == [s for s in expected_shape if s != 1] and got.dim() > len(expected_shape):
            return (f"축을 하나 더 넣음: 모양이 {tuple(got.shape)}인데 기대는 {tuple(expected_shape)}입니다. 헤드 축은 "
                    "multi_head_attention이 안에서 추가합니다")
    return None


def _pattern_name(got, length) -> str | None:
    ones = torch.ones(length, length, dtype=torch.bool)
    patterns = [
        (torch.triu(ones, 1), "마스크 극성이 반대 (True = 가림): 대각선과 그 아래가 True여야 합니다 (nn.MultiheadAttention의 "
                              "attn_mask는 반대 규약)"),
        (torch.triu(ones), "위쪽 삼각형(triu)을 씀: 위치 i가 미래를 봅니다. 대각선과 그 아래(torch.tril)가 True입니다"),
        (torch.tril(ones, -1), "대각선을 뺌 (자기 자신을 못 봄): 대각선까지 True입니다, tril(..., diagonal=0)"),
        (torch.tril(ones, 1), "한 칸 어긋남: 대각선 바로 위(다음 위치)까지 True입니다. tril(..., diagonal=0)을 쓰세요"),
        (ones, "아무것도 가리지 않음 (모두 True): 미래 위치(대각선 위)는 False여야 합니다"),
        (torch.eye(length, dtype=torch.bool), "대각선만 True: 자기 자신과 과거(대각선과 그 아래) 모두 True여야 합니다"),
        (~torch.tril(ones, -1), "대각선과 그 위가 True (극성 반대인 데다 대각선 포함): 대각선과 그 아래가 True입니다"),
        (torch.zeros(length, length, dtype=torch.bool), "모두 False: 대각선과 그 아래가 True입니다"),
    ]
    for pattern, name in patterns:
        if torch.equal(got, pattern):
            return name
    return None


@probe("masks.causal_mask")
def causal_pattern(ctx):
    length = 5
    got = ctx.run(length)
    finding = _mask_shape_finding(got, (length, length), "마스크")
    if finding:
        return finding
    if isinstance(got, torch.Tensor) and got.dtype == torch.bool and got.shape == (length, length):
        return _pattern_name(got, length)
    return None


def _padding_tokens():
    return torch.tensor([[1, 7, 5, 2, 0], [1, 4, 2, 0, 0], [1, 9, 8, 6, 2]])


@probe("masks.padding_mask")
def padding_pattern(ctx):
    tokens = _padding_tokens()
    got = ctx.run(tokens)
    if not isinstance(got, torch.Tensor):
        return None
    real = tokens != 0
    b, t = tokens.shape
    if got.dtype != torch.bool:
        return _mask_shape_finding(got, (b, 1, t), "마스크")
    shapes = {(b, t): "쿼리 축을 추가하지 않음 (B, T): (B, 1, T)로 만들어야 (B, Tq, Tk) 점수에 쿼리 축을 따라 브로드캐스트됩니다 "
                      "(.unsqueeze(1))",
              (b, t, 1): "마스크를 키 축이 아니라 쿼리 축에 둠 (B, T, 1): 패딩은 '볼 대상(키)'에서 빼는 것이니 마지막 축이 키 "
                         "축이 되도록 unsqueeze(1)을 쓰세요",
              (b, 1, 1, t): "축을 하나 더 넣음 (B, 1, 1, T): 헤드 축은 multi_head_attention이 안에서 추가합니다. (B, 1, T)를 "
                            "돌려주세요",
              (b, t, t): "(B, T, T)로 펼침: 패딩 마스크는 (B, 1, T)이고, 쿼리 축은 브로드캐스트가 채웁니다"}
    if tuple(got.shape) in shapes and tuple(got.shape) != (b, 1, t):
        return shapes[tuple(got.shape)]
    if tuple(got.shape) != (b, 1, t):
        return None
    row = got[:, 0]
    if torch.equal(row, ~real):
        return "마스크 극성이 반대 (패딩 위치가 True): True = 볼 수 있음, 실제 토큰이 True입니다 (tokens != pad_id)"
    if bool(row.all()):
        return "아무것도 가리지 않음 (모두 True): 패딩(pad_id) 위치는 False여야 합니다 (tokens != pad_id)"
    if torch.equal(row, real):
        other = ctx.run(tokens.masked_fill(tokens == 0, 9), pad_id=9)
        if isinstance(other, torch.Tensor) and other.dtype == torch.bool and other.shape == got.shape \
                and bool(other.all()):
            return "pad_id 인자를 무시하고 0과 비교함: 함수의 pad_id 인자와 비교하세요 (tokens != pad_id)"
    return None


@probe("masks.decoder_self_attention_mask")
def decoder_mask_parts(ctx):
    # a padding in the middle of a row too: with padding only at the end, a causal mask already hides
    # every padding key from every real query, and some different masks would look the same
    tokens = torch.tensor([[1, 7, 0, 5, 2, 0], [1, 4, 2, 0, 0, 0]])
    got = ctx.run(tokens)
    if not isinstance(got, torch.Tensor):
        return None
    b, t = tokens.shape
    finding = _mask_shape_finding(got, (b, t, t), "마스크")
    if finding:
        return finding
    if got.dtype != torch.bool:
        return None
    if got.shape == (t, t):
        got = got.expand(b, t, t)
    if got.shape != (b, t, t):
        return None
    c = masks.causal_mask(t)
    keys = (tokens != 0).unsqueeze(1)
    queries = (tokens != 0).unsqueeze(2)
    upper = torch.triu(torch.ones(t, t, dtype=torch.bool))
    strict = torch.tril(torch.ones(t, t, dtype=torch.bool), -1)
    full = torch.ones(b, t, t, dtype=torch.bool)
    candidates = [
        (c & keys, None),
        (c & full, "인과 마스크만 씀 (패딩을 가리지 않음): 패딩 키도 가려야 합니다: causal_mask(T) & padding_mask(tgt_input)"),
        (keys & full, "패딩 마스크만 씀 (미래를 가리지 않음): 인과 마스크와 AND(&)로 합치세요"),
        (c | keys, "AND(&) 대신 OR(|)로 합침: 과거이면서 실제 토큰일 때만 볼 수 있습니다 → &"),
        (c & queries, "패딩을 키(열)가 아니라 쿼리(행) 축에 적용함: 패딩 마스크는 마지막 축(키)을 가립니다. padding_mask의 "
                      "(B, 1, T)를 그대로 쓰세요"),
        (c & keys & queries, "패딩 위치의 쿼리 행까지 모두 가림: 패딩 마스크는 키(열)만 가립니다 (행 전체가 가려지면 "
                             "소프트맥스가 NaN이 됩니다)"),
        (c & (keys | ~queries), "패딩 쿼리가 패딩 키를 보게 허용함 (pad-to-pad): 패딩 키는 모든 쿼리에서 가려야 합니다"),
        (~(c & keys), "마스크 극성이 반대 (True = 가림): True = 볼 수 있음입니다"),
        (upper & keys, "인과 마스크가 위쪽 삼각형(triu): 위치 i는 0..i(과거와 자기 자신)만 봅니다 (torch.tril)"),
        (strict & keys, "인과 마스크에서 대각선을 뺌: 위치 i는 자기 자신도 봅니다 (tril, diagonal=0)"),
    ]
    for candidate, name in candidates:
        if torch.equal(got, candidate):
            return name
    return None


# ---------------------------------------------------------------- heads


def _coded(b, t, d):
    """x[b, t, k] = 100*b + 10*t + k (read back to see where every number went)."""
    return (100 * torch.arange(b).view(b, 1, 1) + 10 * torch.arange(t).view(1, t, 1)
            + torch.arange(d).view(1, 1, d)).float()


@probe("attention.split_heads")
def split_layout(ctx):
    b, t, d, h = 2, 3, 8, 2
    x = _coded(b, t, d)
    got = tensor(ctx.run(x, h))
    if got is None:
        return None
    if got.shape == (b, t, h, d // h):
        return "헤드 축을 앞으로 옮기지 않음 (B, T, h, D/h): view(B, T, h, D/h) 다음에 transpose(1, 2)로 헤드 축을 T 앞으로 옮기세요"
    if got.shape != (b, h, t, d // h):
        return None
    tokens = ((got % 100) // 10).long()
    feats = (got % 10).long()
    want_t = torch.arange(t).view(1, 1, t, 1).expand_as(tokens)
    if not torch.equal(tokens, want_t):
        return ("토큰이 헤드와 뒤섞임: 전치 없이 (B, h, T, D/h)로 바로 reshape하면 모양은 맞아도 한 헤드에 여러 토큰의 특징이 "
                "섞입니다. 먼저 view(B, T, h, D/h)로 나눈 뒤 transpose(1, 2) 하세요")
    heads = torch.arange(h).view(1, h, 1, 1)
    if torch.equal(feats, (torch.arange(d // h).view(1, 1, 1, -1) * h + heads).expand_as(feats)):
        return ("특징을 헤드에 번갈아 나눔: 헤드 k는 연속된 특징 k*dh ... (k+1)*dh-1을 받습니다 (nn.MultiheadAttention과 같음). "
                "view(B, T, h, D/h)의 순서를 지키세요")
    return None


@probe("attention.merge_heads")
def merge_layout(ctx):
    b, h, t, dh = 2, 2, 3, 4
    x = (100 * torch.arange(b).view(b, 1, 1, 1) + 10 * torch.arange(t).view(1, 1, t, 1)
         + (torch.arange(h).view(1, h, 1, 1) * dh + torch.arange(dh).view(1, 1, 1, dh))).float()
    got = tensor(ctx.run(x))
    if got is None:
        return None
    if got.shape == (b, t, dh):
        return "헤드를 이어붙이지 않고 더하거나 평균냄 (B, T, dh): 헤드들의 출력은 특징 축으로 이어붙여 (B, T, h*dh)가 됩니다"
    if got.shape != (b, t, h * dh):
        return None
    tokens = ((got % 100) // 10).long()
    if not torch.equal(tokens, torch.arange(t).view(1, t, 1).expand_as(tokens)):
        return ("토큰과 헤드가 뒤섞임: 전치 없이 (B, T, h*dh)로 바로 reshape했습니다. 먼저 transpose(1, 2)로 (B, T, h, dh)를 "
                "만든 뒤 reshape 하세요")
    feats = (got % 10).long()
    if not torch.equal(feats, torch.arange(h * dh).view(1, 1, -1).expand_as(feats)):
        return ("헤드의 특징을 번갈아 이어붙임: 헤드 0의 특징 전부, 그다음 헤드 1의 특징 전부... 순서입니다: transpose(1, 2) 후 "
                "reshape")
    return None


# ---------------------------------------------------------------- multi-head attention


def _mha_inputs():

    g = torch.Generator().manual_seed(141)
    q, k, v = torch.randn(2, 3, 8, generator=g), torch.randn(2, 5, 8, generator=g), torch.randn(2, 5, 8, generator=g)
    pad = torch.tensor([[True, True, True, False, False], [True, True, True, True, False]]).unsqueeze(1)
    x = torch.randn(2, 4, 8, generator=g)
    causal = torch.tril(torch.ones(4, 4, dtype=torch.bool))
    return [Case((q, k, v, _mha_params(g, 8), 2, pad)), Case((x, x, x, _mha_params(g, 8), 4, causal)),
            Case((q, k, v, _mha_params(g, 8), 2))]


@probe("attention.multi_head_attention")
def mha_parts(ctx):
    factors = [
        ("d_scale", [("head", ""), ("model", "√d_model로 나눔: d_k는 헤드 하나의 크기 D/h입니다 (split_heads 뒤의 q.size(-1))"),
                     ("none", "점수를 √d_k로 나누지 않음")]),
        ("split", [("ok", ""), ("no_transpose", "헤드를 나눌 때 전치하지 않음: view(B, T, h, D/h) → transpose(1, 2)")]),
        ("merge", [("ok", ""), ("no_transpose", "헤드를 합칠 때 전치하지 않음: transpose(1, 2) → reshape(B, T, h*dh)")]),
        ("project_out", [(True, ""), (False, "출력 투영 W_o, b_o를 빠뜨림: 합친 헤드에 마지막으로 W_o 선형 변환을 적용합니다")]),
        ("average", [(False, ""), (True, "헤드별 가중치를 평균냄: 가중치는 헤드마다 (B, h, Tq, Tk)로 돌려주세요")]),
        ("mask_mode", [("ok", ""), ("inverted", "마스크를 반대로 적용함 (True인 곳을 가림): True = 볼 수 있음입니다"),
                       ("ignored", "마스크를 쓰지 않음: 헤드 축을 추가해(unsqueeze(-3)) 점수를 가리세요"),
                       ("no_head_axis", "마스크에 헤드 축을 추가하지 않음: (B, Tq, Tk) 마스크가 점수 (B, h, Tq, Tk)의 헤드 축과 "
                                        "잘못 맞춰집니다(브로드캐스트). mask.unsqueeze(-3)로 (B, 1, Tq, Tk)를 만드세요"),
                       ("unsqueeze1", "마스크의 헤드 축을 unsqueeze(1)로 넣음: (B, 1, Tk)·(B, Tq, Tk)에는 맞지만 (Tq, Tk) 인과 "
                                      "마스크는 (Tq, 1, Tk)가 되어 어긋납니다. 뒤에서 세는 mask.unsqueeze(-3)을 쓰세요")]),
        ("biases", [(True, ""), (False, "투영의 편향 b_q, b_k, b_v, b_o를 더하지 않음 (nn.Linear처럼 x @ W.T + b)")]
         + [(n, f"편향 {n}를 두 번 더함 (F.linear(x, W, b)에 이미 b가 들어 있음)") for n in ("b_q", "b_k", "b_v", "b_o")]),
        ("swap_kv", [(False, ""), (True, "키와 값을 바꿔 씀: 점수는 key로, 섞는 값은 value로 만듭니다")]),
        ("softmax_dim", [(-1, ""), (-2, "소프트맥스를 키 축(dim=-1)이 아니라 쿼리 축(dim=-2)으로 계산함")]),
    ]
    return joined(search(ctx, factors, mha_variant, _mha_inputs()))


# ---------------------------------------------------------------- dropout in train mode (class exercises)


class _FixedDrop(nn.Module):
    """A stand-in for nn.Dropout that scales by 0.5: shows where dropout was applied, deterministically."""

    def __init__(self):
        super().__init__()
        self.calls = 0

    def forward(self, x):
        self.calls += 1
        return x * 0.5


def _with_fixed_dropout(module):
    for name, child in list(module.named_children()):
        if isinstance(child, nn.Dropout):
            setattr(module, name, _FixedDrop())
        else:
            _with_fixed_dropout(child)
    return module


def _layer_builders():
    def encoder(cls):
        return load_like_reference(cls(ch07.D_MODEL, ch07.NUM_HEADS, ch07.D_FF, 0.1), ch07._encoder_random_state(14),
                                   "EncoderLayer")

    def decoder(cls):
        return load_like_reference(cls(ch08.D_MODEL, ch08.NUM_HEADS, ch08.D_FF, 0.1), ch08._random_state(12),
                                   "DecoderLayer")

    def call_encoder(layer, case):
        return layer(case.kwargs["x"], case.kwargs["mask"])

    def call_decoder(layer, case):
        k = case.kwargs
        return layer(k["x"], k["context"], k["self_mask"], k["cross_mask"])

    return {"transformer.EncoderLayer": (encoder, call_encoder, ch07._encoder_layer_cases()[0]),
            "transformer.DecoderLayer": (decoder, call_decoder, ch08._decoder_layer_cases()[0])}


def _train_outputs(build, call, cls, case, fixed: bool, seed: int):
    """(output, calls of the layer's own self.dropout) in train mode."""
    layer = build(cls)
    if fixed:
        _with_fixed_dropout(layer)
    layer.train()
    torch.manual_seed(seed)
    out = call(layer, case)
    own = getattr(layer, "dropout", None)
    return (out[0] if isinstance(out, (tuple, list)) else out), getattr(own, "calls", None)


NO_DROPOUT = ("⚠️ 평가 모드(eval)에서는 맞지만, 학습 모드(train)에서 층의 self.dropout을 한 번도 쓰지 않았습니다. 부분층의 "
              "출력에 dropout을 적용한 뒤 더하세요: x = norm(x + self.dropout(sublayer(x))). 빠지면 학습 때 과적합을 덜어 "
              "주는 장치가 빠집니다 (평가 모드에서는 dropout이 아무것도 하지 않아서 출력 비교로는 드러나지 않습니다)")
MOVED_DROPOUT = ("⚠️ 평가 모드(eval)에서는 맞지만, 학습 모드에서 dropout을 적용한 위치가 참조 구현과 다릅니다: dropout은 각 "
                 "부분층의 출력에, 잔차를 더하기 전에 적용합니다: x = norm(x + self.dropout(sublayer(x)))")


def train_mode_note(exercise, obj) -> str | None:
    """A ⚠️ note when a layer class that passed in eval mode uses dropout differently in train mode:
    none at all, or in other places than the reference (after each sublayer, before the residual add)."""
    builders = _layer_builders()
    if exercise.id not in builders:
        return None
    build, call, case = builders[exercise.id]

    def look():
        with torch.random.fork_rng():
            ref_fixed, ref_calls = _train_outputs(build, call, exercise.reference, case, True, 0)
            a, _ = _train_outputs(build, call, obj, case, False, 0)
            b, _ = _train_outputs(build, call, obj, case, False, 1)
            if close(a, b, atol=1e-6, rtol=0):
                return NO_DROPOUT
            fixed_a, calls = _train_outputs(build, call, obj, case, True, 0)
            fixed_b, _ = _train_outputs(build, call, obj, case, True, 1)
            if not close(fixed_a, fixed_b, atol=1e-6, rtol=0):
                return None  # randomness from elsewhere (F.dropout ...): placement cannot be told here
            if close(fixed_a, ref_fixed):
                return None
            if calls == 0 and ref_calls:
                return NO_DROPOUT
            return MOVED_DROPOUT

    with torch.no_grad(), capture_output():
        outcome = call_with_time_limit(look, exercise.time_limit)
    if outcome.timed_out or outcome.error is not None:
        return None
    return outcome.value
