"""lib.seq2seq and lib.decoding: the chapter 03-04 exercises against independent oracles, the models'
invariants, decoding and scoring for any model(src, ys), and a training smoke test."""

import pytest
import torch
import torch.nn as nn

from lib import attention, decoding, seq2seq
from lib.course.checks.ch03 import ScriptedModel
from lib.corpus import make_translation_data, pad_batch
from lib.tokens import BOS_ID, EOS_ID, PAD_ID
from lib.ui.explorers.translation import step_html, translation_steps
from lib.train import fit


@pytest.fixture(autouse=True, scope="module")
def one_thread():
    """Tiny models: one thread is faster and immune to a busy machine."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def data():
    return make_translation_data(n_train=300, n_test=60, seed=1)


def _models(src_vocab, tgt_vocab, hidden=16):
    torch.manual_seed(0)
    return {
        "plain": seq2seq.Seq2Seq(src_vocab, tgt_vocab, embed_size=8, hidden_size=hidden),
        "additive": seq2seq.AttentionSeq2Seq(src_vocab, tgt_vocab, embed_size=8, hidden_size=hidden),
        "dot": seq2seq.AttentionSeq2Seq(src_vocab, tgt_vocab, embed_size=8, hidden_size=hidden, score="dot"),
    }


# ---------------------------------------------------------------- context_vector


def test_context_vector_equals_packed_gru_final_state():
    """Oracle: nn.GRU on a packed sequence stops at each row's last real token."""
    torch.manual_seed(0)
    gru = nn.GRU(3, 5, batch_first=True)
    lengths = torch.tensor([4, 1, 6, 3])
    x = torch.randn(4, 6, 3)
    for b, n in enumerate(lengths):
        x[b, n:] = 0.0  # padding
    outputs, _ = gru(x)
    packed = nn.utils.rnn.pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    _, h_n = gru(packed)
    torch.testing.assert_close(seq2seq.context_vector(outputs, lengths), h_n[0])
    # the padding pitfall: the last padded step is a different vector for every padded row
    padded_rows = lengths < x.size(1)
    assert not torch.allclose(outputs[padded_rows, -1], h_n[0][padded_rows], atol=1e-4)


def test_context_vector_picks_row_by_row():
    outputs = torch.arange(2 * 4 * 1, dtype=torch.float32).view(2, 4, 1)
    assert seq2seq.context_vector(outputs, torch.tensor([2, 4])).flatten().tolist() == [1.0, 7.0]


def test_plain_model_ignores_extra_padding(data):
    """Seq2Seq reads C at the last real step, so appending PAD columns changes nothing."""
    model = _models(len(data.src_vocab), len(data.tgt_vocab))["plain"]
    src, tgt, _ = data.tensors(data.test[:5])
    decoder_input, _ = seq2seq.make_decoder_io(tgt)
    more_padding = torch.cat([src, torch.zeros(src.size(0), 4, dtype=torch.long)], dim=1)
    torch.testing.assert_close(model(src, decoder_input), model(more_padding, decoder_input))


# ---------------------------------------------------------------- make_decoder_io


def test_make_decoder_io_shifts_by_one():
    tgt = torch.tensor([[BOS_ID, 7, 8, EOS_ID, PAD_ID], [BOS_ID, 9, EOS_ID, PAD_ID, PAD_ID]])
    decoder_input, labels = seq2seq.make_decoder_io(tgt)
    assert decoder_input.tolist() == [[BOS_ID, 7, 8, EOS_ID], [BOS_ID, 9, EOS_ID, PAD_ID]]
    assert labels.tolist() == [[7, 8, EOS_ID, PAD_ID], [9, EOS_ID, PAD_ID, PAD_ID]]
    assert (decoder_input[:, 1:] == labels[:, :-1]).all()


# ---------------------------------------------------------------- greedy_decode


def test_greedy_decode_layout_and_early_stop():
    src = torch.tensor([[5, 6, 7, 0], [8, 0, 0, 0]])
    out = seq2seq.greedy_decode(ScriptedModel(), src, BOS_ID, EOS_ID, max_len=10)
    assert out.shape == (2, 4)  # the longest row: 3 words + EOS, then it stops
    assert out[0, 3] == EOS_ID and out[1, 1] == EOS_ID
    assert (out[1, 2:] == PAD_ID).all()
    assert BOS_ID not in out[:, :1]


