"""Chapter 08 exercises: causal and padding masks, and the decoder layer.

Oracles: nn.Transformer.generate_square_subsequent_mask (its float mask, read back as bool) and
nn.TransformerDecoderLayer (post-LN, weights copied across, masks turned to its True = blocked).
"""

import math

import torch
import torch.nn as nn

from lib import attention, masks, transformer
from lib.course.checks.ch07 import LayerSpec, Sublayer, analyse_layer, findings_note
from lib.course.checks.class_exercises import load_like_reference, random_state
from lib.course.checks.exercise import Case, Exercise, Mistake

# ---------------------------------------------------------------- causal mask


def _causal_cases():
    return [Case((4,), label="T=4"), Case((1,), label="토큰 하나"), Case((7,))]


def torch_causal_mask(length):
    """Oracle: torch's additive mask (-inf above the diagonal, 0 elsewhere), read as True = may attend."""
    return nn.Transformer.generate_square_subsequent_mask(length) == 0


# ---------------------------------------------------------------- padding masks


def _tokens(rows):
    return torch.tensor(rows, dtype=torch.long)


def _padding_cases():
    return [
        Case((_tokens([[1, 7, 5, 2, 0], [1, 4, 2, 0, 0], [1, 9, 8, 6, 2]]),), label="끝에 패딩(0)이 있는 배치"),
        Case((_tokens([[5, 6, 7], [8, 9, 4]]),), label="패딩 없음"),
        Case((_tokens([[4, 5, 9, 9], [6, 9, 9, 9]]),), {"pad_id": 9}, label="pad_id=9"),
    ]


def _decoder_mask_cases():
    return [
        Case((_tokens([[1, 7, 5, 2, 0], [1, 4, 2, 0, 0]]),), label="끝에 패딩이 있는 배치"),
        Case((_tokens([[1, 5, 6, 2]]),), label="패딩 없음"),
        Case((_tokens([[1, 4, 9, 9], [1, 6, 7, 9]]),), {"pad_id": 9}, label="pad_id=9"),
    ]


def _decoder_mask_alternative(tgt_input, pad_id=0):
    length = tgt_input.size(1)
    i = torch.arange(length)
    causal = i.view(1, length, 1) >= i.view(1, 1, length)  # query index >= key index
    real_keys = (tgt_input != pad_id).view(-1, 1, length)
    return causal & real_keys


# ---------------------------------------------------------------- decoder layer


D_MODEL, NUM_HEADS, D_FF = 8, 2, 16


def _decoder_layer_cases():
    g = torch.Generator().manual_seed(11)
    src = _tokens([[5, 6, 7, 8, 0], [5, 6, 7, 8, 9]])
    tgt = _tokens([[1, 4, 5, 0], [1, 4, 5, 6]])

    def inputs(x, context, self_mask=None, cross_mask=None):
        return {"x": x, "context": context, "self_mask": self_mask, "cross_mask": cross_mask}

    return [
        Case((), inputs(torch.randn(2, 4, D_MODEL, generator=g), torch.randn(2, 5, D_MODEL, generator=g),
                        masks.decoder_self_attention_mask(tgt), masks.padding_mask(src)),
             label="인과+패딩 마스크, 원문 패딩 마스크"),
        Case((), inputs(torch.randn(1, 3, D_MODEL, generator=g), torch.randn(1, 6, D_MODEL, generator=g)),
             label="마스크 없음"),
        Case((), inputs(torch.randn(2, 1, D_MODEL, generator=g), torch.randn(2, 2, D_MODEL, generator=g),
                        masks.causal_mask(1)), label="타깃 토큰 하나"),
    ]


def _random_state(seed: int) -> dict:
    """A DecoderLayer state_dict with every parameter random (layer norms included, so none is trivial)."""
    return random_state(transformer.DecoderLayer(D_MODEL, NUM_HEADS, D_FF), seed)


