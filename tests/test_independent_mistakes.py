"""The class-exercise checks name the mistakes learners actually make (issue 15, "done when").

These wrong answers were written as a learner writes them in the notebook — a class with the
chapter's given ``__init__`` and a hand-written ``forward`` — independently of the mistake entries
in lib/course/checks/ch08.py and ch09.py: different code style (temporaries, ``F.softmax``, masks
built by hand, attention written out), and some combine two slips. The bar: at least 85 % of
them get a message naming the mistake, and none hangs or makes the check raise.

A wrong answer counts as *named* when the message carries a 💡 typical-mistake line, or the
class-level diagnosis (Keras ``call`` / a misspelt ``forward``).
"""

import math
import threading

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import attention, transformer
from lib.course.checks import check
from lib.masks import padding_mask
from lib.transformer import Decoder, Encoder

# ---------------------------------------------------------------- DecoderLayer (chapter 08)


class _GivenDecoderInit(nn.Module):
    """The chapter's given __init__, copied as the notebook has it (not a subclass of lib's class)."""

    def __init__(self, d_model, num_heads, d_ff, dropout=0.1):
        super().__init__()
        self.self_attention = attention.MultiHeadAttention(d_model, num_heads)
        self.norm1 = transformer.LayerNorm(d_model)
        self.cross_attention = attention.MultiHeadAttention(d_model, num_heads)
        self.norm2 = transformer.LayerNorm(d_model)
        self.feed_forward = transformer.FeedForward(d_model, d_ff, dropout)
        self.norm3 = transformer.LayerNorm(d_model)
        self.dropout = nn.Dropout(dropout)
        self.self_attention_weights = None
        self.cross_attention_weights = None


def _heads_by_hand(mha, q_in, kv_in, mask, scaled=True, softmax_dim=-1):
    """Attention from the module's projections, as a learner might write it out."""
    b, tq, d = q_in.shape
    h = mha.num_heads
    dh = d // h
    q = mha.q_proj(q_in).view(b, tq, h, dh).permute(0, 2, 1, 3)
    k = mha.k_proj(kv_in).view(b, kv_in.shape[1], h, dh).permute(0, 2, 1, 3)
    v = mha.v_proj(kv_in).view(b, kv_in.shape[1], h, dh).permute(0, 2, 1, 3)
    s = torch.einsum("bhqd,bhkd->bhqk", q, k)
    if scaled:
        s = s / math.sqrt(dh)
    if mask is not None:
        s = s.masked_fill(mask.unsqueeze(1) == False, -1e9)  # noqa: E712 - a learner's style
    w = F.softmax(s, dim=softmax_dim)
    out = torch.einsum("bhqk,bhkd->bhqd", w, v).permute(0, 2, 1, 3).reshape(b, tq, d)
    return mha.out_proj(out)


