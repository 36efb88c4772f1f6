"""Chapter 10 exercises: the TF tutorial's Keras code, run on Keras 3's torch backend.

- ``keras_port.CausalSelfAttention``: the learner writes ``call(self, x)`` of the tutorial's class
  (``__init__`` comes from ``BaseAttention``: ``self.mha``, ``self.add``, ``self.layernorm``).
  Checked against lib (``MultiHeadAttention`` + ``LayerNorm`` with the causal mask, weights copied
  into the Keras layers) and torch (``nn.MultiheadAttention`` + ``nn.LayerNorm``).
- ``keras_port.masked_loss``: the tutorial's loss. Checked against lib's ``cross_entropy`` with
  ``ignore_index`` and torch's ``F.cross_entropy(ignore_index=PAD)``.

keras is imported lazily, only when a check of this chapter runs: this module is imported with
``lib.checks`` by every chapter, and the rest of the course must work without keras. When keras is
not installed these exercises are not registered at all (chapter 10 cannot run without keras).
The reference of each exercise is looked up in ``lib.keras_port`` on first use (``reference_name``).

Besides wrong numbers, two Keras-specific slips get their own message: PyTorch-style code
(``forward`` instead of ``call``: on the torch backend a Keras layer is also an ``nn.Module``, so
``layer(x)`` reaches an overridden ``forward`` and it seems to work; on Keras 3's TensorFlow backend
``forward`` is never called and the missing ``call`` raises NotImplementedError; in Keras 2 (tf.keras up to TF 2.15) the
default ``call`` returns its input, so the layer silently does nothing) and ``torch.*``
operations inside Keras code (the port's rule is tf.* → keras.ops.*; torch.* runs only on the torch
backend). A class that defines its own ``forward`` is run through it (so a stub still reads as "not
yet implemented"), then rejected with that message.
"""

import importlib.util
import types

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib import attention, losses, transformer
from lib.course.checks.exercise import Case, Exercise, Mistake
from lib.data import PAD_ID


def keras_available() -> bool:
    """True when keras is installed, checked without importing it (nor lib.keras_port, which would)."""
    return importlib.util.find_spec("keras") is not None


def _keras_port():
    from lib import keras_port  # noqa: PLC0415 - imports keras (torch backend); only when a check runs

    return keras_port


def _keras():
    return _keras_port().keras


class KerasStyleError(Exception):
    """Code that computes but is not Keras code (the message names the mistake)."""


class KerasExercise(Exercise):
    """An Exercise whose reference lives in lib.keras_port and is imported on first use."""

    def __init__(self, *, reference_name: str, **kwargs):
        self.reference_name = reference_name
        super().__init__(reference=None, **kwargs)

    @property
    def reference(self):
        return getattr(_keras_port(), self.reference_name)

    @reference.setter
    def reference(self, value):  # the dataclass __init__ assigns it; the lazy lookup wins
        pass


# ---------------------------------------------------------------- Keras-style problems

FORWARD_NAME = "PyTorch처럼 forward를 씀"
FORWARD_HINT = ("Keras 층의 메서드 이름은 call입니다: def call(self, x):. torch 백엔드에서는 Keras 층이 torch 모듈이기도 "
                "해서 forward가 우연히 불리지만, Keras 3의 TensorFlow 백엔드에서는 forward가 불리지 않고 call이 없다는 "
                "NotImplementedError가 나고, 노트의 튜토리얼이 쓰던 Keras 2(TF 2.15까지의 tf.keras)에서는 기본 call이 입력을 "
                "그대로 돌려줘 층이 오류 없이 아무 일도 하지 않습니다")
TORCH_OPS_NAME = "Keras 코드에서 torch 연산을 씀"
TORCH_OPS_HINT = ("이 장의 규칙은 tf.* → keras.ops.* 입니다. torch.*, F.* 는 torch 백엔드에서만 돌고, 노트의 "
                  "TensorFlow 백엔드에서는 돌지 않습니다. keras.ops(예: keras.ops.sum, keras.ops.cast)나 Keras 층을 쓰세요")


