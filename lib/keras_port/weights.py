"""Copy the weights of lib's Transformer (PyTorch) into the Keras port, so both compute the same logits.

The two models are the same function written in two layouts. The mapping (chapter 10 shows it):

| what | lib (PyTorch) | the tutorial (Keras) | mapping |
|---|---|---|---|
| linear weights | ``nn.Linear.weight`` (out, in) | ``Dense.kernel`` (in, out) | transpose |
| positional encoding | interleaved: dim 2i = sin, 2i+1 = cos | concatenated: [sin ... | cos ...] | a permutation of the model axis: Keras dim j = lib dim ``P[j]``, P = [0, 2, 4, ..., 1, 3, 5, ...]; every weight touching the residual stream is permuted the same way (layer norm does not care about the order) |
| head size | d_model / num_heads (16 for d_model 64, 4 heads) | ``key_dim=d_model`` (64): every head full width | lib's 16 dims go into the first 16 of Keras's 64, the rest are 0; the query is multiplied by sqrt(64/16) = 2 because Keras divides the scores by sqrt(64), lib by sqrt(16) |
| attention projections | four ``nn.Linear`` (D, D) | ``EinsumDense`` kernels (D, heads, key_dim) and (heads, key_dim, D) | reshape per head |
| layer norm epsilon | 1e-5 (torch's default) | 1e-3 (Keras's default) | set ``epsilon`` on every ``LayerNormalization`` (a setting, not a weight) |
| embedding scale, post-LN order, biases | x * sqrt(d) + PE; Add then Norm; biases everywhere | the same | nothing to do |
"""

import numpy as np
import torch

from lib.keras_port.backend import select_backend

keras = select_backend()


def model_axis_permutation(d_model: int) -> np.ndarray:
    """P with keras_vector = lib_vector[P]: [0, 2, 4, ..., d-2, 1, 3, ..., d-1]."""
    return np.concatenate([np.arange(0, d_model, 2), np.arange(1, d_model, 2)])


def lib_config(lib_model) -> dict:
    """The keyword arguments of the Keras Transformer that matches lib's ``lib_model``."""
    encoder_layer = lib_model.encoder.layers[0]
    return dict(
        num_layers=len(lib_model.encoder.layers),
        d_model=lib_model.encoder.embedding.d_model,
        num_heads=encoder_layer.self_attention.num_heads,
        dff=encoder_layer.feed_forward.linear1.out_features,
        input_vocab_size=lib_model.encoder.embedding.token.num_embeddings,
        target_vocab_size=lib_model.final_layer.out_features,
        dropout_rate=0.0,
    )


def build(keras_model):
    """Create the Keras model's weights (Keras builds a layer on its first call)."""
    ones = keras.ops.ones((1, 2), dtype="int32")
    keras_model((ones, ones))
    return keras_model


def _numpy(t: torch.Tensor) -> np.ndarray:
    return t.detach().cpu().numpy().astype("float32")


def _set(variable, value: np.ndarray):
    if tuple(variable.shape) != tuple(value.shape):
        raise ValueError(f"{variable.path}: Keras {tuple(variable.shape)}, lib {value.shape}")
    variable.assign(value)


def _copy_norm(keras_norm, lib_norm, perm):
    _set(keras_norm.gamma, _numpy(lib_norm.weight)[perm])
    _set(keras_norm.beta, _numpy(lib_norm.bias)[perm])
    keras_norm.epsilon = lib_norm.eps


