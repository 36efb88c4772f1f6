"""30 plausible wrong learner answers for the chapter 07-08 class exercises, written blind.

Written from lib/transformer.py, lib/attention.py, lib/masks.py, the course spec section 3 and the
learners' notes only -- without reading the checker or its list of known mistakes -- to measure how
often the checker's feedback names a mistake it was not written against.

Each class subclasses the reference and overrides only ``forward`` (``__init__`` is given to the
learner). The first comment line in every class states the intended mistake (collected in MISTAKES).
All of them differ from the reference on a padded batch in eval mode with the same weights (random
layer-norm weights included): see tests/test_blind_mistakes.py::test_each_mistake_really_differs.
"""

import math

import torch
import torch.nn.functional as F

from lib import transformer
from lib.masks import causal_mask, decoder_self_attention_mask, padding_mask

# ==================================================================== EncoderLayer (chapter 07)


class EncPreLN(transformer.EncoderLayer):
    # pre-LN: normalises before each sublayer instead of after the residual sum
    def forward(self, x, mask=None):
        h = self.norm1(x)
        attended, weights = self.self_attention(h, h, h, mask)
        self.attention_weights = weights.detach()
        x = x + self.dropout(attended)
        h = self.norm2(x)
        x = x + self.dropout(self.feed_forward(h))
        return x


class EncNoAttnResidual(transformer.EncoderLayer):
    # missing residual around self-attention (Add & Norm without the Add)
    def forward(self, x, mask=None):
        out, _ = self.self_attention(x, x, x, mask)
        x = self.norm1(self.dropout(out))
        return self.norm2(x + self.dropout(self.feed_forward(x)))


class EncNormsSwapped(transformer.EncoderLayer):
    # norms swapped: norm2 after attention, norm1 after the feed-forward
    def forward(self, x, mask=None):
        attn_out, attn_w = self.self_attention(x, x, x, mask)
        self.attention_weights = attn_w.detach()
        residual = x + self.dropout(attn_out)
        after_attention = self.norm2(residual)
        ffn_out = self.feed_forward(after_attention)
        residual = after_attention + self.dropout(ffn_out)
        output = self.norm1(residual)
        return output


class EncMaskNotPassed(transformer.EncoderLayer):
    # mask not passed to self-attention (padding keys are attended)
    def forward(self, x, mask=None):
        attended, weights = self.self_attention(x, x, x)
        self.attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        x = self.norm2(x + self.dropout(self.feed_forward(x)))
        return x


class EncMaskInverted(transformer.EncoderLayer):
    # mask inverted (thinks True = blocked, as nn.MultiheadAttention)
    def forward(self, x, mask=None):
        key_padding = None if mask is None else ~mask  # True where the token is padding
        attended, weights = self.self_attention(x, x, x, key_padding)
        self.attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        x = self.norm2(x + self.dropout(self.feed_forward(x)))
        return x


class EncResidualAfterNorm(transformer.EncoderLayer):
    # residual added after the norm: x + norm(sublayer(x)) instead of norm(x + sublayer(x))
    def forward(self, x, mask=None):
        a, _ = self.self_attention(x, x, x, mask)
        x = x + self.norm1(self.dropout(a))
        x = x + self.norm2(self.dropout(self.feed_forward(x)))
        return x


class EncFFNSkipped(transformer.EncoderLayer):
    # FFN skipped: the second Add & Norm is applied without the feed-forward sublayer
    def forward(self, x, mask=None):
        attended, self.attention_weights = self.self_attention(x, x, x, mask)
        x = self.norm1(x + self.dropout(attended))
        return self.norm2(x)


class EncSameNorm(transformer.EncoderLayer):
    # the same norm (norm1) reused for both Add & Norm steps
    def forward(self, x, mask=None):
        def add_norm(a, b):
            return self.norm1(a + self.dropout(b))

        attended, _ = self.self_attention(x, x, x, mask)
        x = add_norm(x, attended)
        x = add_norm(x, self.feed_forward(x))
        return x


class EncFFNOnInput(transformer.EncoderLayer):
    # subtle: the feed-forward reads the layer input x instead of the attention block's output
    def forward(self, x, mask=None):
        y, w = self.self_attention(x, x, x, mask)
        self.attention_weights = w.detach()
        y = self.norm1(x + self.dropout(y))
        z = self.feed_forward(x)
        return self.norm2(y + self.dropout(z))


class EncFunctionalNormNoMask(transformer.EncoderLayer):
    # combination: F.layer_norm without the learnable weight/bias, and the mask not passed
    def forward(self, x, mask=None):
        d = x.size(-1)
        attended, weights = self.self_attention(x, x, x)
        self.attention_weights = weights.detach()
        x = F.layer_norm(x + F.dropout(attended, self.dropout.p, self.training), (d,))
        ff = self.feed_forward.linear2(F.relu(self.feed_forward.linear1(x)))
        x = F.layer_norm(x + F.dropout(ff, self.dropout.p, self.training), (d,))
        return x


# ==================================================================== DecoderLayer (chapter 07)