def _torch_names(function, seen=None) -> list:
    """Global names a function (and the functions/comprehensions nested in it) uses that refer to torch."""
    code = getattr(function, "__code__", None)
    namespace = getattr(function, "__globals__", {})
    if code is None:
        return []
    found = []
    stack = [code]
    while stack:
        current = stack.pop()
        for name in current.co_names:
            value = namespace.get(name)
            module = value.__name__ if isinstance(value, types.ModuleType) else getattr(value, "__module__", "")
            if isinstance(module, str) and (module == "torch" or module.startswith("torch.")) and name not in found:
                found.append(name)
        stack.extend(c for c in current.co_consts if isinstance(c, types.CodeType))
    return found


def _own_method(cls, name):
    """cls's ``name`` method if a class of the course (not Keras or torch) defines it, else None."""
    for klass in cls.__mro__:
        if klass.__module__.split(".")[0] in ("keras", "torch", "builtins"):
            return None
        if name in klass.__dict__:
            return klass.__dict__[name]
    return None


def _reject_torch_ops(function):
    names = _torch_names(function)
    if names:
        raise KerasStyleError(f"{TORCH_OPS_NAME} ({', '.join(names)}): keras.ops를 쓰세요")


# ---------------------------------------------------------------- CausalSelfAttention


def _causal_cases():
    g = torch.Generator().manual_seed(10)
    return [
        Case((), {"x": torch.randn(2, 5, 8, generator=g), "num_heads": 2, "key_dim": 8},
             label="튜토리얼처럼 key_dim = d_model"),
        Case((), {"x": torch.randn(1, 6, 8, generator=g), "num_heads": 4, "key_dim": 2},
             label="key_dim = d_model / 헤드 수 (lib과 같은 크기)"),
        Case((), {"x": torch.randn(3, 1, 8, generator=g), "num_heads": 2, "key_dim": 4}, label="토큰 하나"),
    ]


def _lib_parts(case: Case):
    """lib's MultiHeadAttention and LayerNorm with random weights (fixed per case shape)."""
    x, num_heads = case.kwargs["x"], case.kwargs["num_heads"]
    d_model = x.size(-1)
    g = torch.Generator().manual_seed(20 + 7 * num_heads + x.size(1))
    lib_attention = attention.MultiHeadAttention(d_model, num_heads)
    norm = transformer.LayerNorm(d_model)
    with torch.no_grad():
        for p in lib_attention.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * d_model**-0.5 * 2)
        norm.weight.copy_(1 + 0.5 * torch.randn(d_model, generator=g))
        norm.bias.copy_(0.5 * torch.randn(d_model, generator=g))
    return lib_attention, norm


def lib_causal_self_attention(x, num_heads, key_dim):
    """Oracle: lib (MultiHeadAttention with causal_mask, then Add & Norm), cross-checked with torch's
    nn.MultiheadAttention + nn.LayerNorm on the same weights."""
    from lib.masks import causal_mask  # noqa: PLC0415

    lib_attention, norm = _lib_parts(Case((), {"x": x, "num_heads": num_heads}))
    length, d_model = x.size(1), x.size(-1)
    attended, _ = lib_attention(x, x, x, causal_mask(length))
    ours = norm(x + attended)
    twin = nn.MultiheadAttention(d_model, num_heads, batch_first=True)
    layer_norm = nn.LayerNorm(d_model)
    with torch.no_grad():
        twin.in_proj_weight.copy_(torch.cat([lib_attention.q_proj.weight, lib_attention.k_proj.weight,
                                             lib_attention.v_proj.weight]))
        twin.in_proj_bias.copy_(torch.cat([lib_attention.q_proj.bias, lib_attention.k_proj.bias,
                                           lib_attention.v_proj.bias]))
        twin.out_proj.weight.copy_(lib_attention.out_proj.weight)
        twin.out_proj.bias.copy_(lib_attention.out_proj.bias)
        layer_norm.weight.copy_(norm.weight)
        layer_norm.bias.copy_(norm.bias)
    blocked = ~causal_mask(length)  # nn.MultiheadAttention: True = blocked
    theirs = layer_norm(x + twin(x, x, x, attn_mask=blocked, need_weights=False)[0])
    if not torch.allclose(ours, theirs, atol=1e-5):
        raise AssertionError("lib과 nn.MultiheadAttention의 결과가 다릅니다 (코스의 버그)")
    return ours


