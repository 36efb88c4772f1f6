"""Verify tests/answers_dev.py and tests/answers_heldout.py against lib's references (not a pytest file).

    python tests/answers_verify.py            # both sets
    python tests/answers_verify.py heldout    # one set

Every "wrong" answer must differ from the reference on at least one ordinary input of its exercise
(an exception, another shape/dtype, or other values; class answers also in training mode with the
same dropout seed), and every "correct" answer must agree on all of them. Uses only lib's reference
modules, never the checks. Writes nothing.
"""

import importlib
import math
import sys
from collections import Counter
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lib import attention, losses, masks, rnn, seq2seq, transformer  # noqa: E402

REFERENCE = {
    "attention.weighted_average": attention.weighted_average,
    "rnn.rnn_cell": rnn.rnn_cell,
    "rnn.rnn_layer": rnn.rnn_layer,
    "rnn.lstm_cell": rnn.lstm_cell,
    "rnn.gru_cell": rnn.gru_cell,
    "seq2seq.context_vector": seq2seq.context_vector,
    "seq2seq.make_decoder_io": seq2seq.make_decoder_io,
    "seq2seq.greedy_decode": seq2seq.greedy_decode,
    "attention.dot_product_scores": attention.dot_product_scores,
    "attention.additive_scores": attention.additive_scores,
    "attention.attend": attention.attend,
    "losses.softmax": losses.softmax,
    "losses.log_softmax": losses.log_softmax,
    "losses.cross_entropy": losses.cross_entropy,
    "losses.masked_accuracy": losses.masked_accuracy,
    "transformer.positional_encoding": transformer.positional_encoding,
    "attention.scaled_dot_product_attention": attention.scaled_dot_product_attention,
    "attention.split_heads": attention.split_heads,
    "attention.merge_heads": attention.merge_heads,
    "attention.multi_head_attention": attention.multi_head_attention,
    "transformer.layer_norm": transformer.layer_norm,
    "masks.causal_mask": masks.causal_mask,
    "masks.padding_mask": masks.padding_mask,
    "masks.decoder_self_attention_mask": masks.decoder_self_attention_mask,
    "transformer.EncoderLayer": transformer.EncoderLayer,
    "transformer.DecoderLayer": transformer.DecoderLayer,
    "transformer.Transformer": transformer.Transformer,
}


class ScriptModel:
    """model(src, ys) -> logits (B, len(ys), V): position t of row b predicts scripts[b][t]."""

    def __init__(self, scripts, vocab=9):
        self.scripts, self.vocab = scripts, vocab

    def __call__(self, src, ys):
        B, L = ys.shape
        logits = torch.zeros(B, L, self.vocab)
        for b in range(B):
            for t in range(L):
                script = self.scripts[b]
                logits[b, t, script[t] if t < len(script) else 4] = 5.0
        return logits


def _g(seed):
    return torch.Generator().manual_seed(seed)


