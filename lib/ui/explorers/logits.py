"""Logits explorer (chapter 05): a few logits and a temperature -> probabilities and the loss.

``explore`` is the plain computation (testable without a browser); ``logits_explorer`` puts
sliders on it and draws a bar plot. The loss is shown two ways: from the logits (log-sum-exp,
= from_logits=True) and through a float32 softmax computed naively (exp, divide, then log), so a
small temperature (= large effective logits) shows the naive route turning into inf/nan.
"""

from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch

from lib.ui.fonts import use_korean_font

from lib import losses

DEFAULT_LOGITS = (2.0, 1.0, 0.1, -1.0)
DEFAULT_LABELS = ("apple", "bread", "book", "water")


@dataclass
class Exploration:
    """What the explorer shows for one setting."""

    scaled_logits: torch.Tensor  # (C,) logits / temperature
    probs: torch.Tensor  # (C,) softmax of scaled_logits
    loss: float  # -log p[target], from the logits (log-sum-exp)
    naive_loss: float  # -log(exp(z_t) / sum exp(z)) in float32, no max subtracted: inf/nan when z is large


def explore(logits, temperature: float = 1.0, target: int = 0) -> Exploration:
    """Probabilities and cross-entropy of ``logits / temperature`` for one target class.

    logits: sequence of C floats, temperature > 0, target in 0..C-1.
    """
    if temperature <= 0:
        raise ValueError("temperature must be > 0")
    z = torch.as_tensor(logits, dtype=torch.float32) / temperature
    log_probs = losses.log_softmax(z)
    exp = z.exp()  # the naive route on purpose: overflows above ~88.7
    naive = -torch.log(exp[target] / exp.sum())
    return Exploration(z, log_probs.exp(), -log_probs[target].item(), naive.item())


def plot_exploration(result: Exploration, labels, target: int, ax=None):
    """Bar plot of the probabilities, the target's bar highlighted; returns the Axes."""
    use_korean_font()  # Hangul labels (asked for here, not at import)
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3))
    colors = ["tab:orange" if i == target else "tab:blue" for i in range(len(labels))]
    ax.bar(list(labels), result.probs.tolist(), color=colors)
    ax.set_ylim(0, 1)
    ax.set_ylabel("확률")
    ax.set_title(f"손실 -log p[{labels[target]}] = {result.loss:.4f}  (float32 exp 바로 경로: {result.naive_loss:.4g})")
    for i, p in enumerate(result.probs.tolist()):
        ax.text(i, p + 0.02, f"{p:.3f}", ha="center", fontsize=9)
    return ax


def logits_explorer(logits=DEFAULT_LOGITS, labels=DEFAULT_LABELS, target: int = 0):
    """ipywidgets: one slider per logit, a temperature slider (log scale), a target chooser."""
    import ipywidgets as widgets
    from IPython.display import display

    labels = list(labels)
    logit_sliders = [
        widgets.FloatSlider(value=float(v), min=-10.0, max=10.0, step=0.1, description=f"z[{name}]",
                            continuous_update=False)
        for v, name in zip(logits, labels)
    ]
    temperature = widgets.FloatLogSlider(value=1.0, base=10, min=-2, max=1, step=0.05, description="온도 τ",
                                         continuous_update=False)
    chooser = widgets.Dropdown(options=[(name, i) for i, name in enumerate(labels)], value=target,
                               description="정답")
    out = widgets.Output()

    def redraw(_change=None):
        result = explore([s.value for s in logit_sliders], temperature.value, chooser.value)
        with out:
            out.clear_output(wait=True)
            fig, ax = plt.subplots(figsize=(5.5, 3))
            plot_exploration(result, labels, chooser.value, ax=ax)
            display(fig)
            plt.close(fig)
            scaled = ", ".join(f"{v:.1f}" for v in result.scaled_logits.tolist())
            print(f"z / τ = [{scaled}]")

    for control in [*logit_sliders, temperature, chooser]:
        control.observe(redraw, names="value")
    redraw()
    return widgets.HBox([widgets.VBox([*logit_sliders, temperature, chooser]), out])