def _build_attention_block(cls, case: Case):
    """cls(num_heads, key_dim, dropout=0) with lib's random weights copied into self.mha and self.layernorm."""
    from lib.keras_port.weights import _copy_attention, _copy_norm  # noqa: PLC0415

    x, num_heads, key_dim = case.kwargs["x"], case.kwargs["num_heads"], case.kwargs["key_dim"]
    layer = cls(num_heads=num_heads, key_dim=key_dim, dropout=0.0)
    for name in ("mha", "layernorm", "add"):
        if not hasattr(layer, name):
            raise KerasStyleError(f"self.{name}이 없습니다. BaseAttention을 상속하고 __init__은 그대로 두세요.")
    shape = tuple(x.shape)
    layer.mha.build(shape, shape)
    layer.layernorm.build(shape)
    lib_attention, norm = _lib_parts(case)
    identity = torch.arange(x.size(-1)).numpy()
    _copy_attention(layer.mha, lib_attention, identity)
    _copy_norm(layer.layernorm, norm, identity)
    return layer


def run_causal_self_attention(cls, case: Case):
    """Build the learner's layer with the case's weights and call it as Keras does: layer(x)."""
    if cls is lib_causal_self_attention:
        return cls(**case.kwargs)
    _keras()  # keras on the torch backend, before the layer is built
    layer = _build_attention_block(cls, case)
    x = case.kwargs["x"]
    forward = _own_method(cls, "forward")
    if forward is not None:
        layer.forward(x)  # a stub raises NotImplementedError here; anything else is PyTorch style
        raise KerasStyleError(f"{FORWARD_NAME}: Keras 층은 call을 씁니다")
    call = _own_method(cls, "call")
    if call is not None:
        _reject_torch_ops(call)
    return layer(x)


def _causal_classes():
    """The right answer written differently, and typical mistakes, as Keras classes (built on first use)."""
    kp = _keras_port()
    ops = kp.keras.ops

    class WithAttentionMask(kp.BaseAttention):
        def call(self, x):
            length = ops.shape(x)[1]
            lower = ops.tril(ops.ones((length, length), dtype="bool"))  # True = may attend
            out = self.mha(query=x, key=x, value=x, attention_mask=lower[None, :, :])
            return self.layernorm(self.add([out, x]))

    class NoCausalMask(kp.BaseAttention):
        def call(self, x):
            attn_output = self.mha(query=x, value=x, key=x)
            x = self.add([x, attn_output])
            return self.layernorm(x)

    class NoResidual(kp.BaseAttention):
        def call(self, x):
            attn_output = self.mha(query=x, value=x, key=x, use_causal_mask=True)
            return self.layernorm(attn_output)

    class PreNorm(kp.BaseAttention):
        def call(self, x):
            attn_output = self.mha(query=self.layernorm(x), value=self.layernorm(x), key=self.layernorm(x),
                                   use_causal_mask=True)
            return self.add([x, attn_output])

    class InvertedMask(kp.BaseAttention):
        def call(self, x):
            length = ops.shape(x)[1]
            future = ops.logical_not(ops.tril(ops.ones((length, length), dtype="bool")))  # PyTorch's True = blocked
            attn_output = self.mha(query=x, value=x, key=x, attention_mask=future[None, :, :])
            return self.layernorm(self.add([x, attn_output]))

    class NoNorm(kp.BaseAttention):
        def call(self, x):
            attn_output = self.mha(query=x, value=x, key=x, use_causal_mask=True)
            return self.add([x, attn_output])

    class Forward(kp.BaseAttention):
        def forward(self, x):
            attn_output = self.mha(query=x, value=x, key=x, use_causal_mask=True)
            x = self.add([x, attn_output])
            return self.layernorm(x)

    class TorchMask(kp.BaseAttention):
        def call(self, x):
            length = x.shape[1]
            lower = torch.tril(torch.ones(length, length, dtype=torch.bool))
            attn_output = self.mha(query=x, value=x, key=x, attention_mask=lower[None])
            return self.layernorm(self.add([x, attn_output]))

    return {"alternative": WithAttentionMask, "no_causal": NoCausalMask, "no_residual": NoResidual,
            "pre_norm": PreNorm, "inverted_mask": InvertedMask, "no_norm": NoNorm, "forward": Forward,
            "torch": TorchMask}


