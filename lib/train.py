"""A small training loop with a progress bar, shared by every chapter.

tqdm draws the bar (a widget in JupyterLab, text elsewhere); cells that train carry
``# NBVAL_IGNORE_OUTPUT`` because a progress bar's text is different on every run.
"""

import math
from dataclasses import dataclass, field

import torch
from tqdm.auto import tqdm


@dataclass
class History:
    """Loss per step (and any extra metrics a callback logs)."""

    loss: list = field(default_factory=list)
    metrics: dict = field(default_factory=dict)
    seconds: float = 0.0

    def log(self, name, value):
        self.metrics.setdefault(name, []).append(value)

    def smoothed(self, window: int = 20) -> list:
        """Moving average of the loss, for plots."""
        out, total = [], 0.0
        for i, value in enumerate(self.loss):
            total += value
            if i >= window:
                total -= self.loss[i - window]
            out.append(total / min(i + 1, window))
        return out


def fit(
    model,
    next_batch,
    loss_fn,
    steps: int,
    lr: float = 3e-3,
    clip: float | None = 1.0,
    optimizer=None,
    progress: bool = True,
    desc: str = "학습",
    on_step=None,
) -> History:
    """Train ``model`` for ``steps`` optimizer steps.

    next_batch(step) -> batch; loss_fn(model, batch) -> scalar loss tensor.
    on_step(step, history) is called after every step (e.g. to log a metric).
    Gradients are clipped to norm ``clip`` (None = no clipping). Adam by default.
    """
    import time

    optimizer = optimizer or torch.optim.Adam(model.parameters(), lr=lr)
    history = History()
    model.train()
    started = time.perf_counter()
    bar = tqdm(range(steps), desc=desc, disable=not progress, leave=True)
    for step in bar:
        loss = loss_fn(model, next_batch(step))
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        if clip is not None:
            torch.nn.utils.clip_grad_norm_(model.parameters(), clip)
        optimizer.step()
        value = loss.item()
        if not math.isfinite(value):
            raise FloatingPointError(f"loss became {value} at step {step}")
        history.loss.append(value)
        if step % 10 == 0 or step == steps - 1:
            bar.set_postfix(loss=f"{value:.3f}")
        if on_step is not None:
            on_step(step, history)
    history.seconds = time.perf_counter() - started
    model.eval()
    return history


@torch.no_grad()
def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of argmax predictions equal to the targets (any shape, last dim = classes)."""
    return (logits.argmax(-1) == targets).float().mean().item()