def run_decoder_layer(layer_class, case: Case):
    """Build layer_class(d_model, num_heads, d_ff, dropout), load the same random weights, eval,
    call forward(x, context, self_mask, cross_mask) positionally."""
    layer = load_like_reference(layer_class(D_MODEL, NUM_HEADS, D_FF, 0.1), _random_state(seed=12), "DecoderLayer")
    k = case.kwargs
    return layer(k["x"], k["context"], k["self_mask"], k["cross_mask"])


class TorchDecoderLayer(nn.Module):
    """Oracle: nn.TransformerDecoderLayer (post-LN, ReLU), loading a lib DecoderLayer state_dict."""

    def __init__(self, d_model, num_heads, d_ff, dropout=0.1):
        super().__init__()
        self.num_heads = num_heads
        self.layer = nn.TransformerDecoderLayer(d_model, num_heads, d_ff, dropout, batch_first=True)

    def load_state_dict(self, state, strict=True):
        def attention(prefix):
            return {
                "in_proj_weight": torch.cat([state[f"{prefix}.{n}_proj.weight"] for n in "qkv"]),
                "in_proj_bias": torch.cat([state[f"{prefix}.{n}_proj.bias"] for n in "qkv"]),
                "out_proj.weight": state[f"{prefix}.out_proj.weight"],
                "out_proj.bias": state[f"{prefix}.out_proj.bias"],
            }

        mapped = {}
        for ours, theirs in [("self_attention", "self_attn"), ("cross_attention", "multihead_attn")]:
            mapped.update({f"{theirs}.{k}": v for k, v in attention(ours).items()})
        for name in ["norm1", "norm2", "norm3"]:
            mapped[f"{name}.weight"], mapped[f"{name}.bias"] = state[f"{name}.weight"], state[f"{name}.bias"]
        for name in ["linear1", "linear2"]:
            for p in ["weight", "bias"]:
                mapped[f"{name}.{p}"] = state[f"feed_forward.{name}.{p}"]
        return self.layer.load_state_dict(mapped, strict=True)

    def _blocked(self, mask, batch, tq, tk):
        if mask is None:
            return None
        return (~mask).expand(batch, tq, tk).repeat_interleave(self.num_heads, dim=0)

    def forward(self, x, context, self_mask=None, cross_mask=None):
        batch, t, s = x.size(0), x.size(1), context.size(1)
        return self.layer(x, context, tgt_mask=self._blocked(self_mask, batch, t, t),
                          memory_mask=self._blocked(cross_mask, batch, t, s))


class _DecoderAlternative(transformer.DecoderLayer):
    """The same sublayers written as one loop over (attend, norm) pairs."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        sublayers = [
            (lambda h: self.self_attention(h, h, h, self_mask)[0], self.norm1),
            (lambda h: self.cross_attention(h, context, context, cross_mask)[0], self.norm2),
            (self.feed_forward, self.norm3),
        ]
        for sublayer, norm in sublayers:
            x = norm(x + self.dropout(sublayer(x)))
        return x


class _PreNorm(transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        h = self.norm1(x)
        x = x + self.self_attention(h, h, h, self_mask)[0]
        x = x + self.cross_attention(self.norm2(x), context, context, cross_mask)[0]
        return x + self.feed_forward(self.norm3(x))


class _NoCrossResidual(transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(self.cross_attention(x, context, context, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class _CrossOnX(transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(x, x, x, self_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class _NoSelfMask(transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        return super().forward(x, context, None, cross_mask)


class _SkipCross(transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        return self.norm3(x + self.feed_forward(x))


class _OneNormAtTheEnd(transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = x + self.self_attention(x, x, x, self_mask)[0]
        x = x + self.cross_attention(x, context, context, cross_mask)[0]
        return self.norm3(x + self.feed_forward(x))



# ---------------------------------------------------------------- more decoder-layer mistakes (one switch each)


def _attend_by_hand(mha, query, key, value, mask, scale=True, softmax_dim=-1):
    """Multi-head attention written out from the module's weights, with the switches a learner gets wrong."""
    p, heads = mha.params(), mha.num_heads
    q = attention.split_heads(query @ p["W_q"].T + p["b_q"], heads)  # (B, h, Tq, dh)
    k = attention.split_heads(key @ p["W_k"].T + p["b_k"], heads)  # (B, h, Tk, dh)
    v = attention.split_heads(value @ p["W_v"].T + p["b_v"], heads)
    scores = q @ k.transpose(-2, -1)  # (B, h, Tq, Tk)
    if scale:
        scores = scores / math.sqrt(q.size(-1))
    if mask is not None:
        scores = scores.masked_fill(~mask.unsqueeze(-3), float("-inf"))
    weights = torch.softmax(scores, dim=softmax_dim)
    return attention.merge_heads(weights @ v) @ p["W_o"].T + p["b_o"]