class DPreNorm(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        y = self.norm1(x)
        a, _ = self.self_attention(y, y, y, self_mask)
        x = x + self.dropout(a)
        y = self.norm2(x)
        a, _ = self.cross_attention(y, context, context, cross_mask)
        x = x + self.dropout(a)
        return x + self.dropout(self.feed_forward(self.norm3(x)))


class DKerasCall(_GivenDecoderInit):
    def call(self, x, context, self_mask=None, cross_mask=None):
        a, _ = self.self_attention(x, x, x, self_mask)
        return self.norm1(x + a)


class DTypo(_GivenDecoderInit):
    def foward(self, x, context, self_mask=None, cross_mask=None):
        a, _ = self.self_attention(x, x, x, self_mask)
        return self.norm1(x + a)


class DNoResiduals(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(self.cross_attention(x, context, context, cross_mask)[0])
        x = self.norm3(self.feed_forward(x))
        return x


class DCrossKeysFromDecoder(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        h = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        h = self.norm2(h + self.cross_attention(h, h, h, self_mask)[0])
        return self.norm3(h + self.feed_forward(h))


class DNoCausalMask(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        out = self.norm1(x + self.self_attention(x, x, x)[0])
        out = self.norm2(out + self.cross_attention(out, context, context, cross_mask)[0])
        return self.norm3(out + self.feed_forward(out))


class DInvertedSelfMask(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        m = ~self_mask if self_mask is not None else None  # nn.MultiheadAttention's habit
        x = self.norm1(x + self.self_attention(x, x, x, m)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class DFeedForwardFirst(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm3(x + self.feed_forward(x))
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        return self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])


class DNoLastNorm(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        return x + self.feed_forward(x)


class DNormsSwapped(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm2(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm1(x + self.cross_attention(x, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class DLinearFeedForward(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        ff = self.feed_forward.linear2(self.feed_forward.linear1(x))
        return self.norm3(x + ff)


class DUnscaledByHand(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + _heads_by_hand(self.self_attention, x, x, self_mask, scaled=False))
        x = self.norm2(x + _heads_by_hand(self.cross_attention, x, context, cross_mask, scaled=False))
        return self.norm3(x + self.feed_forward(x))


class DQueryFromEncoder(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(context, x, x, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class DReturnsTuple(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        a, w1 = self.self_attention(x, x, x, self_mask)
        x = self.norm1(x + a)
        a, w2 = self.cross_attention(x, context, context, cross_mask)
        x = self.norm2(x + a)
        x = self.norm3(x + self.feed_forward(x))
        return x, w2


class DPreNormAndNoMask(_GivenDecoderInit):
    """Two slips at once: pre-LN and no causal mask."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        y = self.norm1(x)
        x = x + self.self_attention(y, y, y)[0]
        x = x + self.cross_attention(self.norm2(x), context, context, cross_mask)[0]
        return x + self.feed_forward(self.norm3(x))


class DOneNormAtEnd(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        h = x + self.self_attention(x, x, x, self_mask)[0]
        h = h + self.cross_attention(h, context, context, cross_mask)[0]
        h = h + self.feed_forward(h)
        return self.norm3(h)


class DSoftmaxWrongAxisByHand(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + _heads_by_hand(self.self_attention, x, x, self_mask, softmax_dim=2))
        x = self.norm2(x + _heads_by_hand(self.cross_attention, x, context, cross_mask, softmax_dim=2))
        return self.norm3(x + self.feed_forward(x))


class DCrossSkipped(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x)
        return self.norm3(x + self.feed_forward(x))


class DInvertedCrossMask(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        blocked = None if cross_mask is None else cross_mask.logical_not()
        x = self.norm2(x + self.cross_attention(x, context, context, blocked)[0])
        return self.norm3(x + self.feed_forward(x))


class DEndlessLoop(_GivenDecoderInit):
    """A loop that never ends, hidden behind ``except Exception`` (must be stopped, not hang)."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        while True:
            try:
                x = x + 0
            except Exception:  # noqa: BLE001 - the learner's code
                pass


DECODER_MISTAKES = [
    DPreNorm, DKerasCall, DTypo, DNoResiduals, DCrossKeysFromDecoder, DNoCausalMask, DInvertedSelfMask,
    DFeedForwardFirst, DNoLastNorm, DNormsSwapped, DLinearFeedForward, DUnscaledByHand, DQueryFromEncoder,
    DReturnsTuple, DPreNormAndNoMask, DOneNormAtEnd, DSoftmaxWrongAxisByHand, DCrossSkipped, DInvertedCrossMask,
]

# ---------------------------------------------------------------- Transformer (chapter 09)


class _GivenModelInit(nn.Module):
    """Chapter 09's given __init__."""

    def __init__(self, src_vocab_size, tgt_vocab_size, d_model=64, num_heads=4, d_ff=128,
                 num_layers=2, dropout=0.1, max_len=256):
        super().__init__()
        sizes = dict(d_model=d_model, num_heads=num_heads, d_ff=d_ff, num_layers=num_layers, dropout=dropout,
                     max_len=max_len)
        self.encoder = Encoder(src_vocab_size, **sizes)
        self.decoder = Decoder(tgt_vocab_size, **sizes)
        self.final_layer = nn.Linear(d_model, tgt_vocab_size)


class TSwapped(_GivenModelInit):
    def forward(self, inputs):
        x, context = inputs
        m = padding_mask(context)
        return self.final_layer(self.decoder(x, self.encoder(context, m), m))


class TSoftmax(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        h = self.decoder(x, self.encoder(context, m), m)
        return F.softmax(self.final_layer(h), dim=-1)


class TNoFinal(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        enc = self.encoder(context, m)
        return self.decoder(x, enc, m)


class TNoMasks(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        return self.final_layer(self.decoder(x, self.encoder(context)))


class TTokensToDecoder(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        enc = self.encoder(context, m)  # computed, then not used
        return self.final_layer(self.decoder(x, context, m))


class TKerasCall(_GivenModelInit):
    def call(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        return self.final_layer(self.decoder(x, self.encoder(context, m), m))


class TNoPositionalEncoding(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        d = self.encoder.embedding.d_model
        h = self.encoder.embedding.token(context) * d ** 0.5
        for layer in self.encoder.layers:
            h = layer(h, m)
        y = self.decoder.embedding.token(x) * d ** 0.5
        causal = torch.tril(torch.ones(x.shape[1], x.shape[1], dtype=torch.bool))
        self_mask = causal & (x != 0)[:, None, :]
        for layer in self.decoder.layers:
            y = layer(y, h, self_mask, m)
        return self.final_layer(y)


class TLogSoftmax(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        return F.log_softmax(self.final_layer(self.decoder(x, self.encoder(context, m), m)), -1)


class TNoCrossMask(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        memory = self.encoder(context, padding_mask(context))
        return self.final_layer(self.decoder(x, memory))


class TInvertedPaddingMask(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = (context == 0).unsqueeze(1)  # nn.MultiheadAttention's key_padding_mask habit
        return self.final_layer(self.decoder(x, self.encoder(context, m), m))


class TArgmax(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        return self.final_layer(self.decoder(x, self.encoder(context, m), m)).argmax(-1)


class TTargetMaskForCross(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        enc = self.encoder(context, padding_mask(context))
        return self.final_layer(self.decoder(x, enc, padding_mask(x)))


class TDecoderArgsSwapped(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        return self.final_layer(self.decoder(self.encoder(context, m), x, m))


class TShiftsAgain(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        x = x[:, :-1]
        return self.final_layer(self.decoder(x, self.encoder(context, m), m))


class TSwappedAndSoftmax(_GivenModelInit):
    """Two slips at once."""

    def forward(self, inputs):
        x, context = inputs
        m = padding_mask(context)
        return self.final_layer(self.decoder(x, self.encoder(context, m), m)).softmax(-1)


MODEL_MISTAKES = [
    TSwapped, TSoftmax, TNoFinal, TNoMasks, TTokensToDecoder, TKerasCall, TNoPositionalEncoding, TLogSoftmax,
    TNoCrossMask, TInvertedPaddingMask, TArgmax, TTargetMaskForCross, TDecoderArgsSwapped, TShiftsAgain,
    TSwappedAndSoftmax,
]

# ---------------------------------------------------------------- held out
# Written after the engine and the mistake entries were final (nothing was changed to name these);
# their share is reported separately by test_held_out_share_is_reported.


class HPreNormFirstOnly(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x)
        x = x + self.self_attention(x, x, x, self_mask)[0]
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class HOneAttentionModuleForBoth(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.cross_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class HResidualFromTheInput(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        first = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        second = self.norm2(x + self.cross_attention(first, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(second))


class HMasksSwapped(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, cross_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, self_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class HNoReturn(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        x = self.norm3(x + self.feed_forward(x))


class HFunctionalLayerNorm(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        d = x.shape[-1]
        x = F.layer_norm(x + self.self_attention(x, x, x, self_mask)[0], (d,))
        x = F.layer_norm(x + self.cross_attention(x, context, context, cross_mask)[0], (d,))
        return F.layer_norm(x + self.feed_forward(x), (d,))


class HReturnsFeedForward(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        return self.feed_forward(x)


class HNormThenAdd(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        a, _ = self.self_attention(x, x, x, self_mask)
        x = self.norm1(x) + a
        a, _ = self.cross_attention(x, context, context, cross_mask)
        x = self.norm2(x) + a
        return self.norm3(x) + self.feed_forward(x)


class HRawTokensToDecoder(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        self.encoder(context, padding_mask(context))
        return self.final_layer(self.decoder(x, context))


class HLastStepOnly(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        return self.final_layer(self.decoder(x, self.encoder(context, m), m))[:, -1]


class HSqueezedMask(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context).squeeze(1)
        return self.final_layer(self.decoder(x, self.encoder(context, m), m))


class HSoftmaxOverTime(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        return torch.softmax(self.final_layer(self.decoder(x, self.encoder(context, m), m)), dim=1)


class HKerasCallWithTraining(_GivenModelInit):
    def call(self, inputs, training=False):
        context, x = inputs
        m = padding_mask(context)
        return self.final_layer(self.decoder(x, self.encoder(context, m), m))


class HIndexSwap(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs[1], inputs[0]
        m = padding_mask(context)
        return self.final_layer(self.decoder(x, self.encoder(context, m), m))


class HFinalOnEncoder(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        enc = self.encoder(context, padding_mask(context))
        return self.final_layer(enc)


HELD_OUT = [("transformer.DecoderLayer", c) for c in [
    HPreNormFirstOnly, HOneAttentionModuleForBoth, HResidualFromTheInput, HMasksSwapped, HNoReturn,
    HFunctionalLayerNorm, HReturnsFeedForward, HNormThenAdd]] + [("transformer.Transformer", c) for c in [
        HRawTokensToDecoder, HLastStepOnly, HSqueezedMask, HSoftmaxOverTime, HKerasCallWithTraining, HIndexSwap,
        HFinalOnEncoder]]

# ---------------------------------------------------------------- held out, second round
# Written after the first held-out round had led to more diagnosis rules; nothing was changed after
# writing these. Reported by test_second_held_out_share_is_reported.


class KForgotIndexZero(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended = self.self_attention(x, x, x, self_mask)
        x = self.norm1(x + attended)
        attended = self.cross_attention(x, context, context, cross_mask)
        x = self.norm2(x + attended)
        return self.norm3(x + self.feed_forward(x))


class KOwnTriuMask(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        t = x.size(1)
        future = torch.triu(torch.ones(t, t, dtype=torch.bool))
        x = self.norm1(x + self.self_attention(x, x, x, future)[0])
        x = self.norm2(x + self.cross_attention(x, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class KCrossTwice(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        for norm in (self.norm1, self.norm2):
            x = norm(x + self.cross_attention(x, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class KPreNormWithFinalNorm(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = x + self.self_attention(self.norm1(x), self.norm1(x), self.norm1(x), self_mask)[0]
        x = x + self.cross_attention(self.norm2(x), context, context, cross_mask)[0]
        x = x + self.feed_forward(x)
        return self.norm3(x)


class KContextAsResidual(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(context + self.cross_attention(x, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class KKeysFromXValuesFromContext(_GivenDecoderInit):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, x, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class NWrongPadId(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = (context != 1).unsqueeze(1)  # BOS id mistaken for PAD
        return self.final_layer(self.decoder(x, self.encoder(context, m), m))


class NEncoderWithoutMask(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        return self.final_layer(self.decoder(x, self.encoder(context), padding_mask(context)))


class NTransposedForLoss(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        return self.final_layer(self.decoder(x, self.encoder(context, m), m)).transpose(1, 2)


class NTargetEverywhere(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(x)
        return self.final_layer(self.decoder(x, self.encoder(x, m), m))


class NReturnsTuple(_GivenModelInit):
    def forward(self, inputs):
        context, x = inputs
        m = padding_mask(context)
        memory = self.encoder(context, m)
        return self.final_layer(self.decoder(x, memory, m)), memory


SECOND_HELD_OUT = [("transformer.DecoderLayer", c) for c in [
    KForgotIndexZero, KOwnTriuMask, KCrossTwice, KPreNormWithFinalNorm, KContextAsResidual,
    KKeysFromXValuesFromContext]] + [("transformer.Transformer", c) for c in [
        NWrongPadId, NEncoderWithoutMask, NTransposedForLoss, NTargetEverywhere, NReturnsTuple]]

ALL = [("transformer.DecoderLayer", c) for c in DECODER_MISTAKES] + [
    ("transformer.Transformer", c) for c in MODEL_MISTAKES]
NAMING = ("💡 흔한 실수", "Keras", "철자", "return 문")


def _named(message: str) -> bool:
    return any(marker in message for marker in NAMING)


def test_there_are_at_least_twenty_independent_wrong_classes():
    assert len(ALL) >= 20


@pytest.fixture(scope="module")
def results():
    out = {}
    for exercise_id, cls in ALL:
        result = check(exercise_id, cls)  # must not raise
        out[cls.__name__] = result
    return out


def test_every_wrong_class_is_rejected_without_raising(results):
    for name, result in results.items():
        assert not result.passed, name
        assert result.message.startswith("❌"), (name, result.message)


def test_at_least_85_percent_are_named(results):
    named = [name for name, r in results.items() if _named(r.message)]
    unnamed = sorted(set(results) - set(named))
    share = len(named) / len(results)
    print(f"named {len(named)}/{len(results)} = {share:.0%}; not named: {unnamed}")
    assert share >= 0.85, f"only {share:.0%} named; not named: {unnamed}"


def test_a_hung_forward_that_swallows_exceptions_is_stopped(monkeypatch):
    from lib.course.checks import EXERCISES

    monkeypatch.setattr(EXERCISES["transformer.DecoderLayer"], "time_limit", 0.5)
    box = {}
    worker = threading.Thread(target=lambda: box.setdefault("r", check("transformer.DecoderLayer", DEndlessLoop)),
                              daemon=True)
    worker.start()
    worker.join(120)  # a hang detector, not a speed test
    assert not worker.is_alive(), "the check hung"
    assert not box["r"].passed and "초 안에 끝나지 않았습니다" in box["r"].message


def test_held_out_wrong_classes_never_raise_and_their_share_is_reported():
    named = []
    for exercise_id, cls in HELD_OUT:
        result = check(exercise_id, cls)
        assert not result.passed and result.message.startswith("❌"), (cls.__name__, result.message)
        named.append(_named(result.message))
    share = sum(named) / len(named)
    unnamed = [cls.__name__ for (_, cls), ok in zip(HELD_OUT, named) if not ok]
    print(f"held out: named {sum(named)}/{len(named)} = {share:.0%}; not named: {unnamed}")
    assert share >= 0.5  # a floor, not the bar: the bar (85 %) is on the main set above


def test_second_held_out_round_never_raises_and_its_share_is_reported():
    named = []
    for exercise_id, cls in SECOND_HELD_OUT:
        result = check(exercise_id, cls)
        assert not result.passed and result.message.startswith("❌"), (cls.__name__, result.message)
        named.append(_named(result.message))
    share = sum(named) / len(named)
    unnamed = [cls.__name__ for (_, cls), ok in zip(SECOND_HELD_OUT, named) if not ok]
    print(f"second held out: named {sum(named)}/{len(named)} = {share:.0%}; not named: {unnamed}")
    assert share >= 0.5  # a floor, not the bar