def inputs(ex_id):
    """A few ordinary inputs per exercise: list of (args, kwargs)."""
    g = _g(0)
    r = lambda *s, scale=1.0: torch.randn(*s, generator=g) * scale  # noqa: E731
    if ex_id == "attention.weighted_average":
        return [((r(5, 3), torch.softmax(r(5), 0)), {}), ((r(4, 4), torch.softmax(r(4), 0)), {})]
    if ex_id == "rnn.rnn_cell":
        B, D, H = 3, 4, 5
        return [((r(B, D), r(B, H), r(H, D, scale=.5), r(H, H, scale=.5), r(H, scale=.5), r(H, scale=.5)), {})]
    if ex_id == "rnn.rnn_layer":
        B, T, D, H = 2, 4, 3, 5
        return [((r(B, T, D), r(B, H), r(H, D, scale=.5), r(H, H, scale=.5), r(H, scale=.5), r(H, scale=.5)), {})]
    if ex_id in ("rnn.lstm_cell", "rnn.gru_cell"):
        B, D, H = 3, 4, 5
        G = 4 if ex_id == "rnn.lstm_cell" else 3
        h = r(B, H)
        state = (h, r(B, H)) if G == 4 else h
        return [((r(B, D), state, r(G * H, D, scale=.5), r(G * H, H, scale=.5), r(G * H, scale=.5),
                  r(G * H, scale=.5)), {})]
    if ex_id == "seq2seq.context_vector":
        return [((r(4, 6, 3), torch.tensor([6, 2, 4, 1])), {})]
    if ex_id == "seq2seq.make_decoder_io":
        tgt = torch.tensor([[1, 5, 6, 7, 2, 0, 0], [1, 4, 2, 0, 0, 0, 0], [1, 3, 4, 5, 6, 7, 2]])
        return [((tgt,), {})]
    if ex_id == "seq2seq.greedy_decode":
        all_finish = ScriptModel([[5, 2, 6, 7, 5, 6, 7, 5], [4, 5, 6, 2, 7, 7, 7, 7], [6, 6, 2, 5, 5, 5, 5, 5]])
        one_never = ScriptModel([[5, 2, 6, 7, 5, 6, 7, 5], [4, 5, 6, 7, 5, 6, 7, 5]])
        return [((all_finish, torch.zeros(3, 4, dtype=torch.long), 1, 2, 7), {}),
                ((one_never, torch.zeros(2, 4, dtype=torch.long), 1, 2, 5), {})]
    if ex_id == "attention.dot_product_scores":
        return [((r(3, 4), r(3, 5, 4)), {})]
    if ex_id == "attention.additive_scores":
        return [((r(3, 4), r(3, 5, 6), r(7, 4), r(7, 6), r(7)), {})]
    if ex_id == "attention.attend":
        mask = torch.tensor([[1, 1, 1, 0, 0], [1, 1, 1, 1, 1], [1, 0, 0, 0, 0]], dtype=torch.bool)
        return [((r(3, 5), r(3, 5, 4), mask), {}), ((r(3, 5), r(3, 5, 4)), {})]
    if ex_id in ("losses.softmax", "losses.log_softmax"):
        return [((r(4, 6, scale=3),), {}), ((r(4, 6, scale=3),), {"dim": 0}), ((r(2, 3, 5),), {}),
                ((r(4, 6, scale=1000),), {})]
    if ex_id == "losses.cross_entropy":
        t = torch.tensor([0, 3, 1, 0, 4, 2])
        return [((r(6, 5, scale=2), t), {}), ((r(6, 5, scale=2), t), {"ignore_index": 0})]
    if ex_id == "losses.masked_accuracy":
        labels = torch.tensor([[4, 5, 6, 2, 0], [3, 2, 0, 0, 0], [5, 6, 3, 4, 2]])
        logits = r(3, 5, 7)
        logits[0, 0, 4] += 10
        logits[0, 2, 6] += 10
        logits[2, :, 0] += 0.0
        logits[1, 1, 2] += 10
        logits[2, 3, 4] += 10
        return [((logits, labels), {})]
    if ex_id == "transformer.positional_encoding":
        return [((10, 16), {}), ((7, 6), {}), ((5, 7), {})]
    if ex_id == "attention.scaled_dot_product_attention":
        mask = torch.ones(2, 1, 4, 6, dtype=torch.bool)
        mask[0, 0, :, 4:] = False
        mask[1, 0, 1:, :2] = False
        return [((r(2, 3, 4, 8), r(2, 3, 6, 8), r(2, 3, 6, 5), mask), {}),
                ((r(2, 4, 8), r(2, 6, 8), r(2, 6, 8)), {}),
                ((r(5, 8), r(5, 8), r(5, 8), masks.causal_mask(5)), {})]
    if ex_id == "attention.split_heads":
        return [((r(2, 5, 12), 3), {})]
    if ex_id == "attention.merge_heads":
        return [((r(2, 3, 5, 4),), {})]
    if ex_id == "attention.multi_head_attention":
        D, h = 12, 3
        params = {n: r(D, D, scale=D ** -0.5) if n.startswith("W") else r(D, scale=.3)
                  for n in ["W_q", "b_q", "W_k", "b_k", "W_v", "b_v", "W_o", "b_o"]}
        src = torch.tensor([[5, 6, 7, 8, 0, 0], [5, 6, 7, 8, 9, 4]])
        x = r(2, 5, D)
        return [((r(2, 4, D), r(2, 6, D), r(2, 6, D), params, h), {"mask": masks.padding_mask(src)}),
                ((x, x, x, params, h), {"mask": masks.causal_mask(5)}),
                ((r(2, 4, D), r(2, 6, D), r(2, 6, D), params, h), {})]
    if ex_id == "transformer.layer_norm":
        return [((r(2, 4, 8, scale=2) + 1, r(8) + 1, r(8)), {}), ((r(3, 8, scale=1e-3), r(8) + 1, r(8)), {})]
    if ex_id == "masks.causal_mask":
        return [((1,), {}), ((4,), {}), ((6,), {})]
    if ex_id in ("masks.padding_mask", "masks.decoder_self_attention_mask"):
        tokens = torch.tensor([[1, 5, 6, 2, 0, 0], [1, 4, 5, 6, 7, 2], [1, 2, 0, 0, 0, 0]])
        return [((tokens,), {}), ((tokens + 1,), {"pad_id": 1})]
    raise KeyError(ex_id)