_CLASSES = {}


def _lazy_class(key):
    """A stand-in that builds the Keras class on first use (keras is imported only then)."""

    def build(*args, **kwargs):
        if not _CLASSES:
            _CLASSES.update(_causal_classes())
        return _CLASSES[key](*args, **kwargs)

    return build


class _LazyKerasClass(type):
    """Metaclass: ``Lazy(...)`` builds the real Keras class; isinstance(Lazy, type) holds for the engine."""

    def __call__(cls, *args, **kwargs):
        return _lazy_class(cls.key)(*args, **kwargs)


def _lazy(key):
    return _LazyKerasClass(f"Lazy_{key}", (), {"key": key})


def _resolve(cls):
    """The real Keras class behind a lazy stand-in (or cls itself)."""
    if isinstance(cls, _LazyKerasClass):
        if not _CLASSES:
            _CLASSES.update(_causal_classes())
        return _CLASSES[cls.key]
    return cls


def run_causal(cls, case: Case):
    return run_causal_self_attention(_resolve(cls), case)


# ---------------------------------------------------------------- masked_loss


def _loss_cases():
    g = torch.Generator().manual_seed(30)
    return [
        Case((torch.tensor([[5, 4, 2, 0, 0], [3, 7, 6, 2, 0]]), torch.randn(2, 5, 9, generator=g) * 2),
             label="패딩(0)이 있는 레이블"),
        Case((torch.tensor([[4, 5, 6], [7, 8, 2]]), torch.randn(2, 3, 9, generator=g)), label="패딩 없음"),
        Case((torch.tensor([[4, 8, 0, 0]]), torch.randn(1, 4, 9, generator=g) * 40),
             label="큰 로짓 (±100 안팎)"),
    ]


def torch_masked_loss(label, pred):
    """Oracle: F.cross_entropy(ignore_index=PAD), cross-checked with lib's cross_entropy."""
    theirs = F.cross_entropy(pred.reshape(-1, pred.size(-1)), label.reshape(-1), ignore_index=PAD_ID)
    ours = losses.cross_entropy(pred.reshape(-1, pred.size(-1)), label.reshape(-1), ignore_index=PAD_ID)
    if not torch.allclose(ours, theirs, atol=1e-5):
        raise AssertionError("lib의 cross_entropy와 F.cross_entropy가 다릅니다 (코스의 버그)")
    return theirs


def run_masked_loss(function, case: Case):
    if function is torch_masked_loss or isinstance(function, _LazyKerasFunction):
        return function(*case.args)
    _keras()
    _reject_torch_ops(function)
    return function(*case.args)


class _LazyKerasFunction:
    """A mistake/alternative function written with keras; keras is imported when it is called."""

    def __init__(self, body):
        self.body = body
        self.__name__ = body.__name__

    def __call__(self, label, pred):
        return self.body(_keras(), label, pred)


def _loss_alternative(keras, label, pred):
    ops = keras.ops
    log_probs = ops.log_softmax(pred, axis=-1)
    picked = ops.take_along_axis(log_probs, ops.expand_dims(ops.cast(label, "int32"), -1), axis=-1)[..., 0]
    real = ops.cast(ops.not_equal(label, 0), "float32")
    return -ops.sum(picked * real) / ops.sum(real)


