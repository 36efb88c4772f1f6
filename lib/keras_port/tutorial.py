"""The TF tutorial "Neural machine translation with a Transformer and Keras", ported to Keras 3.

The notes' ``class Transformer(tf.keras.Model)`` comes from this tutorial. The code below is the
tutorial's, class by class and line by line; the ONLY changes are ``tf.*`` → ``keras.ops.*`` /
``keras.*``. Every changed line carries a ``# 바꿈:`` comment with the original, and ``CHANGES``
lists them (the chapter prints that table). Apart from NumPy in ``positional_encoding`` (as in the
tutorial) it calls only ``keras.*`` / ``keras.ops``, no backend's own API; the course runs it on the
torch backend only.

Kept as the tutorial has it (on purpose, so the chapter can show what they do):
- ``key_dim=d_model``: every head is d_model wide (lib's heads are d_model / num_heads wide).
- masks come only from ``Embedding(mask_zero=True)`` and travel implicitly (``_keras_mask``);
  in the installed Keras 3.15 they are lost after the first attention block (chapter 10 shows it,
  ``fixed.py`` fixes it); Keras 3.6 and 3.7 keep them (see ``fixed.py``).
- ``LayerNormalization()`` with Keras's default epsilon (1e-3; torch's default is 1e-5).
"""

import numpy as np

from lib.keras_port.backend import select_backend

keras = select_backend()

# (original line, ported line) for every line that changed, one entry per line (a label in
# parentheses tells repeated lines apart). Everything else is verbatim, except the indentation
# (the tutorial indents by 2 spaces, this file by 4).
CHANGES = [
    ("return tf.cast(pos_encoding, dtype=tf.float32)", "return keras.ops.cast(pos_encoding, dtype=\"float32\")"),
    ("class PositionalEmbedding(tf.keras.layers.Layer):", "class PositionalEmbedding(keras.layers.Layer):"),
    ("self.embedding = tf.keras.layers.Embedding(vocab_size, d_model, mask_zero=True)",
     "self.embedding = keras.layers.Embedding(vocab_size, d_model, mask_zero=True)"),
    ("length = tf.shape(x)[1]", "length = keras.ops.shape(x)[1]"),
    ("x *= tf.math.sqrt(tf.cast(self.d_model, tf.float32))",
     "x *= keras.ops.sqrt(keras.ops.cast(self.d_model, \"float32\"))"),
    ("x = x + self.pos_encoding[tf.newaxis, :length, :]", "x = x + self.pos_encoding[None, :length, :]"),
    ("class BaseAttention(tf.keras.layers.Layer):", "class BaseAttention(keras.layers.Layer):"),
    ("self.mha = tf.keras.layers.MultiHeadAttention(**kwargs)", "self.mha = keras.layers.MultiHeadAttention(**kwargs)"),
    ("self.layernorm = tf.keras.layers.LayerNormalization()", "self.layernorm = keras.layers.LayerNormalization()"),
    ("self.add = tf.keras.layers.Add()", "self.add = keras.layers.Add()"),
    ("class FeedForward(tf.keras.layers.Layer):", "class FeedForward(keras.layers.Layer):"),
    ("self.seq = tf.keras.Sequential([", "self.seq = keras.Sequential(["),
    ("tf.keras.layers.Dense(dff, activation='relu'),", "keras.layers.Dense(dff, activation='relu'),"),
    ("tf.keras.layers.Dense(d_model),", "keras.layers.Dense(d_model),"),
    ("tf.keras.layers.Dropout(dropout_rate)", "keras.layers.Dropout(dropout_rate)"),
    ("self.add = tf.keras.layers.Add()  (FeedForward)", "self.add = keras.layers.Add()"),
    ("self.layer_norm = tf.keras.layers.LayerNormalization()", "self.layer_norm = keras.layers.LayerNormalization()"),
    ("class EncoderLayer(tf.keras.layers.Layer):", "class EncoderLayer(keras.layers.Layer):"),
    ("class Encoder(tf.keras.layers.Layer):", "class Encoder(keras.layers.Layer):"),
    ("self.dropout = tf.keras.layers.Dropout(dropout_rate)  (Encoder)",
     "self.dropout = keras.layers.Dropout(dropout_rate)"),
    ("class DecoderLayer(tf.keras.layers.Layer):", "class DecoderLayer(keras.layers.Layer):"),
    ("class Decoder(tf.keras.layers.Layer):", "class Decoder(keras.layers.Layer):"),
    ("self.dropout = tf.keras.layers.Dropout(dropout_rate)  (Decoder)",
     "self.dropout = keras.layers.Dropout(dropout_rate)"),
    ("class Transformer(tf.keras.Model):", "class Transformer(keras.Model):"),
    ("self.final_layer = tf.keras.layers.Dense(target_vocab_size)",
     "self.final_layer = keras.layers.Dense(target_vocab_size)"),
    ("class CustomSchedule(tf.keras.optimizers.schedules.LearningRateSchedule):",
     "class CustomSchedule(keras.optimizers.schedules.LearningRateSchedule):"),
    ("self.d_model = tf.cast(self.d_model, tf.float32)", "self.d_model = keras.ops.cast(self.d_model, \"float32\")"),
    ("step = tf.cast(step, dtype=tf.float32)", "step = keras.ops.cast(step, dtype=\"float32\")"),
    ("arg1 = tf.math.rsqrt(step)", "arg1 = keras.ops.rsqrt(step)"),
    ("return tf.math.rsqrt(self.d_model) * tf.math.minimum(arg1, arg2)",
     "return keras.ops.rsqrt(self.d_model) * keras.ops.minimum(arg1, arg2)"),
    ("loss_object = tf.keras.losses.SparseCategoricalCrossentropy(",
     "loss_object = keras.losses.SparseCategoricalCrossentropy("),
    ("mask = tf.cast(mask, dtype=loss.dtype)", "mask = keras.ops.cast(mask, dtype=loss.dtype)"),
    ("loss = tf.reduce_sum(loss)/tf.reduce_sum(mask)", "loss = keras.ops.sum(loss)/keras.ops.sum(mask)"),
    ("pred = tf.argmax(pred, axis=2)", "pred = keras.ops.argmax(pred, axis=2)"),
    ("label = tf.cast(label, pred.dtype)", "label = keras.ops.cast(label, pred.dtype)"),
    ("match = tf.cast(match, dtype=tf.float32)", "match = keras.ops.cast(match, dtype=\"float32\")"),
    ("mask = tf.cast(mask, dtype=tf.float32)", "mask = keras.ops.cast(mask, dtype=\"float32\")"),
    ("return tf.reduce_sum(match)/tf.reduce_sum(mask)", "return keras.ops.sum(match)/keras.ops.sum(mask)"),
]


