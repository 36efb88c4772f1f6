"""The RNN encoder-decoder (seq2seq), with and without attention (chapters 03-04).

Every model here maps ``model(src, tgt_input) -> logits (B, T, V)``: src (B, S) token ids padded
with PAD_ID at the end, tgt_input (B, T) = BOS w1 .. (teacher forcing). ``greedy_decode`` needs
nothing more than that call, so it works for any model (chapter 09 wraps its Transformer as
``lambda src, ys: transformer((src, ys))``); scoring and ``translate`` live in ``lib.decoding``.

- ``Seq2Seq``: GRU encoder -> context vector C = the encoder's last *real* hidden state ->
  GRU decoder started from C, with C also fed at every step (Cho et al., 2014).
- ``AttentionSeq2Seq``: the same encoder; the decoder recomputes its context at every step as an
  attention-weighted average of all encoder states: ``BahdanauDecoder`` (additive scores; the query
  is the previous decoder state, the context goes into the GRU cell) or ``LuongDecoder`` (dot-product
  scores; the query is the new decoder state, the context is mixed into the output).
"""

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from lib.attention import additive_scores, additive_scores_projected, attend, dot_product_scores
from lib.tokens import BOS_ID, EOS_ID, PAD_ID

# ---------------------------------------------------------------- exercises of chapter 03


def context_vector(encoder_outputs: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The encoder's hidden state at the last *real* step of each sequence (not at a padding step).

    encoder_outputs: (B, S, H) (S = source length), lengths: (B,) number of real steps (>= 1) -> (B, H)
    """
    batch = torch.arange(encoder_outputs.size(0), device=encoder_outputs.device)
    return encoder_outputs[batch, lengths - 1]


def make_decoder_io(tgt: torch.Tensor):
    """Teacher forcing: the decoder reads the target shifted right and predicts the next token.

    tgt: (B, T) = BOS w1 .. wn EOS PAD .. -> decoder_input = tgt[:, :-1], labels = tgt[:, 1:],
    both (B, T-1).
    """
    return tgt[:, :-1], tgt[:, 1:]


def greedy_decode(model, src: torch.Tensor, bos_id: int, eos_id: int, max_len: int,
                  pad_id: int = PAD_ID) -> torch.Tensor:
    """Translate by picking the most likely token at every step.

    model(src, ys) -> logits (B, len(ys), V); src: (B, S) -> (B, L) token ids, L <= max_len.
    BOS is left out, EOS kept where produced, pad_id after it; stops once every row has EOS.
    """
    ys = torch.full((src.size(0), 1), bos_id, dtype=torch.long, device=src.device)
    finished = torch.zeros(src.size(0), dtype=torch.bool, device=src.device)
    with torch.no_grad():
        for _ in range(max_len):
            next_token = model(src, ys)[:, -1].argmax(dim=-1)  # (B, len(ys), V) -> last step -> (B,)
            next_token = next_token.masked_fill(finished, pad_id)
            ys = torch.cat([ys, next_token.unsqueeze(1)], dim=1)  # (B, len(ys) + 1)
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
        return additive_scores_projected(query @ self.W_q.T, projected_keys, self.v)


class BahdanauDecoder(nn.Module):
    """GRU decoder with additive attention (Bahdanau et al., 2015), one step at a time.

    At step t: query = the previous state h_{t-1}; c_t = attend(additive scores, encoder states);
    h_t = GRUCell([y_{t-1}; c_t], h_{t-1}); logits from [h_t; c_t]. Sequential: a GRUCell loop.
    forward(tgt_input (B, T), encoder_outputs (B, S, H), mask (B, S), h0 (B, H))
    -> logits (B, T, V), weights (B, T, S), contexts (B, T, H)
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int, attention_size: int | None = None):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=PAD_ID)
        self.attention = AdditiveAttention(hidden_size, hidden_size, attention_size or hidden_size)
        self.cell = nn.GRUCell(embed_size + hidden_size, hidden_size)
        self.out = nn.Linear(2 * hidden_size, vocab_size)

    def forward(self, tgt_input, encoder_outputs, mask, h0):
        embedded = self.embed(tgt_input)  # (B, T, E)
        projected_keys = self.attention.project_keys(encoder_outputs)  # (B, S, A), once per sentence
        h = h0
        states, weights, contexts = [], [], []
        for t in range(embedded.size(1)):
            scores = self.attention.scores_from_projected(h, projected_keys)  # (B, S)
            context, w = attend(scores, encoder_outputs, mask)  # (B, H), (B, S)
            h = self.cell(torch.cat([embedded[:, t], context], dim=-1), h)  # (B, E + H) -> (B, H)
            states.append(torch.cat([h, context], dim=-1))  # (B, 2H)
            weights.append(w)
            contexts.append(context)
        logits = self.out(torch.stack(states, dim=1))  # (B, T, 2H) -> (B, T, V)
        return logits, torch.stack(weights, dim=1), torch.stack(contexts, dim=1)


