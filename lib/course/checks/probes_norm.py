"""Probes for normalisation and scores: softmax, log_softmax, attention weights (attend, scaled
dot-product attention), the scale carried by scores, how a mask was applied, dot and additive scores."""

from __future__ import annotations

import math

import torch

from lib.course.checks.exercise import Case
from lib.course.checks.probe_tools import close, first_tensor, joined, probe, search, tensor

# ---------------------------------------------------------------- which axis sums to 1


def _axis_sums_to_one(p: torch.Tensor, dim: int) -> bool:
    return bool(torch.allclose(p.sum(dim=dim), torch.ones(()).double(), atol=1e-4))


def axis_finding(p, dim: int, what: str = "가중치", expected_axis: str = "마지막 축(dim=-1)") -> str | None:
    """A finding when ``p`` (probabilities) does not sum to 1 along ``dim``: along which axis it does."""
    if p is None or not torch.isfinite(p).all() or p.dim() == 0:
        return None
    dim = dim % p.dim()
    if _axis_sums_to_one(p, dim):
        return None
    if abs(float(p.sum()) - 1) < 1e-4:
        return (f"{what}의 합이 행마다 1이 아니라 텐서 전체에서 1입니다: 소프트맥스(정규화)를 한 축이 아니라 "
                f"전체 원소에 적용했습니다. exp의 합은 {expected_axis}을 따라서만 구하세요 (sum(dim=..., keepdim=True))")
    for other in range(p.dim()):
        if other != dim and p.size(other) > 1 and _axis_sums_to_one(p, other):
            name = "배치 축" if other == 0 and p.dim() >= 2 else "다른 축"
            return (f"{what}의 합이 {expected_axis}이 아니라 {name}(dim={other})을 따라 1입니다: 소프트맥스를 엉뚱한 "
                    f"축에 적용했습니다. {expected_axis}을 따라 정규화하세요")
    return None  # no axis sums to 1: a wrong constant or a mask; the other probes say which


def _row_offset(a, b, dim):
    """a - b when it is constant along ``dim`` (per row), else None."""
    diff = a - b
    if not torch.isfinite(diff).all():
        return None
    spread = (diff - diff.mean(dim=dim, keepdim=True)).abs().max()
    return diff.mean(dim=dim, keepdim=True) if float(spread) < 1e-4 else None


def _temperature(log_p, logits, dim):
    """The factor s with log p = s * logits + c(row), or None when no single factor fits."""
    a = log_p - log_p.mean(dim=dim, keepdim=True)
    b = logits - logits.mean(dim=dim, keepdim=True)
    denom = float((b * b).sum())
    if denom == 0 or not torch.isfinite(a).all():
        return None
    s = float((a * b).sum()) / denom
    if float((a - s * b).abs().max()) > 1e-3 * max(1.0, float(a.abs().max())):
        return None
    return s


# ---------------------------------------------------------------- softmax and log_softmax


def _ordinary_logits():
    g = torch.Generator().manual_seed(101)
    return torch.randn(3, 5, generator=g) * 2


def _as_probs(out, log: bool):
    t = tensor(first_tensor(out))
    if t is None or t.dtype == torch.bool:
        return None
    return t.exp() if log else t


