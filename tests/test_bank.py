"""The whole quiz bank against course spec section 10 (issue 12): well formed, big enough, not guessable.

Covers every chapter file present in lib/course/quizbank/ plus the generated items (lib.course.quizgen).
Run with ``-s`` to see the figures (items per chapter, longest-choice rate, key positions,
negative-form share, generated count); ``test_bank_figures`` prints them all in one table.
Generated keys are recomputed here independently of lib (torch modules and plain arithmetic).
"""

import collections
import math
import re

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import bank_figures  # tools/bank_figures.py (tools/ is on sys.path via conftest.py): the README's figures

from lib.course import quiz, quizgen

# The layout-v1 bank's ids (git: `git show ba7362a~1:lib/quizbank/chNN.json`), frozen here.
# v1 07-* = today's causal chapter (08), v1 08-* = today's transformer chapter (09).
V1_IDS = (
    [f"00-{i}" for i in range(1, 7)] + [f"01-{i}" for i in range(1, 10)] + [f"02-{i}" for i in range(1, 9)]
    + [f"03-{i}" for i in range(1, 8)] + [f"04-{i}" for i in range(1, 9)] + [f"05-{i}" for i in range(1, 9)]
    + [f"06-{i}" for i in range(1, 12)] + [f"07-{i}" for i in range(1, 10)] + [f"08-{i}" for i in range(1, 13)]
)
RAW = bank_figures.raw_bank()
WELL_FORMED = [raw for raw in RAW if not quiz.validate_item(raw)]
CHAPTER_MINIMUM, TOTAL_MINIMUM, ABSOLUTE_WORDS = (bank_figures.CHAPTER_MINIMUM, bank_figures.TOTAL_MINIMUM,
                                                  bank_figures.ABSOLUTE_WORDS)
longest_choice_rate, key_positions = bank_figures.longest_choice_rate, bank_figures.key_positions
negative_share, absolute_rates = bank_figures.negative_share, bank_figures.absolute_rates


def _chapter_counts() -> dict:
    return bank_figures.chapter_counts(RAW)


# ---------------------------------------------------------------- well formed


def test_every_item_is_well_formed():
    problems = [p for raw in RAW for p in quiz.validate_item(raw)]
    assert not problems, "malformed items:\n" + "\n".join(problems)


def test_chapter_field_matches_the_file():
    wrong = [raw.get("id") for chapter in quiz.chapters_in_bank() for raw in quiz.raw_items(chapter)
             if raw.get("chapter") != chapter]
    assert not wrong, f"items in the wrong chapter file: {wrong}"


def test_ids_are_unique():
    counts = collections.Counter(raw.get("id") for raw in RAW)
    assert not [i for i, n in counts.items() if n > 1], [i for i, n in counts.items() if n > 1]


def test_no_duplicate_question_text():
    norm = lambda t: re.sub(r"\s+", " ", t).strip()  # noqa: E731
    seen = collections.defaultdict(list)
    for raw in RAW:
        seen[norm(raw["question"])].append(raw["id"])
    assert not [ids for ids in seen.values() if len(ids) > 1], [ids for ids in seen.values() if len(ids) > 1]


EXPERIMENT_ITEMS_PER_CHAPTER = 3  # spec §10: "at most a few items per chapter depend on ... this course's own experiments"


def chapters_with_too_many_experiment_items(raw_items, limit=EXPERIMENT_ITEMS_PER_CHAPTER):
    counts = collections.Counter(raw["chapter"] for raw in raw_items if raw.get("kind") == "experiment")
    return {chapter: n for chapter, n in counts.items() if n > limit}


def test_few_items_per_chapter_depend_on_this_course_s_experiments():
    assert not chapters_with_too_many_experiment_items(RAW)
    crowded = [dict(raw, kind="experiment") for raw in RAW if raw["chapter"] == "03"][:EXPERIMENT_ITEMS_PER_CHAPTER + 1]
    assert chapters_with_too_many_experiment_items(crowded) == {"03": EXPERIMENT_ITEMS_PER_CHAPTER + 1}


# ---------------------------------------------------------------- size


def test_items_per_chapter():
    counts = _chapter_counts()
    print("\nitems per chapter: " + ", ".join(f"{c}: {n}" for c, n in counts.items()) + f" (total {len(RAW)})")
    short = {c: f"{counts.get(c, 0)} < {need}" for c, need in CHAPTER_MINIMUM.items() if counts.get(c, 0) < need}
    assert not short and len(RAW) >= TOTAL_MINIMUM, (
        f"too few items: total {len(RAW)} (need {TOTAL_MINIMUM}); short chapters {short}; counts {counts}")