class _Switched(transformer.DecoderLayer):
    """The post-LN decoder layer with one thing switched (class attributes below)."""

    order = ("self", "cross", "ffn")
    residual = {"self": True, "cross": True, "ffn": True}
    norm = {"self": True, "cross": True, "ffn": True}
    self_mask_mode = "given"  # "given" | "inverted" | "causal only" | "padding only"
    cross_mask_mode = "given"  # "given" | "inverted" | "none"
    scale = True
    softmax_dim = -1
    activation = True
    one_norm_module = False

    def _self_mask(self, x, self_mask):
        if self.self_mask_mode == "inverted" and self_mask is not None:
            return ~self_mask
        if self.self_mask_mode == "causal only":
            return masks.causal_mask(x.size(1))
        if self.self_mask_mode == "padding only" and self_mask is not None:
            return self_mask | ~masks.causal_mask(x.size(1))  # the future let through again
        return self_mask

    def _feed_forward(self, x):
        ff = self.feed_forward
        hidden = ff.linear1(x)
        return ff.linear2(torch.relu(hidden) if self.activation else hidden)

    def forward(self, x, context, self_mask=None, cross_mask=None):
        if self.cross_mask_mode == "inverted" and cross_mask is not None:
            cross_mask = ~cross_mask
        elif self.cross_mask_mode == "none":
            cross_mask = None
        norms = {"self": self.norm1, "cross": self.norm2, "ffn": self.norm3}
        if self.one_norm_module:
            norms = {name: self.norm1 for name in norms}
        for name in self.order:
            if name == "self":
                out = _attend_by_hand(self.self_attention, x, x, x, self._self_mask(x, self_mask),
                                      self.scale, self.softmax_dim)
            elif name == "cross":
                out = _attend_by_hand(self.cross_attention, x, context, context, cross_mask,
                                      self.scale, self.softmax_dim)
            else:
                out = self._feed_forward(x)
            if self.residual[name]:
                out = x + out
            x = norms[name](out) if self.norm[name] else out
        return x


def _switched(name, **switches):
    return type(name, (_Switched,), switches)


_NoSelfResidual = _switched("_NoSelfResidual", residual={"self": False, "cross": True, "ffn": True})
_NoFfnResidual = _switched("_NoFfnResidual", residual={"self": True, "cross": True, "ffn": False})
_NoResidualAtAll = _switched("_NoResidualAtAll", residual={"self": False, "cross": False, "ffn": False})
_NoNorm1 = _switched("_NoNorm1", norm={"self": False, "cross": True, "ffn": True})
_NoNorm2 = _switched("_NoNorm2", norm={"self": True, "cross": False, "ffn": True})
_NoNorm3 = _switched("_NoNorm3", norm={"self": True, "cross": True, "ffn": False})
_NoNormAtAll = _switched("_NoNormAtAll", norm={"self": False, "cross": False, "ffn": False})
_CrossFirst = _switched("_CrossFirst", order=("cross", "self", "ffn"))
_FfnBeforeCross = _switched("_FfnBeforeCross", order=("self", "ffn", "cross"))
_InvertedSelfMask = _switched("_InvertedSelfMask", self_mask_mode="inverted")
_InvertedCrossMask = _switched("_InvertedCrossMask", cross_mask_mode="inverted")
_CausalOnly = _switched("_CausalOnly", self_mask_mode="causal only")
_PaddingOnly = _switched("_PaddingOnly", self_mask_mode="padding only")
_NoScale = _switched("_NoScale", scale=False)
_SoftmaxOverQueries = _switched("_SoftmaxOverQueries", softmax_dim=-2)
_NoActivation = _switched("_NoActivation", activation=False)


