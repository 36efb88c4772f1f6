"""Chapter 07 exercises: positional encoding, layer normalization, and the encoder layer.

The encoder layer's check also diagnoses the data flow of a wrong forward (``analyse_layer``: which
norm follows which sublayer, residuals, what each sublayer reads, masks); chapter 08's decoder layer
uses the same rules.

Oracles: the paper's formula computed entry by entry, nn.LayerNorm, and nn.TransformerEncoderLayer
(post-LN, ReLU, batch_first, dropout 0, weights copied across, masks turned to its True = blocked).
positional_encoding and layer_norm were chapter 06 exercises in layout v1 (ids unchanged).
"""

import math
from dataclasses import dataclass, field

import torch
import torch.nn as nn

from lib import attention, masks, transformer
from lib.course.checks.class_exercises import load_like_reference, random_state, record_calls, same_tensor
from lib.course.checks.exercise import Case, Exercise, Mistake

# ---------------------------------------------------------------- positional encoding


def _pe_cases():
    return [
        Case((6, 8), label="길이 6, d_model 8"),
        Case((10, 16)),
        Case((1, 4), label="위치 하나 (pos = 0)"),
        Case((50, 6), label="긴 시퀀스"),
    ]


def loop_positional_encoding(length, d_model):
    """Oracle: the paper's formula, one entry at a time, with torch.sin / torch.cos on scalars."""
    pe = torch.zeros(length, d_model)
    for pos in range(length):
        for j in range(d_model):
            angle = torch.tensor(pos / 10000 ** ((j - j % 2) / d_model), dtype=torch.float64)
            pe[pos, j] = torch.sin(angle) if j % 2 == 0 else torch.cos(angle)
    return pe


def _pe_with(layout="interleaved", swap=False, exponent="pair", start=0):
    """positional_encoding with one typical mistake switched on."""

    def pe(length, d_model):
        pos = torch.arange(start, start + length, dtype=torch.float32).unsqueeze(1)
        j = torch.arange(d_model, dtype=torch.float32)
        two_i = j if exponent == "dim" else j - j % 2
        angle = pos / torch.pow(10000.0, two_i / d_model)  # (T, D)
        first, second = (torch.cos, torch.sin) if swap else (torch.sin, torch.cos)
        if layout == "concat":
            half = angle[:, 0::2]
            return torch.cat([first(half), second(half)], dim=1)
        out = first(angle)
        out[:, 1::2] = second(angle[:, 1::2])
        return out

    return pe


def _pe_alternative(length, d_model):
    pos = torch.arange(length).unsqueeze(1).float()
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d_model, 2).float() / d_model)
    pe = torch.stack([torch.sin(pos * freq), torch.cos(pos * freq)], dim=2)  # (T, D/2, 2)
    return pe.reshape(length, -1)[:, :d_model]


# ---------------------------------------------------------------- layer normalization


def _ln_cases():
    g = torch.Generator().manual_seed(10)

    def affine(d):
        return 1 + 0.5 * torch.randn(d, generator=g), 0.5 * torch.randn(d, generator=g)

    x1 = torch.randn(2, 3, 6, generator=g) * 2 + 1
    x2 = torch.randn(4, 5, generator=g) * 3 + 100
    x3 = 1e-3 * torch.randn(3, 8, generator=g)
    x4 = torch.randn(2, 4, generator=g)
    return [
        Case((x1, *affine(6)), label="(B, T, D) = (2, 3, 6)"),
        Case((x2, *affine(5)), label="평균이 100 근처"),
        Case((x3, *affine(8)), label="분산이 아주 작은 행 (eps가 중요)"),
        Case((x4, *affine(4)), {"eps": 0.1}, label="eps=0.1"),
    ]


def torch_layer_norm(x, weight, bias, eps=1e-5):
    """Oracle: nn.LayerNorm with the given weight and bias."""
    norm = nn.LayerNorm(x.size(-1), eps=eps)
    with torch.no_grad():
        norm.weight.copy_(weight)
        norm.bias.copy_(bias)
    return norm(x)


def _ln_with(unbiased=False, dim=-1, eps_inside=True, affine=True, center=True, fixed_eps=None):
    def ln(x, weight, bias, eps=1e-5):
        eps = fixed_eps if fixed_eps is not None else eps
        mean = x.mean(dim=dim, keepdim=True) if center else 0.0
        var = x.var(dim=dim, keepdim=True, unbiased=unbiased)
        if not center:
            var = (x ** 2).mean(dim=dim, keepdim=True)
        y = (x - mean) / (torch.sqrt(var + eps) if eps_inside else torch.sqrt(var) + eps)
        return y * weight + bias if affine else y

    return ln


def _ln_alternative(x, weight, bias, eps=1e-5):
    centered = x - x.mean(-1, keepdim=True)
    var = (centered ** 2).mean(-1, keepdim=True)
    return weight * centered * torch.rsqrt(var + eps) + bias


# ---------------------------------------------------------------- encoder layer


D_MODEL, NUM_HEADS, D_FF = 8, 2, 16


def _encoder_layer_cases():
    g = torch.Generator().manual_seed(13)
    # every sentence has real tokens and padding, so an inverted mask still leaves each row a key
    tokens = torch.tensor([[5, 6, 7, 0, 0], [5, 6, 7, 8, 0]])
    return [
        Case((), {"x": torch.randn(2, 5, D_MODEL, generator=g), "mask": masks.padding_mask(tokens)},
             label="패딩 마스크 (B, 1, T)"),
        Case((), {"x": torch.randn(1, 4, D_MODEL, generator=g), "mask": None}, label="마스크 없음"),
        Case((), {"x": torch.randn(2, 1, D_MODEL, generator=g), "mask": None}, label="토큰 하나"),
    ]


def _encoder_random_state(seed: int) -> dict:
    """An EncoderLayer state_dict with every parameter random (layer norms included)."""
    return random_state(transformer.EncoderLayer(D_MODEL, NUM_HEADS, D_FF), seed)


def run_encoder_layer(layer_class, case: Case):
    """Build layer_class(d_model, num_heads, d_ff, dropout), load the same random weights, eval,
    call forward(x, mask) positionally."""
    layer = load_like_reference(layer_class(D_MODEL, NUM_HEADS, D_FF, 0.1), _encoder_random_state(seed=14),
                                "EncoderLayer")
    return layer(case.kwargs["x"], case.kwargs["mask"])