# ---------------------------------------------------------------- positional embedding


def positional_encoding(length, depth):
    depth = depth/2

    positions = np.arange(length)[:, np.newaxis]     # (seq, 1)
    depths = np.arange(depth)[np.newaxis, :]/depth   # (1, depth)

    angle_rates = 1 / (10000**depths)         # (1, depth)
    angle_rads = positions * angle_rates      # (pos, depth)

    pos_encoding = np.concatenate(
        [np.sin(angle_rads), np.cos(angle_rads)],
        axis=-1)

    return keras.ops.cast(pos_encoding, dtype="float32")  # 바꿈: tf.cast(pos_encoding, dtype=tf.float32)


class PositionalEmbedding(keras.layers.Layer):  # 바꿈: tf.keras.layers.Layer
    def __init__(self, vocab_size, d_model):
        super().__init__()
        self.d_model = d_model
        self.embedding = keras.layers.Embedding(vocab_size, d_model, mask_zero=True)  # 바꿈: tf.keras.layers
        self.pos_encoding = positional_encoding(length=2048, depth=d_model)

    def compute_mask(self, *args, **kwargs):
        return self.embedding.compute_mask(*args, **kwargs)

    def call(self, x):
        length = keras.ops.shape(x)[1]  # 바꿈: tf.shape(x)[1]
        x = self.embedding(x)
        # This factor sets the relative scale of the embedding and positonal_encoding.
        x *= keras.ops.sqrt(keras.ops.cast(self.d_model, "float32"))  # 바꿈: tf.math.sqrt(tf.cast(self.d_model, tf.float32))
        x = x + self.pos_encoding[None, :length, :]  # 바꿈: [tf.newaxis, :length, :]
        return x


# ---------------------------------------------------------------- the attention blocks


class BaseAttention(keras.layers.Layer):  # 바꿈: tf.keras.layers.Layer
    def __init__(self, **kwargs):
        super().__init__()
        self.mha = keras.layers.MultiHeadAttention(**kwargs)  # 바꿈: tf.keras.layers
        self.layernorm = keras.layers.LayerNormalization()  # 바꿈: tf.keras.layers
        self.add = keras.layers.Add()  # 바꿈: tf.keras.layers


