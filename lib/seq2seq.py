"""The RNN encoder-decoder (seq2seq), with and without attention (chapters 03-04).

Every model here maps ``model(src, tgt_input) -> logits (B, T, V)``: src (B, S) token ids padded
with PAD_ID at the end, tgt_input (B, T) = BOS w1 .. (teacher forcing). ``greedy_decode`` and the
evaluation helpers at the bottom need nothing more than that call, so they work for any model
(chapter 08 wraps its Transformer as ``lambda src, ys: transformer((src, ys))``).

- ``Seq2Seq``: GRU encoder -> context vector C = the encoder's last *real* hidden state ->
  GRU decoder started from C, with C also fed at every step (Cho et al., 2014).
- ``AttentionSeq2Seq``: the same encoder; the decoder recomputes its context at every step as an
  attention-weighted average of all encoder states. score="additive" (Bahdanau: the query is the
  previous decoder state, the context goes into the GRU cell) or score="dot" (Luong: the query is
  the new decoder state, the context is mixed into the output).
"""

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib.attention import additive_scores, attend, dot_product_scores
from lib.corpus import pad_batch
from lib.data import BOS_ID, EOS_ID, PAD_ID

# ---------------------------------------------------------------- exercises of chapter 03


def context_vector(encoder_outputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The encoder's hidden state at the last *real* step of each sequence (not at a padding step).

    encoder_outputs: (B, T, H), lengths: (B,) number of real steps (>= 1) -> (B, H)
    """
    batch = torch.arange(encoder_outputs.size(0), device=encoder_outputs.device)
    return encoder_outputs[batch, lengths - 1]


def make_decoder_io(tgt: torch.Tensor):
    """Teacher forcing: the decoder reads the target shifted right and predicts the next token.

    tgt: (B, T) = BOS w1 .. wn EOS PAD .. -> decoder_input = tgt[:, :-1], labels = tgt[:, 1:],
    both (B, T-1).
    """
    return tgt[:, :-1], tgt[:, 1:]


def greedy_decode(model, src: torch.Tensor, bos_id: int, eos_id: int, max_len: int) -> torch.Tensor:
    """Translate by picking the most likely token at every step.

    model(src, ys) -> logits (B, len(ys), V); src: (B, S) -> (B, L) token ids, L <= max_len.
    BOS is left out, EOS kept where produced, PAD (0) after it; stops once every row has EOS.
    """
    ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(src.size(0), dtype=torch.bool, device=src.device)
    with torch.no_grad():
        for _ in range(max_len):
            next_token = model(src, ys)[:, -1].argmax(dim=-1)
            next_token = next_token.masked_fill(finished, PAD_ID)
            ys = torch.cat([ys, next_token.unsqueeze(1)], dim=1)
            finished |= next_token == eos_id
            if bool(finished.all()):
                break
    return ys[:, 1:]


# ---------------------------------------------------------------- helpers


def source_lengths(src: torch.Tensor, pad_id: int = PAD_ID) -> torch.Tensor:
    """src (B, S) padded at the end -> (B,) number of real tokens."""
    return (src != pad_id).sum(dim=1)


def source_mask(src: torch.Tensor, pad_id: int = PAD_ID) -> torch.Tensor:
    """src (B, S) -> (B, S) bool, True at real tokens (= may attend)."""
    return src != pad_id


def translation_loss(model, batch) -> torch.Tensor:
    """Cross-entropy from logits, padding ignored. batch = (src, tgt, ...) as TranslationData.tensors."""
    src, tgt = batch[0], batch[1]
    decoder_input, labels = make_decoder_io(tgt)
    logits = model(src, decoder_input)
    return F.cross_entropy(logits.reshape(-1, logits.size(-1)), labels.reshape(-1), ignore_index=PAD_ID)


# ---------------------------------------------------------------- models


class Encoder(nn.Module):
    """Embedding -> GRU. src (B, S) -> outputs (B, S, H): the hidden state at every step.

    Padding sits at the end, so the states at the real steps never see it; the states at the
    padding steps do, which is why the context vector must be taken at the last *real* step.
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=PAD_ID)
        self.rnn = nn.GRU(embed_size, hidden_size, batch_first=True)

    def forward(self, src):
        outputs, _ = self.rnn(self.embed(src))
        return outputs


