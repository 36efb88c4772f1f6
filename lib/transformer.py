"""The Transformer for translation, built from the parts of chapters 06-08.

Post-LN ("Add & Norm" after every sublayer, as in the paper and the notes). Batch first.
Masks are bool, True = may attend. Embeddings are scaled by sqrt(d_model) before the positional
encoding is added. ``Transformer.forward(inputs)`` reads ``context, x = inputs`` exactly as the
notes' Keras code: ``context`` = source tokens, ``x`` = the target shifted right (BOS w1 w2 ...).
"""

import math

import torch
import torch.nn as nn

from lib.attention import MultiHeadAttention
from lib.masks import decoder_self_attention_mask, padding_mask
from lib.tokens import PAD_ID

# ---------------------------------------------------------------- parts (chapters 06-07)


def positional_encoding(length: int, d_model: int) -> torch.Tensor:
    """The paper's sinusoids, interleaved: PE[pos, 2i] = sin(pos / 10000^(2i/d)), PE[pos, 2i+1] = cos(...).

    -> (length, d_model) float32
    """
    position = torch.arange(length, dtype=torch.float32).unsqueeze(1)  # (T, 1)
    even_dims = torch.arange(0, d_model, 2, dtype=torch.float32)  # 2i
    angle = position / torch.pow(10000.0, even_dims / d_model)  # (T, d/2)
    pe = torch.zeros(length, d_model)
    pe[:, 0::2] = torch.sin(angle)
    pe[:, 1::2] = torch.cos(angle[:, : d_model // 2])
    return pe


def layer_norm(x, weight, bias, eps: float = 1e-5):
    """Normalise each vector over its last dim (biased variance, as nn.LayerNorm), then scale and shift.

    x: (..., D), weight/bias: (D,) -> (..., D)
    """
    mean = x.mean(dim=-1, keepdim=True)
    var = ((x - mean) ** 2).mean(dim=-1, keepdim=True)  # biased variance, as nn.LayerNorm
    return (x - mean) / torch.sqrt(var + eps) * weight + bias


class LayerNorm(nn.Module):
    """layer_norm with learnable weight (ones) and bias (zeros)."""

    def __init__(self, d_model: int, eps: float = 1e-5):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d_model))
        self.bias = nn.Parameter(torch.zeros(d_model))
        self.eps = eps

    def forward(self, x):
        return layer_norm(x, self.weight, self.bias, self.eps)


class FeedForward(nn.Module):
    """Position-wise feed-forward network: Linear -> ReLU -> Linear, applied to every position."""

    def __init__(self, d_model: int, d_ff: int, dropout: float = 0.1):
        super().__init__()
        self.linear1 = nn.Linear(d_model, d_ff)
        self.linear2 = nn.Linear(d_ff, d_model)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x):
        return self.linear2(self.dropout(torch.relu(self.linear1(x))))  # (B, T, D) -> (B, T, d_ff) -> (B, T, D)


class EncoderLayer(nn.Module):
    """Self-attention -> Add & Norm -> feed-forward -> Add & Norm (post-LN, as the paper and the notes).

    The chapter 07 exercise ``transformer.EncoderLayer``: ``__init__`` is given, the learner writes
    ``forward``; checked against nn.TransformerEncoderLayer(norm_first=False) with the weights copied.
    """

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.1):
        super().__init__()
        self.self_attention = MultiHeadAttention(d_model, num_heads)
        self.norm1 = LayerNorm(d_model)
        self.feed_forward = FeedForward(d_model, d_ff, dropout)
        self.norm2 = LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.attention_weights = None  # (B, h, T, T) of the last call, for plots

    def forward(self, x, mask=None):
        """x: (B, T, D), mask: bool broadcastable to (B, T, T) -> (B, T, D)"""
        attended, weights = self.self_attention(x, x, x, mask)  # (B, T, D), (B, h, T, T)
        self.attention_weights = weights.detach()  # kept for plots, without the autograd graph
        x = self.norm1(x + self.dropout(attended))  # Add & Norm
        x = self.norm2(x + self.dropout(self.feed_forward(x)))  # Add & Norm
        return x


# ---------------------------------------------------------------- the decoder layer (chapter 08)


class DecoderLayer(nn.Module):
    """Masked (causal) self-attention -> Add & Norm -> cross-attention -> Add & Norm -> FFN -> Add & Norm."""

    def __init__(self, d_model: int, num_heads: int, d_ff: int, dropout: float = 0.1):
        super().__init__()
        self.self_attention = MultiHeadAttention(d_model, num_heads)
        self.norm1 = LayerNorm(d_model)
        self.cross_attention = MultiHeadAttention(d_model, num_heads)
        self.norm2 = LayerNorm(d_model)
        self.feed_forward = FeedForward(d_model, d_ff, dropout)
        self.norm3 = LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.self_attention_weights = None  # (B, h, T, T)
        self.cross_attention_weights = None  # (B, h, T, S)

    def forward(self, x, context, self_mask=None, cross_mask=None):
        """x: (B, T, D) target side, context: (B, S, D) encoder output
        self_mask: bool (B, T, T) causal & padding; cross_mask: bool (B, 1, S) source padding
        -> (B, T, D)
        """
        attended, weights = self.self_attention(x, x, x, self_mask)  # (B, T, D), (B, h, T, T)
        self.self_attention_weights = weights.detach()  # kept for plots, without the autograd graph
        x = self.norm1(x + self.dropout(attended))  # Add & Norm
        attended, weights = self.cross_attention(x, context, context, cross_mask)  # (B, T, D), (B, h, T, S)
        self.cross_attention_weights = weights.detach()
        x = self.norm2(x + self.dropout(attended))  # Add & Norm
        x = self.norm3(x + self.dropout(self.feed_forward(x)))  # Add & Norm
        return x