class LuongDecoder(nn.Module):
    """GRU decoder with dot-product attention (Luong et al., 2015), all steps at once.

    h_t = GRU(y_{t-1}, h_{t-1}) for every step in one call; query = h_t; c_t = attend(dot scores,
    encoder states); logits from tanh(W_c [c_t; h_t]).
    forward(tgt_input (B, T), encoder_outputs (B, S, H), mask (B, S), h0 (B, H))
    -> logits (B, T, V), weights (B, T, S), contexts (B, T, H)
    """

    def __init__(self, vocab_size: int, embed_size: int, hidden_size: int):
        super().__init__()
        self.embed = nn.Embedding(vocab_size, embed_size, padding_idx=PAD_ID)
        self.rnn = nn.GRU(embed_size, hidden_size, batch_first=True)
        self.combine = nn.Linear(2 * hidden_size, hidden_size)
        self.out = nn.Linear(hidden_size, vocab_size)

    def forward(self, tgt_input, encoder_outputs, mask, h0):
        hidden, _ = self.rnn(self.embed(tgt_input), h0.unsqueeze(0))  # (B, T, H)
        batch, steps, size = hidden.shape
        sources = encoder_outputs.size(1)
        # every decoder step is one query: fold the T steps into the batch
        keys = encoder_outputs.unsqueeze(1).expand(-1, steps, -1, -1)  # (B, T, S, H)
        keys = keys.reshape(batch * steps, sources, size)  # (B*T, S, H)
        step_mask = mask.unsqueeze(1).expand(-1, steps, -1).reshape(batch * steps, sources)  # (B*T, S)
        query = hidden.reshape(batch * steps, size)  # (B*T, H)
        context, weights = attend(dot_product_scores(query, keys), keys, step_mask)  # (B*T, H), (B*T, S)
        context = context.view(batch, steps, size)  # (B, T, H)
        combined = torch.tanh(self.combine(torch.cat([context, hidden], dim=-1)))  # (B, T, 2H) -> (B, T, H)
        return self.out(combined), weights.view(batch, steps, sources), context


class AttentionSeq2Seq(nn.Module):
    """Encoder-decoder with attention. The decoder starts from C (as Seq2Seq) but recomputes a
    context at every step from all encoder states. score="additive" -> BahdanauDecoder,
    score="dot" -> LuongDecoder.

    forward(src (B, S), tgt_input (B, T)) -> logits (B, T, V)
    forward_with_attention(...) -> logits, weights (B, T, S): row t = where output step t looked.
    trace(...) -> AttentionTrace: everything above plus the encoder states and the contexts.
    """

    def __init__(self, src_vocab_size: int, tgt_vocab_size: int, embed_size: int = 64, hidden_size: int = 128,
                 score: str = "additive", attention_size: int | None = None):
        super().__init__()
        if score not in ("additive", "dot"):
            raise ValueError(f"score must be 'additive' or 'dot', not {score!r}")
        self.encoder = Encoder(src_vocab_size, embed_size, hidden_size)
        if score == "additive":
            self.decoder = BahdanauDecoder(tgt_vocab_size, embed_size, hidden_size, attention_size)
        else:
            self.decoder = LuongDecoder(tgt_vocab_size, embed_size, hidden_size)

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
