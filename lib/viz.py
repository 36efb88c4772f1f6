"""Plots with Korean labels: attention heatmaps, curves. Every function returns the Axes;
notebook cells end with ``plt.show()``.
"""

import matplotlib.pyplot as plt
import torch

from lib.fonts import use_korean_font

use_korean_font()


def _to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().float().numpy()
    return x


def heatmap(matrix, x_labels=None, y_labels=None, title="", ax=None, cmap="viridis",
            xlabel="", ylabel="", annotate=False, vmin=None, vmax=None, colorbar=True):
    """Draw a (rows, cols) matrix, e.g. attention weights (queries x keys)."""
    matrix = _to_numpy(matrix)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * matrix.shape[1] + 2, 0.45 * matrix.shape[0] + 1.5))
    image = ax.imshow(matrix, cmap=cmap, aspect="auto", vmin=vmin, vmax=vmax)
    if x_labels is not None:
        ax.set_xticks(range(len(x_labels)), labels=list(x_labels), rotation=60, ha="right")
    if y_labels is not None:
        ax.set_yticks(range(len(y_labels)), labels=list(y_labels))
    if annotate:
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if matrix[i, j] < (matrix.max() + matrix.min()) / 2 else "black")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def attention_map(weights, source_tokens, target_tokens, title="어텐션 가중치", ax=None):
    """Attention weights (target steps x source steps) with token labels on both axes."""
    return heatmap(weights, x_labels=source_tokens, y_labels=target_tokens, title=title, ax=ax,
                   xlabel="입력(키) 토큰", ylabel="출력(쿼리) 토큰", vmin=0.0, vmax=1.0)


def curves(xs, series: dict, title="", xlabel="", ylabel="", ax=None, marker="o"):
    """Several named lines over the same x values, e.g. accuracy vs length per model."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for name, ys in series.items():
        ax.plot(list(xs), [float(y) for y in ys], marker=marker, label=name)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if len(series) > 1:
        ax.legend()
    return ax


def loss_curve(histories: dict, title="학습 손실", ax=None, window=20):
    """Smoothed training loss of one or more runs: {name: History}."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for name, history in histories.items():
        ax.plot(history.smoothed(window), label=name)
    ax.set_title(title)
    ax.set_xlabel("학습 단계(step)")
    ax.set_ylabel("손실(loss)")
    ax.grid(alpha=0.3)
    if len(histories) > 1:
        ax.legend()
    return ax