def test_greedy_decode_respects_max_len_without_eos():
    out = seq2seq.greedy_decode(ScriptedModel(never_ends=(0, 1)), torch.tensor([[5, 6], [7, 0]]), BOS_ID, EOS_ID, 4)
    assert out.shape == (2, 4) and not (out == EOS_ID).any()


def test_greedy_decode_matches_step_by_step_argmax_and_is_row_independent(data):
    """Oracle: a hand-written loop over one sentence at a time, no batching."""
    model = _models(len(data.src_vocab), len(data.tgt_vocab))["additive"]
    src, _, _ = data.tensors(data.test[:4])
    batched = seq2seq.greedy_decode(model, src, BOS_ID, EOS_ID, max_len=7)
    for row in range(src.size(0)):
        one = src[row: row + 1, : int((src[row] != PAD_ID).sum())]
        ys = [BOS_ID]
        with torch.no_grad():
            for _ in range(7):
                ys.append(int(model(one, torch.tensor([ys]))[0, -1].argmax()))
                if ys[-1] == EOS_ID:
                    break
        expected = ys[1:] + [PAD_ID] * (batched.size(1) - len(ys) + 1)
        assert batched[row].tolist() == expected[: batched.size(1)]


# ---------------------------------------------------------------- models


@pytest.mark.parametrize("kind", ["plain", "additive", "dot"])
def test_models_return_logits_for_every_target_step(data, kind):
    model = _models(len(data.src_vocab), len(data.tgt_vocab))[kind]
    src, tgt, _ = data.tensors(data.train[:6])
    decoder_input, _ = seq2seq.make_decoder_io(tgt)
    assert model(src, decoder_input).shape == (6, decoder_input.size(1), len(data.tgt_vocab))


@pytest.mark.parametrize("kind", ["additive", "dot"])
def test_attention_weights_sum_to_one_and_skip_padding(data, kind):
    model = _models(len(data.src_vocab), len(data.tgt_vocab))[kind]
    src, tgt, lengths = data.tensors(data.train[:6])
    logits, weights = model.forward_with_attention(src, seq2seq.make_decoder_io(tgt)[0])
    assert weights.shape == (6, tgt.size(1) - 1, src.size(1))
    torch.testing.assert_close(weights.sum(-1), torch.ones(weights.shape[:2]))
    padding = (src == PAD_ID).unsqueeze(1).expand_as(weights)
    assert (weights[padding] == 0).all()
    torch.testing.assert_close(model(src, seq2seq.make_decoder_io(tgt)[0]), logits)


@pytest.mark.parametrize("kind", ["additive", "dot"])
def test_attention_model_ignores_extra_padding(data, kind):
    model = _models(len(data.src_vocab), len(data.tgt_vocab))[kind]
    src, tgt, _ = data.tensors(data.test[:5])
    decoder_input, _ = seq2seq.make_decoder_io(tgt)
    more_padding = torch.cat([src, torch.zeros(src.size(0), 3, dtype=torch.long)], dim=1)
    torch.testing.assert_close(model(src, decoder_input), model(more_padding, decoder_input))


def test_additive_decoder_context_is_the_weighted_average_of_encoder_states(data):
    """C2, step by step: recompute the decoder's first step by hand with lib.attention."""
    model = _models(len(data.src_vocab), len(data.tgt_vocab))["additive"]
    src, tgt, lengths = data.tensors(data.test[:3])
    decoder_input, _ = seq2seq.make_decoder_io(tgt)
    _, weights = model.forward_with_attention(src, decoder_input)
    encoder_outputs = model.encoder(src)
    h0 = seq2seq.context_vector(encoder_outputs, lengths)
    att = model.decoder.attention
    scores = attention.additive_scores(h0, encoder_outputs, att.W_q, att.W_k, att.v)
    context, first = attention.attend(scores, encoder_outputs, src != PAD_ID)
    torch.testing.assert_close(first, weights[:, 0])
    for b in range(src.size(0)):
        torch.testing.assert_close(context[b], attention.weighted_average(encoder_outputs[b], first[b]))


def test_precomputed_keys_give_the_reference_additive_scores():
    torch.manual_seed(4)
    att = seq2seq.AdditiveAttention(query_size=5, key_size=6, attention_size=7)
    query, keys = torch.randn(3, 5), torch.randn(3, 4, 6)
    torch.testing.assert_close(att.scores_from_projected(query, att.project_keys(keys)), att(query, keys))


def test_unknown_score_is_rejected():
    with pytest.raises(ValueError):
        seq2seq.AttentionSeq2Seq(10, 10, score="cosine")


# ---------------------------------------------------------------- evaluation helpers