def same(a, b, atol=1e-5, rtol=1e-4):
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        if not (isinstance(a, (tuple, list)) and isinstance(b, (tuple, list))) or len(a) != len(b):
            return False
        return all(same(x, y, atol, rtol) for x, y in zip(a, b))
    if isinstance(a, (int, float)) or isinstance(b, (int, float)):
        try:
            fa, fb = float(a), float(b)
        except Exception:
            return False
        return (math.isnan(fa) and math.isnan(fb)) or abs(fa - fb) <= atol + rtol * abs(fa)
    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
        return False
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.dtype == torch.bool or not a.is_floating_point():
        return bool((a == b).all())
    return bool(torch.allclose(a, b, atol=atol, rtol=rtol, equal_nan=True))


def run(fn, args, kwargs):
    try:
        return True, fn(*args, **kwargs)
    except Exception as exc:  # a wrong answer may raise
        return False, f"{type(exc).__name__}: {exc}"


def class_setups(ex_id):
    g = _g(1)
    r = lambda *s: torch.randn(*s, generator=g)  # noqa: E731
    if ex_id == "transformer.EncoderLayer":
        src = torch.tensor([[5, 6, 7, 0, 0], [5, 6, 7, 8, 9]])
        return (16, 4, 32, 0.1), {}, [((r(2, 5, 16), masks.padding_mask(src)), {}), ((r(2, 5, 16),), {})]
    if ex_id == "transformer.DecoderLayer":
        tgt = torch.tensor([[1, 5, 6, 0, 0], [1, 5, 6, 7, 8]])
        src = torch.tensor([[5, 6, 7, 8, 0, 0, 0], [5, 6, 7, 8, 9, 4, 3]])
        return (16, 4, 32, 0.1), {}, [((r(2, 5, 16), r(2, 7, 16), masks.decoder_self_attention_mask(tgt),
                                        masks.padding_mask(src)), {})]
    if ex_id == "transformer.Transformer":
        src = torch.tensor([[5, 6, 7, 8, 0, 0, 0], [5, 6, 7, 8, 9, 4, 3]])
        tgt = torch.tensor([[1, 5, 6, 0, 0], [1, 5, 6, 7, 8]])
        return (11, 13), dict(d_model=16, num_heads=4, d_ff=32, num_layers=2, dropout=0.1), [(((src, tgt),), {})]
    raise KeyError(ex_id)