class CrossAttention(BaseAttention):
    def call(self, x, context):
        attn_output, attn_scores = self.mha(
            query=x,
            key=context,
            value=context,
            return_attention_scores=True)

        # Cache the attention scores for plotting later.
        self.last_attn_scores = attn_scores

        x = self.add([x, attn_output])
        x = self.layernorm(x)

        return x


class GlobalSelfAttention(BaseAttention):
    def call(self, x):
        attn_output = self.mha(
            query=x,
            value=x,
            key=x)
        x = self.add([x, attn_output])
        x = self.layernorm(x)
        return x


class CausalSelfAttention(BaseAttention):
    def call(self, x):
        attn_output = self.mha(
            query=x,
            value=x,
            key=x,
            use_causal_mask = True)
        x = self.add([x, attn_output])
        x = self.layernorm(x)
        return x


class FeedForward(keras.layers.Layer):  # 바꿈: tf.keras.layers.Layer
    def __init__(self, d_model, dff, dropout_rate=0.1):
        super().__init__()
        self.seq = keras.Sequential([  # 바꿈: tf.keras.Sequential
          keras.layers.Dense(dff, activation='relu'),  # 바꿈: tf.keras.layers
          keras.layers.Dense(d_model),  # 바꿈: tf.keras.layers
          keras.layers.Dropout(dropout_rate)  # 바꿈: tf.keras.layers
        ])
        self.add = keras.layers.Add()  # 바꿈: tf.keras.layers
        self.layer_norm = keras.layers.LayerNormalization()  # 바꿈: tf.keras.layers

    def call(self, x):
        x = self.add([x, self.seq(x)])
        x = self.layer_norm(x)
        return x


# ---------------------------------------------------------------- encoder


class EncoderLayer(keras.layers.Layer):  # 바꿈: tf.keras.layers.Layer
    def __init__(self,*, d_model, num_heads, dff, dropout_rate=0.1):
        super().__init__()

        self.self_attention = GlobalSelfAttention(
            num_heads=num_heads,
            key_dim=d_model,
            dropout=dropout_rate)

        self.ffn = FeedForward(d_model, dff)

    def call(self, x):
        x = self.self_attention(x)
        x = self.ffn(x)
        return x


class Encoder(keras.layers.Layer):  # 바꿈: tf.keras.layers.Layer
    def __init__(self, *, num_layers, d_model, num_heads,
                 dff, vocab_size, dropout_rate=0.1):
        super().__init__()

        self.d_model = d_model
        self.num_layers = num_layers

        self.pos_embedding = PositionalEmbedding(
            vocab_size=vocab_size, d_model=d_model)

        self.enc_layers = [
            EncoderLayer(d_model=d_model,
                         num_heads=num_heads,
                         dff=dff,
                         dropout_rate=dropout_rate)
            for _ in range(num_layers)]
        self.dropout = keras.layers.Dropout(dropout_rate)  # 바꿈: tf.keras.layers

    def call(self, x):
        # `x` is token-IDs shape: (batch, seq_len)
        x = self.pos_embedding(x)  # Shape `(batch_size, seq_len, d_model)`.

        # Add dropout.
        x = self.dropout(x)

        for i in range(self.num_layers):
            x = self.enc_layers[i](x)

        return x  # Shape `(batch_size, seq_len, d_model)`.


# ---------------------------------------------------------------- decoder


class DecoderLayer(keras.layers.Layer):  # 바꿈: tf.keras.layers.Layer
    def __init__(self,
                 *,
                 d_model,
                 num_heads,
                 dff,
                 dropout_rate=0.1):
        super(DecoderLayer, self).__init__()

        self.causal_self_attention = CausalSelfAttention(
            num_heads=num_heads,
            key_dim=d_model,
            dropout=dropout_rate)

        self.cross_attention = CrossAttention(
            num_heads=num_heads,
            key_dim=d_model,
            dropout=dropout_rate)

        self.ffn = FeedForward(d_model, dff)

    def call(self, x, context):
        x = self.causal_self_attention(x=x)
        x = self.cross_attention(x=x, context=context)

        # Cache the last attention scores for plotting later
        self.last_attn_scores = self.cross_attention.last_attn_scores

        x = self.ffn(x)  # Shape `(batch_size, seq_len, d_model)`.
        return x