class TorchEncoderLayer(nn.Module):
    """Oracle: nn.TransformerEncoderLayer (post-LN, ReLU, batch_first, dropout 0) loading a lib
    EncoderLayer state_dict. Our masks are True = may attend; torch's src_mask is True = blocked."""

    def __init__(self, d_model, num_heads, d_ff, dropout=0.1):
        super().__init__()
        self.num_heads = num_heads
        self.layer = nn.TransformerEncoderLayer(d_model, num_heads, d_ff, dropout=0.0, activation="relu",
                                                batch_first=True, norm_first=False)

    def load_state_dict(self, state, strict=True):
        mapped = {
            "self_attn.in_proj_weight": torch.cat([state[f"self_attention.{n}_proj.weight"] for n in "qkv"]),
            "self_attn.in_proj_bias": torch.cat([state[f"self_attention.{n}_proj.bias"] for n in "qkv"]),
            "self_attn.out_proj.weight": state["self_attention.out_proj.weight"],
            "self_attn.out_proj.bias": state["self_attention.out_proj.bias"],
        }
        for name in ["norm1", "norm2"]:
            mapped[f"{name}.weight"], mapped[f"{name}.bias"] = state[f"{name}.weight"], state[f"{name}.bias"]
        for name in ["linear1", "linear2"]:
            for p in ["weight", "bias"]:
                mapped[f"{name}.{p}"] = state[f"feed_forward.{name}.{p}"]
        return self.layer.load_state_dict(mapped, strict=True)

    def forward(self, x, mask=None):
        batch, length = x.size(0), x.size(1)
        blocked = None
        if mask is not None:
            blocked = (~mask).expand(batch, length, length).repeat_interleave(self.num_heads, dim=0)
        # grad enabled: keeps torch off its inference fast path, which treats padded rows differently
        with torch.enable_grad():
            return self.layer(x, src_mask=blocked).detach()


class _EncoderAlternative(transformer.EncoderLayer):
    """The same two sublayers written as one loop over (sublayer, norm) pairs."""

    def forward(self, x, mask=None):
        for sublayer, norm in [(lambda h: self.self_attention(h, h, h, mask)[0], self.norm1),
                               (self.feed_forward, self.norm2)]:
            x = norm(x + self.dropout(sublayer(x)))
        return x


