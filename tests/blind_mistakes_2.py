"""A second blind set of typical wrong ``forward`` implementations for the chapter 07-08 exercises.

Written as a TA from what learners get wrong in this exercise, WITHOUT reading the checker or its list
of known mistakes. Each class subclasses the reference and overrides only ``forward`` (``__init__`` is
the one the learner is given); the first line of each docstring names the intended mistake.

``reference_differs(kind, cls)`` proves each is really wrong: same weights as the reference (layer-norm
weights and biases randomised too), eval mode, padded inputs; the output must differ (an exception, a
wrong type or shape, NaN, or > 1e-4) or, where the values agree, the gradients must.
"""

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import transformer
from lib.masks import causal_mask, decoder_self_attention_mask, padding_mask
from lib.tokens import PAD_ID

# ---------------------------------------------------------------- EncoderLayer


class EncPreLN(transformer.EncoderLayer):
    """Pre-LN order (norm before each sublayer) instead of the post-LN Add & Norm."""

    def forward(self, x, mask=None):
        attended, weights = self.self_attention(self.norm1(x), self.norm1(x), self.norm1(x), mask)
        self.attention_weights = weights.detach()
        x = x + self.dropout(attended)
        x = x + self.dropout(self.feed_forward(self.norm2(x)))
        return x


class EncNoResidualAttention(transformer.EncoderLayer):
    """No residual around self-attention: norm1(attended) instead of norm1(x + attended)."""

    def forward(self, x, mask=None):
        attended, weights = self.self_attention(x, x, x, mask)
        self.attention_weights = weights.detach()
        h = self.norm1(self.dropout(attended))
        return self.norm2(h + self.dropout(self.feed_forward(h)))


class EncSecondResidualFromInput(transformer.EncoderLayer):
    """Second residual adds the layer's original input instead of the output of the first Add & Norm."""

    def forward(self, x, mask=None):
        attended, weights = self.self_attention(x, x, x, mask)
        self.attention_weights = weights.detach()
        out1 = self.norm1(x + self.dropout(attended))
        out2 = self.norm2(x + self.dropout(self.feed_forward(out1)))
        return out2


class EncInvertedMask(transformer.EncoderLayer):
    """Mask polarity inverted (nn.MultiheadAttention habit: True = blocked), passes ~mask."""

    def forward(self, x, mask=None):
        if mask is not None:
            mask = ~mask  # "True means masked out"
        attended, weights = self.self_attention(x, x, x, mask)
        self.attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


class EncIgnoresMask(transformer.EncoderLayer):
    """Forgets to pass the padding mask to self-attention."""

    def forward(self, x, mask=None):
        attended, self.attention_weights = self.self_attention(x, x, x)
        x = self.norm1(x + self.dropout(attended))
        x = self.norm2(x + self.dropout(self.feed_forward(x)))
        return x


class EncNormsSwapped(transformer.EncoderLayer):
    """norm1 and norm2 swapped: norm2 after attention, norm1 after the feed-forward."""

    def forward(self, x, mask=None):
        attended, weights = self.self_attention(x, x, x, mask)
        self.attention_weights = weights.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm1(x + self.dropout(self.feed_forward(x)))
        return x


class EncResidualOutsideNorm(transformer.EncoderLayer):
    """Residual added after the norm, x + norm(sublayer(x)), instead of norm(x + sublayer(x))."""

    def forward(self, x, mask=None):
        attended, weights = self.self_attention(x, x, x, mask)
        self.attention_weights = weights.detach()
        x = x + self.norm1(self.dropout(attended))
        x = x + self.norm2(self.dropout(self.feed_forward(x)))
        return x


class EncReturnsWeights(transformer.EncoderLayer):
    """Returns (output, attention weights) instead of the output tensor alone."""

    def forward(self, x, mask=None):
        attended, weights = self.self_attention(x, x, x, mask)
        self.attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        x = self.norm2(x + self.dropout(self.feed_forward(x)))
        return x, weights


class EncFunctionalDropoutAlwaysOn(transformer.EncoderLayer):
    """Uses F.dropout(..., 0.1) without training=self.training, so dropout stays on in eval mode."""

    def forward(self, x, mask=None):
        attended, weights = self.self_attention(x, x, x, mask)
        self.attention_weights = weights.detach()
        x = self.norm1(x + F.dropout(attended, 0.1))
        x = self.norm2(x + F.dropout(self.feed_forward(x), 0.1))
        return x


class EncAddsCausalMask(transformer.EncoderLayer):
    """Adds a causal (look-ahead) mask in the encoder, as if it were the decoder's self-attention."""

    def forward(self, x, mask=None):
        look_ahead = causal_mask(x.size(1)).to(x.device)
        mask = look_ahead if mask is None else (mask & look_ahead)
        attended, weights = self.self_attention(x, x, x, mask)
        self.attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        x = self.norm2(x + self.dropout(self.feed_forward(x)))
        return x


