"""Chapter 07 exercises: causal and padding masks, and the decoder layer.

Oracles: nn.Transformer.generate_square_subsequent_mask (its float mask, read back as bool) and
nn.TransformerDecoderLayer (post-LN, weights copied across, masks turned to its True = blocked).
"""

import torch
import torch.nn as nn

from lib import masks, transformer
from lib.course.checks.core import Case, Exercise, Mistake, load_like_reference, random_state

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
             label="인과+패딩 마스크, 소스 패딩 마스크"),
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


EXERCISES_HERE = [
    Exercise(
        id="masks.causal_mask",
        chapter="08",
        reference=masks.causal_mask,
        cases=_causal_cases,
        oracle=torch_causal_mask,
        oracle_name="nn.Transformer.generate_square_subsequent_mask",
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
        chapter="08",
        reference=transformer.DecoderLayer,
        cases=_decoder_layer_cases,
        run=run_decoder_layer,
        oracle=TorchDecoderLayer,
        oracle_name="nn.TransformerDecoderLayer",
        is_class=True,
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
                    "첫 부분층은 마스크드(masked) 셀프 어텐션입니다: self_attention(x, x, x, self_mask).",
                    _NoSelfMask),
            Mistake("크로스 어텐션 부분층을 빠뜨림",
                    "디코더 층의 두 번째 부분층은 인코더 출력을 읽는 크로스 어텐션입니다.",
                    _SkipCross),
            Mistake("Add & Norm을 마지막에 한 번만 함",
                    "📝 노트 점검: Add & Norm은 세 부분층 뒤에 각각 한 번씩, 모두 세 번 옵니다 (norm1, norm2, norm3).",
                    _OneNormAtTheEnd),
        ],
    ),
]