def test_at_least_30_generated_items():
    generated = [raw for raw in RAW if "generated" in raw]
    per_chapter = collections.Counter(raw["chapter"] for raw in generated)
    print(f"\ngenerated items: {len(generated)} ({dict(sorted(per_chapter.items()))})")
    assert len(generated) >= 30


# ---------------------------------------------------------------- not guessable


def test_longest_choice_wins_at_most_30_percent():
    rate = longest_choice_rate(WELL_FORMED)
    per_chapter = {c: round(longest_choice_rate([r for r in WELL_FORMED if r["chapter"] == c]), 2)
                   for c in sorted({r["chapter"] for r in WELL_FORMED})}
    print(f"\nlongest-choice strategy: {rate:.1%} (per chapter {per_chapter})")
    assert rate <= 0.30


def test_no_key_position_above_30_percent():
    positions = key_positions(WELL_FORMED)
    shares = [n / len(WELL_FORMED) for n in positions]
    print("\nkey positions: " + ", ".join(f"{m} {n} ({s:.0%})" for m, n, s in zip(quiz.MARKS, positions, shares)))
    assert max(shares) <= 0.30


def test_negative_form_at_least_one_in_six():
    share = negative_share(WELL_FORMED)
    per_chapter = {c: sum(r.get("kind") == "negative" for r in WELL_FORMED if r["chapter"] == c)
                   for c in sorted({r["chapter"] for r in WELL_FORMED})}
    print(f"\nnegative form: {share:.1%} (per chapter {per_chapter})")
    assert share >= 1 / 6


def test_absolute_words_on_both_sides_or_neither():
    in_keys, in_wrong = absolute_rates(WELL_FORMED)
    print(f"\nabsolute words ({'/'.join(ABSOLUTE_WORDS)}): keys {in_keys:.1%}, distractors {in_wrong:.1%}")
    if max(in_keys, in_wrong) < 0.03:
        return  # almost never used: nothing to learn from them
    assert 0.5 <= in_keys / max(in_wrong, 1e-9) <= 2.0, "absolute words are a cue: they sit mostly on one side"


def test_display_order_is_a_deterministic_permutation_per_key():
    items = quiz.load_items()
    for item in items:
        for key in ("course", "learner-a", "learner-b"):
            order = quiz.display_order(item, key)
            assert sorted(order) == [0, 1, 2, 3], item.id
            assert order == quiz.display_order(item, key), item.id
    # different learners see different orders (not one fixed shuffle)
    differs = sum(quiz.display_order(i, "learner-a") != quiz.display_order(i, "learner-b") for i in items)
    assert differs > len(items) / 2
    # the key lands on every shown position about equally often
    shown = collections.Counter(quiz.display_order(i, "course").index(i.answer) for i in items)
    assert max(shown.values()) <= 0.35 * len(items), shown


# ---------------------------------------------------------------- legacy ids


def test_every_v1_id_maps_to_at_most_one_item():
    assert len(V1_IDS) == 78 and len(set(V1_IDS)) == 78
    owners = collections.defaultdict(list)
    for raw in RAW:
        for legacy in raw.get("legacy_ids", []):
            owners[legacy].append(raw["id"])
    unknown = sorted(set(owners) - set(V1_IDS))
    shared = {legacy: ids for legacy, ids in owners.items() if len(ids) > 1}
    print(f"\nlegacy ids mapped: {len(owners)} of {len(V1_IDS)}")
    assert not unknown, f"legacy ids that were never v1 ids: {unknown}"
    assert not shared, f"v1 ids claimed by more than one item: {shared}"


# ---------------------------------------------------------------- generated keys, recomputed independently


def _n_params(module) -> int:
    return sum(p.numel() for p in module.parameters())


def _scalar_cell(cell, weight_ih, weight_hh, bias_ih, bias_hh):
    with torch.no_grad():
        cell.weight_ih.copy_(torch.tensor(weight_ih, dtype=torch.float32).reshape(cell.weight_ih.shape))
        cell.weight_hh.copy_(torch.tensor(weight_hh, dtype=torch.float32).reshape(cell.weight_hh.shape))
        cell.bias_ih.copy_(torch.tensor(bias_ih, dtype=torch.float32))
        cell.bias_hh.copy_(torch.tensor(bias_hh, dtype=torch.float32))
    return cell


