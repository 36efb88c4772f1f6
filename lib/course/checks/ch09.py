"""Chapter 08 exercise: the notes' Transformer.forward (``context, x = inputs``).

The learner's class keeps lib's ``__init__`` (same parameter names); the check builds it with a
small configuration, loads the same random weights as lib's reference, switches to eval mode and
compares the logits. Oracle: lib.course.checks.torch_transformer.TorchTransformer (nn.Transformer inside) with
the weights copied across.
"""

import torch

from lib import transformer
from lib.course.checks.core import Case, Exercise, Mistake, load_like_reference, random_state
from lib.masks import padding_mask
from lib.course.checks.torch_transformer import TorchTransformer

SRC_VOCAB, TGT_VOCAB = 12, 10  # token ids below 10 are valid on both sides (so a swap still runs)


def _tokens(rows):
    return torch.tensor(rows, dtype=torch.long)


def _transformer_cases():
    small = dict(d_model=16, num_heads=2, d_ff=32, num_layers=2)
    return [
        Case(((_tokens([[5, 6, 7, 8, 9, 4], [4, 5, 6, 0, 0, 0], [7, 8, 0, 0, 0, 0]]),
               _tokens([[1, 4, 5, 6], [1, 7, 8, 0], [1, 9, 0, 0]])),),
             small, label="패딩이 있는 소스와 타깃 (S=6, T=4)"),
        Case(((_tokens([[9, 8, 7, 6, 5]]), _tokens([[1, 5, 6, 7, 8, 9, 4]])),),
             small, label="패딩 없음, 문장 하나 (S=5, T=7)"),
        Case(((_tokens([[4, 5, 6, 7], [8, 9, 0, 0]]), _tokens([[1], [1]])),),
             dict(d_model=24, num_heads=4, d_ff=16, num_layers=3),
             label="첫 스텝 (x = BOS뿐), 층 3개·헤드 4개"),
    ]


def _random_state(config) -> dict:
    """A state_dict of lib's Transformer with every parameter random (layer norms included)."""
    return random_state(transformer.Transformer(SRC_VOCAB, TGT_VOCAB, **config), sum(config.values()))


def run_transformer(model_class, case: Case):
    """model_class(SRC_VOCAB, TGT_VOCAB, **config) with the reference's random weights, eval mode,
    called as the notes do: model((context, x))."""
    model = load_like_reference(model_class(SRC_VOCAB, TGT_VOCAB, **case.kwargs), _random_state(case.kwargs),
                                "Transformer")
    context, x = case.args[0]
    return model((context, x))


class TorchOracle(TorchTransformer):
    """The nn.Transformer twin, loading a state_dict of lib's Transformer (so the check can treat it
    like the learner's class)."""

    def __init__(self, src_vocab_size, tgt_vocab_size, **config):
        super().__init__(src_vocab_size, tgt_vocab_size, **config)
        self.sizes, self.config = (src_vocab_size, tgt_vocab_size), config

    def load_state_dict(self, state, strict=True):
        model = transformer.Transformer(*self.sizes, **self.config)
        model.load_state_dict(state)
        self.copy_weights_from(model)
        return torch.nn.modules.module._IncompatibleKeys([], [])


# ---------------------------------------------------------------- a right answer written differently


class _Alternative(transformer.Transformer):
    def forward(self, inputs):
        source_tokens, shifted_target = inputs
        real = (source_tokens != 0)[:, None, :]  # (B, 1, S), True = a real token
        memory = self.encoder(source_tokens, real)
        hidden = self.decoder(shifted_target, memory, real)
        return hidden @ self.final_layer.weight.T + self.final_layer.bias


# ---------------------------------------------------------------- typical mistakes


class _NoPaddingMask(transformer.Transformer):
    def forward(self, inputs):
        context, x = inputs
        context = self.encoder(context)
        return self.final_layer(self.decoder(x, context))


class _NoCrossMask(transformer.Transformer):
    def forward(self, inputs):
        context, x = inputs
        context = self.encoder(context, padding_mask(context))
        return self.final_layer(self.decoder(x, context))


class _Swapped(transformer.Transformer):
    def forward(self, inputs):
        x, context = inputs
        mask = padding_mask(context)
        return self.final_layer(self.decoder(x, self.encoder(context, mask), mask))


class _Softmax(transformer.Transformer):
    def forward(self, inputs):
        return torch.softmax(super().forward(inputs), dim=-1)


class _NoFinalLayer(transformer.Transformer):
    def forward(self, inputs):
        context, x = inputs
        mask = padding_mask(context)
        return self.decoder(x, self.encoder(context, mask), mask)


class _ShiftedAgain(transformer.Transformer):
    def forward(self, inputs):
        context, x = inputs
        return super().forward((context, x[:, :-1]))


EXERCISES_HERE = [
    Exercise(
        id="transformer.Transformer",
        chapter="09",
        reference=transformer.Transformer,
        cases=_transformer_cases,
        run=run_transformer,
        is_class=True,
        oracle=TorchOracle,
        oracle_name="nn.Transformer (가중치 복사)",
        alternatives=[_Alternative],
        mistakes=[
            Mistake("소스 패딩 마스크를 빠뜨림",
                    "mask = padding_mask(context)를 만들어 self.encoder(context, mask)와 "
                    "self.decoder(x, context, mask)에 넘기세요. Keras는 이 마스크를 몰래 넘겨주지만 여기서는 직접 넘깁니다.",
                    _NoPaddingMask),
            Mistake("크로스 어텐션(디코더)에 소스 패딩 마스크를 넘기지 않음",
                    "인코더만이 아니라 디코더의 크로스 어텐션도 소스의 패딩 위치를 보면 안 됩니다: "
                    "self.decoder(x, context, mask).",
                    _NoCrossMask),
            Mistake("인코더와 디코더의 입력을 바꿈",
                    "노트의 코드 그대로 context, x = inputs 입니다: 첫째가 번역할 소스 문장(→ 인코더), "
                    "둘째가 한 칸 밀린 타깃 문장(→ 디코더).",
                    _Swapped),
            Mistake("로짓 대신 확률을 돌려줌 (softmax 적용)",
                    "forward는 final_layer의 로짓(logits)을 그대로 돌려줍니다. 손실 함수(F.cross_entropy, "
                    "from_logits=True)가 softmax를 안에서 계산합니다.",
                    _Softmax),
            Mistake("마지막 층(final_layer)을 빠뜨림",
                    "디코더의 출력은 (B, T, d_model)인 벡터입니다. logits = self.final_layer(x)로 "
                    "단어마다 하나씩 점수 (B, T, 어휘 크기)를 만드세요.",
                    _NoFinalLayer),
            Mistake("x를 forward 안에서 또 한 칸 밀었음",
                    "x는 이미 BOS로 시작하도록 밀린(shift) 타깃입니다 (make_decoder_io가 데이터 쪽에서 합니다). "
                    "forward에서는 그대로 디코더에 넣으세요.",
                    _ShiftedAgain),
        ],
    ),
]
