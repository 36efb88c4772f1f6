"""lib's Transformer parts against torch's own modules (chapters 06-08).

Oracles: F.scaled_dot_product_attention, nn.MultiheadAttention, nn.LayerNorm,
nn.TransformerEncoderLayer / nn.TransformerDecoderLayer with the weights copied across.
Plus the properties the chapters demonstrate: mask semantics, prefix invariance under the causal
mask, permutation equivariance of self-attention without positional encoding.
"""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import attention, masks, transformer

ATOL = 1e-5


@pytest.fixture(autouse=True)
def seeded():
    torch.manual_seed(0)


def copy_attention(ours: attention.MultiHeadAttention, theirs: nn.MultiheadAttention):
    with torch.no_grad():
        theirs.in_proj_weight.copy_(torch.cat([ours.q_proj.weight, ours.k_proj.weight, ours.v_proj.weight]))
        theirs.in_proj_bias.copy_(torch.cat([ours.q_proj.bias, ours.k_proj.bias, ours.v_proj.bias]))
        theirs.out_proj.weight.copy_(ours.out_proj.weight)
        theirs.out_proj.bias.copy_(ours.out_proj.bias)


def randomize(module: nn.Module):
    """Random values everywhere, layer norms included (their defaults 1/0 would hide mix-ups)."""
    with torch.no_grad():
        for name, p in module.named_parameters():
            if "norm" in name:
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.3 * torch.randn_like(p))
            else:
                p.normal_(0, p.size(-1) ** -0.5)
    return module


def blocked(mask, batch, num_heads, tq, tk):
    """Our True = may attend -> nn.MultiheadAttention's attn_mask, True = blocked, (B*h, Tq, Tk)."""
    return (~mask).expand(batch, tq, tk).repeat_interleave(num_heads, dim=0)


# ---------------------------------------------------------------- scaled dot-product attention


@pytest.mark.parametrize("mask_kind", [None, "causal", "padding", "random"])
def test_sdpa_matches_torch(mask_kind):
    q, k, v = torch.randn(2, 3, 5, 8), torch.randn(2, 3, 5, 8), torch.randn(2, 3, 5, 4)
    mask = {
        None: None,
        "causal": masks.causal_mask(5),
        "padding": masks.padding_mask(torch.tensor([[4, 5, 6, 0, 0], [4, 5, 6, 7, 8]])).unsqueeze(1),
        "random": torch.rand(2, 3, 5, 5) < 0.6,
    }[mask_kind]
    if mask is not None:
        mask = mask | torch.eye(5, dtype=torch.bool)  # every row keeps a key
    out, weights = attention.scaled_dot_product_attention(q, k, v, mask)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v, attn_mask=mask), atol=ATOL, rtol=1e-4)
    assert torch.allclose(weights.sum(-1), torch.ones(2, 3, 5))
    if mask is not None:
        assert (weights[~mask.expand_as(weights)] == 0).all()


def test_sdpa_scale_keeps_score_variance_near_one():
    """The reason for 1/sqrt(d_k): unit-variance q, k give q.k with variance d_k."""
    for d_k in [4, 64, 256]:
        q, k = torch.randn(4000, d_k), torch.randn(4000, d_k)
        raw = (q * k).sum(-1)
        assert 0.8 * d_k < raw.var() < 1.2 * d_k
        assert 0.8 < (raw / math.sqrt(d_k)).var() < 1.2


# ---------------------------------------------------------------- heads


def test_split_and_merge_are_inverse_and_match_torch_layout():
    x = torch.randn(2, 5, 12)
    heads = attention.split_heads(x, 3)
    assert heads.shape == (2, 3, 5, 4)
    torch.testing.assert_close(heads[:, 1], x[..., 4:8])  # head k = features k*dh..(k+1)*dh-1
    torch.testing.assert_close(attention.merge_heads(heads), x)


