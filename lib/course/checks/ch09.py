"""Chapter 09 exercise: the notes' Transformer.forward (``context, x = inputs``).

The learner's class keeps lib's ``__init__`` (same parameter names); the check builds it with a
small configuration, loads the same random weights as lib's reference, switches to eval mode and
compares the logits. Oracle: lib.course.checks.torch_transformer.TorchTransformer (nn.Transformer inside) with
the weights copied across.
"""

import math

import torch

from lib import masks, transformer
from lib.course.checks.class_exercises import load_like_reference, random_state, record_calls, same_tensor
from lib.course.checks.exercise import Case, Exercise, Mistake
from lib.masks import padding_mask
from lib.tokens import PAD_ID
from lib.course.checks.torch_transformer import TorchTransformer

SRC_VOCAB, TGT_VOCAB = 12, 10  # token ids below 10 are valid on both sides (so a swap still runs)


def _tokens(rows):
    return torch.tensor(rows, dtype=torch.long)


def _transformer_cases():
    small = dict(d_model=16, num_heads=2, d_ff=32, num_layers=2)
    return [
        Case(((_tokens([[5, 6, 7, 8, 9, 4], [4, 5, 6, 0, 0, 0], [7, 8, 0, 0, 0, 0]]),
               _tokens([[1, 4, 5, 6], [1, 7, 8, 0], [1, 9, 0, 0]])),),
             small, label="패딩이 있는 원문과 타깃 (S=6, T=4)"),
        Case(((_tokens([[9, 8, 7, 6, 5]]), _tokens([[1, 5, 6, 7, 8, 9, 4]])),),
             small, label="패딩 없음, 문장 하나 (S=5, T=7)"),
        Case(((_tokens([[4, 5, 6, 7], [8, 9, 0, 0]]), _tokens([[1], [1]])),),
             dict(d_model=24, num_heads=4, d_ff=16, num_layers=3),
             label="첫 출력 단계 (x = BOS뿐), 층 3개·헤드 4개"),
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
        return [], []  # (missing, unexpected) keys, as load_like_reference unpacks them


# ---------------------------------------------------------------- a right answer written differently


class _Alternative(transformer.Transformer):
    def forward(self, inputs):
        source_tokens, shifted_target = inputs
        real = (source_tokens != PAD_ID)[:, None, :]  # (B, 1, S), True = a real token
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



# ---------------------------------------------------------------- more model-level mistakes (one switch each)


def _embed(embedding, tokens, positions=True, scaled=True):
    """lib's Embedding written out (eval mode: no dropout), with the parts a learner forgets."""
    x = embedding.token(tokens)  # (B, T, D)
    if scaled:
        x = x * math.sqrt(embedding.d_model)
    if positions:
        x = x + embedding.pe[: tokens.size(1)]
    return x


class _SwitchedModel(transformer.Transformer):
    """The notes' forward written out layer by layer, with one thing switched (class attributes)."""

    positions = {"encoder": True, "decoder": True}
    scaled = True
    source_mask = "padding"  # "padding" | "inverted" | "encoder only" | "decoder only"
    target_mask = "causal and padding"  # | "padding only" | "causal only" | "inverted"
    decoder_reads = "encoder output"  # | "source embeddings"
    output = "logits"  # | "log_softmax" | "argmax"

    def forward(self, inputs):
        context, x = inputs
        source_mask = masks.padding_mask(context)  # (B, 1, S)
        if self.source_mask == "inverted":
            source_mask = ~source_mask
        encoder_mask = None if self.source_mask == "decoder only" else source_mask
        cross_mask = None if self.source_mask == "encoder only" else source_mask
        h = _embed(self.encoder.embedding, context, self.positions["encoder"], self.scaled)
        for layer in self.encoder.layers:
            h = layer(h, encoder_mask)
        memory = h if self.decoder_reads == "encoder output" else _embed(self.encoder.embedding, context)
        self_mask = masks.decoder_self_attention_mask(x)  # (B, T, T)
        if self.target_mask == "padding only":
            self_mask = masks.padding_mask(x).expand(-1, x.size(1), -1)
        elif self.target_mask == "causal only":
            self_mask = masks.causal_mask(x.size(1))
        elif self.target_mask == "inverted":
            self_mask = ~self_mask
        y = _embed(self.decoder.embedding, x, self.positions["decoder"], self.scaled)
        for layer in self.decoder.layers:
            y = layer(y, memory, self_mask, cross_mask)
        logits = self.final_layer(y)
        if self.output == "log_softmax":
            return torch.log_softmax(logits, dim=-1)
        if self.output == "argmax":
            return logits.argmax(dim=-1)
        return logits


def _model(name, **switches):
    return type(name, (_SwitchedModel,), switches)


_NoPositions = _model("_NoPositions", positions={"encoder": False, "decoder": False})
_NoDecoderPositions = _model("_NoDecoderPositions", positions={"encoder": True, "decoder": False})
_NoEmbeddingScale = _model("_NoEmbeddingScale", scaled=False)
_InvertedSourceMask = _model("_InvertedSourceMask", source_mask="inverted")
_NoEncoderMask = _model("_NoEncoderMask", source_mask="decoder only")
_DecoderReadsEmbeddings = _model("_DecoderReadsEmbeddings", decoder_reads="source embeddings")
_NoCausalMask = _model("_NoCausalMask", target_mask="padding only")
_NoTargetPadding = _model("_NoTargetPadding", target_mask="causal only")
_InvertedTargetMask = _model("_InvertedTargetMask", target_mask="inverted")
_LogSoftmax = _model("_LogSoftmax", output="log_softmax")
_Argmax = _model("_Argmax", output="argmax")



# ---------------------------------------------------------------- naming what a wrong forward did (any code style)


def _arg(call, index, name):
    if name in call.kwargs:
        return call.kwargs[name]
    return call.args[index] if len(call.args) > index else None


def diagnose_transformer(model_class, case: Case):
    """Run the learner's model with encoder/decoder/final_layer calls recorded and name what differs
    from: mask = padding_mask(context); context = encoder(context, mask); x = decoder(x, context, mask);
    logits = final_layer(x). Returns a Korean note, or None."""
    model = load_like_reference(model_class(SRC_VOCAB, TGT_VOCAB, **case.kwargs), _random_state(case.kwargs),
                                "Transformer")
    source, target = case.args[0]
    got, failed = None, False
    with record_calls(model, ["encoder", "decoder", "final_layer", "encoder.embedding",
                              "decoder.embedding"]) as calls:
        try:
            got = model((source, target))
        except Exception:  # noqa: BLE001 - the calls made before the error still tell the story
            failed = True
    first = {}
    for call in calls:
        first.setdefault(call.name, call)
    final = first.get("final_layer")
    returned_tuple = _returned_tuple_note(got, final)
    if returned_tuple:
        got = got[0]
    note = _model_rules(first, got, failed, source, target)
    return "\n  💡 흔한 실수: ".join(n for n in (returned_tuple, note) if n) or None


def _looks_like_attention_weights(value) -> bool:
    """A tensor of rows that are probability distributions over the last axis (or a dict/list of them,
    as the notes' Keras code keeps them per layer)."""
    if isinstance(value, dict):
        return any(_looks_like_attention_weights(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(_looks_like_attention_weights(v) for v in value)
    if not (isinstance(value, torch.Tensor) and value.is_floating_point() and value.dim() >= 3):
        return False
    v = value.detach().double().nan_to_num(0.0)
    sums = v.sum(-1)
    return bool((v >= 0).all() and ((sums - 1).abs() < 1e-4).any())


def _returned_tuple_note(got, final):
    """forward returned (logits, something): name it, and say what the something was."""
    if not (isinstance(got, (tuple, list)) and len(got) >= 2 and final is not None):
        return None
    if not same_tensor(got[0], _first(final.output)):
        return None
    if any(_looks_like_attention_weights(v) for v in got[1:]):
        return ("노트의 주석처럼 (출력, 어텐션 가중치)를 돌려줌. 이 연습문제의 forward는 로짓 (B, T, 어휘 크기) "
                "하나만 돌려줍니다: return logits. 어텐션 가중치는 층마다 저장되어 있으니(예: "
                "self.decoder.layers[-1].cross_attention_weights) 그림을 그릴 때 거기서 꺼내 쓰세요.")
    return ("로짓과 다른 값을 튜플로 함께 돌려줌. 이 연습문제의 forward는 로짓 (B, T, 어휘 크기) 하나만 "
            "돌려줍니다: return logits.")


def _first(output):
    return output[0] if isinstance(output, (tuple, list)) and output else output


def _model_rules(first, got, failed, source, target):
    """The rules on the recorded encoder/decoder/final_layer calls (the first one that applies)."""
    encoder, decoder, final = first.get("encoder"), first.get("decoder"), first.get("final_layer")
    if encoder is not None and same_tensor(_arg(encoder, 0, "tokens"), target) and not same_tensor(source, target):
        return ("인코더에 타깃 x를 넣었습니다: 노트의 코드 그대로 context, x = inputs (첫째 = 번역할 원문 문장 → 인코더, "
                "둘째 = 한 칸 밀린 타깃 → 디코더).")
    if decoder is not None:
        tokens, memory = _arg(decoder, 0, "tokens"), _arg(decoder, 1, "context")
        cross_mask = _arg(decoder, 2, "cross_mask")
        if isinstance(tokens, torch.Tensor) and tokens.is_floating_point():
            return "self.decoder의 인자 순서가 틀렸습니다: self.decoder(x, context, mask) — 첫째가 타깃 토큰 x, 둘째가 인코더 출력입니다."
        if isinstance(memory, torch.Tensor) and not memory.is_floating_point():
            return ("인코더 출력을 디코더에 넘기지 않고 원문 토큰(정수 id)을 넘겼습니다: "
                    "context = self.encoder(context, mask)로 받아서 self.decoder(x, context, mask)에 넘기세요.")
        if encoder is not None and encoder.output is not None and isinstance(memory, torch.Tensor) \
                and not same_tensor(memory, encoder.output):
            return "디코더에 넘긴 context가 인코더의 출력이 아닙니다: self.decoder(x, self.encoder(context, mask), mask)."
        if isinstance(cross_mask, torch.Tensor) and cross_mask.size(-1) != source.size(1):
            return ("디코더(크로스 어텐션)에 타깃의 마스크를 넘겼습니다. 크로스 어텐션이 가리는 것은 원문의 패딩입니다: "
                    "mask = padding_mask(context) (B, 1, S).")
        if cross_mask is not None and same_tensor(cross_mask, ~padding_mask(source)):
            return "패딩 마스크를 뒤집었습니다 (패딩이 True). 이 코스의 마스크는 True = 볼 수 있음: padding_mask(context)."
    expected_mask = padding_mask(source)
    for call, label in [(encoder, "self.encoder"), (decoder, "self.decoder")]:
        mask = None if call is None else _arg(call, 1 if call is encoder else 2, "mask" if call is encoder
                                                                                     else "cross_mask")
        if isinstance(mask, torch.Tensor) and mask.shape != expected_mask.shape:
            return (f"{label}에 넘긴 마스크의 모양이 {tuple(mask.shape)}입니다. padding_mask(context)가 만드는 "
                    f"(B, 1, S) = {tuple(expected_mask.shape)} 그대로 넘기세요 (쿼리 축 1이 있어야 브로드캐스트됩니다).")
    if failed:  # the trace stops at the error: what was not called yet is not a mistake
        return None
    if decoder is None and final is not None:
        return "디코더(self.decoder)를 부르지 않았습니다: 로짓은 디코더의 출력에 final_layer를 적용해서 만듭니다."
    if final is None:
        return None
    if encoder is not None and final.args and same_tensor(final.args[0], encoder.output):
        return "final_layer에 인코더의 출력을 넣었습니다. 단어 점수는 디코더의 출력으로 만듭니다: self.final_layer(디코더 출력)."
    if got is not None and final.output is not None and isinstance(got, torch.Tensor):
        logits = final.output
        if logits.dim() == 3 and same_tensor(got, logits[:, -1]):
            return ("마지막 위치의 로짓만 돌려주었습니다. 학습 때 forward는 모든 위치의 로짓 (B, T, 어휘 크기)을 "
                    "돌려줍니다 (마지막 위치만 쓰는 것은 greedy_decode가 합니다).")
        for dim in range(-logits.dim(), 0):
            for label, transform in [("softmax", lambda t, d=dim: torch.softmax(t, d)),
                                     ("log_softmax", lambda t, d=dim: torch.log_softmax(t, d)),
                                     ("argmax", lambda t, d=dim: t.argmax(d))]:
                if same_tensor(got, transform(logits)):
                    return (f"final_layer의 로짓에 {label}(dim={dim})를 적용해서 돌려주었습니다. forward는 로짓을 "
                            "그대로 돌려줍니다 (손실 함수가 from_logits=True로 계산합니다).")
    return None


EXERCISES_HERE = [
    Exercise(
        id="transformer.Transformer",
        hints=[
            "번역 모델 전체: 원문 토큰(context)의 패딩 마스크를 만들고, 인코더로 원문을 읽은 뒤, 디코더가 한 칸 밀린 번역문 x를 읽으며 인코더 출력을 크로스 어텐션으로 "
            "참고하고, 마지막 선형층이 단어마다 점수(로짓)를 냅니다. 소프트맥스는 하지 않습니다(손실 함수가 합니다).",
            "입력은 (원문 토큰 (B, S), 한 칸 밀린 번역문 토큰 (B, T)) 한 쌍.  원문의 패딩 마스크 M (B, 1, S);  "
            "인코더 출력 H = Enc(원문, M) (B, S, D);  디코더 출력 Z = Dec(번역문, H, M) (B, T, D) — 크로스 어텐션도 같은 M으로 "
            "원문의 PAD를 가립니다;  로짓 = 선형층(Z) (B, T, V).  어휘 크기 V, 모델 폭 D.",
            "context, x = inputs\n"
            "source_mask = padding_mask(___)\n"
            "context = self.encoder(___, source_mask)\n"
            "x = self.decoder(___, ___, ___)\n"
            "return self.___(x)",
        ],
        chapter="09",
        reference=transformer.Transformer,
        cases=_transformer_cases,
        run=run_transformer,
        is_class=True,
        diagnose=diagnose_transformer,
        check_gradients=True,
        oracle=TorchOracle,
        oracle_name="nn.Transformer (가중치 복사)",
        alternatives=[_Alternative],
        mistakes=[
            Mistake("원문 패딩 마스크를 빠뜨림",
                    "mask = padding_mask(context)를 만들어 self.encoder(context, mask)와 "
                    "self.decoder(x, context, mask)에 넘기세요. 노트의 TF 튜토리얼은 Keras가 이 마스크를 전달해 주길 기대하지만, "
                    "이 코스가 설치한 Keras 3(3.15)에서는 첫 어텐션 블록 뒤에 사라집니다(10장 4절). 여기서는 직접 넘깁니다.",
                    _NoPaddingMask),
            Mistake("크로스 어텐션(디코더)에 원문 패딩 마스크를 넘기지 않음",
                    "인코더만이 아니라 디코더의 크로스 어텐션도 원문의 패딩 위치를 보면 안 됩니다: "
                    "self.decoder(x, context, mask).",
                    _NoCrossMask),
            Mistake("인코더와 디코더의 입력을 바꿈",
                    "노트의 코드 그대로 context, x = inputs 입니다: 첫째가 번역할 원문 문장(→ 인코더), "
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
            Mistake("위치 인코딩을 빠뜨림",
                    "임베딩에 위치 인코딩(self.encoder.embedding.pe)을 더해야 단어의 순서를 압니다. "
                    "없으면 셀프 어텐션은 순서를 바꿔도 같은 결과를 냅니다. self.encoder(context, mask)와 "
                    "self.decoder(...)를 쓰면 Embedding이 더해 줍니다.",
                    _NoPositions),
            Mistake("위치 인코딩을 빠뜨림 (디코더 쪽)",
                    "타깃 문장에도 위치 인코딩을 더합니다: self.decoder(x, context, mask)가 해 줍니다.",
                    _NoDecoderPositions),
            Mistake("임베딩에 √d_model을 곱하지 않음",
                    "토큰 임베딩 × √d_model + 위치 인코딩입니다 (논문과 lib의 Embedding). "
                    "self.encoder(...)/self.decoder(...)가 이미 곱해 줍니다.",
                    _NoEmbeddingScale),
            Mistake("패딩 마스크를 뒤집음 (~padding_mask)",
                    "padding_mask는 True = 실제 토큰(볼 수 있음)입니다. 뒤집으면 패딩만 보게 되고, "
                    "패딩 없는 문장은 볼 키가 없어 NaN이 됩니다. 그대로 넘기세요.",
                    _InvertedSourceMask),
            Mistake("인코더에 원문 패딩 마스크를 넘기지 않음",
                    "인코더의 셀프 어텐션도 패딩을 보면 안 됩니다: self.encoder(context, mask).",
                    _NoEncoderMask),
            Mistake("인코더 출력을 디코더에 넘기지 않음",
                    "디코더의 크로스 어텐션은 인코더의 출력을 읽습니다: self.encoder(...)의 결과를 "
                    "context = self.encoder(context, mask)로 받아서 self.decoder(x, context, mask)에 넘기세요.",
                    _DecoderReadsEmbeddings),
            Mistake("디코더 셀프 어텐션에 인과 마스크가 없음 (미래를 봄)",
                    "학습 때 디코더가 정답의 다음 단어를 미리 보면 추론 때 쓸 수 없습니다: "
                    "decoder_self_attention_mask(x) = 인과 AND 패딩 (self.decoder가 만들어 줍니다).",
                    _NoCausalMask),
            Mistake("디코더 셀프 어텐션이 타깃 패딩을 가리지 않음",
                    "인과 마스크에 패딩 마스크도 AND로 합쳐야 합니다: decoder_self_attention_mask(x).",
                    _NoTargetPadding),
            Mistake("디코더 셀프 어텐션 마스크를 뒤집음",
                    "True = 볼 수 있음입니다. 뒤집으면 각 위치가 미래만 보고, 마지막 위치는 NaN이 됩니다.",
                    _InvertedTargetMask),
            Mistake("로짓 대신 log_softmax를 돌려줌",
                    "forward는 final_layer의 로짓 그대로입니다. F.cross_entropy(= from_logits=True)가 "
                    "안에서 log_softmax를 계산합니다.",
                    _LogSoftmax),
            Mistake("로짓 대신 예측한 단어 id(argmax)를 돌려줌",
                    "forward는 단어마다 점수 (B, T, 어휘 크기)를 돌려줍니다. argmax는 디코딩(greedy_decode)에서 합니다.",
                    _Argmax),
        ],
    ),
]