class Decoder(nn.Module):
    """GRU decoder without attention: starts from C and reads C again at every step.

    tgt_input (B, T), context (B, H) -> logits (B, T, V)
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=PAD_ID)
        self.rnn = nn.GRU(embed_size + hidden_size, hidden_size, batch_first=True)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, tgt_input, context):
        embedded = self.embed(tgt_input)
        fixed_context = context.unsqueeze(1).expand(-1, tgt_input.size(1), -1)  # the same C every step
        outputs, _ = self.rnn(torch.cat([embedded, fixed_context], dim=-1), context.unsqueeze(0))
        return self.out(outputs)


class Seq2Seq(nn.Module):
    """Encoder-decoder without attention: everything the decoder knows passes through C.

    forward(src (B, S), tgt_input (B, T)) -> logits (B, T, V)
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, embed_size: int = 64, hidden_size: int = 128):
        super().__init__()
        self.encoder = Encoder(src_vocab_size, embed_size, hidden_size)
        self.decoder = Decoder(tgt_vocab_size, embed_size, hidden_size)

    def encode(self, src):
        """src (B, S) -> the context vector C (B, H)."""
        return context_vector(self.encoder(src), source_lengths(src))

    def forward(self, src, tgt_input):
        return self.decoder(tgt_input, self.encode(src))


class AdditiveAttention(nn.Module):
    """Bahdanau scores v . tanh(W_q q + W_k k_t), as parameters for attention.additive_scores."""

    def __init__(self, query_size: int, key_size: int, attention_size: int):
        super().__init__()
        self.W_q = nn.Parameter(torch.empty(attention_size, query_size))
        self.W_k = nn.Parameter(torch.empty(attention_size, key_size))
        self.v = nn.Parameter(torch.empty(attention_size))
        nn.init.xavier_uniform_(self.W_q)
        nn.init.xavier_uniform_(self.W_k)
        nn.init.uniform_(self.v, -attention_size ** -0.5, attention_size ** -0.5)

    def forward(self, query, keys):
        """query (B, Hq), keys (B, S, Hk) -> scores (B, S)"""
        return additive_scores(query, keys, self.W_q, self.W_k, self.v)

    def project_keys(self, keys):
        """W_k k_t for every source step, computed once per sentence: (B, S, Hk) -> (B, S, A)."""
        return keys @ self.W_k.T

    def scores_from_projected(self, query, projected_keys):
        """The same scores as forward(query, keys), given project_keys(keys) (the usual speed-up:
        W_k k_t does not change while the decoder runs). -> (B, S)"""
        return torch.tanh((query @ self.W_q.T).unsqueeze(1) + projected_keys) @ self.v