class _EncoderPreNorm(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        h = self.norm1(x)
        x = x + self.self_attention(h, h, h, mask)[0]
        return x + self.feed_forward(self.norm2(x))


class _EncoderNoResidual(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = self.norm1(self.self_attention(x, x, x, mask)[0])
        return self.norm2(self.feed_forward(x))


class _EncoderNoNorm(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = x + self.self_attention(x, x, x, mask)[0]
        return x + self.feed_forward(x)


class _EncoderFeedForwardFirst(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = self.norm1(x + self.feed_forward(x))
        return self.norm2(x + self.self_attention(x, x, x, mask)[0])


class _EncoderMaskIgnored(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        return super().forward(x, None)


class _EncoderMaskInverted(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        return super().forward(x, None if mask is None else ~mask)


class _EncoderUnscaled(transformer.EncoderLayer):
    """Attention written by hand from the module's weights, without the 1/sqrt(d_k)."""

    def forward(self, x, mask=None):
        p, h = self.self_attention.params(), self.self_attention.num_heads
        q = attention.split_heads(x @ p["W_q"].T + p["b_q"], h)
        k = attention.split_heads(x @ p["W_k"].T + p["b_k"], h)
        v = attention.split_heads(x @ p["W_v"].T + p["b_v"], h)
        scores = q @ k.transpose(-2, -1)
        if mask is not None:
            scores = scores.masked_fill(~mask.unsqueeze(-3), float("-inf"))
        attended = attention.merge_heads(torch.softmax(scores, dim=-1) @ v) @ p["W_o"].T + p["b_o"]
        x = self.norm1(x + attended)
        return self.norm2(x + self.feed_forward(x))


class _EncoderNoActivation(transformer.EncoderLayer):
    def forward(self, x, mask=None):
        x = self.norm1(x + self.self_attention(x, x, x, mask)[0])
        ffn = self.feed_forward
        return self.norm2(x + ffn.linear2(ffn.linear1(x)))



# ---------------------------------------------------------------- naming what a wrong layer forward did (any style)
#
# Shared with the DecoderLayer check of chapter 08: both layers are a stack of sublayers, each followed
# by Add & Norm (post-LN):  h = norm_i(h + sublayer_i(h)).  The learner's forward runs with the calls
# of its parts recorded (the sublayer modules, the norms, and the projections/linears inside them, so
# attention or a feed-forward written out by hand is seen too). Every tensor a call receives is traced
# back, by value, to a layer input, an earlier call's output, or the sum of two of those. Rules on
# that data flow name what differs, whatever the coding style (temporaries, loops, helper functions,
# keyword arguments). Nothing here looks at the learner's source code.


@dataclass(frozen=True)
class Sublayer:
    """One sublayer of a post-LN layer, as the diagnosis sees it."""

    module: str  # "self_attention": the attribute holding it
    norm: str  # "norm1": the norm of its Add & Norm
    label: str  # "셀프 어텐션"
    kind: str = "attention"  # "attention" | "ffn"
    keys: str = ""  # attention: "" = keys and values are the query's own tensor; else the input they come from
    keys_desc: str = ""  # Korean for that input ("인코더 출력")
    mask: str = ""  # the forward argument holding this sublayer's mask ("" = none)
    mask_desc: str = ""  # Korean: what that mask is ("원문의 패딩을 가리는 패딩 마스크")


@dataclass(frozen=True)
class LayerSpec:
    title: str  # "인코더 층"
    sublayers: tuple
    inputs: tuple = ("x",)  # the forward's tensor inputs other than masks; the first one flows through


@dataclass(eq=False)
class _Node:
    """A tensor the learner's forward handled: where it came from."""

    kind: str  # "input" | "use" | "norm" | "sum" | "unknown"
    tensor: object
    order: int
    name: str = ""  # input name, or norm name
    parts: tuple = ()  # "sum": (a, b); "norm": (input,)
    use: object = None  # "use": the _Use whose output this is
    deps: frozenset | None = frozenset()  # the uses whose outputs flowed into it (None = unknown)


@dataclass(eq=False)
class _Use:
    """One run of a sublayer (a module call, or attention/feed-forward written out from its parts)."""

    module: str
    inputs: dict  # "query"/"key"/"value" or "input" -> _Node
    mask: object = None
    mask_seen: bool = False  # False when written by hand (the mask is not visible)
    output: _Node | None = None
    role: Sublayer | None = None
    parts_seen: set = field(default_factory=set)


_ATTENTION_PARTS = {"q_proj": "query", "k_proj": "key", "v_proj": "value"}


def _josa(word: str, pair: str) -> str:
    """word + the right particle of pair ("을를", "이가", "은는", "과와"): batchim decides."""
    last = word.rstrip(")")[-1:] if word else ""
    has_batchim = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0
    if not ("가" <= last <= "힣"):
        has_batchim = last.lower() in "lmnr" or last.isdigit() and last in "136780"
    return word + (pair[0] if has_batchim else pair[1])


def _count_word(n: int) -> str:
    return {2: "두", 3: "세", 4: "네"}.get(n, str(n))


def _tensor_arg(call, index, name):
    if name in call.kwargs:
        return call.kwargs[name]
    return call.args[index] if len(call.args) > index else None


def _first_output(output):
    return output[0] if isinstance(output, (tuple, list)) and output else output


def _same_value(a, b) -> bool:
    return same_tensor(a, b, atol=1e-4)


def _same_mask(used, expected, shape) -> bool:
    """Two bool masks that hide the same places once broadcast to the scores' (B, Tq, Tk)."""
    if not (isinstance(used, torch.Tensor) and isinstance(expected, torch.Tensor)):
        return False
    try:
        return bool(torch.equal(torch.broadcast_to(used.bool(), shape), torch.broadcast_to(expected.bool(), shape)))
    except (RuntimeError, TypeError):
        return same_tensor(used, expected)


def _standardized(t) -> bool:
    """Each vector (last axis) has mean 0 and variance 1: a layer norm without weight and bias."""
    if not (isinstance(t, torch.Tensor) and t.is_floating_point() and t.dim() >= 2 and t.size(-1) > 1):
        return False
    t = t.detach().double()
    mean, var = t.mean(-1), t.var(-1, unbiased=False)
    return bool((mean.abs() < 1e-4).all() and ((var - 1).abs() < 1e-3).all())


def _same_output(a, b) -> bool:
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(_same_output(x, y) for x, y in zip(a, b))
    if isinstance(a, torch.Tensor) or isinstance(b, torch.Tensor):
        return same_tensor(a, b)
    return a is b or a == b


def _output_depends_on(layer, prefix, run, baseline):
    """True when changing the parameters of ``layer.<prefix>`` changes the forward's output; None when
    it cannot be told (no such parameters, or the forward fails)."""
    params = [p for name, p in layer.named_parameters() if name.startswith(prefix + ".")]
    if not params:
        return None
    saved = [p.detach().clone() for p in params]
    g = torch.Generator().manual_seed(0)
    try:
        with torch.no_grad():
            for p in params:
                p.add_(0.25 + 0.5 * torch.randn(p.shape, generator=g))
        try:
            changed = run()
        except Exception:  # noqa: BLE001 - cannot tell
            return None
    finally:
        with torch.no_grad():
            for p, s in zip(params, saved):
                p.copy_(s)
    return not _same_output(changed, baseline)


class _Trace:
    """The learner's forward as a data flow: nodes (tensors) and the uses of the sublayers."""

    def __init__(self, spec: LayerSpec, inputs: dict):
        self.spec, self.nodes, self.uses, self.consumed = spec, [], [], []
        self.norm_calls = []  # (norm name, input node, output node)
        self.counter = 0
        for name in spec.inputs:
            if isinstance(inputs.get(name), torch.Tensor):
                self._add(_Node("input", inputs[name].detach().clone(), 0, name=name))

    def _add(self, node):
        self.counter += 1
        node.order = self.counter
        self.nodes.append(node)
        return node

    def input_node(self, name):
        return next((n for n in self.nodes if n.kind == "input" and n.name == name), None)

    def identify(self, tensor, consumer=None):
        """The node a tensor is (an earlier tensor, or the sum of two); records who consumed it."""
        node = self._identify(tensor)
        if node is not None and consumer is not None:
            self.counter += 1
            self.consumed.append((self.counter, consumer, node))
        return node

    def _identify(self, t):
        if not (isinstance(t, torch.Tensor) and t.is_floating_point()):
            return None
        t = t.detach()
        for node in reversed(self.nodes):
            if node.kind != "unknown" and _same_value(node.tensor, t):
                return node
        known = [n for n in self.nodes if n.kind != "unknown" and n.tensor.shape == t.shape]
        for i, a in enumerate(known):
            for b in known[i + 1:]:
                if _same_value(a.tensor + b.tensor, t):
                    deps = None if a.deps is None or b.deps is None else a.deps | b.deps
                    return self._add(_Node("sum", t.clone(), 0, parts=(a, b), deps=deps))
        return self._add(_Node("unknown", t.clone(), 0, deps=None))

    def add_output(self, use, tensor):
        if not (isinstance(tensor, torch.Tensor) and tensor.is_floating_point()):
            return
        inputs = list(use.inputs.values())
        deps = None if any(n is None or n.deps is None for n in inputs) else \
            frozenset({use}).union(*(n.deps for n in inputs))
        use.output = self._add(_Node("use", tensor.detach().clone(), 0, use=use, deps=deps))

    def add_norm(self, name, call):
        source = self.identify(_tensor_arg(call, 0, "x"), ("norm", name))
        out = _first_output(call.output)
        if source is None or not isinstance(out, torch.Tensor):
            return
        node = self._add(_Node("norm", out.detach().clone(), 0, name=name, parts=(source,), deps=source.deps))
        self.norm_calls.append((name, source, node))


def _trace_calls(spec: LayerSpec, inputs: dict, calls) -> _Trace:
    trace = _Trace(spec, inputs)
    modules = {s.module: s for s in spec.sublayers}
    norms = {s.norm for s in spec.sublayers}
    open_by_hand = {}  # module -> the _Use being written out by hand
    for call in calls:
        if call.depth:
            continue  # called inside a recorded module (its own parts): not the learner's call
        top, _, part = call.name.partition(".")
        if call.name in norms:
            trace.add_norm(call.name, call)
        elif call.name in modules:
            sub = modules[call.name]
            use = _Use(call.name, {}, mask_seen=sub.kind == "attention")
            names = ("query", "key", "value") if sub.kind == "attention" else ("x",)
            for i, name in enumerate(names):
                use.inputs["input" if sub.kind == "ffn" else name] = trace.identify(
                    _tensor_arg(call, i, name), ("use", use))
            if sub.kind == "attention":
                use.mask = _tensor_arg(call, 3, "mask")
            trace.uses.append(use)
            trace.add_output(use, _first_output(call.output))
        elif top in modules:  # attention or feed-forward written out from the module's parts
            use = open_by_hand.get(top)
            starts = part in ("q_proj", "k_proj", "v_proj", "linear1")
            if use is None or (starts and part in use.parts_seen):
                use = open_by_hand[top] = _Use(top, {})
                trace.uses.append(use)
            use.parts_seen.add(part)
            if part in _ATTENTION_PARTS:
                use.inputs[_ATTENTION_PARTS[part]] = trace.identify(_tensor_arg(call, 0, "input"), ("use", use))
            elif part == "linear1":
                use.inputs["input"] = trace.identify(_tensor_arg(call, 0, "input"), ("use", use))
            elif part in ("out_proj", "linear2"):
                if part == "linear2" and "input" not in use.inputs:
                    continue
                trace.add_output(use, _first_output(call.output))
                open_by_hand.pop(top, None)
    return trace


def _assign_roles(spec: LayerSpec, trace: _Trace):
    """Which sublayer each use plays: its module's own, unless a module ran more than once or one
    was left out; then attention uses go by what they read (the keys' input or the query's own tensor)."""
    own = {s.module: s for s in spec.sublayers}
    attention = [s for s in spec.sublayers if s.kind == "attention"]
    counts = {}
    for use in trace.uses:
        counts[use.module] = counts.get(use.module, 0) + 1
    ambiguous = any(c > 1 for c in counts.values()) or any(counts.get(s.module, 0) == 0 for s in attention)
    taken = set()
    for use in trace.uses:
        role = own[use.module]
        if role.kind == "attention" and ambiguous:
            reads = set()
            for key in ("key", "value"):
                node = use.inputs.get(key)
                if node is not None and node.kind == "input":
                    reads.add(node.name)
            fitting = [s for s in attention if s.keys and s.keys in reads] or \
                      [s for s in attention if not s.keys and not reads & set(spec.inputs[1:])]
            if fitting and (role not in fitting or role in taken):
                free = [s for s in fitting if s not in taken]
                role = (free or fitting)[0]
        use.role = role
        taken.add(role)


def _stream_input(use):
    return use.inputs.get("query") if use.role.kind == "attention" else use.inputs.get("input")


def _first_consumer(trace: _Trace, node):
    """(what, sum node or None) for the first consumption of ``node`` after it was made: what is
    ("norm", name) / ("use", use) / ("output",), sum is the A + node it went in as (None = as itself)."""
    for order, what, consumed in trace.consumed:
        if order <= node.order:
            continue
        if consumed is node:
            return what, None
        if consumed.kind == "sum" and any(p is node for p in consumed.parts):
            return what, consumed
    return None, None


def _norm_output_of(trace, what, consumed_node):
    """The norm node a ("norm", name) consumption of ``consumed_node`` produced."""
    for name, source, out in trace.norm_calls:
        if name == what[1] and source is consumed_node:
            return out
    return None


def _block_kind(trace: _Trace, use, stale: bool):
    """How the output of ``use`` reached the next step: ("ok" | "pre" | "no_add" | ..., norm name)."""
    out, stream = use.output, _stream_input(use)
    if out is None or stream is None:
        return "unknown", None
    what, total = _first_consumer(trace, out)
    if what is None:
        return "unknown", None
    other = None
    if total is not None:
        other = total.parts[0] if total.parts[1] is out else total.parts[1]
    x = trace.input_node(trace.spec.inputs[0])
    # pre-LN: the sublayer read norm(h) and the residual adds h (or the input was normalised first)
    if stream.kind == "norm" and (stream.parts[0] is x or (
            other is not None and _same_value(other.tensor, stream.parts[0].tensor))):
        return "pre", stream.name
    if what[0] == "norm":
        norm_out = _norm_output_of(trace, what, total if total is not None else out)
        if total is None:
            added_later = any(n.kind == "sum" and any(p is norm_out for p in n.parts)
                              and any(_same_value(p.tensor, stream.tensor) for p in n.parts if p is not norm_out)
                              for n in trace.nodes)
            return ("add_after_norm" if added_later else "no_add"), what[1]
        if stale or _same_value(other.tensor, stream.tensor):
            return "ok", what[1]
        if other.kind == "norm" and _same_value(other.parts[0].tensor, stream.tensor):
            return "norm_then_add", other.name
        if other.kind == "input":
            return ("residual_input" if other is x else "residual_input:" + other.name), what[1]
        return "residual_other", what[1]
    if total is None:
        return "no_add_norm", None
    if other.kind == "norm" and _same_value(other.parts[0].tensor, stream.tensor):
        return "norm_then_add", other.name
    return "no_norm", None


def _labels(subs) -> str:
    return "·".join(s.label for s in subs)


def _order_text(spec) -> str:
    return " → ".join(s.label for s in spec.sublayers)


def analyse_layer(spec: LayerSpec, layer, views) -> list:
    """[(name, hint)] for every difference from the post-LN stack ``spec`` found in the data flow of the
    learner's forward. ``views`` is a list of (inputs, run): the failing case first, then probes. When
    the forward raises, its trace stops at the error (what comes after cannot be judged), so the next
    view is tried; a probe whose shapes all agree (S = T) lets the forward run past a shape clash."""
    partial = None
    for inputs, run in views:
        findings, failed = _analyse(spec, layer, inputs, run)
        if not failed:
            return findings
        partial = findings if partial is None else partial
    return partial or []


def _analyse(spec: LayerSpec, layer, inputs: dict, run):
    """(findings, whether the forward raised) for one run of the learner's forward on ``inputs``."""
    traced = []
    for s in spec.sublayers:
        traced += [s.module, s.norm]
        parts = ("q_proj", "k_proj", "v_proj", "out_proj") if s.kind == "attention" else ("linear1", "linear2")
        traced += [f"{s.module}.{p}" for p in parts]
    got, failed = None, False
    with record_calls(layer, list(dict.fromkeys(traced))) as calls:
        try:
            got = run()
        except Exception:  # noqa: BLE001 - the calls made before the error still tell the story
            failed = True
    trace = _trace_calls(spec, inputs, calls)
    final = None if failed else trace.identify(got, ("output",))
    _assign_roles(spec, trace)
    findings = []

    def add(name, hint):
        if all(name != n for n, _ in findings):
            findings.append((name, hint))

    first_use = {}
    for use in trace.uses:
        first_use.setdefault(use.role, use)
    order_text = _order_text(spec)

    # 1. which module plays which sublayer; left out; done twice
    for use in trace.uses:
        if use.module != use.role.module:
            add(f"{use.role.label}에 self.{_josa(use.module, '을를')} 씀 (self.{use.role.module} 대신)",
                f"부분층마다 모듈이 따로 있고 각자 가중치를 배웁니다: {_josa(use.role.label, '은는')} "
                f"self.{use.role.module}, "
                f"순서는 {order_text}입니다.")
    for sub in spec.sublayers:
        n = sum(1 for u in trace.uses if u.role is sub)
        if n > 1:
            add(f"{_josa(sub.label, '을를')} {_count_word(n)} 번 함",
                f"{spec.title}에는 부분층이 {_count_word(len(spec.sublayers))} 개 있고, 각 부분층을 차례로 한 번씩 "
                f"씁니다: {order_text}.")
        if n == 0 and not failed and got is not None:
            if _output_depends_on(layer, sub.module, run, got) is False:
                add(f"{sub.label} 부분층을 빠뜨림",
                    f"{spec.title}에는 부분층이 {_count_word(len(spec.sublayers))} 개 있습니다: {order_text}. "
                    f"self.{sub.module}(...)를 부르고 그 뒤에 Add & Norm(self.{sub.norm})을 하세요.")

    structural = bool(findings)

    # 2. the order of the sublayers
    seen = [s for s in dict.fromkeys(u.role for u in trace.uses)]
    expected_order = [s for s in spec.sublayers if s in seen]
    if seen != expected_order:
        rank = {s: i for i, s in enumerate(spec.sublayers)}
        a, b = next((a, b) for i, a in enumerate(seen) for b in seen[i + 1:] if rank[a] > rank[b])
        add(f"부분층 순서가 틀림: {_josa(a.label, '을를')} {b.label}보다 먼저 함", f"순서는 {order_text}입니다.")

    # 3. what each sublayer reads: the stream (the previous block's output), keys and values
    stale_uses = set()
    for i, use in enumerate(trace.uses):
        sub, query = use.role, _stream_input(use)
        if sub.kind == "attention" and sub.keys:
            source = trace.input_node(sub.keys)
            key, value = use.inputs.get("key"), use.inputs.get("value")
            if source is None or key is None or value is None or query is None:
                continue
            key_ok, value_ok = _same_value(key.tensor, source.tensor), _same_value(value.tensor, source.tensor)
            if query is source or _same_value(query.tensor, source.tensor):
                stale_uses.add(use)  # its residual is judged against the wrong tensor: not judged again
                if not (key_ok and value_ok):
                    add(f"{sub.label}에서 x와 {_josa(sub.keys, '을를')} 바꿈 (쿼리가 {sub.keys_desc})",
                        f"{sub.label}의 쿼리는 디코더 쪽 x, 키·값은 {sub.keys_desc} {sub.keys}입니다: "
                        f"self.{sub.module}(x, {sub.keys}, {sub.keys}, {sub.mask or 'mask'}).")
                continue
            call_text = f"self.{sub.module}(x, {sub.keys}, {sub.keys}, {sub.mask or 'mask'})"
            if not key_ok and not value_ok:
                add(f"{sub.label}의 키·값으로 x를 씀 ({_josa(sub.keys_desc, '을를')} 안 봄)",
                    f"{_josa(sub.label, '은는')} 쿼리 = 디코더의 x, 키·값 = {sub.keys_desc} {sub.keys}입니다: {call_text}.")
            elif not key_ok:
                add(f"{sub.label}의 키로 x를 씀 (값만 {sub.keys})",
                    f"키와 값은 둘 다 {sub.keys_desc}입니다: 쿼리 x와 비교할 키도, 가중 평균할 값도 {sub.keys}에서 "
                    f"옵니다. {call_text}.")
            elif not value_ok:
                add(f"{sub.label}의 값으로 x를 씀 (키만 {sub.keys})",
                    f"키와 값은 둘 다 {sub.keys_desc}입니다: 어텐션 가중치로 섞는 값도 {sub.keys}에서 옵니다. {call_text}.")
        elif sub.kind == "attention":
            key, value = use.inputs.get("key"), use.inputs.get("value")
            if query is not None and key is not None and value is not None and not (
                    _same_value(key.tensor, query.tensor) and _same_value(value.tensor, query.tensor)):
                add(f"{sub.label}의 쿼리·키·값이 같은 텐서가 아님",
                    f"{_josa(sub.label, '은는')} 한 시퀀스가 자기 자신을 봅니다: self.{sub.module}(x, x, x, "
                    f"{sub.mask or 'mask'})처럼 셋에 같은 텐서를 넣으세요.")
        previous = trace.uses[i - 1] if i else None
        if previous is not None and previous.output is not None and query is not None and query.deps is not None \
                and previous not in query.deps and previous.role is not use.role:
            stale_uses.add(use)
            what = "층의 입력 x" if query.kind == "input" else "앞 블록의 출력이 아닌 더 앞의 값"
            add(f"{sub.label}에 {_josa(what, '을를')} 넣음 (바로 앞 {previous.role.label} 블록의 출력을 안 씀)",
                "부분층은 차례로 이어집니다: 앞 부분층의 Add & Norm 결과(x = norm(x + ...))가 다음 부분층의 "
                "입력입니다. 결과를 새 변수에 받았다면 그 변수를 넘기세요.")

    # 4. masks
    given = {s.mask: inputs.get(s.mask) for s in spec.sublayers if s.mask}
    swapped = []
    for use in trace.uses:
        sub = use.role
        if not (use.mask_seen and sub.mask) or use.inputs.get("query") is None or use.inputs.get("key") is None:
            continue
        expected, used = given.get(sub.mask), use.mask
        shape = (use.inputs["query"].tensor.size(0), use.inputs["query"].tensor.size(1),
                 use.inputs["key"].tensor.size(1))
        others = [name for name, m in given.items() if name != sub.mask and m is not None
                  and isinstance(used, torch.Tensor) and same_tensor(used, m)]
        if expected is None:
            if others:
                swapped.append((sub, others[0]))
            elif isinstance(used, torch.Tensor) and not _same_mask(used, torch.ones(shape, dtype=torch.bool), shape):
                add(f"{sub.label}에 {sub.mask}가 없는데(None) 직접 만든 마스크를 넘김",
                    f"주어진 {sub.mask}를 그대로 넘기세요: None이면 가릴 것이 없다는 뜻입니다.")
            continue
        if used is None:
            add(f"{sub.label}에 {_josa(sub.mask, '을를')} 넘기지 않음",
                f"{sub.mask}는 {sub.mask_desc}입니다: self.{sub.module}(..., {sub.mask}).")
        elif _same_mask(used, expected, shape):
            continue
        elif isinstance(used, torch.Tensor) and used.dtype == torch.bool and _same_mask(used, ~expected, shape):
            add(f"{sub.label}에 {_josa(sub.mask, '을를')} 뒤집어(~) 넘김",
                "이 코스의 마스크는 True = 볼 수 있음이고, 가리는 일은 MultiHeadAttention이 안에서 합니다"
                f"(masked_fill(~mask, -inf)). {_josa(sub.mask, '을를')} 그대로 넘기세요 (뒤집는 것은 "
                "torch의 nn.MultiheadAttention·nn.Transformer* 계열에 넘길 때뿐입니다).")
        elif others:
            swapped.append((sub, others[0]))
        else:
            add(f"{sub.label}에 주어진 {sub.mask}와 다른 마스크를 넘김",
                f"{sub.mask}는 {sub.mask_desc}입니다. 새로 만들지 말고 그대로 넘기세요.")
    if swapped:
        pairs = {(s.mask, other) for s, other in swapped}
        rank = [s.mask for s in spec.sublayers if s.mask]
        hint = ", ".join(f"{s.label}에는 {s.mask}({s.mask_desc})" for s in spec.sublayers if s.mask)
        mutual = [(a, b) for a, b in pairs if (b, a) in pairs]
        if mutual:
            a, b = sorted(mutual[0], key=rank.index)
            add(f"{_josa(a, '과와')} {_josa(b, '을를')} 바꿔 넘김", f"마스크마다 갈 곳이 정해져 있습니다: {hint}.")
        else:
            for sub, other in swapped:
                add(f"{sub.label}에 {sub.mask} 대신 {_josa(other, '을를')} 넘김",
                    f"마스크마다 갈 곳이 정해져 있습니다: {hint}.")

    # 5. Add & Norm after each sublayer
    kinds = {}
    for sub in spec.sublayers:
        use = first_use.get(sub)
        if use is None:
            continue
        kinds[sub] = _block_kind(trace, use, use in stale_uses)
    analysed = [s for s in kinds if kinds[s][0] != "unknown"]
    every = len(analysed) == len(spec.sublayers)

    def having(kind):
        return [s for s in analysed if kinds[s][0] == kind]

    post_ln = "x = norm(x + sublayer(x))"
    pre = having("pre")
    if pre:
        if every and len(pre) == len(analysed):
            add("사전 정규화(pre-LN)로 구현",
                f"이 코스(노트, 논문)의 트랜스포머는 사후 정규화(post-LN)입니다: {post_ln}. 정규화를 부분층 앞에 "
                "두는 pre-LN(x + sublayer(norm(x)))은 다른 설계입니다.")
        else:
            add(f"{_labels(pre)} 앞에서 정규화함 (사전 정규화, pre-LN)",
                f"정규화는 부분층 뒤, 더한 다음에 합니다(사후 정규화, post-LN): {post_ln}. 부분층에는 정규화하지 "
                "않은 x를 넣습니다.")
    no_add = having("no_add")
    if no_add:
        name = "잔차 연결(Add)을 하나도 하지 않음" if every and len(no_add) == len(analysed) else \
            f"{_labels(no_add)} 뒤 잔차 연결(Add)을 빠뜨림"
        add(name, f"Add & Norm의 Add: 부분층의 출력에 그 부분층의 입력 x를 더한 뒤 정규화합니다: {post_ln}. "
                  "더해야 층이 깊어져도 정보와 기울기가 지나갑니다.")
    if having("add_after_norm"):
        add("Add & Norm의 순서가 틀림: 부분층 출력을 정규화한 뒤 x를 더함",
            f"x + norm(sublayer(x))가 아니라 norm(x + sublayer(x))입니다: 입력 x와 부분층 출력을 먼저 더하고(Add), "
            "그 합을 정규화합니다(Norm).")
    if having("norm_then_add"):
        add("Add & Norm의 순서가 틀림: x를 정규화한 뒤 부분층 출력을 더함",
            "norm(x) + sublayer(x)가 아니라 norm(x + sublayer(x))입니다: 더한 다음 정규화합니다.")
    no_norm = having("no_norm")
    if no_norm:
        if every and len(no_norm) == len(analysed):
            name = "계층 정규화(Add & Norm의 Norm)를 하나도 하지 않음"
        elif len(no_norm) == 1:
            name = f"{no_norm[0].label} 뒤 Add & Norm의 Norm({no_norm[0].norm})을 빠뜨림"
        else:
            name = f"{_labels(no_norm)} 뒤 Add & Norm의 Norm을 빠뜨림"
        add(name, "더한 뒤에 계층 정규화를 합니다: " +
            ", ".join(f"x = self.{s.norm}(x + {s.label} 출력)" for s in no_norm) + ".")
    if having("no_add_norm"):
        add(f"{_labels(having('no_add_norm'))} 뒤 Add & Norm을 빠뜨림",
            f"부분층마다 뒤에 Add & Norm이 옵니다: {post_ln}. 부분층의 출력을 그대로 다음으로 넘기거나 돌려주지 마세요.")
    for kind, name, hint in [
        ("residual_input", "뒤 잔차로 층의 처음 입력 x를 더함",
         "잔차는 그 부분층에 들어간 입력(바로 앞 Add & Norm의 결과)입니다: x = norm(x + sublayer(x))로 x를 매번 "
         "갱신하세요."),
        ("residual_other", "뒤 잔차로 부분층의 입력이 아닌 텐서를 더함",
         f"{post_ln}에서 더하는 x는 그 부분층에 넣은 바로 그 텐서입니다. 변수가 여럿이라면 부분층에 넣은 변수를 더하세요."),
    ]:
        if having(kind):
            add(f"{_labels(having(kind))} {name}", hint)
    for sub in analysed:
        if kinds[sub][0].startswith("residual_input:"):
            other = kinds[sub][0].split(":", 1)[1]
            add(f"{sub.label} 뒤 잔차로 {_josa(other, '을를')} 더함",
                f"잔차로 더하는 것은 그 부분층에 넣은 x입니다: {post_ln}.")

    # 6. which norm follows which sublayer (not judged when a sublayer is missing, doubled or swapped
    # for another module: the norms then follow the learner's own layout)
    if not pre and not structural:
        used = {s: kinds[s][1] for s in analysed if kinds[s][1] and kinds[s][0] not in ("norm_then_add",)}
        counts = {}
        for norm in used.values():
            counts[norm] = counts.get(norm, 0) + 1
        repeated = [n for n, c in counts.items() if c > 1]
        norms_text = ", ".join(f"{s.label} → {s.norm}" for s in spec.sublayers)
        if repeated:
            norm = repeated[0]
            add(f"같은 {_josa(norm, '을를')} {_count_word(counts[norm])} 번 씀",
                f"정규화 층은 부분층마다 따로 있습니다(각자 weight와 bias를 배움): {norms_text}.")
        else:
            wrong = [s for s in used if used[s] != s.norm]
            positional = {s: spec.sublayers[i].norm for i, s in enumerate(seen) if i < len(spec.sublayers)}
            if wrong and not (seen != expected_order and all(used[s] == positional.get(s) for s in used)):
                add("Add & Norm의 정규화 층이 뒤바뀜 (" + ", ".join(f"{s.label} 뒤 {used[s]}" for s in wrong) + ")",
                    f"부분층마다 짝이 되는 정규화 층이 정해져 있습니다: {norms_text}. 각 정규화 층은 weight와 bias가 "
                    "따로라서 바꾸면 결과가 달라집니다.")

    # 7. a layer norm without its weight and bias (F.layer_norm, or written out)
    called_norms = {name for name, _, _ in trace.norm_calls}
    if not failed and got is not None and any(s.norm not in called_norms for s in spec.sublayers):
        candidates = [got] + [n.tensor for u in trace.uses for n in u.inputs.values()
                              if n is not None and n.kind == "unknown"]
        unused = [s.norm for s in spec.sublayers if s.norm not in called_norms
                  and _output_depends_on(layer, s.norm, run, got) is False]
        if unused and any(_standardized(t) for t in candidates):
            add("계층 정규화에 weight·bias(γ, β)를 쓰지 않음",
                "F.layer_norm(x, (d,))이나 직접 쓴 정규화는 평균 0·분산 1로 맞추기만 하고, 학습하는 γ(weight)와 "
                f"β(bias)를 곱하고 더하지 않습니다. 주어진 {_josa(', '.join('self.' + n for n in unused), '을를')} "
                "부르세요.")

    # 8. a sublayer whose result never reaches the output
    if final is not None and final.deps is not None:
        for sub, use in first_use.items():
            if use.output is not None and use not in final.deps and use not in stale_uses:
                add(f"{sub.label}의 결과가 층의 출력에 쓰이지 않음",
                    f"부분층의 결과는 Add & Norm을 거쳐 다음 부분층으로, 마지막에는 층의 출력으로 이어집니다: {order_text}.")
    return findings[:4], failed


def findings_note(findings) -> str | None:
    """One note for the check's message: every finding on its own 💡 line ("<name>. <hint>")."""
    if not findings:
        return None
    return "\n  💡 흔한 실수: ".join(f"{name}. {hint}" for name, hint in findings)


ENCODER_SPEC = LayerSpec(
    title="인코더 층",
    sublayers=(
        Sublayer("self_attention", "norm1", "셀프 어텐션", mask="mask",
                 mask_desc="패딩 토큰을 키에서 빼는 패딩 마스크"),
        Sublayer("feed_forward", "norm2", "피드포워드", kind="ffn"),
    ),
)


def diagnose_encoder_layer(layer_class, case: Case):
    """Name what the learner's EncoderLayer.forward does differently from
    self-attention(x, x, x, mask) → norm1(x + ·) → feed_forward → norm2(x + ·). A Korean note, or None."""
    layer = load_like_reference(layer_class(D_MODEL, NUM_HEADS, D_FF, 0.1), _encoder_random_state(seed=14),
                                "EncoderLayer")
    views = []
    for probe in [case] + _encoder_layer_cases()[:1]:  # the failing case, then the padded batch
        x, mask = probe.kwargs["x"], probe.kwargs["mask"]
        views.append(({"x": x, "mask": mask}, lambda x=x, mask=mask: layer(x, mask)))
    return findings_note(analyse_layer(ENCODER_SPEC, layer, views))


EXERCISES_HERE = [
    Exercise(
        id="transformer.positional_encoding",
        hints=[
            "위치 pos와 차원 쌍 i마다 각도 pos / 10000^(2i/d_model)을 만들고, 짝수 차원(2i)에는 sin, 홀수 차원(2i+1)에는 cos을 넣습니다. 한 "
            "쌍(2i, 2i+1)은 같은 주파수를 나눠 씁니다. 위치는 0부터 셉니다.",
            "PE[pos, 2i] = sin(pos / 10000^(2i/d)),  PE[pos, 2i+1] = cos(pos / 10000^(2i/d)).  pos (T, 1), 2i = "
            "arange(0, d, 2) (d/2,) → 각도 (T, d/2).  결과 (T, d) float32, 열을 번갈아 채웁니다 (앞 절반 sin, 뒤 절반 cos으로 이어붙이지 "
            "않음).",
            "pos = torch.arange(length, dtype=torch.float32).unsqueeze(1)     # (T, 1)\n"
            "two_i = torch.arange(0, d_model, ___, dtype=torch.float32)       # (d/2,)\n"
            "angle = pos / torch.pow(10000.0, ___ / d_model)                 # (T, d/2)\n"
            "pe = torch.zeros(length, d_model)\n"
            "pe[:, 0::2] = torch.___(angle)\n"
            "pe[:, ___] = torch.___(angle)\n"
            "return pe",
        ],
        chapter="07",
        reference=transformer.positional_encoding,
        cases=_pe_cases,
        oracle=loop_positional_encoding,
        oracle_name="sin·cos로 한 칸씩 계산한 논문 수식",
        alternatives=[_pe_alternative],
        mistakes=[
            Mistake("sin과 cos을 이어붙인 배치 (TF 튜토리얼의 [sin | cos])",
                    "이 코스는 논문의 교차 배치를 씁니다: 짝수 차원 2i에 sin, 홀수 차원 2i+1에 cos. "
                    "정보는 같지만 열의 순서가 다릅니다.",
                    _pe_with(layout="concat")),
            Mistake("sin과 cos의 자리가 바뀜", "짝수 차원(0, 2, 4, ...)이 sin, 홀수 차원이 cos입니다.",
                    _pe_with(swap=True)),
            Mistake("지수에 차원 번호 j를 그대로 씀",
                    "짝수·홀수 두 차원 2i와 2i+1은 같은 주파수를 나눠 씁니다: 지수는 j가 아니라 2i(= j - j % 2)입니다.",
                    _pe_with(exponent="dim")),
            Mistake("위치를 1부터 셈", "위치 pos는 0부터 셉니다. 첫 토큰의 인코딩은 [0, 1, 0, 1, ...]입니다.",
                    _pe_with(start=1)),
        ],
    ),
    Exercise(
        id="transformer.layer_norm",
        hints=[
            "토큰 하나의 특징 벡터(마지막 축) 안에서 평균과 분산을 구해, 평균 0·분산 1로 맞춘 뒤 weight(γ)를 곱하고 bias(β)를 더합니다. 분산은 N으로 나누는 편향 "
            "분산이고, eps는 제곱근 안에서 더합니다.",
            "μ = mean(x, dim=-1, keepdim=True), σ² = mean((x - μ)², dim=-1, keepdim=True)  (모양 (..., 1)).  y = "
            "(x - μ) / sqrt(σ² + eps) · weight + bias, 모양은 x와 같음 (..., D).",
            "mean = x.mean(dim=___, keepdim=True)\n"
            "var = x.var(dim=___, keepdim=True, unbiased=___)\n"
            "normed = (x - mean) / torch.sqrt(___)\n"
            "return normed * ___ + ___",
        ],
        chapter="07",
        reference=transformer.layer_norm,
        cases=_ln_cases,
        oracle=torch_layer_norm,
        oracle_name="nn.LayerNorm",
        alternatives=[_ln_alternative],
        mistakes=[
            Mistake("불편 분산(unbiased=True)을 씀",
                    "nn.LayerNorm은 N으로 나누는 편향 분산을 씁니다: x.var(dim=-1, unbiased=False, keepdim=True).",
                    _ln_with(unbiased=True)),
            Mistake("배치 축으로 정규화함 (배치 정규화처럼)",
                    "계층 정규화는 토큰 하나의 특징 벡터(마지막 축, dim=-1) 안에서 평균과 분산을 구합니다. 배치와 무관합니다.",
                    _ln_with(dim=0)),
            Mistake("eps를 제곱근 밖에서 더함", "분모는 sqrt(var + eps)입니다. sqrt(var) + eps가 아닙니다.",
                    _ln_with(eps_inside=False)),
            Mistake("weight와 bias(γ, β)를 적용하지 않음", "정규화한 뒤 y * weight + bias로 크기와 위치를 되돌립니다.",
                    _ln_with(affine=False)),
            Mistake("평균을 빼지 않음", "먼저 평균을 빼서 중심을 0으로 옮긴 뒤 표준편차로 나눕니다.",
                    _ln_with(center=False)),
            Mistake("eps 인자를 무시하고 1e-5를 씀", "함수의 eps 인자를 그대로 쓰세요.",
                    _ln_with(fixed_eps=1e-5)),
        ],
    ),
    Exercise(
        id="transformer.EncoderLayer",
        hints=[
            "인코더 층은 부분층 두 개를 차례로 지납니다: 셀프 어텐션 → Add & Norm → 피드포워드 → Add & Norm. Add & Norm은 '부분층의 입력 x + "
            "(dropout을 거친) 부분층의 출력'을 계층 정규화하는 것입니다(사후 정규화). __init__이 준 self.self_attention, self.norm1, "
            "self.feed_forward, self.norm2, self.dropout을 씁니다.",
            "입력 X (B, T, D), 마스크 (B, 1, T) 또는 None.  부분층 1: A = SelfAttn(Q = K = V = X, 마스크) (B, T, D), "
            "어텐션 가중치 (B, h, T, T)는 층에 보관;  Y = LN₁(X + Drop(A)).  부분층 2: Z = LN₂(Y + Drop(FFN(Y))).  "
            "결과 Z (B, T, D).  두 번째 부분층의 입력은 X가 아니라 첫 Add & Norm의 결과 Y입니다.",
            "attended, weights = self.self_attention(___, ___, ___, ___)\n"
            "self.attention_weights = weights.detach()\n"
            "x = self.norm1(x + self.dropout(___))\n"
            "x = self.___(x + self.dropout(self.feed_forward(___)))\n"
            "return x",
        ],
        chapter="07",
        reference=transformer.EncoderLayer,
        cases=_encoder_layer_cases,
        run=run_encoder_layer,
        oracle=TorchEncoderLayer,
        oracle_name="nn.TransformerEncoderLayer",
        is_class=True,
        diagnose=diagnose_encoder_layer,
        check_gradients=True,
        alternatives=[_EncoderAlternative],
        mistakes=[
            Mistake("사전 정규화(pre-LN)로 구현",
                    "노트와 논문의 트랜스포머는 사후 정규화(post-LN)입니다: x = norm(x + sublayer(x)). "
                    "정규화를 부분층 앞에 두는 pre-LN(x + sublayer(norm(x)))은 다른 (요즘 흔한) 설계입니다.",
                    _EncoderPreNorm),
            Mistake("잔차 연결(Add)을 빠뜨림",
                    "Add & Norm의 Add는 부분층의 입력을 출력에 더하는 것입니다: x = norm1(x + attended), "
                    "x = norm2(x + feed_forward(x)).",
                    _EncoderNoResidual),
            Mistake("Add & Norm에서 정규화(Norm)를 빠뜨림",
                    "더한 뒤에 계층 정규화를 합니다: x = self.norm1(x + attended), x = self.norm2(x + ...).",
                    _EncoderNoNorm),
            Mistake("부분층의 순서가 바뀜 (피드포워드가 먼저)",
                    "인코더 층은 셀프 어텐션 → Add & Norm → 피드포워드 → Add & Norm 순서입니다.",
                    _EncoderFeedForwardFirst),
            Mistake("패딩 마스크를 쓰지 않음",
                    "셀프 어텐션에 mask를 넘기세요: self.self_attention(x, x, x, mask). "
                    "그래야 패딩 토큰이 키에서 빠집니다.",
                    _EncoderMaskIgnored),
            Mistake("마스크를 반대로 넘김 (True인 곳을 가림)",
                    "이 코스의 마스크는 True = 볼 수 있음입니다. mask를 뒤집지 말고 그대로 넘기세요 "
                    "(뒤집는 것은 torch의 nn.MultiheadAttention·nn.Transformer* 계열에 넘길 때뿐입니다).",
                    _EncoderMaskInverted),
            Mistake("어텐션 점수를 √d_k로 나누지 않음",
                    "어텐션을 직접 계산했다면 점수를 √d_k(헤드 하나의 크기)로 나누세요. "
                    "self.self_attention(x, x, x, mask)를 부르면 그 안에서 나눕니다.",
                    _EncoderUnscaled),
            Mistake("피드포워드에서 활성화 함수(ReLU)를 빠뜨림",
                    "피드포워드는 Linear → ReLU → Linear입니다. ReLU가 없으면 두 선형층이 선형층 하나와 같아집니다. "
                    "self.feed_forward(x)를 그대로 부르세요.",
                    _EncoderNoActivation),
        ],
    ),
]
