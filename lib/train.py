"""A small training loop with a progress bar and an optional live loss curve, shared by every chapter.

tqdm draws the bar (a widget in JupyterLab, text elsewhere); ``fit(..., live=True)`` also redraws
the loss curve in the cell's output while training. Cells that train carry
the cell tag ``nbval-ignore-output`` because a progress bar's text is different on every run.
"""

import math
import time
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
        """The loss smoothed for plots: an exponential moving average over about ``window`` steps."""
        return smooth(self.loss, window)


def smooth(values, window: int = 20) -> list:
    """Exponential moving average with weight alpha = 2 / (window + 1), normalised by the weights
    actually present (pandas' ``ewm(span=window, adjust=True).mean()``).

    Why this one: a plain moving average over the last ``window`` values has an artefact at the
    window's start. While fewer than ``window`` values exist it averages all of them, the large first
    losses included; at step ``window`` they start to drop out and the curve bends for no reason in
    the data. A zero-padded average dips at the start instead. The normalised exponential average
    starts at the first value itself and has no such step: every value's weight decays smoothly.
    """
    decay = 1.0 - 2.0 / (window + 1)
    out, total, weight = [], 0.0, 0.0
    for value in values:
        total = decay * total + value
        weight = decay * weight + 1.0
        out.append(total / weight)
    return out


def in_notebook() -> bool:
    """True inside a Jupyter kernel (where a figure can be redrawn in place)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and hasattr(shell, "kernel")


class LiveLossCurve:
    """Redraws the smoothed loss in the cell's output every ``every`` steps; a no-op outside Jupyter.

    Use as fit's on_step callback, or simply ``fit(..., live=True)``.
    """

    def __init__(self, steps: int, title: str = "학습 손실", every: int | None = None, window: int = 20):
        self.steps = steps
        self.every = every or max(steps // 6, 1)
        self.window = window
        self.title = title
        self.handle = None
        if in_notebook():
            import matplotlib.pyplot as plt
            from IPython.display import display

            self.figure, self.ax = plt.subplots(figsize=(5, 2.8))
            plt.close(self.figure)  # shown through the display handle only
            self.handle = display(self.figure, display_id=True)

    def __call__(self, step: int, history: "History"):
        if self.handle is None or (step % self.every and step != self.steps - 1):
            return
        from lib.ui import plots

        self.ax.clear()
        plots.loss_curve({"": history}, title=f"{self.title} (스텝 {step + 1}/{self.steps})", ax=self.ax,
                         window=self.window)
        self.ax.set_xlim(0, self.steps)
        self.handle.update(self.figure)


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
    live: bool = False,
) -> History:
    """Train ``model`` for ``steps`` optimizer steps.

    next_batch(step) -> batch; loss_fn(model, batch) -> scalar loss tensor.
    on_step(step, history) is called after every step (e.g. to log a metric).
    live=True redraws the loss curve in the notebook while training (LiveLossCurve).
    Gradients are clipped to norm ``clip`` (None = no clipping). Adam by default.
    """
    curve = LiveLossCurve(steps, title=desc) if live else None
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
        if curve is not None:
            curve(step, history)
    history.seconds = time.perf_counter() - started
    model.eval()
    return history


@torch.no_grad()
def accuracy(logits: torch.Tensor, targets: torch.Tensor) -> float:
    """Fraction of argmax predictions equal to the targets (any shape, last dim = classes)."""
    return (logits.argmax(-1) == targets).float().mean().item()