ENCODER_MISTAKES = [
    EncPreLN,
    EncNoResidualAttention,
    EncSecondResidualFromInput,
    EncInvertedMask,
    EncIgnoresMask,
    EncNormsSwapped,
    EncResidualOutsideNorm,
    EncReturnsWeights,
    EncFunctionalDropoutAlwaysOn,
    EncAddsCausalMask,
]

# ---------------------------------------------------------------- DecoderLayer


class DecQueryFromContext(transformer.DecoderLayer):
    """Cross-attention query/key roles swapped: query from the encoder output, key/value from the decoder."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, w = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = w.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, w = self.cross_attention(context, x, x, cross_mask)
        self.cross_attention_weights = w.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecKeysFromDecoder(transformer.DecoderLayer):
    """Cross-attention key/value mixed up: keys from the decoder x, values from the encoder output."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, w = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = w.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, w = self.cross_attention(x, x, context, cross_mask)
        self.cross_attention_weights = w.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecMasksSwapped(transformer.DecoderLayer):
    """self_mask and cross_mask swapped: the source padding mask on self-attention, the causal one on cross."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, w = self.self_attention(x, x, x, cross_mask)
        self.self_attention_weights = w.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, w = self.cross_attention(x, context, context, self_mask)
        self.cross_attention_weights = w.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecForgetsCausalMask(transformer.DecoderLayer):
    """Forgets the causal/self mask on masked self-attention (the decoder sees future words)."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, w = self.self_attention(x, x, x)
        self.self_attention_weights = w.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, w = self.cross_attention(x, context, context, cross_mask)
        self.cross_attention_weights = w.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecForgetsCrossMask(transformer.DecoderLayer):
    """Forgets the source padding mask on cross-attention (attends to source padding)."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        out, w = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = w.detach()
        x = self.norm1(x + self.dropout(out))
        out, w = self.cross_attention(x, context, context)
        self.cross_attention_weights = w.detach()
        x = self.norm2(x + self.dropout(out))
        return self.norm3(x + self.dropout(self.feed_forward(x)))


class DecReusesSelfAttentionForCross(transformer.DecoderLayer):
    """Reuses the self_attention module for cross-attention (cross_attention's weights never used)."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, w = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = w.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, w = self.self_attention(x, context, context, cross_mask)
        self.cross_attention_weights = w.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecPreLN(transformer.DecoderLayer):
    """Pre-LN decoder: norm before each sublayer and a plain residual after it."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        h = self.norm1(x)
        attended, w = self.self_attention(h, h, h, self_mask)
        self.self_attention_weights = w.detach()
        x = x + self.dropout(attended)
        h = self.norm2(x)
        attended, w = self.cross_attention(h, context, context, cross_mask)
        self.cross_attention_weights = w.detach()
        x = x + self.dropout(attended)
        x = x + self.dropout(self.feed_forward(self.norm3(x)))
        return x


class DecReusesNorm1(transformer.DecoderLayer):
    """Uses norm1 for all three Add & Norm steps (norm2 and norm3 never used)."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, w = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = w.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, w = self.cross_attention(x, context, context, cross_mask)
        self.cross_attention_weights = w.detach()
        x = self.norm1(x + self.dropout(attended))
        x = self.norm1(x + self.dropout(self.feed_forward(x)))
        return x


class DecBothMasksInverted(transformer.DecoderLayer):
    """Both masks inverted (True = blocked, as nn.MultiheadAttention): passes ~self_mask and ~cross_mask."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        blocked_self = None if self_mask is None else ~self_mask
        blocked_cross = None if cross_mask is None else ~cross_mask
        attended, w = self.self_attention(x, x, x, blocked_self)
        self.self_attention_weights = w.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, w = self.cross_attention(x, context, context, blocked_cross)
        self.cross_attention_weights = w.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecCrossQueryFromLayerInput(transformer.DecoderLayer):
    """Cross-attention query (and its residual) taken from the layer input, skipping the self-attention output."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        self_out, w = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = w.detach()
        x1 = self.norm1(x + self.dropout(self_out))
        cross_out, w = self.cross_attention(x, context, context, cross_mask)
        self.cross_attention_weights = w.detach()
        x2 = self.norm2(x + self.dropout(cross_out))
        x3 = self.norm3(x2 + self.dropout(self.feed_forward(x2)))
        return x3


DECODER_MISTAKES = [
    DecQueryFromContext,
    DecKeysFromDecoder,
    DecMasksSwapped,
    DecForgetsCausalMask,
    DecForgetsCrossMask,
    DecReusesSelfAttentionForCross,
    DecPreLN,
    DecReusesNorm1,
    DecBothMasksInverted,
    DecCrossQueryFromLayerInput,
]

# ---------------------------------------------------------------- Transformer


class TfForgetsFinalLayer(transformer.Transformer):
    """Forgets final_layer: returns the decoder output (B, T, D) instead of logits (B, T, V)."""

    def forward(self, inputs):
        context, x = inputs
        source_mask = padding_mask(context)
        context = self.encoder(context, source_mask)
        x = self.decoder(x, context, source_mask)
        return x


class TfSoftmaxOnLogits(transformer.Transformer):
    """Applies softmax to the output, returning probabilities instead of logits (from_logits=True expects logits)."""

    def forward(self, inputs):
        context, x = inputs
        source_mask = padding_mask(context)
        context = self.encoder(context, source_mask)
        x = self.decoder(x, context, source_mask)
        return torch.softmax(self.final_layer(x), dim=-1)


class TfNoSourceMask(transformer.Transformer):
    """Copies the notes' Keras call literally: no source padding mask for the encoder or cross-attention."""

    def forward(self, inputs):
        context, x = inputs
        context = self.encoder(context)
        x = self.decoder(x, context)
        logits = self.final_layer(x)
        return logits


class TfDecoderGetsSourceTokens(transformer.Transformer):
    """Forgets to keep the encoder output: the decoder cross-attends to the raw source token ids."""

    def forward(self, inputs):
        context, x = inputs
        source_mask = padding_mask(context)
        encoded = self.encoder(context, source_mask)  # noqa: F841 (computed, then not used)
        x = self.decoder(x, context, source_mask)
        return self.final_layer(x)


class TfInputsSwapped(transformer.Transformer):
    """Unpacks inputs in the wrong order: x, context = inputs (source and target swapped)."""

    def forward(self, inputs):
        x, context = inputs
        source_mask = padding_mask(context)
        context = self.encoder(context, source_mask)
        x = self.decoder(x, context, source_mask)
        return self.final_layer(x)


class TfCrossMaskFromTarget(transformer.Transformer):
    """Builds the padding mask from the target x and uses it for the encoder and the cross-attention."""

    def forward(self, inputs):
        context, x = inputs
        mask = padding_mask(x)
        context = self.encoder(context, mask)
        x = self.decoder(x, context, mask)
        return self.final_layer(x)


class TfInvertedSourceMask(transformer.Transformer):
    """Source mask polarity inverted: True at padding (context == PAD_ID) instead of at real tokens."""

    def forward(self, inputs):
        context, x = inputs
        source_mask = (context == PAD_ID).unsqueeze(1)  # (B, 1, S)
        context = self.encoder(context, source_mask)
        x = self.decoder(x, context, source_mask)
        return self.final_layer(x)


class TfShiftsTargetAgain(transformer.Transformer):
    """Shifts the already shifted target again inside forward (x[:, :-1]), so one position is lost."""

    def forward(self, inputs):
        context, x = inputs
        x = x[:, :-1]  # decoder input = target without its last token
        source_mask = padding_mask(context)
        context = self.encoder(context, source_mask)
        x = self.decoder(x, context, source_mask)
        return self.final_layer(x)


class TfUnrolledNoEmbeddingScale(transformer.Transformer):
    """Unrolls encoder/decoder by hand and forgets the * sqrt(d_model) embedding scaling."""

    def forward(self, inputs):
        context, x = inputs
        source_mask = padding_mask(context)
        enc = self.encoder.embedding
        h = enc.dropout(enc.token(context) + enc.pe[: context.size(1)])
        for layer in self.encoder.layers:
            h = layer(h, source_mask)
        dec = self.decoder.embedding
        y = dec.dropout(dec.token(x) + dec.pe[: x.size(1)])
        self_mask = decoder_self_attention_mask(x)
        for layer in self.decoder.layers:
            y = layer(y, h, self_mask, source_mask)
        return self.final_layer(y)


class TfDetachesEncoderOutput(transformer.Transformer):
    """Detaches the encoder output before the decoder, so no gradient ever reaches the encoder."""

    def forward(self, inputs):
        context, x = inputs
        source_mask = padding_mask(context)
        context = self.encoder(context, source_mask).detach()
        x = self.decoder(x, context, source_mask)
        return self.final_layer(x)


TRANSFORMER_MISTAKES = [
    TfForgetsFinalLayer,
    TfSoftmaxOnLogits,
    TfNoSourceMask,
    TfDecoderGetsSourceTokens,
    TfInputsSwapped,
    TfCrossMaskFromTarget,
    TfInvertedSourceMask,
    TfShiftsTargetAgain,
    TfUnrolledNoEmbeddingScale,
    TfDetachesEncoderOutput,
]

ALL_MISTAKES = {
    "transformer.EncoderLayer": ENCODER_MISTAKES,
    "transformer.DecoderLayer": DECODER_MISTAKES,
    "transformer.Transformer": TRANSFORMER_MISTAKES,
}

REFERENCE = {
    "transformer.EncoderLayer": transformer.EncoderLayer,
    "transformer.DecoderLayer": transformer.DecoderLayer,
    "transformer.Transformer": transformer.Transformer,
}


def describe(cls) -> str:
    """The one-line English description of the intended mistake."""
    return (cls.__doc__ or "").strip().splitlines()[0]


# ---------------------------------------------------------------- proof that each one is wrong

D_MODEL, HEADS, D_FF = 16, 4, 32
B, T, S = 3, 5, 7  # T != S, so role and mask mix-ups between target and source show up
SRC_VOCAB, TGT_VOCAB = 11, 13


def _randomise_norms(model: nn.Module, gen: torch.Generator) -> None:
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, transformer.LayerNorm):
                module.weight.copy_(1.0 + 0.5 * torch.randn(module.weight.shape, generator=gen))
                module.bias.copy_(0.5 * torch.randn(module.bias.shape, generator=gen))