class Decoder(keras.layers.Layer):  # 바꿈: tf.keras.layers.Layer
    def __init__(self, *, num_layers, d_model, num_heads, dff, vocab_size,
                 dropout_rate=0.1):
        super(Decoder, self).__init__()

        self.d_model = d_model
        self.num_layers = num_layers

        self.pos_embedding = PositionalEmbedding(vocab_size=vocab_size,
                                                 d_model=d_model)
        self.dropout = keras.layers.Dropout(dropout_rate)  # 바꿈: tf.keras.layers
        self.dec_layers = [
            DecoderLayer(d_model=d_model, num_heads=num_heads,
                         dff=dff, dropout_rate=dropout_rate)
            for _ in range(num_layers)]

        self.last_attn_scores = None

    def call(self, x, context):
        # `x` is token-IDs shape (batch, target_seq_len)
        x = self.pos_embedding(x)  # (batch_size, target_seq_len, d_model)

        x = self.dropout(x)

        for i in range(self.num_layers):
            x  = self.dec_layers[i](x, context)

        self.last_attn_scores = self.dec_layers[-1].last_attn_scores

        # The shape of x is (batch_size, target_seq_len, d_model).
        return x


# ---------------------------------------------------------------- the model (the notes' class)


class Transformer(keras.Model):  # 바꿈: tf.keras.Model
    def __init__(self, *, num_layers, d_model, num_heads, dff,
                 input_vocab_size, target_vocab_size, dropout_rate=0.1):
        super().__init__()
        self.encoder = Encoder(num_layers=num_layers, d_model=d_model,
                               num_heads=num_heads, dff=dff,
                               vocab_size=input_vocab_size,
                               dropout_rate=dropout_rate)

        self.decoder = Decoder(num_layers=num_layers, d_model=d_model,
                               num_heads=num_heads, dff=dff,
                               vocab_size=target_vocab_size,
                               dropout_rate=dropout_rate)

        self.final_layer = keras.layers.Dense(target_vocab_size)  # 바꿈: tf.keras.layers

    def call(self, inputs):
        # To use a Keras model with `.fit` you must pass all your inputs in the
        # first argument.
        context, x  = inputs

        context = self.encoder(context)  # (batch_size, context_len, d_model)

        x = self.decoder(x, context)  # (batch_size, target_len, d_model)

        # Final linear layer output.
        logits = self.final_layer(x)  # (batch_size, target_len, target_vocab_size)

        try:
            # Drop the keras mask, so it doesn't scale the losses/metrics.
            # b/250038731
            del logits._keras_mask
        except AttributeError:
            pass

        # Return the final output and the attention weights.
        return logits


# ---------------------------------------------------------------- training pieces


class CustomSchedule(keras.optimizers.schedules.LearningRateSchedule):  # 바꿈: tf.keras.optimizers.schedules
    def __init__(self, d_model, warmup_steps=4000):
        super().__init__()

        self.d_model = d_model
        self.d_model = keras.ops.cast(self.d_model, "float32")  # 바꿈: tf.cast(self.d_model, tf.float32)

        self.warmup_steps = warmup_steps

    def __call__(self, step):
        step = keras.ops.cast(step, dtype="float32")  # 바꿈: tf.cast(step, dtype=tf.float32)
        arg1 = keras.ops.rsqrt(step)  # 바꿈: tf.math.rsqrt(step)
        arg2 = step * (self.warmup_steps ** -1.5)

        return keras.ops.rsqrt(self.d_model) * keras.ops.minimum(arg1, arg2)  # 바꿈: tf.math.rsqrt, tf.math.minimum


def masked_loss(label, pred):
    mask = label != 0
    loss_object = keras.losses.SparseCategoricalCrossentropy(  # 바꿈: tf.keras.losses
        from_logits=True, reduction='none')
    loss = loss_object(label, pred)

    mask = keras.ops.cast(mask, dtype=loss.dtype)  # 바꿈: tf.cast
    loss *= mask

    loss = keras.ops.sum(loss)/keras.ops.sum(mask)  # 바꿈: tf.reduce_sum(loss)/tf.reduce_sum(mask)
    return loss


def masked_accuracy(label, pred):
    pred = keras.ops.argmax(pred, axis=2)  # 바꿈: tf.argmax
    label = keras.ops.cast(label, pred.dtype)  # 바꿈: tf.cast
    match = label == pred

    mask = label != 0

    match = match & mask

    match = keras.ops.cast(match, dtype="float32")  # 바꿈: tf.cast(match, dtype=tf.float32)
    mask = keras.ops.cast(mask, dtype="float32")  # 바꿈: tf.cast(mask, dtype=tf.float32)
    return keras.ops.sum(match)/keras.ops.sum(mask)  # 바꿈: tf.reduce_sum(match)/tf.reduce_sum(mask)
