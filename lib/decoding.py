"""Decoding and scoring translations, for any model called as ``model(src, ys) -> logits (B, T, V)``.

The RNN encoder-decoders of chapters 03-04 are called that way; chapter 09 wraps its Transformer as
``lambda src, ys: transformer((src, ys))``. Decoding is greedy (``lib.seq2seq.greedy_decode``, the
exercise of chapter 03: its id ``seq2seq.greedy_decode`` names where the learner meets it).
Everything here takes the padding id and the device from its inputs, and leaves a model in the
train/eval mode it found it in.
"""

import contextlib
from dataclasses import dataclass

import torch
import torch.nn.functional as F

from lib.corpus import pad_batch
from lib.seq2seq import greedy_decode, source_lengths
from lib.tokens import BOS_ID, EOS_ID, PAD_ID


@contextlib.contextmanager
def eval_mode(model):
    """Switch a module to eval mode (no dropout) for the block, then restore its previous mode.
    Plain callables (``lambda src, ys: ...``) pass through untouched."""
    was_training = getattr(model, "training", None)
    if was_training is not None:
        model.eval()
    try:
        yield model
    finally:
        if was_training:
            model.train()


def model_device(model) -> torch.device:
    """The device of a module's first parameter; CPU for plain callables or parameterless modules."""
    parameters = getattr(model, "parameters", None)
    first = next(iter(parameters()), None) if callable(parameters) else None
    return first.device if first is not None else torch.device("cpu")


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
    max_len = max_len or tgt.size(1) + 2
    lengths = source_lengths(src, pad_id)  # (N,)
    order = torch.argsort(lengths, stable=True)
    predictions = torch.full((src.size(0), max_len), pad_id, dtype=torch.long, device=src.device)  # (N, L)
    with eval_mode(model):
        for start in range(0, src.size(0), batch_size):
            rows = order[start:start + batch_size]
            batch_src = src[rows][:, : int(lengths[rows].max())]  # drop columns that are padding in every row
            decoded = greedy_decode(model, batch_src, bos_id, eos_id, max_len, pad_id)
            predictions[rows, : decoded.size(1)] = decoded
    exact, correct, total = score_translations(predictions, tgt[:, 1:], pad_id)
    return TranslationScores(exact, correct, total, lengths, predictions)


def evaluate_pairs(model, data, pairs=None, **kwargs) -> TranslationScores:
    """evaluate_translation on sentence pairs of a TranslationData (default: its test set)."""
    src, tgt, _ = data.tensors(data.test if pairs is None else pairs)
    return evaluate_translation(model, src, tgt, **kwargs)


def translate(model, data, korean_tokens, max_len: int = 30, device=None) -> list:
    """Korean token lists -> English token lists (greedy). For demos; any model(src, ys).

    device: where the model runs (default: the device of its parameters, else CPU).
    """
    src = pad_batch([data.src_vocab.encode(tokens) for tokens in korean_tokens], PAD_ID)  # (B, S)
    src = src.to(device or model_device(model))
    with eval_mode(model):
        decoded = greedy_decode(model, src, BOS_ID, EOS_ID, max_len, PAD_ID)
    return [data.tgt_vocab.decode(row) for row in decoded.cpu()]
