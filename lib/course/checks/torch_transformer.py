"""lib.transformer.Transformer's twin built on torch's nn.Transformer.

The oracle for the whole model (tests, the chapter 09 check) and the baseline of the speed
benchmark (tools/bench_transformer.py). Same configuration, same embeddings
(lib.transformer.Embedding), post-LN layers; two differences from a bare nn.Transformer:

- nn.Transformer's default stacks end with one more LayerNorm. lib's model (like the notes' and
  the paper's post-LN model) has none, so the twin passes its own stacks, built with norm=None.
- nn's masks use the opposite polarity: True = blocked. lib's are True = may attend.

``copy_weights_from(lib_model)`` copies every weight across (q/k/v projections -> in_proj_*), so the
twin and lib's model give the same logits.
"""

import torch
import torch.nn as nn

from lib.masks import PAD_ID, causal_mask
from lib.transformer import Embedding


class TorchTransformer(nn.Module):
    """inputs = (context, x): source tokens (B, S), target shifted right (B, T) -> logits (B, T, V)."""

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, *, d_model: int = 64, num_heads: int = 4,
                 d_ff: int = 128, num_layers: int = 2, dropout: float = 0.1, max_len: int = 256):
        super().__init__()
        self.src_embedding = Embedding(src_vocab_size, d_model, max_len, dropout)
        self.tgt_embedding = Embedding(tgt_vocab_size, d_model, max_len, dropout)
        # nn.Transformer with its own stacks: no final LayerNorm (norm=None), no nested tensors
        encoder = nn.TransformerEncoder(
            nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout, batch_first=True),
            num_layers, enable_nested_tensor=False)
        decoder = nn.TransformerDecoder(
            nn.TransformerDecoderLayer(d_model, num_heads, d_ff, dropout, batch_first=True), num_layers)
        self.transformer = nn.Transformer(
            d_model, num_heads, custom_encoder=encoder, custom_decoder=decoder, batch_first=True)
        self.final_layer = nn.Linear(d_model, tgt_vocab_size)

    def forward(self, inputs):
        context, x = inputs
        source_padding = context == PAD_ID  # (B, S), True = blocked (nn's polarity)
        decoded = self.transformer(
            self.src_embedding(context), self.tgt_embedding(x),
            tgt_mask=~causal_mask(x.size(1)).to(x.device),  # True above the diagonal = the future
            src_key_padding_mask=source_padding,
            tgt_key_padding_mask=x == PAD_ID,
            memory_key_padding_mask=source_padding,
        )
        return self.final_layer(decoded)

    @torch.no_grad()
    def copy_weights_from(self, model):
        """Copy the weights of a lib.transformer.Transformer of the same configuration."""
        self.src_embedding.load_state_dict(model.encoder.embedding.state_dict())
        self.tgt_embedding.load_state_dict(model.decoder.embedding.state_dict())
        for ours, theirs in zip(self.transformer.encoder.layers, model.encoder.layers):
            _copy_attention(ours.self_attn, theirs.self_attention)
            _copy_feed_forward_and_norms(ours, theirs, 2)
        for ours, theirs in zip(self.transformer.decoder.layers, model.decoder.layers):
            _copy_attention(ours.self_attn, theirs.self_attention)
            _copy_attention(ours.multihead_attn, theirs.cross_attention)
            _copy_feed_forward_and_norms(ours, theirs, 3)
        self.final_layer.load_state_dict(model.final_layer.state_dict())
        return self


def _copy_attention(nn_attention: nn.MultiheadAttention, lib_attention):
    """lib's q/k/v projections are stacked into nn.MultiheadAttention's in_proj (q, k, v order)."""
    projections = (lib_attention.q_proj, lib_attention.k_proj, lib_attention.v_proj)
    nn_attention.in_proj_weight.copy_(torch.cat([p.weight for p in projections]))
    nn_attention.in_proj_bias.copy_(torch.cat([p.bias for p in projections]))
    nn_attention.out_proj.load_state_dict(lib_attention.out_proj.state_dict())


def _copy_feed_forward_and_norms(nn_layer, lib_layer, num_norms):
    nn_layer.linear1.load_state_dict(lib_layer.feed_forward.linear1.state_dict())
    nn_layer.linear2.load_state_dict(lib_layer.feed_forward.linear2.state_dict())
    for i in range(1, num_norms + 1):
        getattr(nn_layer, f"norm{i}").load_state_dict(getattr(lib_layer, f"norm{i}").state_dict())