def _tokens(vocab, lengths, width, gen):
    tok = torch.randint(1, vocab, (len(lengths), width), generator=gen)
    for row, n in enumerate(lengths):
        tok[row, n:] = PAD_ID
    return tok


def _build(kind, cls, gen_seed=0):
    torch.manual_seed(gen_seed)
    if kind == "transformer.Transformer":
        model = cls(SRC_VOCAB, TGT_VOCAB, d_model=D_MODEL, num_heads=HEADS, d_ff=D_FF, num_layers=2,
                    dropout=0.1, max_len=32)
    else:
        model = cls(D_MODEL, HEADS, D_FF, dropout=0.1)
    return model


def _inputs(kind, gen):
    if kind == "transformer.EncoderLayer":
        x = torch.randn(B, S, D_MODEL, generator=gen, requires_grad=True)
        mask = padding_mask(_tokens(SRC_VOCAB, [S, 4, 2], S, gen))
        return (x, mask), [x]
    if kind == "transformer.DecoderLayer":
        x = torch.randn(B, T, D_MODEL, generator=gen, requires_grad=True)
        context = torch.randn(B, S, D_MODEL, generator=gen, requires_grad=True)
        self_mask = decoder_self_attention_mask(_tokens(TGT_VOCAB, [T, 3, 4], T, gen))
        cross_mask = padding_mask(_tokens(SRC_VOCAB, [S, 4, 2], S, gen))
        return (x, context, self_mask, cross_mask), [x, context]
    src = _tokens(SRC_VOCAB, [S, 4, 2], S, gen)
    tgt = _tokens(TGT_VOCAB, [T, 3, 4], T, gen)
    return ((src, tgt),), []