class _QueryFromContext(transformer.DecoderLayer):
    """cross_attention(context, x, x): the query from the encoder (fails on shapes when S != T)."""

    def forward(self, x, context, self_mask=None, cross_mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, self_mask)[0])
        x = self.norm2(x + self.cross_attention(context, x, x, cross_mask)[0])
        return self.norm3(x + self.feed_forward(x))


_OneNormModule = _switched("_OneNormModule", one_norm_module=True)


class _ReturnsWeights(transformer.DecoderLayer):
    def forward(self, x, context, self_mask=None, cross_mask=None):
        out = super().forward(x, context, self_mask, cross_mask)
        return out, self.cross_attention_weights



# ---------------------------------------------------------------- naming what a wrong forward did (any code style)
# The data-flow rules live with the encoder layer (chapter 07): the decoder layer is the same post-LN
# stack with one more sublayer, whose keys and values come from the encoder output.

DECODER_SPEC = LayerSpec(
    title="디코더 층",
    inputs=("x", "context"),
    sublayers=(
        Sublayer("self_attention", "norm1", "셀프 어텐션", mask="self_mask",
                 mask_desc="미래 토큰과 타깃의 패딩을 함께 가리는 인과 AND 패딩 마스크"),
        Sublayer("cross_attention", "norm2", "크로스 어텐션", keys="context", keys_desc="인코더 출력",
                 mask="cross_mask", mask_desc="원문의 패딩을 가리는 패딩 마스크"),
        Sublayer("feed_forward", "norm3", "피드포워드", kind="ffn"),
    ),
)


def diagnose_decoder_layer(layer_class, case: Case):
    """Run the learner's layer with its parts recorded, and name what differs from
    self-attention(self_mask) → norm1(x + ·) → cross-attention(x, context, context, cross_mask) →
    norm2(x + ·) → feed_forward → norm3(x + ·) (every difference found). Returns a Korean note, or None."""
    layer = load_like_reference(layer_class(D_MODEL, NUM_HEADS, D_FF, 0.1), _random_state(seed=12), "DecoderLayer")
    views = []
    for k in [case.kwargs, _probe_inputs()]:
        views.append((dict(k), lambda k=k: layer(k["x"], k["context"], k["self_mask"], k["cross_mask"])))
    return findings_note(analyse_layer(DECODER_SPEC, layer, views))


def _probe_inputs():
    """Both masks given and S = T, so a forward that mixes up x and context or the two masks still runs
    to the end (the failing case may stop at a shape clash before the rest can be seen)."""
    g = torch.Generator().manual_seed(21)
    src = _tokens([[5, 6, 7, 0, 0], [5, 6, 7, 8, 9]])
    tgt = _tokens([[1, 4, 5, 6, 0], [1, 4, 0, 0, 0]])
    return {"x": torch.randn(2, 5, D_MODEL, generator=g), "context": torch.randn(2, 5, D_MODEL, generator=g),
            "self_mask": masks.decoder_self_attention_mask(tgt), "cross_mask": masks.padding_mask(src)}