class DecCrossKeysFromX(transformer.DecoderLayer):
    # cross-attention keys from x (key = x, value = context) instead of key = value = context
    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, weights = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, weights = self.cross_attention(x, x, context, cross_mask)
        self.cross_attention_weights = weights.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecNoCausalMask(transformer.DecoderLayer):
    # no causal mask: self_mask not passed to the masked self-attention
    def forward(self, x, context, self_mask=None, cross_mask=None):
        sa, _ = self.self_attention(x, x, x)
        x = self.norm1(x + self.dropout(sa))
        ca, _ = self.cross_attention(x, context, context, cross_mask)
        x = self.norm2(x + self.dropout(ca))
        return self.norm3(x + self.dropout(self.feed_forward(x)))


class DecMasksSwapped(transformer.DecoderLayer):
    # masks passed to the wrong sublayers: cross_mask to self-attention, self_mask to cross-attention
    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, weights = self.self_attention(x, x, x, cross_mask)
        self.self_attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, weights = self.cross_attention(x, context, context, self_mask)
        self.cross_attention_weights = weights.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecNoCrossMask(transformer.DecoderLayer):
    # cross_mask not passed: source padding is attended in cross-attention
    def forward(self, x, context, self_mask=None, cross_mask=None):
        # 1) masked self-attention
        attended, weights = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        # 2) cross-attention over the encoder output
        attended, weights = self.cross_attention(x, context, context)
        self.cross_attention_weights = weights.detach()
        x = self.norm2(x + self.dropout(attended))
        # 3) feed-forward
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecPreLN(transformer.DecoderLayer):
    # pre-LN: norm before every sublayer, residual sum left unnormalised
    def forward(self, x, context, self_mask=None, cross_mask=None):
        h = self.norm1(x)
        x = x + self.dropout(self.self_attention(h, h, h, self_mask)[0])
        h = self.norm2(x)
        x = x + self.dropout(self.cross_attention(h, context, context, cross_mask)[0])
        h = self.norm3(x)
        x = x + self.dropout(self.feed_forward(h))
        return x