# ---------------------------------------------------------------- the whole model (chapter 09)


class Embedding(nn.Module):
    """Token embedding * sqrt(d_model) + positional encoding, then dropout.

    The token vectors start at N(0, 1/d_model), so after the * sqrt(d_model) they have unit scale,
    like the positional encoding. (nn.Embedding's default N(0, 1) would make them sqrt(d_model)
    times larger and drown the positions: word order is then learnt much more slowly.)
    """

    def __init__(self, vocab_size: int, d_model: int, max_len: int = 256, dropout: float = 0.1):
        super().__init__()
        self.d_model = d_model
        self.token = nn.Embedding(vocab_size, d_model, padding_idx=PAD_ID)
        nn.init.normal_(self.token.weight, std=d_model**-0.5)
        with torch.no_grad():
            self.token.weight[PAD_ID].zero_()
        self.register_buffer("pe", positional_encoding(max_len, d_model), persistent=False)
        self.dropout = nn.Dropout(dropout)

    def forward(self, tokens):
        """tokens (B, T) -> (B, T, D)"""
        x = self.token(tokens) * math.sqrt(self.d_model)  # (B, T, D)
        return self.dropout(x + self.pe[: tokens.size(1)])  # (T, D) broadcasts over the batch


class Encoder(nn.Module):
    """Embedding + positional encoding, then N encoder layers."""

    def __init__(self, vocab_size: int, *, d_model: int, num_heads: int, d_ff: int, num_layers: int,
                 dropout: float = 0.1, max_len: int = 256):
        super().__init__()
        self.embedding = Embedding(vocab_size, d_model, max_len, dropout)
        self.layers = nn.ModuleList(EncoderLayer(d_model, num_heads, d_ff, dropout) for _ in range(num_layers))

    def forward(self, tokens, mask=None):
        """tokens (B, S), mask (B, 1, S) -> context (B, S, D)"""
        x = self.embedding(tokens)
        for layer in self.layers:
            x = layer(x, mask)
        return x


class Decoder(nn.Module):
    """Embedding + positional encoding, then N decoder layers (causal self-attention inside)."""

    def __init__(self, vocab_size: int, *, d_model: int, num_heads: int, d_ff: int, num_layers: int,
                 dropout: float = 0.1, max_len: int = 256):
        super().__init__()
        self.embedding = Embedding(vocab_size, d_model, max_len, dropout)
        self.layers = nn.ModuleList(DecoderLayer(d_model, num_heads, d_ff, dropout) for _ in range(num_layers))

    def forward(self, tokens, context, cross_mask=None):
        """tokens (B, T) shifted target, context (B, S, D), cross_mask (B, 1, S) -> (B, T, D)"""
        self_mask = decoder_self_attention_mask(tokens)
        x = self.embedding(tokens)
        for layer in self.layers:
            x = layer(x, context, self_mask, cross_mask)
        return x


class Transformer(nn.Module):
    """The notes' translation Transformer, in PyTorch.

    inputs = (context, x): context = source tokens (B, S), x = target shifted right (B, T)
    -> logits (B, T, tgt_vocab_size)
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, *, d_model: int = 64, num_heads: int = 4,
                 d_ff: int = 128, num_layers: int = 2, dropout: float = 0.1, max_len: int = 256):
        super().__init__()
        sizes = dict(d_model=d_model, num_heads=num_heads, d_ff=d_ff, num_layers=num_layers, dropout=dropout,
                     max_len=max_len)  # by keyword: d_ff and num_layers are both ints and cannot be swapped
        self.encoder = Encoder(src_vocab_size, **sizes)
        self.decoder = Decoder(tgt_vocab_size, **sizes)
        self.final_layer = nn.Linear(d_model, tgt_vocab_size)

    def forward(self, inputs):
        context, x = inputs  # source sentence, and the target sentence shifted right
        source_mask = padding_mask(context)  # (B, 1, S): the TF tutorial expects Keras to pass this; we pass it
        context = self.encoder(context, source_mask)  # (B, S, D) encoder output, used by cross-attention
        x = self.decoder(x, context, source_mask)  # (B, T, D)
        logits = self.final_layer(x)  # (B, T, V): one score per target word
        return logits