class _Oracle(nn.Module):
    """Knows the reference translations: a model(src, ys) that always predicts the right next token."""

    def __init__(self, src, tgt):
        super().__init__()
        self.answers = {tuple(s[s != PAD_ID].tolist()): t for s, t in zip(src, tgt)}

    def forward(self, src, ys):
        logits = torch.full((src.size(0), ys.size(1), 100), -5.0)
        for b in range(src.size(0)):
            answer = self.answers[tuple(src[b][src[b] != PAD_ID].tolist())]
            for t in range(ys.size(1)):
                nxt = answer[t + 1] if t + 1 < len(answer) else PAD_ID
                logits[b, t, nxt if nxt != PAD_ID else EOS_ID] = 5.0
        return logits


def test_score_translations_counts_eos_and_ignores_padding():
    labels = torch.tensor([[7, 8, EOS_ID, PAD_ID], [9, EOS_ID, PAD_ID, PAD_ID]])
    predictions = torch.tensor([[7, 8, EOS_ID], [9, 5, EOS_ID]])
    exact, correct, total = decoding.score_translations(predictions, labels)
    assert exact.tolist() == [True, False]
    assert correct.tolist() == [3, 1] and total.tolist() == [3, 2]


def test_evaluate_translation_perfect_and_wrong_models(data):
    src, tgt, _ = data.tensors(data.test[:20])
    perfect = decoding.evaluate_translation(_Oracle(src, tgt), src, tgt, batch_size=7)
    assert perfect.exact_match == 1.0 and perfect.token_accuracy == 1.0
    silent = decoding.evaluate_translation(lambda s, ys: torch.nn.functional.one_hot(
        torch.full(ys.shape, EOS_ID), 100).float(), src, tgt)  # a plain function works too
    assert silent.exact_match == 0.0 and silent.token_accuracy == 0.0  # EOS at step 1, never at the right place
    assert (silent.predictions[:, 0] == EOS_ID).all() and (silent.predictions[:, 1:] == PAD_ID).all()


def test_evaluate_translation_keeps_the_original_order(data):
    src, tgt, _ = data.tensors(data.test[:15])
    scores = decoding.evaluate_translation(_Oracle(src, tgt), src, tgt, batch_size=4)
    for row in range(15):
        expected = tgt[row, 1:][tgt[row, 1:] != PAD_ID]
        assert scores.predictions[row, : len(expected)].tolist() == expected.tolist()


def test_by_length_buckets_partition_the_sentences(data):
    src, tgt, lengths = data.tensors(data.test)
    model = _models(len(data.src_vocab), len(data.tgt_vocab))["plain"]
    scores = decoding.evaluate_translation(model, src, tgt, max_len=4)
    buckets = scores.by_length([5, 8, 11])
    assert sum(b.n for b in buckets) == len(data.test)
    assert buckets[-1].high == int(lengths.max()) and buckets[0].low == 5
    assert all(0.0 <= b.exact_match <= 1.0 and 0.0 <= b.token_accuracy <= 1.0 for b in buckets)


def test_evaluate_pairs_and_translate(data):
    src, tgt, _ = data.tensors(data.test)
    oracle = _Oracle(src, tgt)
    assert decoding.evaluate_pairs(oracle, data).exact_match == 1.0
    sentences = decoding.translate(oracle, data, [data.test[0].ko, data.test[1].ko])
    assert sentences == [list(data.test[0].en), list(data.test[1].en)]


# ---------------------------------------------------------------- training smoke test and explorer


@pytest.mark.parametrize("kind", ["plain", "additive"])
def test_loss_falls_on_a_tiny_run(data, kind):
    torch.manual_seed(0)
    model = _models(len(data.src_vocab), len(data.tgt_vocab), hidden=32)[kind]
    history = fit(model, data.batches(32), seq2seq.translation_loss, steps=40, lr=1e-2, progress=False)
    first, last = sum(history.loss[:5]) / 5, sum(history.loss[-5:]) / 5
    assert last < 0.7 * first


def test_translation_steps_and_html(data):
    model = _models(len(data.src_vocab), len(data.tgt_vocab))["additive"]
    result = translation_steps(model, data, data.test[0].ko, max_len=6)
    assert 1 <= len(result.output_tokens) <= 6
    assert result.weights.shape == (len(result.output_tokens), len(data.test[0].ko))
    text = step_html(result, 0)
    assert data.test[0].ko[0] in text and "영어 출력" in text
    plain = translation_steps(_models(len(data.src_vocab), len(data.tgt_vocab))["plain"], data, data.test[0].ko, 6)
    assert plain.weights is None and "문맥 벡터 C" in step_html(plain, 0)