@probe("losses.softmax", "losses.log_softmax")
def softmax_normalisation(ctx):
    log = ctx.exercise.id == "losses.log_softmax"
    x = _ordinary_logits()
    out = tensor(ctx.run(x))
    if out is None or out.shape != x.shape:
        return None
    ref = tensor(ctx.ref(x))
    if close(out, ref):
        return None
    if log and bool((out >= 0).all()) and _axis_sums_to_one(out, -1):
        return ("log를 빠뜨림: 값이 0과 1 사이이고 합이 1인 확률(소프트맥스)을 돌려줍니다. 로그 확률은 모두 0 이하입니다: "
                "z - m - log Σ exp(z - m)")
    p = out.exp() if log else out
    finding = axis_finding(p, -1, "확률", "dim 축")
    if finding:
        return finding
    if log:
        offset = _row_offset(out, ref, -1)
        if offset is not None:
            m = x.double().amax(-1, keepdim=True)
            if close(offset, -m):
                return ("최댓값 m을 뺀 뒤 다시 더하지 않음: 결과가 행마다 정확히 m만큼 작습니다. log_softmax(z) = z - m - "
                        "log Σ exp(z - m)이니, z - m에서 log Σ exp(z - m)을 빼세요 (또는 z에서 m + log Σ exp(z - m)을 빼기)")
            return ("행마다 일정한 값만큼 어긋남: 각 로짓에서 빼는 정규화 상수(log-sum-exp)가 틀렸습니다. "
                    "빼는 값은 log Σ_k exp(z_k)입니다 (안정하게: m + log Σ exp(z_k - m))")
    else:
        ratio_ok = bool((ref > 0).all())
        if ratio_ok:
            ratio = out / ref
            spread = (ratio - ratio.mean(-1, keepdim=True)).abs().max()
            if float(spread) < 1e-4:
                m = x.double().amax(-1, keepdim=True)
                if close(ratio.mean(-1, keepdim=True), torch.exp(-m)):
                    return ("분자에서만 최댓값을 빼고 분모는 원래 로짓으로 계산함: exp(z - m) / Σ exp(z)는 합이 1이 아닙니다. "
                            "분자와 분모 모두 같은 shifted = z - m으로 계산하세요")
                return ("행 안의 비율은 맞지만 행마다 합이 1이 아닙니다: 분모(정규화 상수)가 틀렸습니다. 같은 exp 값을 그 축의 "
                        "합으로 나누세요 (exp / exp.sum(dim=dim, keepdim=True))")
        if close(out, torch.softmax(ref, -1)):
            return "소프트맥스를 두 번 적용함. 로짓에 소프트맥스를 한 번만 적용하세요"
    s = _temperature(out if log else out.log(), x.double(), -1)
    if s is not None and abs(s - 1) > 1e-3:
        return (f"로짓에 {s:.3g}배를 한 소프트맥스와 같습니다: exp(z)가 아니라 다른 배율(온도)이 들어갔습니다. "
                "로짓을 그대로 exp에 넣으세요")
    return None


@probe("losses.softmax", "losses.log_softmax")
def softmax_dim_argument(ctx):
    log = ctx.exercise.id == "losses.log_softmax"
    x = _ordinary_logits()
    out = ctx.run(x, dim=0)
    p = _as_probs(out, log)
    if p is None or p.shape != x.shape or close(out, ctx.ref(x, dim=0)):
        return None
    if not _axis_sums_to_one(p, 0) and _axis_sums_to_one(p, 1):
        return ("dim 인자를 무시함: dim=0을 줘도 마지막 축으로 정규화합니다. max(또는 amax)와 sum 모두 dim=dim으로 "
                "계산하세요")
    return axis_finding(p, 0, "확률", "dim 축(여기서는 dim=0)")


@probe("losses.softmax", "losses.log_softmax")
def softmax_large_logits(ctx):
    """Finite for +-100 and +-1e4, per-row max (a row of only small logits), no underflow to log(0)."""
    log = ctx.exercise.id == "losses.log_softmax"
    probes = [
        (torch.tensor([[100.0, 90.0, 80.0, 70.0]]), "big"),
        (torch.tensor([[1e4, -1e4, 0.0, 5e3]]), "big"),
        (torch.tensor([[100.0, 90.0, 80.0, 70.0], [-500.0, -499.0, -498.0, -500.0]]), "mixed"),
        (torch.tensor([[0.0, -120.0, 5.0, -200.0]]), "tiny"),
    ]
    for x, kind in probes:
        out = tensor(first_tensor(ctx.run(x)))
        if out is None or out.shape != x.shape:
            continue
        ref = tensor(ctx.ref(x))
        if torch.isfinite(out).all() or close(out, ref):
            continue
        if kind == "big":
            return ("큰 로짓에서 NaN/inf가 나옴: exp(100)은 float32에서 inf입니다 (inf/inf = nan). 소프트맥스는 모든 로짓에서 "
                    "같은 값을 빼도 그대로이니, exp 전에 그 축의 최댓값을 빼세요: z - z.amax(dim=dim, keepdim=True)")
        if kind == "mixed" and bool(torch.isfinite(out[0]).all()):
            return ("행마다가 아니라 텐서 전체의 최댓값을 뺌: 작은 로짓만 있는 행은 exp가 모두 0이 되어 0/0 = nan입니다. "
                    "최댓값은 정규화하는 축을 따라 행마다 구하세요 (amax(dim=dim, keepdim=True))")
        if kind == "tiny" and log:
            return ("소프트맥스를 먼저 구하고 log를 취함: exp(-120)은 float32에서 0이 되어 log(0) = -inf입니다. 확률을 거치지 "
                    "말고 (z - m) - log Σ exp(z - m)으로 로그 확률을 바로 계산하세요")
    return None


# ---------------------------------------------------------------- attention weights: attend and SDPA


