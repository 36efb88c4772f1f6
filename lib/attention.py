"""Attention, from the notes' weighted average to multi-head attention.

Conventions (course spec section 4): batch first; masks are bool with True = may attend
(as ``F.scaled_dot_product_attention``); scores are scaled by 1/sqrt(d_k), d_k = per-head size.
"""

import math

import torch
import torch.nn as nn


def weighted_average(values: torch.Tensor, weights: torch.Tensor) -> torch.Tensor:
    """sum_t weights[t] * values[t].

    values: (T, D), weights: (T,) summing to 1 -> (D,)
    """
    return (weights.unsqueeze(-1) * values).sum(dim=0)


# ---------------------------------------------------------------- seq2seq attention (chapter 04)


def dot_product_scores(query: torch.Tensor, keys: torch.Tensor) -> torch.Tensor:
    """Luong dot-product scores: score_t = keys[t] . query.

    query: (B, H), keys: (B, T, H) -> scores (B, T)
    """
    return torch.bmm(keys, query.unsqueeze(-1)).squeeze(-1)  # (B, T, H) @ (B, H, 1) -> (B, T, 1) -> (B, T)


def additive_scores(
    query: torch.Tensor,
    keys: torch.Tensor,
    W_q: torch.Tensor,
    W_k: torch.Tensor,
    v: torch.Tensor,
) -> torch.Tensor:
    """Bahdanau additive scores: score_t = v . tanh(W_q q + W_k k_t).

    query: (B, Hq), keys: (B, T, Hk), W_q: (A, Hq), W_k: (A, Hk), v: (A,) -> scores (B, T)
    """
    return additive_scores_projected(query @ W_q.T, keys @ W_k.T, v)  # (B, A), (B, T, A)


def additive_scores_projected(projected_query: torch.Tensor, projected_keys: torch.Tensor,
                              v: torch.Tensor) -> torch.Tensor:
    """additive_scores from already projected inputs: v . tanh(W_q q + W_k k_t).

    A decoder projects its encoder states once per sentence (W_k k_t does not change while it
    decodes) and only the query at every step.
    projected_query: (B, A), projected_keys: (B, T, A), v: (A,) -> scores (B, T)
    """
    return torch.tanh(projected_query.unsqueeze(1) + projected_keys) @ v  # (B, 1, A) + (B, T, A) -> (B, T)


def attend(scores: torch.Tensor, values: torch.Tensor, mask: torch.Tensor | None = None):
    """Softmax the scores over time and take the weighted average of the values.

    scores: (B, T), values: (B, T, H), mask: (B, T) bool, True = real step (or None)
    -> context (B, H), weights (B, T); weights sum to 1 over the unmasked steps.
    """
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # (B, T)
    context = torch.bmm(weights.unsqueeze(1), values).squeeze(1)  # (B, 1, T) @ (B, T, H) -> (B, H)
    return context, weights


# ---------------------------------------------------------------- transformer attention (chapter 06)


def scaled_dot_product_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                                 mask: torch.Tensor | None = None):
    """softmax(q k^T / sqrt(d_k)) v.

    q: (..., Tq, d), k: (..., Tk, d), v: (..., Tk, dv), mask: bool broadcastable to (..., Tq, Tk),
    True = may attend -> out (..., Tq, dv), weights (..., Tq, Tk)
    A query row whose keys are all masked gets NaN (softmax over only -inf); the course's masks
    never do that (F.scaled_dot_product_attention returns zeros there instead).
    """
    d_k = q.size(-1)
    scores = q @ k.transpose(-2, -1) / math.sqrt(d_k)  # (..., Tq, d) @ (..., d, Tk) -> (..., Tq, Tk)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf"))
    weights = torch.softmax(scores, dim=-1)  # each query row sums to 1 over the keys
    return weights @ v, weights  # (..., Tq, Tk) @ (..., Tk, dv) -> (..., Tq, dv)


def split_heads(x: torch.Tensor, num_heads: int) -> torch.Tensor:
    """(B, T, D) -> (B, h, T, D/h): each head gets its own slice of the features."""
    batch, length, d_model = x.shape
    x = x.view(batch, length, num_heads, d_model // num_heads)  # (B, T, h, dh)
    return x.transpose(1, 2)  # (B, h, T, dh)


def merge_heads(x: torch.Tensor) -> torch.Tensor:
    """(B, h, T, dh) -> (B, T, h*dh): the inverse of split_heads."""
    batch, num_heads, length, d_head = x.shape
    x = x.transpose(1, 2)  # (B, T, h, dh)
    return x.reshape(batch, length, num_heads * d_head)  # (B, T, D); reshape copies: x is not contiguous


def multi_head_attention(query: torch.Tensor, key: torch.Tensor, value: torch.Tensor, params: dict,
                         num_heads: int, mask: torch.Tensor | None = None):
    """Multi-head attention, functional form.

    query: (B, Tq, D), key/value: (B, Tk, D)
    params: dict with W_q, b_q, W_k, b_k, W_v, b_v, W_o, b_o in nn.Linear layout (out, in)
    mask: bool broadcastable to (B, Tq, Tk), True = may attend; the head axis is added here.
    -> out (B, Tq, D), weights (B, h, Tq, Tk)
    """
    q = split_heads(query @ params["W_q"].T + params["b_q"], num_heads)  # (B, Tq, D) -> (B, h, Tq, dh)
    k = split_heads(key @ params["W_k"].T + params["b_k"], num_heads)  # (B, h, Tk, dh)
    v = split_heads(value @ params["W_v"].T + params["b_v"], num_heads)  # (B, h, Tk, dh)
    if mask is not None:
        mask = mask.unsqueeze(-3)  # (B, Tq, Tk) -> (B, 1, Tq, Tk): the same mask for every head
    heads, weights = scaled_dot_product_attention(q, k, v, mask)  # (B, h, Tq, dh), (B, h, Tq, Tk)
    out = merge_heads(heads) @ params["W_o"].T + params["b_o"]  # (B, Tq, D)
    return out, weights


class MultiHeadAttention(nn.Module):
    """Multi-head attention as a module: four nn.Linear layers around multi_head_attention."""

    def __init__(self, d_model: int, num_heads: int):
        super().__init__()
        if d_model % num_heads:
            raise ValueError(f"d_model ({d_model}) must be divisible by num_heads ({num_heads})")
        self.num_heads = num_heads
        self.q_proj = nn.Linear(d_model, d_model)
        self.k_proj = nn.Linear(d_model, d_model)
        self.v_proj = nn.Linear(d_model, d_model)
        self.out_proj = nn.Linear(d_model, d_model)

    def params(self) -> dict:
        """The weights in multi_head_attention's layout."""
        return {
            "W_q": self.q_proj.weight, "b_q": self.q_proj.bias,
            "W_k": self.k_proj.weight, "b_k": self.k_proj.bias,
            "W_v": self.v_proj.weight, "b_v": self.v_proj.bias,
            "W_o": self.out_proj.weight, "b_o": self.out_proj.bias,
        }

    def forward(self, query: torch.Tensor, key: torch.Tensor, value: torch.Tensor,
                mask: torch.Tensor | None = None):
        """query (B, Tq, D), key/value (B, Tk, D) -> out (B, Tq, D), weights (B, h, Tq, Tk)."""
        return multi_head_attention(query, key, value, self.params(), self.num_heads, mask)