def compare_class(ex_id, cls):
    ref_cls = REFERENCE[ex_id]
    args, kwargs, calls = class_setups(ex_id)
    torch.manual_seed(0)
    ref = ref_cls(*args, **kwargs)
    noise = _g(7)
    with torch.no_grad():  # break symmetries: norms, biases all different
        for p in ref.parameters():
            p.add_(torch.randn(p.shape, generator=noise) * 0.2)
    try:
        ans = cls(*args, **kwargs)
        ans.load_state_dict(ref.state_dict())
    except Exception as exc:
        return [("init", False, f"{type(exc).__name__}: {exc}")]
    results = []
    for mode in ("eval", "train"):
        ref.train(mode == "train")
        ans.train(mode == "train")
        for call_args, call_kwargs in calls:
            torch.manual_seed(123)
            expected = ref(*call_args, **call_kwargs)
            torch.manual_seed(123)
            ok, got = run(ans, call_args, call_kwargs)
            results.append((mode, ok and same(expected, got), "" if ok else got))
    return results


def compare_function(ex_id, fn):
    results = []
    for args, kwargs in inputs(ex_id):
        expected = REFERENCE[ex_id](*args, **kwargs)
        ok, got = run(fn, args, kwargs)
        where = tuple(tuple(a.shape) if isinstance(a, torch.Tensor) else a for a in args
                      if isinstance(a, (torch.Tensor, int)))
        results.append((f"{where}{sorted(kwargs) if kwargs else ''}", ok and same(expected, got),
                        "" if ok else got))
    return results


def verify(module_name):
    mod = importlib.import_module(module_name)
    problems = []
    counts = Counter()
    for ex_id, obj, label in mod.CASES:
        assert ex_id in REFERENCE, ex_id
        assert label["kind"] in ("wrong", "correct"), label
        assert label["what"], label
        assert set(label) <= {"kind", "what", "names_any", "train_mode_only"}, label
        if label["kind"] == "wrong":
            assert 2 <= len(label["names_any"]) <= 6, (ex_id, label)
        else:
            assert label["names_any"] == [], label
        results = compare_class(ex_id, obj) if isinstance(obj, type) else compare_function(ex_id, obj)
        n_same = sum(1 for _, s, _ in results if s)
        counts[(ex_id, label["kind"])] += 1
        name = getattr(obj, "__name__", repr(obj))
        if label["kind"] == "wrong" and n_same == len(results):
            problems.append(f"WRONG BUT EQUAL: {ex_id} {name}")
        if label.get("train_mode_only") and any(not s for mode, s, _ in results if mode == "eval"):
            problems.append(f"TRAIN-MODE-ONLY BUT DIFFERS IN EVAL: {ex_id} {name}")
        if label["kind"] == "correct" and n_same != len(results):
            problems.append(f"CORRECT BUT DIFFERS: {ex_id} {name} {results}")
        differ = [f"{where}{' ' + err[:60] if err else ''}" for where, s, err in results if not s]
        print(f"{label['kind']:7s} {ex_id:42s} {name:28s} differs on {len(differ)}/{len(results)}"
              + (f": {differ[0]}" if differ else ""))
    missing = set(REFERENCE) - {e for e, _ in counts}
    wrong = sum(v for (e, k), v in counts.items() if k == "wrong")
    correct = sum(v for (e, k), v in counts.items() if k == "correct")
    print(f"\n{module_name}: {wrong} wrong, {correct} correct; exercises without a case: {sorted(missing)}")
    for p in problems:
        print(p)
    return not problems and not missing


if __name__ == "__main__":
    which = sys.argv[1:] or ["dev", "heldout"]
    ok = all([verify(f"tests.answers_{w}") for w in which])
    sys.exit(0 if ok else 1)