def _copy_attention(mha, lib_attention, perm):
    """lib MultiHeadAttention (heads of d/h dims) -> Keras MultiHeadAttention (heads of key_dim dims)."""
    num_heads = lib_attention.num_heads
    d_model = lib_attention.q_proj.weight.shape[0]
    d_head = d_model // num_heads
    key_dim = mha.key_dim
    query_scale = np.sqrt(key_dim / d_head)  # Keras scales scores by 1/sqrt(key_dim), lib by 1/sqrt(d_head)
    for dense, linear, scale in [(mha.query_dense, lib_attention.q_proj, query_scale),
                                 (mha.key_dense, lib_attention.k_proj, 1.0),
                                 (mha.value_dense, lib_attention.v_proj, 1.0)]:
        kernel = np.zeros((d_model, num_heads, key_dim), "float32")
        bias = np.zeros((num_heads, key_dim), "float32")
        weight, b = _numpy(linear.weight), _numpy(linear.bias)  # (out, in), (out,)
        for h in range(num_heads):
            rows = slice(h * d_head, (h + 1) * d_head)
            kernel[:, h, :d_head] = weight[rows].T[perm] * scale
            bias[h, :d_head] = b[rows] * scale
        _set(dense.kernel, kernel)
        _set(dense.bias, bias)
    kernel = np.zeros((num_heads, key_dim, d_model), "float32")
    weight = _numpy(lib_attention.out_proj.weight)  # (out, in)
    for h in range(num_heads):
        kernel[h, :d_head, :] = weight[:, h * d_head:(h + 1) * d_head].T[:, perm]
    _set(mha.output_dense.kernel, kernel)
    _set(mha.output_dense.bias, _numpy(lib_attention.out_proj.bias)[perm])


def _copy_feed_forward(ffn, lib_feed_forward, lib_norm, perm):
    dense1, dense2 = ffn.seq.layers[0], ffn.seq.layers[1]
    _set(dense1.kernel, _numpy(lib_feed_forward.linear1.weight).T[perm])  # reads the residual stream
    _set(dense1.bias, _numpy(lib_feed_forward.linear1.bias))
    _set(dense2.kernel, _numpy(lib_feed_forward.linear2.weight).T[:, perm])  # writes the residual stream
    _set(dense2.bias, _numpy(lib_feed_forward.linear2.bias)[perm])
    _copy_norm(ffn.layer_norm, lib_norm, perm)


def copy_weights_from_lib(keras_model, lib_model):
    """Copy every weight of lib's ``Transformer`` into the (built) Keras ``Transformer`` (tutorial or fixed).

    Returns keras_model. Raises ValueError naming the variable when a shape does not fit.
    """
    build(keras_model)
    perm = model_axis_permutation(lib_model.encoder.embedding.d_model)
    for keras_side, lib_side in [(keras_model.encoder, lib_model.encoder), (keras_model.decoder, lib_model.decoder)]:
        _set(keras_side.pos_embedding.embedding.embeddings, _numpy(lib_side.embedding.token.weight)[:, perm])
    for keras_layer, lib_layer in zip(keras_model.encoder.enc_layers, lib_model.encoder.layers, strict=True):
        _copy_attention(keras_layer.self_attention.mha, lib_layer.self_attention, perm)
        _copy_norm(keras_layer.self_attention.layernorm, lib_layer.norm1, perm)
        _copy_feed_forward(keras_layer.ffn, lib_layer.feed_forward, lib_layer.norm2, perm)
    for keras_layer, lib_layer in zip(keras_model.decoder.dec_layers, lib_model.decoder.layers, strict=True):
        _copy_attention(keras_layer.causal_self_attention.mha, lib_layer.self_attention, perm)
        _copy_norm(keras_layer.causal_self_attention.layernorm, lib_layer.norm1, perm)
        _copy_attention(keras_layer.cross_attention.mha, lib_layer.cross_attention, perm)
        _copy_norm(keras_layer.cross_attention.layernorm, lib_layer.norm2, perm)
        _copy_feed_forward(keras_layer.ffn, lib_layer.feed_forward, lib_layer.norm3, perm)
    _set(keras_model.final_layer.kernel, _numpy(lib_model.final_layer.weight).T[perm])
    _set(keras_model.final_layer.bias, _numpy(lib_model.final_layer.bias))
    return keras_model


def from_lib(lib_model, model_class=None):
    """A Keras Transformer (default: the fixed one) with lib_model's configuration and weights."""
    if model_class is None:
        from lib.keras_port.fixed import MaskedTransformer as model_class  # noqa: PLC0415
    return copy_weights_from_lib(model_class(**lib_config(lib_model)), lib_model)