def _mask_finding(weights, mask, unmasked_weights, ref_weights, key_axis=-1) -> str | None:
    """How the learner's weights treat the positions a bool mask hides (True = may attend)."""
    mask = torch.broadcast_to(mask, weights.shape)
    hidden, visible = ~mask, mask
    zero = weights.abs() < 1e-6
    if close(weights, ref_weights):
        return None
    if bool(zero[visible].all()) and not bool(zero[hidden].all()):
        return ("마스크를 반대로 적용함: True(볼 수 있음)인 곳의 가중치가 0이고 가린 곳이 가중치를 받습니다. 이 코스의 마스크는 "
                "True = 볼 수 있음이니 가릴 곳은 ~mask입니다: scores.masked_fill(~mask, -inf)")
    if unmasked_weights is not None and close(weights, unmasked_weights):
        return ("마스크를 쓰지 않음: 마스크를 줘도 가중치가 마스크 없을 때와 같습니다. 소프트맥스 전에 False인 위치의 점수를 "
                "-inf로 바꾸세요 (scores.masked_fill(~mask, float('-inf')))")
    if bool(zero[hidden].all()):
        sums = weights.sum(dim=key_axis)
        if bool((sums < 1 - 1e-4).any()):
            return ("소프트맥스 뒤에 마스크를 곱하고 다시 정규화하지 않음: 가린 곳은 0이지만 행의 합이 1보다 작습니다. "
                    "소프트맥스 전에 점수를 -inf로 가리세요")
        return None
    if not bool(zero[hidden].any()):
        return ("가린 위치도 가중치를 받음: 점수를 -inf(또는 아주 큰 음수)가 아닌 값(예: 0)으로 채웠거나 마스크가 가리는 "
                "위치를 잘못 골랐습니다. scores.masked_fill(~mask, float('-inf'))로 가린 뒤 소프트맥스하세요")
    return None


def _attend_inputs():
    g = torch.Generator().manual_seed(102)
    scores = torch.randn(3, 5, generator=g) * 2
    values = torch.randn(3, 5, 4, generator=g)
    mask = torch.tensor([[True, True, True, False, False], [True, True, True, True, False], [True] * 5])
    return scores, values, mask


@probe("attention.attend")
def attend_properties(ctx):
    scores, values, mask = _attend_inputs()
    plain = ctx.run(scores, values, None)
    if not (isinstance(plain, (tuple, list)) and len(plain) == 2):
        return None
    context, weights = tensor(plain[0]), tensor(plain[1])
    ref_context, ref_weights = (tensor(t) for t in ctx.ref(scores, values, None))
    if weights is not None and weights.shape == ref_weights.shape and not close(weights, ref_weights):
        finding = axis_finding(weights, -1, "가중치", "시점 축(dim=-1)")
        if finding:
            return finding
        if _axis_sums_to_one(weights, -1):
            s = _temperature(weights.log(), scores.double(), -1)
            if s is not None and abs(s - 1) > 1e-3:
                return (f"점수에 {s:.3g}배를 한 소프트맥스와 같습니다: attend는 받은 점수를 그대로 소프트맥스합니다 "
                        "(나누거나 곱하지 마세요)")
        if close(weights, torch.softmax(ref_weights, -1)):
            return "소프트맥스를 두 번 적용함. 점수에 소프트맥스를 한 번만 적용하세요"
        if close(weights, scores.double()):
            return "소프트맥스를 빠뜨림: 가중치로 점수를 그대로 돌려줍니다. weights = torch.softmax(scores, dim=-1)"
    masked = ctx.run(scores, values, mask)
    if isinstance(masked, (tuple, list)) and len(masked) == 2:
        m_weights = tensor(masked[1])
        ref_m = tensor(ctx.ref(scores, values, mask)[1])
        if m_weights is not None and m_weights.shape == ref_m.shape:
            finding = _mask_finding(m_weights, mask, weights, ref_m)
            if finding:
                return finding
    if context is not None and weights is not None and context.shape == ref_context.shape \
            and weights.shape == ref_weights.shape and close(weights, ref_weights) and not close(context, ref_context):
        own = torch.einsum("bt,bth->bh", weights, values.double())
        if close(context, values.double().mean(dim=1)):
            return "가중치 없이 그냥 평균을 냄: context = Σ_t weights[b, t] · values[b, t] 입니다"
        if not close(context, own):
            return ("가중치는 맞지만 context가 가중 평균 Σ_t w_t v_t와 다릅니다: weights.unsqueeze(-1) * values를 "
                    "시간 축(dim=1)으로 더하세요")
    return None