class DecNoCrossResidual(transformer.DecoderLayer):
    # missing residual around cross-attention
    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, weights = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, weights = self.cross_attention(x, context, context, cross_mask)
        self.cross_attention_weights = weights.detach()
        x = self.norm2(self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecSameNorm(transformer.DecoderLayer):
    # the same norm (norm1) reused after all three sublayers
    def forward(self, x, context, self_mask=None, cross_mask=None):
        sublayers = [
            lambda h: self.self_attention(h, h, h, self_mask)[0],
            lambda h: self.cross_attention(h, context, context, cross_mask)[0],
            self.feed_forward,
        ]
        for sublayer in sublayers:
            x = self.norm1(x + self.dropout(sublayer(x)))
        return x


class DecFFNResidualWrongVar(transformer.DecoderLayer):
    # subtle: the last residual adds the self-attention block's output (h1), not the cross-attention's (h2)
    def forward(self, x, context, self_mask=None, cross_mask=None):
        sa, sa_w = self.self_attention(x, x, x, self_mask)
        h1 = self.norm1(x + self.dropout(sa))
        ca, ca_w = self.cross_attention(h1, context, context, cross_mask)
        h2 = self.norm2(h1 + self.dropout(ca))
        ff = self.feed_forward(h2)
        out = self.norm3(h1 + self.dropout(ff))
        self.self_attention_weights, self.cross_attention_weights = sa_w.detach(), ca_w.detach()
        return out


class DecReusesSelfAttention(transformer.DecoderLayer):
    # subtle: the self-attention module (its weights) is reused for the cross-attention
    def forward(self, x, context, self_mask=None, cross_mask=None):
        attended, weights = self.self_attention(x, x, x, self_mask)
        self.self_attention_weights = weights.detach()
        x = self.norm1(x + self.dropout(attended))
        attended, weights = self.self_attention(x, context, context, cross_mask)
        self.cross_attention_weights = weights.detach()
        x = self.norm2(x + self.dropout(attended))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


class DecCrossFirstNoCausal(transformer.DecoderLayer):
    # combination: cross-attention before self-attention, and the causal self_mask not passed
    def forward(self, x, context, self_mask=None, cross_mask=None):
        ca, _ = self.cross_attention(x, context, context, cross_mask)
        x = self.norm1(x + self.dropout(ca))
        sa, _ = self.self_attention(x, x, x)
        x = self.norm2(x + self.dropout(sa))
        x = self.norm3(x + self.dropout(self.feed_forward(x)))
        return x


# ==================================================================== Transformer (chapter 08)


class TfSourceMaskFromTarget(transformer.Transformer):
    # padding mask built from the target tokens x instead of the source tokens context
    def forward(self, inputs):
        context, x = inputs
        mask = padding_mask(x)
        context = self.encoder(context, mask)
        x = self.decoder(x, context, mask)
        return self.final_layer(x)


class TfNoCrossMask(transformer.Transformer):
    # source padding mask passed to the encoder but not to the decoder's cross-attention
    def forward(self, inputs):
        context, x = inputs
        context = self.encoder(context, padding_mask(context))
        x = self.decoder(x, context)
        logits = self.final_layer(x)
        return logits


class TfNotesVerbatim(transformer.Transformer):
    # combination: the notes' Keras code verbatim -- no source padding mask anywhere (Keras masks implicitly)
    def forward(self, inputs):
        context, x = inputs  # 번역의 대상인 문장
        context = self.encoder(context)  # 인코더의 출력
        x = self.decoder(x, context)  # shift된 번역 결과 문장
        logits = self.final_layer(x)
        return logits


class TfSoftmaxLogits(transformer.Transformer):
    # softmax on the logits (returns probabilities instead of logits)
    def forward(self, inputs):
        context, x = inputs
        src_mask = padding_mask(context)
        enc_out = self.encoder(context, src_mask)
        dec_out = self.decoder(x, enc_out, src_mask)
        return F.softmax(self.final_layer(dec_out), dim=-1)


class TfReturnsAttention(transformer.Transformer):
    # returns (logits, attention weights) as the notes' comment "Return the final output and the attention weights"
    def forward(self, inputs):
        context, x = inputs
        source_mask = padding_mask(context)
        context = self.encoder(context, source_mask)
        x = self.decoder(x, context, source_mask)
        logits = self.final_layer(x)
        attention_weights = self.decoder.layers[-1].cross_attention_weights
        return logits, attention_weights


class TfInputsSwapped(transformer.Transformer):
    # context/x swapped: unpacks inputs as (x, context)
    def forward(self, inputs):
        x, context = inputs
        source_mask = padding_mask(context)
        context = self.encoder(context, source_mask)
        x = self.decoder(x, context, source_mask)
        return self.final_layer(x)


class TfNoFinalLayer(transformer.Transformer):
    # final layer missing: returns the decoder's hidden states (B, T, D)
    def forward(self, inputs):
        context, x = inputs
        source_mask = padding_mask(context)
        context = self.encoder(context, source_mask)
        return self.decoder(x, context, source_mask)


class TfEncoderOutputUnused(transformer.Transformer):
    # encoder output not used: unrolled encoder loop never reassigns, the decoder gets the embeddings
    def forward(self, inputs):
        context, x = inputs
        src_mask = padding_mask(context)
        enc = self.encoder.embedding(context)
        for layer in self.encoder.layers:
            out = layer(enc, src_mask)
        dec = self.decoder(x, enc, src_mask)
        return self.final_layer(dec)


class TfNoPositionalEncoding(transformer.Transformer):
    # positional encoding skipped: unrolled model uses only the scaled token embeddings
    def forward(self, inputs):
        context, x = inputs
        d_model = self.final_layer.in_features
        src_mask = padding_mask(context)
        tgt_mask = decoder_self_attention_mask(x)
        h = self.encoder.embedding.token(context) * math.sqrt(d_model)
        for layer in self.encoder.layers:
            h = layer(h, src_mask)
        y = self.decoder.embedding.token(x) * math.sqrt(d_model)
        for layer in self.decoder.layers:
            y = layer(y, h, tgt_mask, src_mask)
        return self.final_layer(y)


class TfTargetPaddingIgnored(transformer.Transformer):
    # subtle: unrolled decoder uses the causal mask only, target padding ignored
    def forward(self, inputs):
        context, x = inputs
        src_mask = padding_mask(context)
        memory = self.encoder(context, src_mask)
        look_ahead = causal_mask(x.size(1)).to(x.device)
        y = self.decoder.embedding(x)
        for layer in self.decoder.layers:
            y = layer(y, memory, look_ahead, src_mask)
        return self.final_layer(y)


ENCODER_MISTAKES = [EncPreLN, EncNoAttnResidual, EncNormsSwapped, EncMaskNotPassed, EncMaskInverted,
                    EncResidualAfterNorm, EncFFNSkipped, EncSameNorm, EncFFNOnInput, EncFunctionalNormNoMask]
DECODER_MISTAKES = [DecCrossKeysFromX, DecNoCausalMask, DecMasksSwapped, DecNoCrossMask, DecPreLN,
                    DecNoCrossResidual, DecSameNorm, DecFFNResidualWrongVar, DecReusesSelfAttention,
                    DecCrossFirstNoCausal]
TRANSFORMER_MISTAKES = [TfSourceMaskFromTarget, TfNoCrossMask, TfNotesVerbatim, TfSoftmaxLogits,
                        TfReturnsAttention, TfInputsSwapped, TfNoFinalLayer, TfEncoderOutputUnused,
                        TfNoPositionalEncoding, TfTargetPaddingIgnored]

MISTAKES = {
    "transformer.EncoderLayer": ENCODER_MISTAKES,
    "transformer.DecoderLayer": DECODER_MISTAKES,
    "transformer.Transformer": TRANSFORMER_MISTAKES,
}


def intended_mistake(cls) -> str:
    """The one-line comment that opens the class body (just above its forward)."""
    import inspect

    for line in inspect.getsource(cls).splitlines():
        line = line.strip()
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return cls.__name__