class AttentionDecoder(nn.Module):
    """GRU decoder that attends over all encoder states at every step.

    score="additive" (Bahdanau): query = previous state h_{t-1}; h_t = GRUCell([y_{t-1}; c_t], h_{t-1});
        logits from [h_t; c_t]. Sequential: a GRUCell loop.
    score="dot" (Luong): h_t = GRU(y_{t-1}, h_{t-1}) for all steps at once; query = h_t;
        logits from tanh(W_c [c_t; h_t]). The attention of all steps is computed in one go.
    forward(tgt_input (B, T), encoder_outputs (B, S, H), mask (B, S), h0 (B, H))
    -> logits (B, T, V), weights (B, T, S), contexts (B, T, H)
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, score: str = "additive",
                 attention_size: int | None = None):
        super().__init__()
        if score not in ("additive", "dot"):
            raise ValueError(f"score must be 'additive' or 'dot', not {score!r}")
        self.score = score
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=PAD_ID)
        if score == "additive":
            self.attention = AdditiveAttention(hidden_size, hidden_size, attention_size or hidden_size)
            self.cell = nn.GRUCell(embed_size + hidden_size, hidden_size)
            self.out = nn.Linear(2 * hidden_size, vocab_size)
        else:
            self.rnn = nn.GRU(embed_size, hidden_size, batch_first=True)
            self.combine = nn.Linear(2 * hidden_size, hidden_size)
            self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, tgt_input, encoder_outputs, mask, h0):
        embedded = self.embed(tgt_input)
        if self.score == "additive":
            return self._additive(embedded, encoder_outputs, mask, h0)
        return self._dot(embedded, encoder_outputs, mask, h0)

    def _additive(self, embedded, encoder_outputs, mask, h):
        states, weights, contexts = [], [], []
        projected_keys = self.attention.project_keys(encoder_outputs)
        for t in range(embedded.size(1)):
            scores = self.attention.scores_from_projected(h, projected_keys)
            context, w = attend(scores, encoder_outputs, mask)
            h = self.cell(torch.cat([embedded[:, t], context], dim=-1), h)
            states.append(torch.cat([h, context], dim=-1))
            weights.append(w)
            contexts.append(context)
        return self.out(torch.stack(states, dim=1)), torch.stack(weights, dim=1), torch.stack(contexts, dim=1)

    def _dot(self, embedded, encoder_outputs, mask, h0):
        hidden, _ = self.rnn(embedded, h0.unsqueeze(0))  # (B, T, H)
        batch, steps, size = hidden.shape
        sources = encoder_outputs.size(1)
        # every decoder step is one query: fold the T steps into the batch
        keys = encoder_outputs.unsqueeze(1).expand(-1, steps, -1, -1).reshape(batch * steps, sources, size)
        step_mask = mask.unsqueeze(1).expand(-1, steps, -1).reshape(batch * steps, sources)
        query = hidden.reshape(batch * steps, size)
        context, weights = attend(dot_product_scores(query, keys), keys, step_mask)
        context = context.view(batch, steps, size)
        combined = torch.tanh(self.combine(torch.cat([context, hidden], dim=-1)))
        return self.out(combined), weights.view(batch, steps, sources), context


class AttentionSeq2Seq(nn.Module):
    """Encoder-decoder with attention. The decoder starts from C (as Seq2Seq) but recomputes a
    context at every step from all encoder states.

    forward(src (B, S), tgt_input (B, T)) -> logits (B, T, V)
    forward_with_attention(...) -> logits, weights (B, T, S): row t = where output step t looked.
    trace(...) -> AttentionTrace: everything above plus the encoder states and the contexts.
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, embed_size: int = 64, hidden_size: int = 128,
                 score: str = "additive", attention_size: int | None = None):
        super().__init__()
        self.encoder = Encoder(src_vocab_size, embed_size, hidden_size)
        self.decoder = AttentionDecoder(tgt_vocab_size, embed_size, hidden_size, score, attention_size)

    def trace(self, src, tgt_input) -> "AttentionTrace":
        encoder_outputs = self.encoder(src)
        h0 = context_vector(encoder_outputs, source_lengths(src))
        logits, weights, contexts = self.decoder(tgt_input, encoder_outputs, source_mask(src), h0)
        return AttentionTrace(logits, weights, contexts, encoder_outputs)

    def forward_with_attention(self, src, tgt_input):
        result = self.trace(src, tgt_input)
        return result.logits, result.weights

    def forward(self, src, tgt_input):
        return self.trace(src, tgt_input).logits


@dataclass
class AttentionTrace:
    """What an AttentionSeq2Seq computed for one batch.

    logits (B, T, V); weights (B, T, S); contexts (B, T, H): the context vector of every decoder
    step = sum_s weights[:, t, s] * encoder_outputs[:, s]; encoder_outputs (B, S, H).
    """

    logits: torch.Tensor
    weights: torch.Tensor
    contexts: torch.Tensor
    encoder_outputs: torch.Tensor


# ---------------------------------------------------------------- evaluation (any model(src, ys) -> logits)


def score_translations(predictions: torch.Tensor, labels: torch.Tensor, pad_id: int = PAD_ID):
    """Compare decoded ids with the reference, position by position.

    predictions: (N, L) as greedy_decode returns (words, EOS, PAD...);
    labels: (N, T) = tgt[:, 1:] (words, EOS, PAD...).
    -> exact (N,) bool: every reference token incl. EOS matches (so nothing extra was produced);
       correct (N,) long: matching tokens at the reference's real positions (EOS counts);
       total (N,) long: the reference's real positions.
    """
    width = max(predictions.size(1), labels.size(1))
    predictions = F.pad(predictions, (0, width - predictions.size(1)), value=pad_id)
    labels = F.pad(labels, (0, width - labels.size(1)), value=pad_id)
    real = labels != pad_id
    correct = ((predictions == labels) & real).sum(dim=1)
    total = real.sum(dim=1)
    return correct == total, correct, total


