"""Softmax, log-softmax and cross-entropy from logits, and accuracy with padding left out.

Why from logits (chapter 05, note claim C11): exp overflows float32 above ~88.7 and
underflows to 0 below ~-103, so softmax-then-log gives inf/nan on large logits. Subtracting
the row maximum first (softmax is unchanged by a constant shift) and computing
log-softmax as ``z - logsumexp(z)`` keeps everything finite for any finite float32 logits.
``cross_entropy`` = ``F.cross_entropy`` = Keras ``SparseCategoricalCrossentropy(from_logits=True)``.
"""

import torch

from lib.tokens import PAD_ID


def softmax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """exp(z) / sum exp(z) along ``dim``, with the max subtracted first (no overflow).

    logits: any shape, float -> probabilities, same shape, summing to 1 along ``dim``
    """
    shifted = logits - logits.amax(dim=dim, keepdim=True)  # largest entry is 0: exp <= 1
    exp = shifted.exp()
    return exp / exp.sum(dim=dim, keepdim=True)


def log_softmax(logits: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """z - logsumexp(z) along ``dim``, computed as (z - m) - log(sum exp(z - m)), m = max z.

    logits: any shape, float -> log-probabilities, same shape (finite for finite logits)
    """
    shifted = logits - logits.amax(dim=dim, keepdim=True)
    return shifted - shifted.exp().sum(dim=dim, keepdim=True).log()


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor, ignore_index: int | None = None) -> torch.Tensor:
    """Mean of -log softmax(logits)[target] over the targets that are kept.

    logits: (N, C) raw scores, targets: (N,) class ids in 0..C-1 (or ``ignore_index``)
    -> scalar tensor. Targets equal to ``ignore_index`` (e.g. PAD) count neither in the sum
    nor in the mean's denominator, as ``F.cross_entropy(..., ignore_index=...)``.
    If every target is ignored the mean is 0/0 = nan, as in torch.
    """
    log_probs = log_softmax(logits, dim=-1)
    keep = torch.ones_like(targets, dtype=torch.bool) if ignore_index is None else targets != ignore_index
    safe_targets = targets.masked_fill(~keep, 0)  # any valid id; its value is masked out below
    picked = log_probs.gather(1, safe_targets.unsqueeze(1)).squeeze(1)  # (N,)
    return -picked.masked_fill(~keep, 0.0).sum() / keep.sum()


@torch.no_grad()
def masked_accuracy(logits: torch.Tensor, labels: torch.Tensor, pad_id: int = PAD_ID) -> float:
    """Fraction of non-padding tokens whose argmax prediction equals the label (token level).

    logits: (B, T, V), labels: (B, T) with ``pad_id`` at padded steps -> float in [0, 1].
    A python float, like ``lib.train.accuracy``; nan if every label is padding.
    """
    keep = labels != pad_id
    correct = (logits.argmax(dim=-1) == labels) & keep
    return (correct.sum() / keep.sum()).item()


def keras_probability_loss(output: torch.Tensor, targets: torch.Tensor, backend: str = "tensorflow",
                           eps: float = 1e-7) -> torch.Tensor:
    """Keras 3's ``SparseCategoricalCrossentropy()`` (default ``from_logits=False``), mean over the batch,
    as each backend computes it (keras 3.15 ``keras/src/backend/{tensorflow,torch}/nn.py``,
    ``sparse_categorical_crossentropy``; eps = ``keras.config.epsilon()``):

    - ``"tensorflow"``: clip to [eps, 1 - eps] -> log -> ``sparse_softmax_cross_entropy_with_logits``,
      i.e. -log(clip(p)_y / sum_j clip(p)_j): the clipped values are normalised again.
    - ``"torch"``: divide by the sum over classes -> clip to [eps, 1 - eps] -> log -> nll.

    On real probabilities both are -log(clip(p_y)) to within (C - 1) * eps (negligible for few classes).
    Chapter 05 feeds them logits, which is what happens when ``from_logits=True`` is forgotten.
    (The TF backend also takes the logits back from a Keras softmax layer's output first; a plain
    tensor, as here, has none.)  output: (N, C), targets: (N,) -> scalar tensor.
    """
    if backend == "tensorflow":
        return torch.nn.functional.cross_entropy(torch.log(output.clamp(eps, 1 - eps)), targets)
    if backend == "torch":
        probs = output / output.sum(dim=-1, keepdim=True)
        return torch.nn.functional.nll_loss(torch.log(probs.clamp(eps, 1 - eps)), targets)
    raise ValueError(f"backend must be 'tensorflow' or 'torch', not {backend!r}")