EXERCISES_HERE = [
    Exercise(
        id="masks.causal_mask",
        hints=[
            "위치 i(쿼리, 행)는 자기 자신과 그 앞(과거)만 볼 수 있습니다. 그래서 볼 수 있음 = True인 (T, T) bool 행렬은 대각선과 그 아래가 True, 위(미래)가 "
            "False입니다.",
            "M[i, j] = (j ≤ i): 행 i(쿼리)가 열 j(키)를 볼 수 있으면 True.  모양 (T, T), 원소는 True/False(bool).  "
            "모두 True인 정사각 행렬에서 대각선 위(j > i, 미래)를 지운 것, 곧 아래 삼각 행렬입니다.",
            "ones = torch.ones(length, length, dtype=torch.___)\n"
            "return torch.___(ones)",
        ],
        chapter="08",
        reference=masks.causal_mask,
        cases=_causal_cases,
        oracle=torch_causal_mask,
        oracle_name="nn.Transformer.generate_square_subsequent_mask(실수 마스크, 0인 곳을 True로 읽음)",
        alternatives=[lambda length: torch.ones(length, length).tril().bool(),
                      lambda length: torch.arange(length).unsqueeze(1) >= torch.arange(length)],
        mistakes=[
            Mistake("마스크 극성이 반대 (True = 가림)",
                    "이 코스의 마스크는 True = 볼 수 있음입니다. 대각선과 그 아래가 True여야 합니다 "
                    "(nn.MultiheadAttention의 attn_mask는 반대 규약).",
                    lambda length: torch.triu(torch.ones(length, length, dtype=torch.bool), diagonal=1)),
            Mistake("위쪽 삼각형(triu)을 씀: 미래를 보는 마스크",
                    "위치 i는 0..i(과거와 자기 자신)만 봅니다: torch.tril을 쓰세요.",
                    lambda length: torch.triu(torch.ones(length, length, dtype=torch.bool))),
            Mistake("대각선을 뺌 (자기 자신을 못 봄)",
                    "위치 i는 자기 자신도 봅니다. 대각선까지 True입니다: tril(..., diagonal=0).",
                    lambda length: torch.tril(torch.ones(length, length, dtype=torch.bool), diagonal=-1)),
            Mistake("bool이 아니라 0/1 실수 마스크",
                    "마스크는 dtype=torch.bool이어야 masked_fill(~mask, ...)에 쓸 수 있습니다.",
                    lambda length: torch.tril(torch.ones(length, length))),
        ],
    ),
    Exercise(
        id="masks.padding_mask",
        hints=[
            "패딩 토큰은 '볼 대상(키)'에서 빼야 합니다. 진짜 토큰이면 True, 패딩이면 False인 마스크를 만들고, 쿼리 축으로 브로드캐스트되도록 가운데에 크기 1인 축을 넣습니다.",
            "M[b, 0, t] = (b번째 문장의 t번째 토큰이 PAD가 아니다).  모양: 토큰 (B, T) → 비교 결과 (B, T) bool → 가운데(두 번째 "
            "자리)에 크기 1인 축을 넣어 (B, 1, T): (B, Tq, Tk) 점수에 쿼리 축을 따라 퍼집니다.",
            "real = tokens ___ pad_id          # (B, T) bool\n"
            "return real.unsqueeze(___)        # (B, 1, T)",
        ],
        chapter="08",
        reference=masks.padding_mask,
        cases=_padding_cases,
        alternatives=[lambda tokens, pad_id=0: tokens.ne(pad_id)[:, None, :]],
        mistakes=[
            Mistake("마스크 극성이 반대 (패딩 위치가 True)",
                    "True = 볼 수 있음: 실제 토큰이 True, 패딩이 False입니다 (tokens != pad_id).",
                    lambda tokens, pad_id=0: (tokens == pad_id).unsqueeze(1)),
            Mistake("쿼리 축을 추가하지 않음 (B, T)",
                    "(B, 1, T)로 만들어야 (B, Tq, Tk) 점수에 쿼리 축을 따라 브로드캐스트됩니다: .unsqueeze(1).",
                    lambda tokens, pad_id=0: tokens != pad_id),
            Mistake("마스크를 쿼리 축에 적용 (B, T, 1)",
                    "패딩은 '볼 대상(키)'에서 빼는 것입니다. 마지막 축이 키 축이 되도록 unsqueeze(1)을 쓰세요.",
                    lambda tokens, pad_id=0: (tokens != pad_id).unsqueeze(-1)),
            Mistake("pad_id 인자를 무시하고 0을 씀", "함수의 pad_id 인자와 비교하세요: tokens != pad_id.",
                    lambda tokens, pad_id=0: (tokens != 0).unsqueeze(1)),
        ],
    ),
    Exercise(
        id="masks.decoder_self_attention_mask",
        hints=[
            "디코더의 셀프 어텐션은 두 가지를 가립니다: 미래 위치(인과 마스크)와 패딩 키(패딩 마스크). 둘 다 허락할 때만 볼 수 있으므로 두 마스크를 AND로 합칩니다.",
            "causal_mask(T) (T, T)  &  padding_mask(tgt_input, pad_id) (B, 1, T)  →  브로드캐스트로 (B, T, T).  True = "
            "볼 수 있음.",
            "causal = causal_mask(tgt_input.size(___))            # (T, T)\n"
            "padding = padding_mask(tgt_input, ___)               # (B, 1, T)\n"
            "return causal ___ padding                            # (B, T, T)",
        ],
        chapter="08",
        reference=masks.decoder_self_attention_mask,
        cases=_decoder_mask_cases,
        alternatives=[_decoder_mask_alternative],
        mistakes=[
            Mistake("인과 마스크만 씀 (패딩을 가리지 않음)",
                    "패딩 키도 가려야 합니다: causal_mask(T) & padding_mask(tgt_input).",
                    lambda t, pad_id=0: masks.causal_mask(t.size(1)).expand(t.size(0), -1, -1)),
            Mistake("패딩 마스크만 씀 (미래를 가리지 않음)",
                    "디코더 셀프 어텐션은 미래도 가려야 합니다: 인과 마스크와 AND(&)로 합치세요.",
                    lambda t, pad_id=0: masks.padding_mask(t, pad_id).expand(-1, t.size(1), -1)),
            Mistake("AND(&) 대신 OR(|)로 합침",
                    "두 조건을 모두 만족해야 볼 수 있습니다: 과거이면서(인과) 실제 토큰(패딩 아님) → &.",
                    lambda t, pad_id=0: masks.causal_mask(t.size(1)) | masks.padding_mask(t, pad_id)),
            Mistake("패딩을 쿼리 축에 적용",
                    "패딩 마스크는 키 축(마지막 축)을 가립니다: padding_mask의 모양 (B, 1, T)를 그대로 쓰세요.",
                    lambda t, pad_id=0: masks.causal_mask(t.size(1)) & (t != pad_id).unsqueeze(-1)),
            Mistake("마스크 극성이 반대 (True = 가림)",
                    "True = 볼 수 있음입니다. 가릴 곳이 True인 마스크는 nn.MultiheadAttention의 규약입니다.",
                    lambda t, pad_id=0: ~masks.decoder_self_attention_mask(t, pad_id)),
        ],
    ),
    Exercise(
        id="transformer.DecoderLayer",
        hints=[
            "디코더 층은 부분층 세 개를 차례로 지납니다: (인과) 셀프 어텐션 → Add & Norm → 크로스 어텐션(쿼리는 디코더, 키·값은 인코더 출력 context) → Add & "
            "Norm → 피드포워드 → Add & Norm. 각 Add & Norm은 x = norm(x + dropout(부분층 출력))입니다.",
            "입력 X (B, T, D), 인코더 출력 C (B, S, D), 셀프 어텐션 마스크 (B, T, T), 크로스 어텐션 마스크 (B, 1, S).  "
            "부분층 1: A = SelfAttn(Q = K = V = X, 셀프 마스크);  Y = LN₁(X + Drop(A)).  부분층 2: A′ = CrossAttn(Q = Y, "
            "K = V = C, 크로스 마스크) (B, T, D);  Y′ = LN₂(Y + Drop(A′)).  부분층 3: Z = LN₃(Y′ + Drop(FFN(Y′))) (B, T, D).  "
            "두 어텐션의 가중치는 각각 층에 보관합니다.",
            "attended, weights = self.self_attention(x, x, x, ___)\n"
            "self.self_attention_weights = weights.detach()\n"
            "x = self.norm1(x + self.dropout(attended))\n"
            "attended, weights = self.cross_attention(___, ___, ___, ___)\n"
            "self.cross_attention_weights = weights.detach()\n"
            "x = self.___(x + self.dropout(attended))\n"
            "x = self.___(x + self.dropout(self.feed_forward(x)))\n"
            "return x",
        ],
        chapter="08",
        reference=transformer.DecoderLayer,
        cases=_decoder_layer_cases,
        run=run_decoder_layer,
        oracle=TorchDecoderLayer,
        oracle_name="nn.TransformerDecoderLayer",
        is_class=True,
        diagnose=diagnose_decoder_layer,
        check_gradients=True,
        alternatives=[_DecoderAlternative],
        mistakes=[
            Mistake("사전 정규화(pre-LN)로 구현",
                    "노트와 논문의 디코더는 사후 정규화(post-LN)입니다: x = norm(x + sublayer(x)). "
                    "정규화를 부분층 앞에 두는 pre-LN은 다른 (역시 흔한) 설계입니다.",
                    _PreNorm),
            Mistake("크로스 어텐션 뒤 잔차 연결(Add)을 빠뜨림",
                    "모든 부분층 뒤에 Add & Norm이 옵니다: x = norm2(x + cross_attention(x, context, context)).",
                    _NoCrossResidual),
            Mistake("크로스 어텐션의 키·값으로 x를 씀 (인코더 출력을 안 봄)",
                    "크로스 어텐션은 쿼리 = 디코더의 x, 키·값 = 인코더 출력 context입니다.",
                    _CrossOnX),
            Mistake("셀프 어텐션에 self_mask를 주지 않음 (미래를 봄)",
                    "첫 부분층은 마스크드 멀티 헤드 어텐션(인과 셀프 어텐션)입니다: self_attention(x, x, x, self_mask).",
                    _NoSelfMask),
            Mistake("크로스 어텐션 부분층을 빠뜨림",
                    "디코더 층의 두 번째 부분층은 인코더 출력을 읽는 크로스 어텐션입니다.",
                    _SkipCross),
            Mistake("Add & Norm을 마지막에 한 번만 함",
                    "📝 노트 점검: Add & Norm은 세 부분층 뒤에 각각 한 번씩, 모두 세 번 옵니다 (norm1, norm2, norm3).",
                    _OneNormAtTheEnd),
            Mistake("셀프 어텐션 뒤 잔차 연결(Add)을 빠뜨림",
                    "Add & Norm의 Add: x = norm1(x + self_attention(x, x, x, self_mask)). 입력 x를 더해야 "
                    "층이 깊어져도 정보와 기울기가 지나갑니다.",
                    _NoSelfResidual),
            Mistake("피드포워드 뒤 잔차 연결(Add)을 빠뜨림",
                    "세 번째 부분층도 x = norm3(x + feed_forward(x))입니다.",
                    _NoFfnResidual),
            Mistake("잔차 연결(Add)을 하나도 하지 않음",
                    "부분층마다 x = norm(x + sublayer(x)): 부분층의 출력에 입력 x를 더한 뒤 정규화합니다.",
                    _NoResidualAtAll),
            Mistake("셀프 어텐션 뒤 Add & Norm의 Norm(norm1)을 빠뜨림",
                    "부분층마다 더한 뒤 정규화합니다: x = self.norm1(x + attended).",
                    _NoNorm1),
            Mistake("크로스 어텐션 뒤 Add & Norm의 Norm(norm2)을 빠뜨림",
                    "크로스 어텐션 뒤에도 x = self.norm2(x + attended)입니다.",
                    _NoNorm2),
            Mistake("피드포워드 뒤 Add & Norm의 Norm(norm3)을 빠뜨림",
                    "마지막 부분층 뒤에도 x = self.norm3(x + feed_forward(x))입니다.",
                    _NoNorm3),
            Mistake("계층 정규화(Add & Norm의 Norm)를 하나도 하지 않음",
                    "부분층마다 norm1, norm2, norm3을 한 번씩 씁니다 (post-LN).",
                    _NoNormAtAll),
            Mistake("같은 norm1을 세 번 씀",
                    "정규화 층은 부분층마다 따로 있습니다(각자 weight와 bias를 배움): norm1, norm2, norm3.",
                    _OneNormModule),
            Mistake("부분층 순서가 틀림: 크로스 어텐션을 셀프 어텐션보다 먼저 함",
                    "순서는 마스크드 멀티 헤드 어텐션 → 크로스 어텐션 → 피드포워드입니다. 먼저 지금까지의 타깃을 "
                    "읽고(셀프), 그다음 원문을 봅니다(크로스).",
                    _CrossFirst),
            Mistake("부분층 순서가 틀림: 피드포워드를 크로스 어텐션보다 먼저 함",
                    "순서는 마스크드 멀티 헤드 어텐션 → 크로스 어텐션 → 피드포워드입니다.",
                    _FfnBeforeCross),
            Mistake("셀프 어텐션 마스크를 뒤집음 (~self_mask)",
                    "이 코스의 마스크는 True = 볼 수 있음이고 MultiHeadAttention이 안에서 ~mask 자리를 가립니다. "
                    "마스크를 뒤집으면 각 위치가 미래와 패딩만 보고, 볼 것이 없는 행은 NaN이 됩니다. "
                    "self_mask를 그대로 넘기세요.",
                    _InvertedSelfMask),
            Mistake("크로스 어텐션 마스크를 뒤집음 (~cross_mask)",
                    "cross_mask는 True = 실제 원문 토큰입니다. 뒤집으면 패딩만 보고, 패딩 없는 문장은 NaN이 됩니다. "
                    "그대로 넘기세요.",
                    _InvertedCrossMask),
            Mistake("self_mask 대신 인과 마스크만 새로 만들어 씀 (타깃 패딩을 가리지 않음)",
                    "주어진 self_mask는 인과 마스크 AND 패딩 마스크입니다. 새로 만들지 말고 그대로 넘기세요.",
                    _CausalOnly),
            Mistake("셀프 어텐션이 미래를 봄 (인과 마스크가 빠짐)",
                    "디코더의 셀프 어텐션은 미래 토큰을 가려야 합니다: self_mask(인과 AND 패딩)를 그대로 넘기세요.",
                    _PaddingOnly),
            Mistake("점수를 √d_k로 나누지 않음",
                    "어텐션 점수는 q·k / √d_k입니다 (d_k = 헤드 하나의 크기). 직접 쓰지 말고 "
                    "self.self_attention(x, x, x, self_mask)처럼 주어진 모듈을 쓰면 안에서 나눕니다.",
                    _NoScale),
            Mistake("softmax를 쿼리 축으로 계산함",
                    "가중치는 키 축(마지막 축, dim=-1)으로 합이 1이어야 합니다.",
                    _SoftmaxOverQueries),
            Mistake("피드포워드에 활성화 함수(ReLU)가 없음",
                    "FFN = Linear → ReLU → Linear입니다. 활성화가 없으면 두 선형층이 선형층 하나와 같아집니다: "
                    "self.feed_forward(x)를 쓰세요.",
                    _NoActivation),
            Mistake("크로스 어텐션에서 x와 context를 바꿈 (쿼리가 인코더 출력)",
                    "크로스 어텐션의 쿼리는 디코더 쪽 x, 키·값은 인코더 출력 context입니다: "
                    "self.cross_attention(x, context, context, cross_mask).",
                    _QueryFromContext),
            Mistake("출력과 어텐션 가중치를 튜플로 돌려줌",
                    "forward는 (B, T, D) 텐서 x 하나만 돌려줍니다. 가중치는 self.cross_attention_weights에 저장하세요.",
                    _ReturnsWeights),
        ],
    ),
]
