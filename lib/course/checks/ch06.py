"""Chapter 06 exercises: scaled dot-product attention, and the multi-head machinery built on it
(split_heads, merge_heads, multi_head_attention). Oracles: F.scaled_dot_product_attention,
nn.MultiheadAttention.

Layout v2 (spec section 2): old chapter 06 was split. Positional encoding, layer normalization and the
encoder layer moved to chapter 07 (lib/course/checks/ch07.py); the exercise ids are unchanged.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import attention
from lib.course.checks.exercise import Case, Exercise, Mistake

# ---------------------------------------------------------------- scaled dot-product attention


def _sdpa_cases():
    g = torch.Generator().manual_seed(6)

    def qkv(batch, tq, tk, d, dv, scale=1.0):
        return (torch.randn(*batch, tq, d, generator=g) * scale,
                torch.randn(*batch, tk, d, generator=g) * scale,
                torch.randn(*batch, tk, dv, generator=g))

    # every row and every column holds both True and False: no softmax over only -inf, either way
    mask = torch.tensor([[[True, False, True, True, False],
                          [False, True, True, False, True],
                          [True, True, False, True, False]],
                         [[True, True, False, False, False],
                          [False, False, False, True, True],
                          [True, False, True, False, True]]])
    return [
        Case((*qkv((2,), 3, 5, 4, 6, scale=1.5), mask), label="마스크 (B, Tq, Tk), d=4, dv=6"),
        Case(qkv((2,), 3, 5, 8, 3), label="마스크 없음"),
        Case((*qkv((2, 2), 4, 4, 16, 16), torch.tril(torch.ones(4, 4, dtype=torch.bool))),
             label="헤드 축이 있는 q (B, h, T, d)와 인과 마스크 (T, T)"),
        Case(qkv((1,), 1, 1, 2, 2), label="토큰 하나"),
    ]


def torch_sdpa(q, k, v, mask=None):
    """Oracle: F.scaled_dot_product_attention; the weights come from the same call with v = identity."""
    out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    eye = torch.eye(k.size(-2)).expand(*k.shape[:-1], k.size(-2))
    weights = F.scaled_dot_product_attention(q, k, eye, attn_mask=mask)
    return out, weights


def _sdpa_with(scale="sqrt", softmax_dim=-1, mask_mode="ok"):
    def sdpa(q, k, v, mask=None):
        d_k = q.size(-1)
        scores = q @ k.transpose(-2, -1)
        if scale == "sqrt":
            scores = scores / math.sqrt(d_k)
        elif scale == "d":
            scores = scores / d_k
        if mask is not None:
            if mask_mode == "ok":
                scores = scores.masked_fill(~mask, float("-inf"))
            elif mask_mode == "inverted":
                scores = scores.masked_fill(mask, float("-inf"))
            elif mask_mode == "zero":
                scores = scores.masked_fill(~mask, 0.0)
        weights = torch.softmax(scores, dim=softmax_dim)
        return weights @ v, weights

    return sdpa


def _sdpa_alternative(q, k, v, mask=None):
    scores = torch.einsum("...qd,...kd->...qk", q / q.shape[-1] ** 0.5, k)
    if mask is not None:
        scores = torch.where(mask, scores, torch.tensor(-1e9))
    weights = scores.softmax(-1)
    return torch.einsum("...qk,...kv->...qv", weights, v), weights


# ---------------------------------------------------------------- split / merge heads


def _split_cases():
    g = torch.Generator().manual_seed(7)
    return [
        Case((torch.randn(2, 3, 8, generator=g), 2), label="B=2, T=3, D=8, 헤드 2개"),
        Case((torch.randn(1, 5, 12, generator=g), 3)),
        Case((torch.randn(2, 4, 6, generator=g), 1), label="헤드 1개"),
        Case((torch.randn(3, 2, 4, generator=g), 4), label="헤드 크기 1"),
    ]


def _split_alternative(x, num_heads):
    return torch.stack(x.chunk(num_heads, dim=-1), dim=1)


def _merge_cases():
    g = torch.Generator().manual_seed(8)
    return [
        Case((torch.randn(2, 2, 3, 4, generator=g),), label="B=2, 헤드 2개, T=3, dh=4"),
        Case((torch.randn(1, 3, 5, 2, generator=g),)),
        Case((torch.randn(2, 1, 4, 6, generator=g),), label="헤드 1개"),
    ]


def _merge_alternative(x):
    return torch.cat(x.unbind(dim=1), dim=-1)


# ---------------------------------------------------------------- multi-head attention


def _mha_params(g, d_model):
    scale = d_model ** -0.5
    params = {}
    for name in "qkvo":
        params[f"W_{name}"] = torch.empty(d_model, d_model).uniform_(-scale, scale, generator=g) * 2
        params[f"b_{name}"] = torch.empty(d_model).uniform_(-scale, scale, generator=g)
    return params


def _mha_cases():
    g = torch.Generator().manual_seed(9)
    cases = []
    # cross-attention with a source padding mask (B, 1, Tk)
    q, kv = torch.randn(2, 3, 8, generator=g), torch.randn(2, 5, 8, generator=g)
    pad = torch.tensor([[True, True, True, False, False], [True, True, True, True, False]]).unsqueeze(1)
    cases.append(Case((q, kv, kv, _mha_params(g, 8), 2, pad), label="크로스 어텐션, 패딩 마스크 (B, 1, Tk)"))
    # self-attention with a causal mask (T, T)
    x = torch.randn(2, 4, 12, generator=g)
    causal = torch.tril(torch.ones(4, 4, dtype=torch.bool))
    cases.append(Case((x, x, x, _mha_params(g, 12), 3, causal), label="셀프 어텐션, 인과 마스크 (T, T)"))
    # no mask, key != value
    q, k, v = (torch.randn(1, 2, 6, generator=g), torch.randn(1, 4, 6, generator=g), torch.randn(1, 4, 6, generator=g))
    cases.append(Case((q, k, v, _mha_params(g, 6), 2), label="마스크 없음, 키와 값이 다름"))
    # one head, full (B, Tq, Tk) mask
    x = torch.randn(2, 3, 4, generator=g)
    full = torch.tensor([[[True, False, False], [True, True, False], [True, True, True]],
                         [[True, True, False], [False, True, False], [False, True, True]]])
    cases.append(Case((x, x, x, _mha_params(g, 4), 1, full), label="헤드 1개, 마스크 (B, Tq, Tk)"))
    return cases


def torch_multi_head_attention(query, key, value, params, num_heads, mask=None):
    """Oracle: nn.MultiheadAttention with the same weights (its attn_mask is True = blocked)."""
    batch, tq, d_model = query.shape
    tk = key.size(1)
    mha = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([params["W_q"], params["W_k"], params["W_v"]]))
        mha.in_proj_bias.copy_(torch.cat([params["b_q"], params["b_k"], params["b_v"]]))
        mha.out_proj.weight.copy_(params["W_o"])
        mha.out_proj.bias.copy_(params["b_o"])
    blocked = None
    if mask is not None:
        blocked = (~mask).expand(batch, tq, tk).repeat_interleave(num_heads, dim=0)  # (B*h, Tq, Tk)
    return mha(query, key, value, attn_mask=blocked, need_weights=True, average_attn_weights=False)


def mha_variant(d_scale="head", split="ok", merge="ok", project_out=True, average=False, mask_mode="ok",
                biases=True, swap_kv=False, softmax_dim=-1):
    """A multi-head attention with chosen mistakes (the defaults are the right one).

    Used by this chapter's Mistake entries and by the probe search (checks/probes_transformer.py).
    biases: True (add b_q, b_k, b_v, b_o), False (leave them out) or the name of one bias added twice.
    mask_mode: "ok", "inverted", "ignored", "no_head_axis" (mask (B, Tq, Tk) without the head axis) or
    "unsqueeze1" (head axis put at dim 1).
    """
    def split_heads(x, h):
        bsz, t, d = x.shape
        if split == "no_transpose":
            return x.reshape(bsz, h, t, d // h)
        return x.view(bsz, t, h, d // h).transpose(1, 2)              # (B, h, T, D/h)

    def merge_heads(x):
        bsz, h, t, dh = x.shape
        if merge == "no_transpose":
            return x.reshape(bsz, t, h * dh)
        return x.transpose(1, 2).reshape(bsz, t, h * dh)              # (B, T, h*dh)

    def mha(query, key, value, params, num_heads, mask=None):
        if swap_kv:
            key, value = value, key
        b = (lambda n: params[n] * (2 if biases == n else 1)) if biases else (lambda n: 0)
        q = split_heads(query @ params["W_q"].T + b("b_q"), num_heads)
        k = split_heads(key @ params["W_k"].T + b("b_k"), num_heads)
        v = split_heads(value @ params["W_v"].T + b("b_v"), num_heads)
        d_k = {"head": q.size(-1), "model": query.size(-1), "none": 1}[d_scale]
        scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)            # (B, h, Tq, Tk)
        if mask is not None and mask_mode != "ignored":
            m = {"no_head_axis": mask, "unsqueeze1": mask.unsqueeze(1)}.get(mask_mode, mask.unsqueeze(-3))
            scores = scores.masked_fill(m if mask_mode == "inverted" else ~m, float("-inf"))
        weights = torch.softmax(scores, dim=softmax_dim)
        out = merge_heads(weights @ v)
        if project_out:
            out = out @ params["W_o"].T + b("b_o")
        return out, weights.mean(dim=1) if average else weights

    return mha


def _mha_alternative(query, key, value, params, num_heads, mask=None):
    """Each head separately, with F.linear and F.scaled_dot_product_attention."""
    q = F.linear(query, params["W_q"], params["b_q"])
    k = F.linear(key, params["W_k"], params["b_k"])
    v = F.linear(value, params["W_v"], params["b_v"])
    d_head = q.size(-1) // num_heads
    outs, weights = [], []
    for h in range(num_heads):
        cols = slice(h * d_head, (h + 1) * d_head)
        out, w = torch_sdpa(q[..., cols], k[..., cols], v[..., cols], mask)
        outs.append(out)
        weights.append(w)
    return F.linear(torch.cat(outs, dim=-1), params["W_o"], params["b_o"]), torch.stack(weights, dim=1)


EXERCISES_HERE = [
    Exercise(
        id="attention.scaled_dot_product_attention",
        hints=[
            "쿼리마다 모든 키와의 내적을 구하고 √d_k로 나눠 점수를 만든 뒤, mask가 있으면 False인 곳을 가리고, 키 축(마지막 축)으로 소프트맥스해 가중치를 얻습니다. 출력은 "
            "그 가중치로 값들을 섞은 것입니다.",
            "scores = q kᵀ / √d_k: q (..., Tq, d) @ kᵀ (..., d, Tk) → (..., Tq, Tk).  mask (bool, 브로드캐스트 가능): "
            "scores.masked_fill(~mask, -inf).  weights = softmax(scores, dim=-1), out = weights @ v → (..., Tq, "
            "dv).",
            "d_k = q.size(___)\n"
            "scores = q @ k.transpose(___, ___) / math.sqrt(___)\n"
            "if mask is not None:\n"
            "    scores = scores.masked_fill(___, float(\"-inf\"))\n"
            "weights = torch.softmax(scores, dim=___)\n"
            "return weights @ ___, weights",
        ],
        chapter="06",
        reference=attention.scaled_dot_product_attention,
        cases=_sdpa_cases,
        oracle=torch_sdpa,
        oracle_name="F.scaled_dot_product_attention",
        output_names=("out", "weights"),
        alternatives=[_sdpa_alternative],
        mistakes=[
            Mistake("1/√d_k 스케일링을 빠뜨림",
                    "점수 q·k를 √d_k로 나누세요 (d_k = q.size(-1)). 나누지 않으면 d_k가 클수록 소프트맥스가 포화됩니다.",
                    _sdpa_with(scale="none")),
            Mistake("√d_k가 아니라 d_k로 나눔", "나누는 값은 d_k의 제곱근 math.sqrt(d_k)입니다.",
                    _sdpa_with(scale="d")),
            Mistake("소프트맥스를 엉뚱한 축에 적용",
                    "가중치는 각 쿼리(행)마다 키들(마지막 축, dim=-1)에 대해 합이 1이어야 합니다.",
                    _sdpa_with(softmax_dim=-2)),
            Mistake("마스크를 반대로 적용 (True인 곳을 가림)",
                    "이 코스의 마스크는 True = 볼 수 있음입니다. 가릴 곳은 ~mask입니다: scores.masked_fill(~mask, -inf).",
                    _sdpa_with(mask_mode="inverted")),
            Mistake("마스크를 쓰지 않음", "mask가 주어지면 False인 위치의 점수를 -inf로 바꾼 뒤 소프트맥스하세요.",
                    _sdpa_with(mask_mode="ignore")),
            Mistake("가린 점수를 -inf가 아니라 0으로 채움",
                    "점수 0은 exp(0) = 1이라 여전히 가중치를 받습니다. -inf로 채워야 가중치가 정확히 0이 됩니다.",
                    _sdpa_with(mask_mode="zero")),
        ],
    ),
    Exercise(
        id="attention.split_heads",
        hints=[
            "특징 축 D를 헤드 h개가 연속된 조각(D/h씩)으로 나눠 갖게 한 뒤, 헤드 축을 시간 축 앞으로 옮깁니다. 그래야 헤드마다 모든 토큰을 따로 볼 수 있습니다.",
            "(B, T, D) → view(B, T, h, D/h) → transpose(1, 2) → (B, h, T, D/h).  (B, h, T, D/h)로 바로 reshape하면 "
            "모양은 맞아도 토큰과 특징이 뒤섞입니다.",
            "batch, length, d_model = x.shape\n"
            "x = x.view(batch, length, ___, d_model // ___)\n"
            "return x.transpose(___, ___)",
        ],
        chapter="06",
        reference=attention.split_heads,
        cases=_split_cases,
        alternatives=[_split_alternative],
        mistakes=[
            Mistake("전치 없이 (B, h, T, D/h)로 바로 reshape",
                    "모양은 맞지만 토큰과 특징이 뒤섞입니다. 먼저 (B, T, h, D/h)로 나눈 뒤 transpose(1, 2) 하세요.",
                    lambda x, h: x.reshape(x.size(0), h, x.size(1), x.size(2) // h)),
            Mistake("헤드 축을 앞으로 옮기지 않음 (B, T, h, D/h)",
                    "view(B, T, h, D/h) 다음에 transpose(1, 2)로 헤드 축을 T 앞으로 옮기세요.",
                    lambda x, h: x.view(x.size(0), x.size(1), h, x.size(2) // h)),
            Mistake("특징을 헤드에 번갈아 나눔",
                    "헤드 k는 연속된 특징 k*dh ... (k+1)*dh-1 을 받습니다 (nn.MultiheadAttention과 같음). "
                    "view(B, T, h, D/h)의 순서를 지키세요.",
                    lambda x, h: x.view(x.size(0), x.size(1), x.size(2) // h, h).permute(0, 3, 1, 2)),
        ],
    ),
    Exercise(
        id="attention.merge_heads",
        hints=[
            "split_heads를 거꾸로 합니다: 헤드 축을 다시 시간 축 뒤로 보낸 다음, 헤드들의 특징을 이어붙여(h·dh) 토큰마다 벡터 하나로 만듭니다.",
            "(B, h, T, dh) → transpose(1, 2) → (B, T, h, dh) → reshape(B, T, h·dh).  transpose 뒤의 텐서는 메모리가 연속이 "
            "아니라 view 대신 reshape(또는 .contiguous().view)를 씁니다.",
            "batch, heads, length, d_head = x.shape\n"
            "return x.transpose(___, ___).reshape(batch, ___, ___)",
        ],
        chapter="06",
        reference=attention.merge_heads,
        cases=_merge_cases,
        alternatives=[_merge_alternative],
        mistakes=[
            Mistake("전치 없이 (B, T, h*dh)로 바로 reshape",
                    "모양은 맞지만 토큰과 헤드가 뒤섞입니다. 먼저 transpose(1, 2)로 (B, T, h, dh)를 만든 뒤 reshape 하세요.",
                    lambda x: x.reshape(x.size(0), x.size(2), -1)),
            Mistake("헤드를 이어붙이지 않고 더함",
                    "헤드들의 출력은 특징 축으로 이어붙입니다(concatenate). 그래야 (B, T, h*dh)가 됩니다.",
                    lambda x: x.sum(dim=1)),
            Mistake("헤드의 특징을 번갈아 이어붙임",
                    "헤드 0의 특징 전부, 그다음 헤드 1의 특징 전부... 순서입니다: transpose(1, 2) 후 reshape.",
                    lambda x: x.permute(0, 2, 3, 1).reshape(x.size(0), x.size(2), -1)),
        ],
    ),
    Exercise(
        id="attention.multi_head_attention",
        hints=[
            "쿼리·키·값을 각자의 선형층(W, b)으로 투영하고, 헤드로 나눠(split_heads) 헤드마다 스케일드 내적 어텐션을 한 뒤, 헤드를 합치고(merge_heads) "
            "출력 투영 W_o, b_o를 적용합니다. mask에는 헤드 축을 추가합니다.",
            "q = query W_qᵀ + b_q (B, Tq, D) → split → (B, h, Tq, D/h); k, v도 같게 (B, h, Tk, D/h).  mask (B, Tq, "
            "Tk)/(B, 1, Tk)/(Tq, Tk) → unsqueeze(-3)로 헤드 축.  d_k = D/h (헤드 하나의 크기).  out = merge(weights @ v) "
            "W_oᵀ + b_o (B, Tq, D), weights (B, h, Tq, Tk).",
            "q = split_heads(query @ params[\"W_q\"].T + params[\"b_q\"], num_heads)\n"
            "k = split_heads(___, num_heads)\n"
            "v = split_heads(___, num_heads)\n"
            "if mask is not None:\n"
            "    mask = mask.unsqueeze(___)                # 헤드 축\n"
            "out, weights = scaled_dot_product_attention(q, k, v, ___)\n"
            "out = merge_heads(out) @ ___ + ___\n"
            "return out, weights",
        ],
        chapter="06",
        reference=attention.multi_head_attention,
        cases=_mha_cases,
        oracle=torch_multi_head_attention,
        oracle_name="nn.MultiheadAttention",
        output_names=("out", "weights"),
        alternatives=[_mha_alternative],
        mistakes=[
            Mistake("√d_model로 나눔 (d_k는 헤드 하나의 크기)",
                    "스케일링의 d_k는 헤드 하나의 크기 D/h입니다. split_heads 뒤의 q.size(-1)을 쓰세요.",
                    mha_variant(d_scale="model")),
            Mistake("헤드를 나눌 때 전치하지 않음",
                    "(B, T, D) → view(B, T, h, D/h) → transpose(1, 2) 순서로 나눠야 각 헤드가 모든 토큰을 봅니다.",
                    mha_variant(split="no_transpose")),
            Mistake("헤드를 합칠 때 전치하지 않음",
                    "(B, h, T, dh) → transpose(1, 2) → reshape(B, T, h*dh) 순서로 합치세요.",
                    mha_variant(merge="no_transpose")),
            Mistake("출력 투영 W_o를 빠뜨림", "합친 헤드에 마지막으로 W_o, b_o 선형 변환을 적용합니다.",
                    mha_variant(project_out=False)),
            Mistake("마스크를 반대로 적용 (True인 곳을 가림)",
                    "이 코스의 마스크는 True = 볼 수 있음입니다 (nn.MultiheadAttention의 attn_mask와 반대).",
                    mha_variant(mask_mode="inverted")),
            Mistake("헤드별 가중치를 평균냄 (B, Tq, Tk)",
                    "가중치는 헤드마다 따로 (B, h, Tq, Tk)로 돌려주세요. nn.MultiheadAttention은 기본값으로 평균을 내지만 "
                    "여기서는 헤드별 지도를 그립니다.",
                    mha_variant(average=True)),
        ],
    ),
]