def _sdpa_inputs(d=16):
    g = torch.Generator().manual_seed(103)
    return (torch.randn(2, 3, d, generator=g), torch.randn(2, 4, d, generator=g), torch.randn(2, 4, 5, generator=g))


SCALE_NAMES = [  # (factor as a function of d_k and d_model, Korean)
    (lambda d, D: 1.0, "스케일링을 하지 않음 (1/√d_k를 빠뜨림)"),
    (lambda d, D: 1 / d, "√d_k가 아니라 d_k로 나눔"),
    (lambda d, D: math.sqrt(d), "√d_k로 나누지 않고 곱함"),
    (lambda d, D: float(d), "d_k로 나누지 않고 곱함"),
    (lambda d, D: 1 / math.sqrt(D), "√d_model로 나눔 (d_k는 헤드 하나의 크기)"),
    (lambda d, D: 1 / D, "d_model로 나눔"),
    (lambda d, D: 1 / math.sqrt(d) ** 2 / 2, "2·d_k로 나눔"),
    (lambda d, D: 1 / math.sqrt(d * 2), "√(2·d_k)로 나눔"),
    (lambda d, D: 0.5, "2로 나눔"),
]


def scale_finding(scale: float, d_k: int, d_model: int, expected: float) -> str | None:
    """Name the factor the scores carried, against the expected 1/√d_k."""
    if abs(scale - expected) <= 1e-3 * abs(expected):
        return None
    for factor, name in SCALE_NAMES:
        value = factor(d_k, d_model)
        if abs(scale - value) <= 2e-3 * abs(value):
            return (f"{name}: 점수 q·k에 곱해진 배율이 {scale:.4g}입니다 (기대 1/√d_k = 1/√{d_k} = {expected:.4g}). "
                    "scores = q @ k.transpose(-2, -1) / math.sqrt(d_k), d_k = q.size(-1)")
    return (f"점수의 스케일이 다름: 점수 q·k에 곱해진 배율이 {scale:.4g}입니다 (기대 1/√d_k = {expected:.4g}). "
            "q @ k.transpose(-2, -1)를 math.sqrt(d_k) 하나로만 나누세요")


@probe("attention.scaled_dot_product_attention")
def sdpa_batched(ctx):
    """Right without batch axes, wrong (or failing) with them: an operation that reverses every axis."""
    q, k, v = _sdpa_inputs(4)
    single = ctx.run(q[0], k[0], v[0])
    if not (isinstance(single, (tuple, list)) and close(single, ctx.ref(q[0], k[0], v[0]))):
        return None
    batched = ctx.run(q, k, v)
    if isinstance(batched, (tuple, list)) and close(batched, ctx.ref(q, k, v)):
        return None
    return ("배치 축이 없는 2차원 입력에서는 맞지만 (B, T, d)에서는 틀림: k.T(또는 .t(), permute로 모든 축 뒤집기)는 "
            "배치 축까지 전치합니다. 마지막 두 축만 바꾸세요: k.transpose(-2, -1)")


@probe("attention.scaled_dot_product_attention")
def sdpa_properties(ctx):
    q, k, v = _sdpa_inputs(16)
    out = ctx.run(q, k, v)
    if not (isinstance(out, (tuple, list)) and len(out) == 2):
        return None
    o, w = tensor(out[0]), tensor(out[1])
    ref_o, ref_w = (tensor(t) for t in ctx.ref(q, k, v))
    if w is not None and w.shape == ref_w.shape and not close(w, ref_w):
        finding = axis_finding(w, -1, "가중치", "키 축(dim=-1)")
        if finding:
            return finding.replace("배치 축(dim=0)", "배치 축(dim=0)").replace("다른 축(dim=1)", "쿼리 축(dim=-2)")
        raw = (q @ k.transpose(-2, -1)).double()
        s = _temperature(w.log(), raw, -1)
        if s is not None:
            finding = scale_finding(s, 16, 16, 0.25)
            if finding:
                return finding
    mask = torch.tensor([[True, False, True, True], [False, True, True, False], [True, True, False, True]])
    masked = ctx.run(q, k, v, mask)
    if isinstance(masked, (tuple, list)) and len(masked) == 2:
        mw = tensor(masked[1])
        ref_mw = tensor(ctx.ref(q, k, v, mask)[1])
        if mw is not None and mw.shape == ref_mw.shape:
            finding = _mask_finding(mw, mask, w, ref_mw)
            if finding:
                return finding
    if o is not None and w is not None and o.shape == ref_o.shape and close(w, ref_w) and not close(o, ref_o):
        return ("가중치는 맞지만 출력이 가중치 @ v와 다릅니다: out = weights @ v (..., Tq, Tk) @ (..., Tk, dv)")
    return None