@pytest.mark.parametrize("self_attention", [True, False])
@pytest.mark.parametrize("mask_kind", [None, "causal", "padding"])
def test_multi_head_attention_matches_nn_multihead_attention(self_attention, mask_kind):
    batch, tq, d_model, num_heads = 2, 4, 12, 3
    tk = tq if self_attention else 6
    ours = attention.MultiHeadAttention(d_model, num_heads)
    theirs = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
    copy_attention(ours, theirs)
    query = torch.randn(batch, tq, d_model)
    key_value = query if self_attention else torch.randn(batch, tk, d_model)
    mask = None
    if mask_kind == "causal" and self_attention:
        mask = masks.causal_mask(tq)
    elif mask_kind == "padding":
        tokens = torch.randint(4, 9, (batch, tk))
        tokens[0, -2:] = 0
        mask = masks.padding_mask(tokens)
    out, weights = ours(query, key_value, key_value, mask)
    attn_mask = None if mask is None else blocked(mask, batch, num_heads, tq, tk)
    expected, expected_weights = theirs(query, key_value, key_value, attn_mask=attn_mask,
                                        average_attn_weights=False)
    torch.testing.assert_close(out, expected, atol=ATOL, rtol=1e-4)
    torch.testing.assert_close(weights, expected_weights, atol=ATOL, rtol=1e-4)


def test_functional_and_module_agree_and_heads_differ():
    mha = attention.MultiHeadAttention(8, 2)
    x = torch.randn(1, 5, 8)
    out, weights = attention.multi_head_attention(x, x, x, mha.params(), 2)
    torch.testing.assert_close(out, mha(x, x, x)[0])
    assert weights.shape == (1, 2, 5, 5)
    assert not torch.allclose(weights[:, 0], weights[:, 1], atol=1e-3)


# ---------------------------------------------------------------- masks


def test_causal_mask():
    mask = masks.causal_mask(4)
    assert mask.dtype == torch.bool and mask.shape == (4, 4)
    assert mask.diagonal().all() and mask[3].all() and not mask[0, 1:].any()
    assert torch.equal(mask, nn.Transformer.generate_square_subsequent_mask(4) == 0)


def test_padding_and_decoder_masks():
    tokens = torch.tensor([[1, 5, 6, 2, 0], [1, 7, 2, 0, 0]])
    pad = masks.padding_mask(tokens)
    assert pad.shape == (2, 1, 5) and pad.dtype == torch.bool
    assert pad[1, 0].tolist() == [True, True, True, False, False]
    dec = masks.decoder_self_attention_mask(tokens)
    assert dec.shape == (2, 5, 5)
    for b in range(2):
        for i in range(5):
            for j in range(5):
                assert dec[b, i, j] == (j <= i and tokens[b, j] != 0)
    assert masks.padding_mask(torch.tensor([[4, 9]]), pad_id=9).tolist() == [[[True, False]]]


def test_nn_multihead_attention_reads_masks_the_other_way_round():
    """Passing our mask as attn_mask is wrong; its complement is right (chapter 07)."""
    mha = attention.MultiHeadAttention(8, 2)
    theirs = nn.MultiheadAttention(8, 2, batch_first=True)
    copy_attention(mha, theirs)
    x = torch.randn(1, 4, 8)
    ours = mha(x, x, x, masks.causal_mask(4))[0]
    right = theirs(x, x, x, attn_mask=~masks.causal_mask(4))[0]
    wrong = theirs(x, x, x, attn_mask=masks.causal_mask(4))[0]
    torch.testing.assert_close(ours, right, atol=ATOL, rtol=1e-4)
    assert not torch.allclose(ours[:, :-1], wrong[:, :-1], atol=1e-3)
    assert wrong[:, -1].isnan().all()  # its last row may attend nowhere


# ---------------------------------------------------------------- positional encoding


def test_positional_encoding_formula_and_layout():
    pe = transformer.positional_encoding(50, 16)
    assert pe.shape == (50, 16) and pe.dtype == torch.float32
    pos, i = 7, 3
    angle = pos / 10000 ** (2 * i / 16)
    assert pe[pos, 2 * i].item() == pytest.approx(math.sin(angle), abs=1e-6)
    assert pe[pos, 2 * i + 1].item() == pytest.approx(math.cos(angle), abs=1e-6)
    assert torch.equal(pe[0], torch.tensor([0.0, 1.0] * 8))
    # the TF tutorial's [sin | cos] layout holds the same columns, permuted
    concat = torch.cat([pe[:, 0::2], pe[:, 1::2]], dim=1)
    permutation = [j for i in range(8) for j in (i, i + 8)]
    assert torch.equal(concat[:, permutation], pe)
    assert torch.allclose(pe.norm(dim=1), torch.full((50,), math.sqrt(8)))