def test_translate_pads_a_batch_of_different_lengths(data):
    """translate() pads each sentence at its end, row by row, and every row still gets its own translation."""
    src, tgt, _ = data.tensors(data.test)
    oracle = _Oracle(src, tgt)
    seen = []

    def recording_model(batch_src, ys):
        seen.append(batch_src.clone())
        return oracle(batch_src, ys)

    pairs = sorted(data.test[:6], key=lambda pair: len(pair.ko))
    assert len(pairs[0].ko) < len(pairs[-1].ko)
    outputs = decoding.translate(recording_model, data, [p.ko for p in pairs])
    assert outputs == [list(p.en) for p in pairs]
    batch_src = seen[0]
    assert batch_src.size(1) == len(pairs[-1].ko)
    for row, pair in enumerate(pairs):
        assert (batch_src[row, : len(pair.ko)] != PAD_ID).all()
        assert (batch_src[row, len(pair.ko):] == PAD_ID).all()


def test_decoding_restores_the_models_mode(data):
    model = _models(len(data.src_vocab), len(data.tgt_vocab))["additive"]
    src, tgt, _ = data.tensors(data.test[:4])
    for run in (lambda: decoding.translate(model, data, [data.test[0].ko], max_len=3),
                lambda: decoding.evaluate_translation(model, src, tgt, max_len=3)):
        model.train()
        run()
        assert model.training
        model.eval()
        run()
        assert not model.training


def test_evaluate_translation_uses_the_given_pad_id():
    """Rows that end early are filled with pad_id (not a hard-coded 0) and scored against it."""
    pad = 99

    def model(src, ys):  # row 0 says EOS at once; row 1 says 5 forever
        logits = torch.zeros(src.size(0), ys.size(1), 100)
        logits[0, :, EOS_ID] = 1.0
        logits[1, :, 5] = 1.0
        return logits

    src = torch.tensor([[7, 8], [9, 10]])
    tgt = torch.tensor([[BOS_ID, EOS_ID, pad, pad], [BOS_ID, 5, 5, 5]])
    scores = decoding.evaluate_translation(model, src, tgt, max_len=3, pad_id=pad)
    assert scores.predictions.tolist() == [[EOS_ID, pad, pad], [5, 5, 5]]
    assert scores.exact.tolist() == [True, True]


def _masked_softmax(scores, mask):
    """exp / sum over the real steps only, written out (independent of lib.attention.attend)."""
    scores = scores - scores.max(dim=-1, keepdim=True).values
    exps = torch.exp(scores) * mask
    return exps / exps.sum(dim=-1, keepdim=True)


@pytest.mark.parametrize("kind", ["additive", "dot"])
def test_trace_weights_and_contexts_recomputed_step_by_step(data, kind):
    """C2 at every decoder step: recompute the scores, weights and context by hand from the model's
    parameters (tanh(W_q h + W_k k) . v for Bahdanau, h . k for Luong) and compare with the trace."""
    model = _models(len(data.src_vocab), len(data.tgt_vocab))[kind]
    src, tgt, lengths = data.tensors(data.test[:4])
    decoder_input = seq2seq.make_decoder_io(tgt)[0]
    trace = model.trace(src, decoder_input)
    enc = trace.encoder_outputs  # (B, S, H)
    mask = (src != PAD_ID).float()
    h = enc[torch.arange(src.size(0)), lengths - 1]  # context vector C = last real state
    embedded = model.decoder.embed(decoder_input)
    decoder = model.decoder
    if kind == "dot":
        hidden, _ = decoder.rnn(embedded, h.unsqueeze(0))
    for t in range(decoder_input.size(1)):
        if kind == "additive":
            scores = torch.tanh((h @ decoder.attention.W_q.T)[:, None, :] + enc @ decoder.attention.W_k.T) @ decoder.attention.v
        else:
            scores = (enc * hidden[:, t, None, :]).sum(dim=-1)
        weights = _masked_softmax(scores, mask)
        context = (weights[:, :, None] * enc).sum(dim=1)
        torch.testing.assert_close(trace.weights[:, t], weights, atol=1e-5, rtol=1e-4)
        torch.testing.assert_close(trace.contexts[:, t], context, atol=1e-5, rtol=1e-4)
        if kind == "additive":
            h = decoder.cell(torch.cat([embedded[:, t], context], dim=-1), h)