# ---------------------------------------------------------------- scores (chapter 04)


@probe("attention.dot_product_scores")
def dot_scores_properties(ctx):
    g = torch.Generator().manual_seed(104)
    query, keys = torch.randn(2, 4, generator=g), torch.randn(2, 3, 4, generator=g) * 2
    got = tensor(ctx.run(query, keys))
    raw = tensor(ctx.ref(query, keys))
    if got is None or got.shape != raw.shape or close(got, raw):
        return None
    if _axis_sums_to_one(got, -1) and bool((got >= 0).all()):
        return "점수에 소프트맥스까지 적용함: 이 함수는 점수(내적)만 돌려줍니다. 소프트맥스는 attend가 합니다"
    ratio = got / raw
    if float((ratio - ratio.mean()).abs().max()) < 1e-4:
        s = float(ratio.mean())
        for value, name in [(1 / 2, "√H로 나눔 (트랜스포머의 1/√d_k 스케일을 미리 적용)"), (1 / 4, "H로 나눔"),
                            (2.0, "√H를 곱함"), (-1.0, "부호가 반대")]:
            if abs(s - value) < 1e-3:
                return f"{name}: 점수가 내적 k·q의 {s:.3g}배입니다. 루옹(Luong)의 내적 점수는 나누지 않은 k_t · q 입니다"
        return f"점수가 내적 k·q의 {s:.3g}배입니다: 나누거나 곱하지 않은 내적을 돌려주세요"
    doubled = tensor(ctx.run(query, keys * 2))
    if doubled is not None and close(doubled, got):
        return ("키의 크기를 두 배로 해도 점수가 그대로입니다: 코사인 유사도처럼 길이로 나눴습니다. 내적 점수는 벡터의 크기도 "
                "반영하는 k_t · q 입니다")
    return None


def _additive_inputs():
    g = torch.Generator().manual_seed(105)
    cases = []
    for b, t, hq, hk, a in [(2, 3, 4, 4, 4), (2, 3, 3, 5, 4)]:
        cases.append(Case((torch.randn(b, hq, generator=g), torch.randn(b, t, hk, generator=g),
                           torch.randn(a, hq, generator=g) * 0.8, torch.randn(a, hk, generator=g) * 0.8,
                           torch.randn(a, generator=g))))
    return cases


def _additive_variant(act, wq_t, wk_t, swap, v_mode, q_term):
    acts = {"tanh": torch.tanh, "none": lambda x: x, "sigmoid": torch.sigmoid, "relu": torch.relu}

    def scores(query, keys, W_q, W_k, v):
        if swap:
            W_q, W_k = W_k, W_q
        q = query @ (W_q.T if wq_t else W_q)
        k = keys @ (W_k.T if wk_t else W_k)
        hidden = q.unsqueeze(1) + k if q_term else k
        if v_mode == "after":
            return acts[act](hidden @ v)
        hidden = acts[act](hidden)
        return hidden.sum(-1) if v_mode == "sum" else hidden @ v

    return scores


@probe("attention.additive_scores")
def additive_parts(ctx):
    factors = [
        ("act", [("tanh", ""), ("none", "tanh를 빠뜨림"), ("sigmoid", "tanh 대신 sigmoid를 씀"),
                 ("relu", "tanh 대신 ReLU를 씀")]),
        ("wq_t", [(True, ""), (False, "W_q를 전치하지 않음 (query @ W_q.T 가 아니라 query @ W_q)")]),
        ("wk_t", [(True, ""), (False, "W_k를 전치하지 않음 (keys @ W_k.T 가 아니라 keys @ W_k)")]),
        ("swap", [(False, ""), (True, "W_q와 W_k를 바꿔 씀 (W_q는 쿼리, W_k는 키에 곱함)")]),
        ("v_mode", [("dot", ""), ("sum", "v와 내적하지 않고 그냥 더함"), ("after", "v를 곱한 뒤에 tanh를 적용함")]),
        ("q_term", [(True, ""), (False, "쿼리 항(query @ W_q.T)이 없음: 점수가 디코더 상태(쿼리)와 무관해집니다")]),
    ]
    labels = search(ctx, factors, lambda **f: _additive_variant(**f), _additive_inputs())
    text = joined(labels)
    return f"{text}. 점수 = v · tanh(W_q q + W_k k_t): (B, 1, A) + (B, T, A) → tanh → @ v" if text else None
