"""Attention masks. Bool, True = may attend (as F.scaled_dot_product_attention).

nn.MultiheadAttention and the nn.Transformer* layers use the opposite polarity (True = blocked);
chapter 08 (section 7) shows the bug of passing one where the other is expected.
"""

import torch

from lib.tokens import PAD_ID


def causal_mask(length: int) -> torch.Tensor:
    """(T, T) bool, True on and below the diagonal: position i sees positions 0..i only."""
    return torch.tril(torch.ones(length, length, dtype=torch.bool))


def padding_mask(tokens: torch.Tensor, pad_id: int = PAD_ID) -> torch.Tensor:
    """tokens (B, T) -> (B, 1, T) bool, True at real tokens; broadcasts over the query axis."""
    return (tokens != pad_id).unsqueeze(1)


def decoder_self_attention_mask(tgt_input: torch.Tensor, pad_id: int = PAD_ID) -> torch.Tensor:
    """tgt_input (B, T) -> (B, T, T) bool = causal AND padding (keys that are padding are hidden)."""
    length = tgt_input.size(1)
    return causal_mask(length).to(tgt_input.device) & padding_mask(tgt_input, pad_id)