def _loss_from_probabilities(keras, label, pred):
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=False, reduction="none")(label, pred)
    mask = keras.ops.cast(label != 0, loss.dtype)
    return keras.ops.sum(loss * mask) / keras.ops.sum(mask)


def _loss_double_softmax(keras, label, pred):
    probabilities = keras.ops.softmax(pred, axis=-1)
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")(label, probabilities)
    mask = keras.ops.cast(label != 0, loss.dtype)
    return keras.ops.sum(loss * mask) / keras.ops.sum(mask)


def _loss_without_reduction_none(keras, label, pred):
    mask = label != 0
    loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=True)  # reduction='none' left out
    loss = loss_object(label, pred)
    mask = keras.ops.cast(mask, dtype=loss.dtype)
    loss *= mask
    return keras.ops.sum(loss) / keras.ops.sum(mask)


def _loss_no_mask(keras, label, pred):
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")(label, pred)
    return keras.ops.mean(loss)


def _loss_mean_over_all(keras, label, pred):
    loss = keras.losses.SparseCategoricalCrossentropy(from_logits=True, reduction="none")(label, pred)
    return keras.ops.mean(loss * keras.ops.cast(label != 0, loss.dtype))


def _loss_torch(label, pred):
    return F.cross_entropy(pred.transpose(1, 2), label, ignore_index=0)


