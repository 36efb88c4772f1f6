"""The tutorial's model with explicit padding masks (the fix chapter 10 arrives at).

In the installed Keras (3.15) the implicit mask of ``Embedding(mask_zero=True)`` does not survive the
first attention block: ``MultiHeadAttention.call`` clears the masks of its inputs
(``set_keras_mask(query, None)``, also for ``value`` and ``key``), and ``Add`` returns no mask when one
of its inputs has none. So in the tutorial's code only the first encoder layer hides the source
padding; later layers and the decoder's cross-attention attend to PAD tokens, and adding PAD tokens
changes the logits. Not every Keras 3 does this: on Keras 3.6 and 3.7 (checked on the torch backend)
``MultiHeadAttention.call`` has no such lines, the mask reaches the logits and the tutorial's model
passes the padding check. Which release started clearing the masks was not checked.

The fix: turn the implicit mask off (``UnmaskedPositionalEmbedding``), compute the padding masks from the token ids once (``token != 0``, True = real token, the
same polarity as lib's masks and Keras's ``attention_mask``) and hand them to every attention layer
as ``value_mask`` (the keys'/values' padding). The query side needs no mask: the source's PAD outputs are hidden by
the later attentions' ``value_mask``, the target's PAD outputs are left out of the loss. The
causal self-attention keeps ``use_causal_mask=True`` and also gets the target padding.
Lines that differ from ``tutorial.py`` carry ``# 고침``.
"""

from lib.keras_port import tutorial
from lib.keras_port.backend import select_backend
from lib.keras_port.tutorial import BaseAttention, FeedForward, PositionalEmbedding

keras = select_backend()


class UnmaskedPositionalEmbedding(PositionalEmbedding):
    """The tutorial's PositionalEmbedding without the implicit Keras mask (the masks are explicit now)."""

    def compute_mask(self, *args, **kwargs):  # 고침: no implicit mask (Keras 3.15 would lose it anyway)
        return None


class MaskedCrossAttention(BaseAttention):
    def call(self, x, context, context_mask):  # 고침: + context_mask (B, S)
        attn_output, attn_scores = self.mha(
            query=x,
            key=context,
            value=context,
            value_mask=context_mask,  # 고침: the source's padding, explicitly
            return_attention_scores=True)
        self.last_attn_scores = attn_scores
        x = self.add([x, attn_output])
        x = self.layernorm(x)
        return x


class MaskedGlobalSelfAttention(BaseAttention):
    def call(self, x, padding_mask):  # 고침: + padding_mask (B, S)
        attn_output = self.mha(
            query=x,
            value=x,
            key=x,
            value_mask=padding_mask)  # 고침
        x = self.add([x, attn_output])
        x = self.layernorm(x)
        return x


class MaskedCausalSelfAttention(BaseAttention):
    def call(self, x, padding_mask):  # 고침: + padding_mask (B, T)
        attn_output = self.mha(
            query=x,
            value=x,
            key=x,
            value_mask=padding_mask,  # 고침
            use_causal_mask=True)
        x = self.add([x, attn_output])
        x = self.layernorm(x)
        return x


class MaskedEncoderLayer(keras.layers.Layer):
    def __init__(self, *, d_model, num_heads, dff, dropout_rate=0.1):
        super().__init__()
        self.self_attention = MaskedGlobalSelfAttention(num_heads=num_heads, key_dim=d_model, dropout=dropout_rate)
        self.ffn = FeedForward(d_model, dff)

    def call(self, x, padding_mask):  # 고침
        x = self.self_attention(x, padding_mask)  # 고침
        x = self.ffn(x)
        return x


class MaskedEncoder(tutorial.Encoder):
    def __init__(self, *, num_layers, d_model, num_heads, dff, vocab_size, dropout_rate=0.1):
        keras.layers.Layer.__init__(self)
        self.d_model = d_model
        self.num_layers = num_layers
        self.pos_embedding = UnmaskedPositionalEmbedding(vocab_size=vocab_size, d_model=d_model)  # 고침
        self.enc_layers = [MaskedEncoderLayer(d_model=d_model, num_heads=num_heads, dff=dff,  # 고침: Masked...
                                              dropout_rate=dropout_rate) for _ in range(num_layers)]
        self.dropout = keras.layers.Dropout(dropout_rate)

    def call(self, x, padding_mask):  # 고침
        x = self.pos_embedding(x)
        x = self.dropout(x)
        for i in range(self.num_layers):
            x = self.enc_layers[i](x, padding_mask)  # 고침
        return x


class MaskedDecoderLayer(keras.layers.Layer):
    def __init__(self, *, d_model, num_heads, dff, dropout_rate=0.1):
        super().__init__()
        self.causal_self_attention = MaskedCausalSelfAttention(num_heads=num_heads, key_dim=d_model,
                                                               dropout=dropout_rate)
        self.cross_attention = MaskedCrossAttention(num_heads=num_heads, key_dim=d_model, dropout=dropout_rate)
        self.ffn = FeedForward(d_model, dff)

    def call(self, x, context, padding_mask, context_mask):  # 고침
        x = self.causal_self_attention(x, padding_mask)  # 고침
        x = self.cross_attention(x, context, context_mask)  # 고침
        self.last_attn_scores = self.cross_attention.last_attn_scores
        x = self.ffn(x)
        return x


class MaskedDecoder(tutorial.Decoder):
    def __init__(self, *, num_layers, d_model, num_heads, dff, vocab_size, dropout_rate=0.1):
        keras.layers.Layer.__init__(self)
        self.d_model = d_model
        self.num_layers = num_layers
        self.pos_embedding = UnmaskedPositionalEmbedding(vocab_size=vocab_size, d_model=d_model)  # 고침
        self.dropout = keras.layers.Dropout(dropout_rate)
        self.dec_layers = [MaskedDecoderLayer(d_model=d_model, num_heads=num_heads, dff=dff,  # 고침: Masked...
                                              dropout_rate=dropout_rate) for _ in range(num_layers)]
        self.last_attn_scores = None

    def call(self, x, context, padding_mask, context_mask):  # 고침
        x = self.pos_embedding(x)
        x = self.dropout(x)
        for i in range(self.num_layers):
            x = self.dec_layers[i](x, context, padding_mask, context_mask)  # 고침
        self.last_attn_scores = self.dec_layers[-1].last_attn_scores
        return x


class MaskedTransformer(tutorial.Transformer):
    """The notes' ``Transformer``, with the padding masks passed explicitly (same weights, same names)."""

    def __init__(self, *, num_layers, d_model, num_heads, dff, input_vocab_size, target_vocab_size,
                 dropout_rate=0.1):
        keras.Model.__init__(self)
        self.encoder = MaskedEncoder(num_layers=num_layers, d_model=d_model, num_heads=num_heads, dff=dff,
                                     vocab_size=input_vocab_size, dropout_rate=dropout_rate)
        self.decoder = MaskedDecoder(num_layers=num_layers, d_model=d_model, num_heads=num_heads, dff=dff,
                                     vocab_size=target_vocab_size, dropout_rate=dropout_rate)
        self.final_layer = keras.layers.Dense(target_vocab_size)

    def call(self, inputs):
        context, x = inputs
        context_mask = keras.ops.not_equal(context, 0)  # 고침: (B, S), True = real token
        x_mask = keras.ops.not_equal(x, 0)  # 고침: (B, T)
        context = self.encoder(context, context_mask)  # 고침
        x = self.decoder(x, context, x_mask, context_mask)  # 고침
        logits = self.final_layer(x)
        try:
            del logits._keras_mask
        except AttributeError:
            pass
        return logits