@dataclass
class LengthBucket:
    """Scores of the sentences whose source length lies in [low, high]."""

    low: int
    high: int
    n: int
    exact_match: float
    token_accuracy: float

    @property
    def label(self) -> str:
        return f"{self.low}-{self.high}" if self.high != self.low else f"{self.low}"


@dataclass
class TranslationScores:
    """Per-sentence results of evaluate_translation; the properties average them.

    exact (N,) bool, correct (N,), total (N,) token counts, source_lengths (N,), predictions (N, L)
    """

    exact: torch.Tensor
    correct: torch.Tensor
    total: torch.Tensor
    source_lengths: torch.Tensor
    predictions: torch.Tensor

    @property
    def exact_match(self) -> float:
        """Fraction of sentences translated exactly (EOS included)."""
        return self.exact.float().mean().item()

    @property
    def token_accuracy(self) -> float:
        """Fraction of reference tokens (EOS included) predicted at the right position."""
        return (self.correct.sum() / self.total.sum()).item()

    def by_length(self, edges) -> list:
        """Scores per source-length bucket. edges [5, 8, 11, 14] -> buckets 5-7, 8-10, 11-13, 14+.

        Returns a list of LengthBucket (empty buckets left out).
        """
        edges = list(edges)
        buckets = []
        for i, low in enumerate(edges):
            high = edges[i + 1] - 1 if i + 1 < len(edges) else int(self.source_lengths.max())
            chosen = (self.source_lengths >= low) & (self.source_lengths <= high)
            if not bool(chosen.any()):
                continue
            buckets.append(LengthBucket(
                low, high, int(chosen.sum()),
                self.exact[chosen].float().mean().item(),
                (self.correct[chosen].sum() / self.total[chosen].sum()).item(),
            ))
        return buckets


def evaluate_translation(model, src: torch.Tensor, tgt: torch.Tensor, max_len: int | None = None,
                         batch_size: int = 250, bos_id: int = BOS_ID, eos_id: int = EOS_ID,
                         pad_id: int = PAD_ID) -> TranslationScores:
    """Greedy-decode every source sentence and score it against its reference.

    model(src, ys) -> logits (B, len(ys), V) (any model; e.g. ``lambda s, y: transformer((s, y))``).
    src: (N, S), tgt: (N, T) = BOS .. EOS PAD.. as TranslationData.tensors returns them.
    max_len defaults to T + 2 (enough to see a translation that runs too long).
    Sentences are decoded in batches sorted by source length (faster early stopping); the
    results come back in the original order.
    """
    was_training = getattr(model, "training", False)
    if hasattr(model, "eval"):
        model.eval()
    max_len = max_len or tgt.size(1) + 2
    lengths = source_lengths(src, pad_id)
    order = torch.argsort(lengths, stable=True)
    predictions = torch.full((src.size(0), max_len), pad_id, dtype=torch.long)
    for start in range(0, src.size(0), batch_size):
        rows = order[start:start + batch_size]
        batch_src = src[rows][:, : int(lengths[rows].max())]
        decoded = greedy_decode(model, batch_src, bos_id, eos_id, max_len)
        predictions[rows, : decoded.size(1)] = decoded
    if was_training:
        model.train()
    exact, correct, total = score_translations(predictions, tgt[:, 1:], pad_id)
    return TranslationScores(exact, correct, total, lengths, predictions)


def evaluate_pairs(model, data, pairs=None, **kwargs) -> TranslationScores:
    """evaluate_translation on sentence pairs of a TranslationData (default: its test set)."""
    src, tgt, _ = data.tensors(data.test if pairs is None else pairs)
    return evaluate_translation(model, src, tgt, **kwargs)


def translate(model, data, korean_tokens, max_len: int = 30) -> list:
    """Korean token lists -> English token lists (greedy). For demos; any model(src, ys)."""
    src = pad_batch([data.src_vocab.encode(tokens) for tokens in korean_tokens])
    if hasattr(model, "eval"):
        model.eval()
    decoded = greedy_decode(model, src, BOS_ID, EOS_ID, max_len)
    return [data.tgt_vocab.decode(row) for row in decoded]