EXERCISES_HERE = []
if keras_available():
    EXERCISES_HERE = [
        KerasExercise(
            id="keras_port.CausalSelfAttention",
            hints=[
                "TF 튜토리얼의 CausalSelfAttention.call: x가 자기 자신을 보는 어텐션을 하되 미래를 가리고(인과 마스크), Add로 x에 더한 뒤 "
                "LayerNormalization을 합니다. __init__이 준 self.mha, self.add, self.layernorm을 씁니다. torch.* 대신 Keras 연산만 "
                "씁니다.",
                "입력 X (B, T, D).  A = MHA(쿼리 = 키 = 값 = X, 인과 마스크 켬) (B, T, D) — 마스크는 직접 만들지 않고 "
                "Keras MultiHeadAttention의 인과 마스크 인자로 켭니다;  잔차 연결 Y = Add(X, A);  결과 LayerNorm(Y) (B, T, D).  "
                "메서드 이름은 forward가 아니라 call입니다.",
                "def call(self, x):\n"
                "    attn_output = self.mha(query=___, value=___, key=___, use_causal_mask=___)\n"
                "    x = self.add([___, ___])\n"
                "    x = self.___(x)\n"
                "    return x",
            ],
            chapter="10",
            reference_name="CausalSelfAttention",
            cases=_causal_cases,
            run=run_causal,
            is_class=True,
            oracle=lib_causal_self_attention,
            oracle_name="nn.MultiheadAttention + nn.LayerNorm(같은 가중치)",
            alternatives=[_lazy("alternative")],
            mistakes=[
                Mistake("use_causal_mask=True를 빠뜨림",
                        "self.mha(query=x, value=x, key=x, use_causal_mask=True)처럼 인과 마스크를 켜세요. "
                        "없으면 각 위치가 미래 토큰을 보고(미래 정보 누설), 학습 때와 번역할 때의 계산이 달라집니다.",
                        _lazy("no_causal")),
                Mistake("잔차 연결(self.add)을 빠뜨림",
                        "Add & Norm은 x = self.add([x, attn_output]) 다음 x = self.layernorm(x)입니다. "
                        "어텐션 출력만 정규화하면 입력 x가 사라집니다.",
                        _lazy("no_residual")),
                Mistake("정규화를 어텐션 앞에 둠 (pre-LN)",
                        "튜토리얼과 노트의 층은 post-LN입니다: 더한 뒤(self.add) 정규화(self.layernorm)합니다.",
                        _lazy("pre_norm")),
                Mistake("attention_mask의 뜻을 뒤집음 (PyTorch처럼 True = 가림)",
                        "Keras의 attention_mask는 True(1) = 볼 수 있음입니다. nn.MultiheadAttention의 attn_mask"
                        "(True = 가림)와 반대이므로, 아래 삼각 행렬 그대로(ops.tril) 넘기거나 use_causal_mask=True를 쓰세요",
                        _lazy("inverted_mask")),
                Mistake("계층 정규화(self.layernorm)를 빠뜨림",
                        "Add & Norm의 Norm입니다: x = self.add([x, attn_output]) 다음 x = self.layernorm(x)를 "
                        "돌려주세요",
                        _lazy("no_norm")),
                Mistake(FORWARD_NAME, FORWARD_HINT, _lazy("forward")),
                Mistake(TORCH_OPS_NAME, TORCH_OPS_HINT, _lazy("torch")),
            ],
        ),
        KerasExercise(
            id="keras_port.masked_loss",
            hints=[
                "튜토리얼의 masked_loss: 위치마다 교차 엔트로피를 (평균 내지 말고) 구한 뒤, 패딩(레이블 0) 자리는 0으로 지우고, 남은 손실의 합을 진짜 토큰의 수로 나눕니다. "
                "pred는 로짓입니다.",
                "손실 객체(SparseCategoricalCrossentropy)가 평균 내지 않고 위치별 손실 (B, T)를 내도록 reduction을 정하고, "
                "pred가 로짓이라는 것을 손실에 알립니다. 마스크 = 레이블이 PAD(0)가 아닌 자리(손실과 같은 dtype). "
                "결과 = (손실 × 마스크)의 합 / 마스크의 합, 스칼라.",
                "mask = label != ___\n"
                "loss_object = keras.losses.SparseCategoricalCrossentropy(from_logits=___, reduction=___)\n"
                "loss = loss_object(label, pred)\n"
                "mask = keras.ops.cast(mask, dtype=loss.dtype)\n"
                "loss = loss * ___\n"
                "return keras.ops.sum(loss) / keras.ops.sum(___)",
            ],
            chapter="10",
            reference_name="masked_loss",
            cases=_loss_cases,
            run=run_masked_loss,
            oracle=torch_masked_loss,
            oracle_name="F.cross_entropy(ignore_index=0)",
            alternatives=[_LazyKerasFunction(_loss_alternative)],
            mistakes=[
                Mistake("from_logits=False (로짓을 확률로 취급)",
                        "모델의 final_layer는 활성화 함수 없는 Dense라서 로짓을 냅니다. "
                        "SparseCategoricalCrossentropy(from_logits=True, reduction='none')로 만드세요 (05장)",
                        _LazyKerasFunction(_loss_from_probabilities)),
                Mistake("소프트맥스를 한 번 더 함 (확률에 from_logits=True)",
                        "pred는 이미 로짓입니다. 소프트맥스를 먼저 하고 from_logits=True를 주면 손실 안에서 "
                        "소프트맥스가 한 번 더 적용됩니다. pred를 그대로 넘기세요 (05장)",
                        _LazyKerasFunction(_loss_double_softmax)),
                Mistake("reduction='none'을 빠뜨림",
                        "기본 reduction은 손실을 스칼라 하나로 평균해 버려서, 위치마다 mask를 곱할 수 없습니다. "
                        "SparseCategoricalCrossentropy(from_logits=True, reduction='none')로 위치별 손실 (B, T)를 받으세요",
                        _LazyKerasFunction(_loss_without_reduction_none)),
                Mistake("패딩 위치까지 평균함 (mask를 곱하지 않음)",
                        "mask = label != 0 을 위치별 손실(reduction='none')에 곱해 패딩 위치의 손실을 0으로 만드세요",
                        _LazyKerasFunction(_loss_no_mask)),
                Mistake("전체 위치 수로 나눔 (mask의 합으로 나눠야 함)",
                        "loss * mask의 합을 mask의 합(진짜 토큰 수)으로 나누세요. 전체 위치 수로 나누면 "
                        "패딩이 많은 배치일수록 손실이 작아집니다",
                        _LazyKerasFunction(_loss_mean_over_all)),
                Mistake(TORCH_OPS_NAME, TORCH_OPS_HINT, _loss_torch),
            ],
        ),
    ]