@pytest.mark.parametrize("length, d_model", [(5, 7), (12, 10), (1, 2)])
def test_positional_encoding_matches_the_formula_entry_by_entry(length, d_model):
    from lib.course.checks.ch07 import loop_positional_encoding

    torch.testing.assert_close(transformer.positional_encoding(length, d_model),
                               loop_positional_encoding(length, d_model), atol=1e-5, rtol=1e-4)


def rotation_for_offset(offset: int, d_model: int) -> torch.Tensor:
    """The fixed linear map R_k with PE(p + k) = R_k PE(p): one 2x2 rotation per (sin, cos) pair."""
    rotation = torch.zeros(d_model, d_model)
    for i in range(d_model // 2):
        angle = offset / 10000 ** (2 * i / d_model)
        c, s = math.cos(angle), math.sin(angle)
        rotation[2 * i:2 * i + 2, 2 * i:2 * i + 2] = torch.tensor([[c, s], [-s, c]])
    return rotation


@pytest.mark.parametrize("offset", [1, 3, 17])
def test_pe_of_a_shifted_position_is_a_fixed_rotation(offset):
    """Vaswani et al. 2017, section 3.5: PE(p + k) is a linear function of PE(p), the same for every p."""
    pe = transformer.positional_encoding(80, 16)
    rotation = rotation_for_offset(offset, 16)
    torch.testing.assert_close(pe[:-offset] @ rotation.T, pe[offset:], atol=1e-4, rtol=0)
    torch.testing.assert_close(rotation @ rotation.T, torch.eye(16), atol=1e-6, rtol=0)  # a rotation


def test_pe_dot_product_depends_on_offset_only():
    pe = transformer.positional_encoding(60, 32)
    similarity = pe @ pe.T
    for offset in [1, 5, 20]:
        values = similarity.diagonal(offset)
        assert values.max() - values.min() < 1e-4


# ---------------------------------------------------------------- layer norm


@pytest.mark.parametrize("shape", [(5,), (2, 7), (2, 3, 8)])
def test_layer_norm_matches_nn_layernorm(shape):
    x = torch.randn(shape) * 3 + 2
    norm = randomize(nn.LayerNorm(shape[-1]))
    ours = transformer.layer_norm(x, norm.weight, norm.bias, norm.eps)
    torch.testing.assert_close(ours, norm(x), atol=ATOL, rtol=1e-4)
    module = transformer.LayerNorm(shape[-1])
    module.load_state_dict(norm.state_dict())
    torch.testing.assert_close(module(x), norm(x), atol=ATOL, rtol=1e-4)


def test_layer_norm_is_per_token_not_per_batch():
    x = torch.randn(4, 6, 8)
    ones, zeros = torch.ones(8), torch.zeros(8)
    alone = transformer.layer_norm(x[:1], ones, zeros)
    together = transformer.layer_norm(x, ones, zeros)[:1]
    torch.testing.assert_close(alone, together)  # other batch members change nothing


# ---------------------------------------------------------------- encoder / decoder layers


def encoder_pair(d_model=16, num_heads=4, d_ff=32):
    ours = randomize(transformer.EncoderLayer(d_model, num_heads, d_ff)).eval()
    theirs = nn.TransformerEncoderLayer(d_model, num_heads, d_ff, batch_first=True).eval()
    copy_attention(ours.self_attention, theirs.self_attn)
    theirs.load_state_dict({**theirs.state_dict(), **{
        "linear1.weight": ours.feed_forward.linear1.weight, "linear1.bias": ours.feed_forward.linear1.bias,
        "linear2.weight": ours.feed_forward.linear2.weight, "linear2.bias": ours.feed_forward.linear2.bias,
        "norm1.weight": ours.norm1.weight, "norm1.bias": ours.norm1.bias,
        "norm2.weight": ours.norm2.weight, "norm2.bias": ours.norm2.bias,
    }})
    return ours, theirs


def test_encoder_layer_matches_nn_transformer_encoder_layer():
    ours, theirs = encoder_pair()
    x = torch.randn(2, 5, 16)
    tokens = torch.tensor([[4, 5, 6, 0, 0], [4, 5, 6, 7, 8]])
    mask = masks.padding_mask(tokens)
    # grad enabled on purpose: torch's inference fast path zeroes padded positions
    torch.testing.assert_close(ours(x), theirs(x), atol=ATOL, rtol=1e-4)
    expected = theirs(x, src_key_padding_mask=tokens == 0)
    torch.testing.assert_close(ours(x, mask), expected, atol=ATOL, rtol=1e-4)


def test_encoder_layer_oracle_of_the_check_matches_with_every_mask_kind():
    """The chapter 07 check's oracle (nn.TransformerEncoderLayer, weights copied, dropout 0) equals lib's
    EncoderLayer with no mask, a padding mask (B, 1, T) and a full mask (B, T, T), with grad on or off."""
    from lib.course.checks.ch07 import TorchEncoderLayer

    ours = randomize(transformer.EncoderLayer(16, 4, 32)).eval()
    theirs = TorchEncoderLayer(16, 4, 32)
    theirs.load_state_dict(ours.state_dict())
    theirs.eval()
    x = torch.randn(2, 5, 16)
    tokens = torch.tensor([[4, 5, 6, 0, 0], [4, 5, 6, 7, 8]])
    full = masks.padding_mask(tokens) & masks.causal_mask(5)
    for mask in [None, masks.padding_mask(tokens), full]:
        torch.testing.assert_close(ours(x, mask), theirs(x, mask), atol=ATOL, rtol=1e-4)
        with torch.no_grad():
            torch.testing.assert_close(ours(x, mask), theirs(x, mask), atol=ATOL, rtol=1e-4)


def test_encoder_layer_check_accepts_the_reference_and_names_every_typical_mistake():
    from lib.course.checks import EXERCISES, check

    exercise = EXERCISES["transformer.EncoderLayer"]
    assert exercise.chapter == "07" and exercise.is_class
    assert check("transformer.EncoderLayer", transformer.EncoderLayer).passed
    for alternative in exercise.alternatives:
        assert check("transformer.EncoderLayer", alternative).passed
    names = {mistake.name for mistake in exercise.mistakes}
    for expected in ["사전 정규화", "잔차 연결", "정규화(Norm)를 빠뜨림", "순서가 바뀜", "패딩 마스크를 쓰지 않음",
                     "마스크를 반대로", "√d_k", "활성화 함수"]:
        assert any(expected in name for name in names), expected
    for mistake in exercise.mistakes:
        result = check("transformer.EncoderLayer", mistake.implementation)
        assert not result.passed
        assert f"흔한 실수: {mistake.name}" in result.message, result.message

    class Stub(transformer.EncoderLayer):
        def forward(self, x, mask=None):
            raise NotImplementedError()

    result = check("transformer.EncoderLayer", Stub)
    assert not result.passed and "아직 구현하지 않았습니다" in result.message


def test_old_chapter_06_exercises_live_in_the_chapter_that_teaches_them():
    """Layout v2: 06 = attention (SDPA and the multi-head machinery), 07 = PE, layer norm, encoder layer."""
    from lib.course.checks import EXERCISES

    chapters = {exercise_id: EXERCISES[exercise_id].chapter for exercise_id in [
        "attention.scaled_dot_product_attention", "attention.split_heads", "attention.merge_heads",
        "attention.multi_head_attention", "transformer.positional_encoding", "transformer.layer_norm",
        "transformer.EncoderLayer"]}
    assert chapters == {
        "attention.scaled_dot_product_attention": "06", "attention.split_heads": "06",
        "attention.merge_heads": "06", "attention.multi_head_attention": "06",
        "transformer.positional_encoding": "07", "transformer.layer_norm": "07", "transformer.EncoderLayer": "07",
    }


def test_decoder_layer_matches_nn_transformer_decoder_layer():
    from lib.course.checks.ch08 import TorchDecoderLayer

    ours = randomize(transformer.DecoderLayer(16, 4, 32)).eval()
    theirs = TorchDecoderLayer(16, 4, 32)
    theirs.load_state_dict(ours.state_dict())
    theirs.eval()
    x, context = torch.randn(2, 4, 16), torch.randn(2, 6, 16)
    tgt = torch.tensor([[1, 5, 6, 0], [1, 5, 6, 7]])
    src = torch.tensor([[4, 5, 6, 7, 0, 0], [4, 5, 6, 7, 8, 9]])
    self_mask, cross_mask = masks.decoder_self_attention_mask(tgt), masks.padding_mask(src)
    torch.testing.assert_close(ours(x, context, self_mask, cross_mask),
                               theirs(x, context, self_mask, cross_mask), atol=ATOL, rtol=1e-4)
    # and torch's own mask arguments, built independently
    future = torch.triu(torch.ones(4, 4, dtype=torch.bool), diagonal=1)  # torch: True = blocked
    direct = theirs.layer(x, context, tgt_mask=future,
                          tgt_key_padding_mask=tgt == 0, memory_key_padding_mask=src == 0)
    torch.testing.assert_close(ours(x, context, self_mask, cross_mask), direct, atol=ATOL, rtol=1e-4)


def test_decoder_layer_has_add_and_norm_after_every_sublayer():
    layer = transformer.DecoderLayer(8, 2, 16)
    norms = [name for name, m in layer.named_children() if isinstance(m, transformer.LayerNorm)]
    assert norms == ["norm1", "norm2", "norm3"]
    x, context = torch.randn(2, 3, 8), torch.randn(2, 4, 8)
    out = layer.eval()(x, context)
    torch.testing.assert_close(out.mean(-1), torch.zeros(2, 3), atol=1e-5, rtol=0)  # ends in a norm


# ---------------------------------------------------------------- properties shown in the chapters


def test_prefix_invariance_under_the_causal_mask():
    """Changing a later token leaves every earlier output unchanged (and changes later ones)."""
    layer = randomize(transformer.DecoderLayer(16, 4, 32)).eval()
    x, context = torch.randn(1, 6, 16), torch.randn(1, 3, 16)
    changed = x.clone()
    changed[0, 4] = torch.randn(16)
    mask = masks.causal_mask(6)
    before, after = layer(x, context, mask), layer(changed, context, mask)
    assert torch.equal(before[:, :4], after[:, :4])
    assert not torch.allclose(before[:, 4:], after[:, 4:], atol=1e-3)
    unmasked_before, unmasked_after = layer(x, context), layer(changed, context)
    assert not torch.allclose(unmasked_before[:, :4], unmasked_after[:, :4], atol=1e-3)


def test_self_attention_without_pe_is_permutation_equivariant():
    layer = randomize(transformer.EncoderLayer(16, 4, 32)).eval()
    x = torch.randn(1, 7, 16)
    perm = torch.tensor([3, 0, 6, 1, 5, 2, 4])
    torch.testing.assert_close(layer(x[:, perm]), layer(x)[:, perm], atol=1e-5, rtol=1e-4)
    pe = transformer.positional_encoding(7, 16)
    with_pe, permuted_with_pe = layer(x + pe), layer(x[:, perm] + pe)
    assert not torch.allclose(permuted_with_pe, with_pe[:, perm], atol=1e-2)


def test_causal_self_attention_ignores_the_encoder():
    """The first sublayer's weights do not depend on the encoder output (C22)."""
    layer = randomize(transformer.DecoderLayer(16, 4, 32)).eval()
    x = torch.randn(1, 5, 16)
    layer(x, torch.randn(1, 3, 16), masks.causal_mask(5))
    first = layer.self_attention_weights.clone()
    layer(x, torch.randn(1, 7, 16), masks.causal_mask(5))
    assert torch.equal(first, layer.self_attention_weights)
    assert layer.cross_attention_weights.shape == (1, 4, 5, 7)


# ---------------------------------------------------------------- chapter 06-07 explorers


def test_toy_cross_attention_finds_the_translation_despite_reordering():
    from lib.ui.explorers.transformer import TOY_EN, TOY_KO, cross_attention_weights

    weights = cross_attention_weights()
    assert weights.shape == (len(TOY_EN), len(TOY_KO))
    best = {en: TOY_KO[row.argmax()] for en, row in zip(TOY_EN, weights)}
    assert best["read"] == "읽었다" and best["yesterday"] == "어제" and best["book"] == "책"


def test_toy_self_attention_saturates_without_scaling():
    from lib.ui.explorers.transformer import entropy, toy_self_attention

    scaled, unscaled = toy_self_attention(scaled=True), toy_self_attention(scaled=False)
    assert scaled.shape == (4, 9, 9)
    torch.testing.assert_close(scaled.sum(-1), torch.ones(4, 9))
    assert entropy(unscaled).mean() < entropy(scaled).mean()
    assert unscaled.max(-1).values.mean() > scaled.max(-1).values.mean()


def test_explorer_widgets_build_without_a_browser():
    from lib.ui.explorers.transformer import attention_explorer, positional_encoding_explorer

    assert positional_encoding_explorer(length=16, d_model=8).children
    assert attention_explorer().children
