"""Chapter 04 exercises: attention scores (dot, additive) and attend (softmax + weighted average)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import attention
from lib.course.checks.exercise import Case, Exercise, Mistake

# ---------------------------------------------------------------- dot_product_scores


def _dot_cases():
    g = torch.Generator().manual_seed(6)
    cases = []
    for batch, steps, hidden, label in [(2, 3, 4, ""), (3, 5, 2, ""), (1, 1, 3, "시점 하나"), (4, 4, 4, "B = T = H")]:
        query = torch.randn(batch, hidden, generator=g)
        keys = torch.randn(batch, steps, hidden, generator=g) * 2
        cases.append(Case((query, keys), label=label))
    return cases


def _cosine(query, keys):
    return F.cosine_similarity(keys, query.unsqueeze(1), dim=-1)


# ---------------------------------------------------------------- additive_scores


def _additive_cases():
    g = torch.Generator().manual_seed(7)
    cases = []
    for batch, steps, q_size, k_size, a_size, label in [
        (2, 3, 4, 4, 4, "모든 크기가 같음"),
        (3, 5, 3, 5, 4, "쿼리·키·어텐션 크기가 모두 다름"),
        (1, 2, 2, 6, 3, "배치 1"),
    ]:
        query = torch.randn(batch, q_size, generator=g)
        keys = torch.randn(batch, steps, k_size, generator=g)
        W_q = torch.randn(a_size, q_size, generator=g) * 0.8
        W_k = torch.randn(a_size, k_size, generator=g) * 0.8
        v = torch.randn(a_size, generator=g)
        cases.append(Case((query, keys, W_q, W_k, v), label=label))
    return cases


def torch_additive_scores(query, keys, W_q, W_k, v):
    """Oracle: the Bahdanau score built from nn.Linear layers."""
    q_proj = nn.Linear(W_q.size(1), W_q.size(0), bias=False)
    k_proj = nn.Linear(W_k.size(1), W_k.size(0), bias=False)
    v_proj = nn.Linear(v.size(0), 1, bias=False)
    with torch.no_grad():
        q_proj.weight.copy_(W_q)
        k_proj.weight.copy_(W_k)
        v_proj.weight.copy_(v.unsqueeze(0))
    return v_proj(torch.tanh(q_proj(query).unsqueeze(1) + k_proj(keys))).squeeze(-1)


# ---------------------------------------------------------------- attend


def _attend_cases():
    g = torch.Generator().manual_seed(8)
    scores = torch.randn(2, 4, generator=g) * 2
    values = torch.randn(2, 4, 3, generator=g)
    mask = torch.tensor([[True, True, True, False], [True, True, False, False]])
    cases = [Case((scores, values, mask), label="문장마다 패딩이 있음")]
    cases.append(Case((torch.randn(3, 5, generator=g), torch.randn(3, 5, 2, generator=g), None), label="mask=None"))
    mask = torch.tensor([[True] * 5, [True, True, True, False, False], [True, False, False, False, False]])
    cases.append(Case((torch.randn(3, 5, generator=g), torch.randn(3, 5, 4, generator=g), mask),
                      label="패딩 없는 문장, 한 단어 문장"))
    cases.append(Case((torch.tensor([[60.0, -40.0, 55.0]]), torch.randn(1, 3, 2, generator=g),
                       torch.tensor([[True, True, True]])), label="아주 큰 점수"))
    return cases


def torch_attend(scores, values, mask=None):
    """Oracle: F.scaled_dot_product_attention with a one-number query 1 and keys = the scores
    (so q k^T / sqrt(1) = scores); weights read out with identity values."""
    batch, steps = scores.shape
    query = torch.ones(batch, 1, 1)
    keys = scores.unsqueeze(-1)
    attn_mask = None if mask is None else mask.unsqueeze(1)
    context = F.scaled_dot_product_attention(query, keys, values, attn_mask=attn_mask).squeeze(1)
    identity = torch.eye(steps).expand(batch, steps, steps)
    weights = F.scaled_dot_product_attention(query, keys, identity, attn_mask=attn_mask).squeeze(1)
    return context, weights


def attend_by_exp(scores, values, mask=None):
    """A correct answer written out: stable exp, zero where masked, divide by the sum, einsum."""
    if mask is None:
        mask = torch.ones_like(scores, dtype=torch.bool)
    shifted = scores - scores.masked_fill(~mask, float("-inf")).max(dim=-1, keepdim=True).values
    exp = torch.exp(shifted) * mask
    weights = exp / exp.sum(dim=-1, keepdim=True)
    return torch.einsum("bt,bth->bh", weights, values), weights


def _attend_with(weights_fn):
    def attend(scores, values, mask=None):
        weights = weights_fn(scores, mask)
        return (weights.unsqueeze(-1) * values).sum(dim=1), weights

    return attend


def _inverted_mask(scores, mask):
    return torch.softmax(scores if mask is None else scores.masked_fill(mask, float("-inf")), dim=-1)


def _zero_fill(scores, mask):
    return torch.softmax(scores if mask is None else scores.masked_fill(~mask, 0.0), dim=-1)


def _softmax_batch_axis(scores, mask):
    return torch.softmax(scores if mask is None else scores.masked_fill(~mask, float("-inf")), dim=0)


def _mask_after_softmax(scores, mask):
    weights = torch.softmax(scores, dim=-1)
    return weights if mask is None else weights * mask


EXERCISES_HERE = [
    Exercise(
        id="attention.dot_product_scores",
        hints=[
            "각 문장(배치 행)의 쿼리 벡터 하나와 그 문장의 키 벡터 T개 각각의 내적을 구합니다. 나누지도, 소프트맥스를 하지도 않은 '점수'만 돌려줍니다.",
            "scores[b, t] = keys[b, t] · query[b].  모양: query (B, H) → (B, 1, H)로 세우면 keys (B, T, H)와 원소별로 곱해져 "
            "(B, T, H), 마지막 축으로 더하면 (B, T).  배치끼리 섞이지 않아야 합니다.",
            "return (keys * query.___(1)).sum(dim=___)      # (B, T)",
        ],
        chapter="04",
        reference=attention.dot_product_scores,
        cases=_dot_cases,
        oracle=lambda query, keys: torch.einsum("bh,bth->bt", query, keys),
        oracle_name="torch.einsum",
        alternatives=[lambda query, keys: (keys * query.unsqueeze(1)).sum(dim=-1)],
        mistakes=[
            Mistake("√H로 나눔 (트랜스포머의 스케일을 미리 적용)",
                    "루옹(Luong)의 내적 점수는 나누지 않은 내적 k_t · q 입니다. 1/√d_k 스케일은 06장 트랜스포머의 것입니다.",
                    lambda query, keys: (keys * query.unsqueeze(1)).sum(-1) / query.size(-1) ** 0.5),
            Mistake("점수에 소프트맥스까지 적용함",
                    "이 함수는 점수(score)만 돌려줍니다. 소프트맥스로 가중치를 만드는 일은 attend가 합니다.",
                    lambda query, keys: torch.softmax((keys * query.unsqueeze(1)).sum(-1), dim=-1)),
            Mistake("배치의 모든 쿼리를 모든 키와 곱함 (query @ keys.transpose(1, 2))",
                    "(B, H) @ (B, H, T)는 배치끼리 섞여 (B, B, T)가 됩니다. 쿼리를 (B, 1, H)로 만들거나 torch.bmm을 쓰세요.",
                    lambda query, keys: query @ keys.transpose(1, 2)),
            Mistake("코사인 유사도를 씀", "내적 점수는 길이로 나누지 않은 내적입니다. 벡터의 크기도 점수에 들어갑니다.",
                    _cosine),
        ],
    ),
    Exercise(
        id="attention.additive_scores",
        hints=[
            "바다나우(덧셈) 점수: 쿼리와 각 키를 각자의 행렬로 같은 크기 A의 공간에 옮겨 더하고, tanh를 거친 뒤 벡터 v와 내적해 시점마다 숫자 하나를 얻습니다.",
            "score[b, t] = v · tanh(W_q q_b + W_k k_{b,t}).  모양: query @ W_qᵀ → (B, A) → (B, 1, A), keys @ W_kᵀ "
            "→ (B, T, A), 더하면 (B, T, A), tanh 뒤 @ v (A,) → (B, T).",
            "q = (query @ W_q.___).unsqueeze(___)       # (B, 1, A)\n"
            "k = keys @ ___                              # (B, T, A)\n"
            "return torch.tanh(___ + ___) @ ___          # (B, T)",
        ],
        chapter="04",
        reference=attention.additive_scores,
        cases=_additive_cases,
        oracle=torch_additive_scores,
        oracle_name="nn.Linear로 조립한 바다나우 점수",
        alternatives=[
            lambda query, keys, W_q, W_k, v: torch.einsum(
                "bta,a->bt", torch.tanh(torch.einsum("aq,bq->ba", W_q, query)[:, None] + torch.einsum("ak,btk->bta", W_k, keys)), v)
        ],
        mistakes=[
            Mistake("가중치를 전치(.T)하지 않음",
                    "W_q는 (A, Hq) 모양입니다. (B, Hq)인 쿼리와 곱하려면 query @ W_q.T 로 곱해야 (B, A)가 됩니다.",
                    lambda query, keys, W_q, W_k, v: torch.tanh((query @ W_q).unsqueeze(1) + keys @ W_k) @ v),
            Mistake("tanh를 빠뜨림",
                    "바다나우 점수는 v · tanh(W_q q + W_k k_t)입니다. tanh가 없으면 쿼리와 키의 효과가 따로 더해질 뿐입니다.",
                    lambda query, keys, W_q, W_k, v: ((query @ W_q.T).unsqueeze(1) + keys @ W_k.T) @ v),
            Mistake("tanh 대신 sigmoid를 씀", "덧셈(additive) 어텐션의 비선형 함수는 tanh입니다.",
                    lambda query, keys, W_q, W_k, v: torch.sigmoid((query @ W_q.T).unsqueeze(1) + keys @ W_k.T) @ v),
            Mistake("v를 tanh 안에서 곱함",
                    "먼저 tanh(W_q q + W_k k_t)로 (B, T, A)를 만든 뒤, 마지막에 v와 곱해 점수 하나로 줄입니다.",
                    lambda query, keys, W_q, W_k, v: torch.tanh(((query @ W_q.T).unsqueeze(1) + keys @ W_k.T) @ v)),
            Mistake("점수에 소프트맥스까지 적용함",
                    "이 함수는 점수만 돌려줍니다. 소프트맥스는 attend에서 마스크와 함께 적용합니다.",
                    lambda query, keys, W_q, W_k, v: torch.softmax(
                        torch.tanh((query @ W_q.T).unsqueeze(1) + keys @ W_k.T) @ v, dim=-1)),
        ],
    ),
    Exercise(
        id="attention.attend",
        hints=[
            "점수를 가중치로 바꾼 뒤(문장마다 시점들에 대해 소프트맥스, 합이 1) 그 가중치로 값들을 가중 평균합니다. mask가 있으면 False인 시점(패딩)은 소프트맥스 전에 가려서 "
            "가중치가 정확히 0이 되게 합니다.",
            "scores (B, T): mask가 있으면 scores.masked_fill(~mask, -inf).  weights = softmax(scores, dim=-1) (B, "
            "T), 각 행의 합 1.  context[b] = Σ_t weights[b, t] · values[b, t] → (B, H).  돌려주는 것은 (context, weights).",
            "if mask is not None:\n"
            "    scores = scores.masked_fill(___, float(\"-inf\"))\n"
            "weights = torch.softmax(scores, dim=___)             # (B, T)\n"
            "context = (weights.unsqueeze(___) * values).sum(dim=___)   # (B, H)\n"
            "return context, weights",
        ],
        chapter="04",
        reference=attention.attend,
        cases=_attend_cases,
        oracle=torch_attend,
        oracle_name="F.scaled_dot_product_attention",
        output_names=("context", "weights"),
        alternatives=[attend_by_exp],
        mistakes=[
            Mistake("마스크를 반대로 씀 (True인 곳을 가림)",
                    "이 코스의 마스크는 True = 볼 수 있음입니다. 가릴 곳은 ~mask: scores.masked_fill(~mask, float('-inf')).",
                    _attend_with(_inverted_mask)),
            Mistake("패딩 위치에 -inf 대신 0을 넣음",
                    "점수 0은 exp(0) = 1이라 가중치가 0이 되지 않습니다. 가릴 곳의 점수는 -inf로 채웁니다.",
                    _attend_with(_zero_fill)),
            Mistake("마스크를 무시함", "패딩 위치에도 가중치가 갑니다. mask가 None이 아니면 가린 뒤 소프트맥스를 하세요.",
                    _attend_with(lambda scores, mask: torch.softmax(scores, dim=-1))),
            Mistake("소프트맥스를 배치 축(dim=0)으로 계산함",
                    "가중치는 한 문장의 시점들(T, dim=-1)에 대해 합이 1이어야 합니다.",
                    _attend_with(_softmax_batch_axis)),
            Mistake("소프트맥스 뒤에 마스크를 곱하고 다시 정규화하지 않음",
                    "그러면 가중치의 합이 1보다 작아집니다. 소프트맥스 전에 점수를 -inf로 가리세요.",
                    _attend_with(_mask_after_softmax)),
        ],
    ),
]