def _softmax(values):
    top = max(v for v in values if v != -math.inf)
    exps = [math.exp(v - top) if v != -math.inf else 0.0 for v in values]
    return [e / sum(exps) for e in exps]


def _pe(pos, d_model):
    return [math.sin(pos / 10000 ** (i / d_model)) if i % 2 == 0 else math.cos(pos / 10000 ** ((i - 1) / d_model))
            for i in range(d_model)]


def _weights_via_sdpa(q, k, **kw):
    """Attention weights from F.scaled_dot_product_attention: values = identity."""
    eye = torch.eye(k.size(-2))
    return F.scaled_dot_product_attention(q, k, eye, **kw)


@torch.no_grad()
def _oracle(gen, p):  # noqa: C901 - one branch per generator, on purpose
    torch.manual_seed(0)
    if gen == "rnn_params":
        return [_n_params(nn.RNN(p["d_in"], p["hidden"]))]
    if gen == "rnn_output_shape":
        out, _ = nn.RNN(p["d_in"], p["hidden"], batch_first=True)(torch.randn(p["batch"], p["length"], p["d_in"]))
        return list(out.shape)
    if gen == "rnn_hn_shape":
        rnn = nn.RNN(p["d_in"], p["hidden"], num_layers=p.get("layers", 1), batch_first=True)
        return list(rnn(torch.randn(p["batch"], p["length"], p["d_in"]))[1].shape)
    if gen == "rnn_cell_value":
        cell = _scalar_cell(nn.RNNCell(1, 1), [p["w_x"]], [p["w_h"]], [p["b"]], [0.0])
        return [cell(torch.tensor([[p["x"]]]), torch.tensor([[p["h0"]]])).item()]
    if gen == "rnn_two_steps":
        rnn = nn.RNN(1, 1, bias=False, batch_first=True)
        rnn.weight_ih_l0.fill_(p["w_x"])
        rnn.weight_hh_l0.fill_(p["w_h"])
        _, h = rnn(torch.tensor([[[x] for x in p["xs"]]]), torch.tensor([[[p["h0"]]]]))
        return [h.item()]
    if gen == "embedding_params":
        return [_n_params(nn.Embedding(p["vocab"], p["dim"]))]
    if gen == "lstm_params":
        return [_n_params(nn.LSTM(p["d_in"], p["hidden"]))]
    if gen == "gru_params":
        return [_n_params(nn.GRU(p["d_in"], p["hidden"]))]
    if gen == "lstm_hidden_state":  # i ~ 0, f ~ 1 keep the cell state at c; o from its logit
        o = p["o"]
        cell = _scalar_cell(nn.LSTMCell(1, 1), [0.0] * 4, [0.0] * 4, [-30.0, 30.0, 0.0, math.log(o / (1 - o))], [0.0] * 4)
        h, _ = cell(torch.zeros(1, 1), (torch.zeros(1, 1), torch.tensor([[p["c"]]])))
        return [h.item()]
    if gen == "lstm_cell_state":
        pre = [p["ln_i"] * math.log(3), p["ln_f"] * math.log(3), p["ln_g"] * math.log(3), 0.0]
        cell = _scalar_cell(nn.LSTMCell(1, 1), [0.0] * 4, [0.0] * 4, pre, [0.0] * 4)
        _, c = cell(torch.zeros(1, 1), (torch.zeros(1, 1), torch.tensor([[p["c"]]])))
        return [c.item()]
    if gen == "gru_update":
        z, n = p["z"], p["n"]
        cell = _scalar_cell(nn.GRUCell(1, 1), [0.0] * 3, [0.0] * 3, [0.0, math.log(z / (1 - z)), math.atanh(n)], [0.0] * 3)
        return [cell(torch.zeros(1, 1), torch.tensor([[p["h"]]])).item()]
    if gen == "lstm_weight_shape":
        return list(nn.LSTM(p["d_in"], p["hidden"]).weight_ih_l0.shape)
    if gen == "bigru_output_shape":
        gru = nn.GRU(p["d_in"], p["hidden"], batch_first=True, bidirectional=True)
        return list(gru(torch.randn(p["batch"], p["length"], p["d_in"]))[0].shape)
    if gen == "context_vector_pick":
        return [row[n - 1] for row, n in zip(p["rows"], p["lengths"])]
    if gen == "decoder_logits_shape":
        embed, gru, out = nn.Embedding(p["vocab"], 8), nn.GRU(8, p["hidden"], batch_first=True), nn.Linear(p["hidden"], p["vocab"])
        tokens = torch.randint(0, p["vocab"], (p["batch"], p["tgt_len"]))
        return list(out(gru(embed(tokens))[0]).shape)
    if gen == "seq2seq_params":
        layers = [nn.Embedding(p["src_vocab"], p["emb"]), nn.GRU(p["emb"], p["hidden"]),
                  nn.Embedding(p["tgt_vocab"], p["emb"]), nn.GRU(p["emb"], p["hidden"]), nn.Linear(p["hidden"], p["tgt_vocab"])]
        return [sum(_n_params(layer) for layer in layers)]
    if gen == "greedy_decode_shape":
        steps = [len(p["first"]) + 1, len(p["second"]) + 1]  # words + EOS, BOS left out
        return [2, min(max(steps), p["max_len"])]
    if gen == "attend_masked":
        scores = [s if keep else -math.inf for s, keep in zip(p["scores"], p["mask"])]
        return _softmax(scores)
    if gen == "dot_scores":
        return [sum(a * b for a, b in zip(k, p["query"])) for k in p["keys"]]
    if gen == "additive_score_values":
        w_q, w_k, v = torch.tensor([p["w_q"]]).T, torch.tensor([p["w_k"]]).T, torch.tensor(p["v"])
        return [(torch.tanh(w_q @ torch.tensor([[p["q"]]]) + w_k @ torch.tensor([[k]])).squeeze(1) @ v).item()
                for k in p["keys"]]
    if gen == "seq2seq_attention_shape":
        dec, enc = torch.randn(p["batch"], p["tgt_len"], p["hidden"]), torch.randn(p["batch"], p["src_len"], p["hidden"])
        return list(torch.softmax(dec @ enc.transpose(1, 2), dim=-1).shape)
    if gen == "softmax_rows":
        return F.softmax(torch.tensor(p["logits"]), dim=1)[0].tolist()
    if gen == "cross_entropy_value":
        return [F.cross_entropy(torch.tensor([p["logits"]]), torch.tensor([p["target"]])).item()]
    if gen == "cross_entropy_ignore":
        kept = [loss for loss, label in zip(p["losses"], p["labels"]) if label != 0]
        return [sum(kept) / len(kept)]
    if gen == "log_softmax_large":
        return F.log_softmax(torch.tensor([float(p["big"]), 0.0]), dim=0).tolist()
    if gen == "masked_accuracy_value":
        real = [(a, b) for a, b in zip(p["pred"], p["labels"]) if b != 0]
        return [sum(a == b for a, b in real) / len(real)]
    if gen == "sdpa_weights":
        return _weights_via_sdpa(torch.tensor(p["q"]), torch.tensor(p["k"]))[0].tolist()
    if gen == "sdpa_output_shape":
        q, k = torch.randn(p["batch"], p["tq"], p["d"]), torch.randn(p["batch"], p["tk"], p["d"])
        return list(F.scaled_dot_product_attention(q, k, torch.randn(p["batch"], p["tk"], p["dv"])).shape)
    if gen == "scaled_score":
        return [p["dot"] / math.sqrt(p["d_model"] // p["heads"])]
    if gen == "mha_params":
        return [_n_params(nn.MultiheadAttention(p["d_model"], p["heads"]))]
    if gen == "split_heads_shape":
        x = torch.randn(p["batch"], p["length"], p["d_model"])
        return list(x.unflatten(-1, (p["heads"], p["d_model"] // p["heads"])).permute(0, 2, 1, 3).shape)
    if gen == "layer_norm_values":
        return nn.LayerNorm(len(p["x"]))(torch.tensor([p["x"]]))[0].tolist()
    if gen == "positional_row":
        return _pe(p["pos"], p["d_model"])
    if gen == "ffn_params":
        return [_n_params(nn.Sequential(nn.Linear(p["d_model"], p["d_ff"]), nn.ReLU(), nn.Linear(p["d_ff"], p["d_model"])))]
    if gen == "causal_true_count":
        return [int((nn.Transformer.generate_square_subsequent_mask(p["length"]) == 0).sum())]
    if gen == "causal_row":
        return (nn.Transformer.generate_square_subsequent_mask(p["length"])[p["row"]] == 0).int().tolist()
    if gen == "decoder_mask_row":
        return [int(j <= p["row"] and tok != 0) for j, tok in enumerate(p["tokens"])]
    if gen == "causal_uniform_weights":
        q = torch.zeros(p["length"], 2)
        return _weights_via_sdpa(q, q, is_causal=True)[p["row"]].tolist()
    if gen == "padding_mask_shape":
        tokens = torch.randint(0, 5, (p["batch"], p["length"]))
        return list((tokens != 0)[:, None, :].shape)
    if gen == "transformer_logits_shape":
        model = nn.Transformer(d_model=p["d_model"], nhead=4, num_encoder_layers=1, num_decoder_layers=1,
                               dim_feedforward=32, batch_first=True)
        src, tgt = torch.randn(p["batch"], p["src_len"], p["d_model"]), torch.randn(p["batch"], p["tgt_len"], p["d_model"])
        return list(nn.Linear(p["d_model"], p["vocab"])(model(src, tgt)).shape)
    if gen == "cross_attention_shape":
        mha = nn.MultiheadAttention(4 * p["heads"], p["heads"], batch_first=True)
        dec, enc = torch.randn(p["batch"], p["tgt_len"], 4 * p["heads"]), torch.randn(p["batch"], p["src_len"], 4 * p["heads"])
        return list(mha(dec, enc, enc, average_attn_weights=False)[1].shape)
    if gen == "decoder_layer_params":
        return [_n_params(nn.TransformerDecoderLayer(p["d_model"], nhead=4, dim_feedforward=p["d_ff"]))]
    if gen == "self_attention_score_count":
        x = torch.randn(1, p["length"], 4 * p["heads"])
        _, w = nn.MultiheadAttention(4 * p["heads"], p["heads"], batch_first=True)(x, x, x, average_attn_weights=False)
        return [w.numel()]
    if gen == "layer_norm_params":
        return [_n_params(nn.LayerNorm(p["d_model"]))]
    if gen == "embedding_scale":
        return [p["value"] * p["d_model"] ** 0.5]
    raise KeyError(f"no independent oracle for generator {gen!r}")


NUMBER = re.compile(r"-?inf|nan|-?\d+(?:\.\d+)?")


def _numbers(text: str) -> list:
    return [float(t) for t in NUMBER.findall(text)]


GENERATED = [raw for raw in RAW if "generated" in raw]


def _close(got: float, expected: float) -> bool:
    if not (math.isfinite(got) and math.isfinite(expected)):
        return str(got) == str(expected)
    return abs(got - expected) <= 0.0051 + 1e-6 * abs(expected)  # keys are rounded to 2 decimals


@pytest.mark.parametrize("raw", GENERATED, ids=[raw["id"] for raw in GENERATED])
def test_generated_key_recomputed_independently(raw):
    spec = raw["generated"]
    expected = [float(v) for v in _oracle(spec["gen"], spec["params"])]
    key = raw["choices"][raw["answer"]]
    got = _numbers(key)
    assert len(got) == len(expected) and all(map(_close, got, expected)), f"{raw['id']}: key {key!r}, recomputed {expected}"
    for i, choice in enumerate(raw["choices"]):  # and no distractor is the right answer too
        numbers = _numbers(choice)
        if i != raw["answer"] and len(numbers) == len(expected):
            assert not all(map(_close, numbers, expected)), f"{raw['id']}: distractor {choice!r} is also right"


def test_every_generator_has_an_oracle():
    used = {spec[1] for spec in quizgen.SPECS}
    assert used <= set(quizgen.GENERATORS)
    for raw in GENERATED:
        _oracle(raw["generated"]["gen"], raw["generated"]["params"])


def test_a_generated_item_whose_key_does_not_recompute_is_caught():
    raw = dict(GENERATED[0])
    wrong = (raw["answer"] + 1) % 4
    raw["choices"] = list(raw["choices"])
    raw["choices"][raw["answer"]], raw["choices"][wrong] = raw["choices"][wrong], raw["choices"][raw["answer"]]
    problems = quiz.validate_item(raw)
    assert problems and raw["id"] in problems[0] and "recompute" in " ".join(problems)


# ---------------------------------------------------------------- the figures


def test_bank_figures():
    """Prints the figures the README quotes (run with -s)."""
    print("\n" + bank_figures.current_table())
    assert WELL_FORMED


def test_readme_quotes_the_current_bank_figures():
    quoted = bank_figures.readme_block.read("BANK")
    assert quoted is not None, "README.md has no BANK block: run `python tools/bank_figures.py --readme`"
    assert quoted == bank_figures.current_table(), "README's bank figures are stale: run `python tools/bank_figures.py --readme`"
    # ... and the comparison can fail: one item fewer changes the table
    assert bank_figures.table(WELL_FORMED[1:]) != quoted