def reference_differs(kind: str, cls) -> str:
    """'' when cls behaves exactly like the reference on these inputs; otherwise how it differs."""
    gen = torch.Generator().manual_seed(1234)
    reference = _build(kind, REFERENCE[kind])
    _randomise_norms(reference, gen)
    wrong = _build(kind, cls, gen_seed=99)
    wrong.load_state_dict(reference.state_dict())
    reference.eval()
    wrong.eval()

    args, leaves = _inputs(kind, gen)
    expected = reference(*args)
    weight = torch.randn(expected.shape, generator=gen)
    grads_ref = torch.autograd.grad((expected * weight).sum(), leaves + list(reference.parameters()),
                                    allow_unused=True)

    args2 = tuple(a.detach().clone().requires_grad_(a.requires_grad) if isinstance(a, torch.Tensor) else a
                  for a in args)
    leaves2 = [a for a in args2 if isinstance(a, torch.Tensor) and a.requires_grad]
    try:
        got = wrong(*args2)
    except Exception as exc:  # noqa: BLE001
        return f"raises {type(exc).__name__}: {exc}"
    if not isinstance(got, torch.Tensor):
        return f"returns {type(got).__name__}, not a tensor"
    if got.shape != expected.shape:
        return f"shape {tuple(got.shape)} != {tuple(expected.shape)}"
    if not torch.isfinite(got).all():
        return "NaN/inf in the output"
    diff = (got - expected).abs().max().item()
    if diff > 1e-4:
        return f"max |diff| = {diff:.3g}"
    grads = torch.autograd.grad((got * weight).sum(), leaves2 + list(wrong.parameters()), allow_unused=True)
    for g_ref, g in zip(grads_ref, grads):
        g_ref = torch.zeros(()) if g_ref is None else g_ref
        g = torch.zeros(()) if g is None else g
        gdiff = (g_ref - g).abs().max().item()
        if gdiff > 1e-4:
            return f"same values, gradients differ (max {gdiff:.3g})"
    return ""
